// expect format: 3: assignment through a pointer to const
static void scale(const double *v, double s) {
  v[0] = v[0] * s;
}
void k(const double *in, double *out) {
  out[0] = in[0];
  scale(out, 2.0);
}
