// expect format: 4: macro 'SQ' takes 1 argument, got 2
#define SQ(x) ((x) * (x))
void k(const double *in, double *out) {
  out[0] = SQ(in[0], in[1]);
}
