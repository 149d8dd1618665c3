// expect format: 4: expected ')' after the loop increment
void k(const double *in, double *out) {
  out[0] = out[1] = 0;
  for (int i = 0; i < 2; i++ i) out[i] = in[i];
}
