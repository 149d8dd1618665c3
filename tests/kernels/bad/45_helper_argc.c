// expect format: 4: function 'sq' takes 1 argument, got 2
static double sq(double x) { return x * x; }
void k(const double *in, double *out) {
  out[0] = sq(in[0], in[1]);
}
