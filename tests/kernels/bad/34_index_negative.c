// expect format: 5: negative index -1 into 'out'
void k(const double *in, double *out) {
  int j = 0;
  out[0] = in[0];
  out[j - 1] = in[1];
}
