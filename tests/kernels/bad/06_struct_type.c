// expect unsupported: 4: struct and union types are not supported
struct pt { double x, y; };
void k(const double *in, double *out) {
  struct pt a;
  a.x = in[0];
  out[0] = a.x;
}
