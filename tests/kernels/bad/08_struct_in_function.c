// expect unsupported: 3: struct definitions inside a function are not supported
void k(const double *in, double *out) {
  struct pt { double x, y; } a;
  a.x = in[0];
  out[0] = a.x;
}
