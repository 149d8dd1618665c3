// expect format: 4: 'return' with a value in a void function
void k(const double *in, double *out) {
  out[0] = in[0];
  return out[0];
}
