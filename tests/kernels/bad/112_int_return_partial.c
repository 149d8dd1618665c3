// expect unsupported: 3: int function 'f' returns inside a branch on input-dependent data
static int f(double x) {
  if (x > 0)
    return 1;
  return 1;
}
void k(const double *in, double *out) {
  out[0] = f(in[0]) * in[1];
}
