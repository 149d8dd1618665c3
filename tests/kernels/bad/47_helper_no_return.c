// expect format: 2: ends without returning a value
static double twice(double x) {
  double y = 2.0 * x;
  y = y + 0.0;
}
void k(const double *in, double *out) {
  out[0] = twice(in[0]);
}
