// expect format: 5: loop does not terminate
void k(const double *in, double *out) {
  int i;
  out[0] = in[0];
  for (i = 0; i < 10;) {
    out[0] = out[0] * in[0];
  }
}
