// expect format: 6: a struct 'A' must be assigned a struct of the same type
struct A { double x; };
struct B { double x; };
void k(const double *in, double *out) {
  struct A a; struct B b = {in[0]};
  a = b;
  out[0] = a.x;
}
