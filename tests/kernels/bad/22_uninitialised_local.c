// expect format: 5: variable 'y' is used before it is assigned
void k(const double *in, double *out) {
  double y;
  out[0] = in[0];
  out[1] = y * in[1];
}
