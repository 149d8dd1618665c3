// expect unsupported: 4: 'sizeof' is not supported
void k(const double *in, double *out) {
  double a[4] = {1, 2, 3, 4};
  int n = sizeof a / sizeof a[0];
  out[0] = n * in[0];
}
