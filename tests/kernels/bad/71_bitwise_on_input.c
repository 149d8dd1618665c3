// expect format: 3: '&' needs integer operands
void k(const double *in, double *out) {
  out[0] = in[0] & 1;
}
