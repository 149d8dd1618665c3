// expect format: 2: unbalanced '{'
void k(const double *in, double *out) {
  out[0] = in[0];
  for (int i = 0; i < 2; i++) {
    out[0] += in[0];
}
