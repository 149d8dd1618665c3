// expect format: 4: shift count 64 is out of range
void k(const double *in, double *out) {
  int n = 64;
  long mask = 1L << n;
  out[0] = mask * in[0];
}
