// expect format: 4: '|' needs integer operands
void k(const double *in, double *out) {
  const double m = 4.0;
  out[0] = (m | 1) * in[0];
}
