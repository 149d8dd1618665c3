// expect format: 4: 'out[1]' is read before it is assigned
void k(const double *in, double *out) {
  out[0] = in[0];
  out[0] = out[0] + out[1];
}
