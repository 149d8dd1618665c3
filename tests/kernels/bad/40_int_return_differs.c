// expect unsupported: 4: int function 'pick' returns inside a branch on input-dependent data
static int pick(double x) {
  if (x > 0)
    return 1;
  else
    return 2;
}
void k(const double *in, double *out) {
  out[0] = pick(in[0]) * in[1];
}
