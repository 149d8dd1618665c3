// expect unsupported: 3: union types are not supported
void k(const double *in, double *out) {
  union { double d; long l; } u;
  u.d = in[0];
  out[0] = u.d;
}
