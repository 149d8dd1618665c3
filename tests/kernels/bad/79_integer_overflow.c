// expect format: 4: integer overflow in '*'
void k(const double *in, double *out) {
  long big = 4000000000;
  long sq = big * big * big;
  out[0] = sq * in[0];
}
