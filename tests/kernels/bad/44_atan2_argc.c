// expect format: 3: atan2 expects 2 arguments, got 1
void k(const double *in, double *out) {
  out[0] = atan2(in[0]);
}
