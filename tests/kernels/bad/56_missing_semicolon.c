// expect format: 4: expected ';' before 'out'
void k(const double *in, double *out) {
  double t = in[0] * 2.0
  out[0] = t;
}
