// expect format: 5: assignment through a pointer to const
void k(const double *in, double *out) {
  const double *q = out;
  out[0] = in[0];
  q[0] = 2.0 * in[0];
}
