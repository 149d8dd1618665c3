// expect unsupported: 6: unsigned arithmetic in '-' wraps around
void k(const double *in, double *out) {
  unsigned n = 2;
  int m = 0;
  out[0] = in[0];
  if ((n - 3) / 2 > 0) m = 1;
  out[1] = m * in[1];
}
