// expect unsupported: 2: struct members of int type are not supported
struct pt { int n; double x, y; };
void k(const double *in, double *out) {
  struct pt a;
  a.x = in[0];
  out[0] = a.x;
}
