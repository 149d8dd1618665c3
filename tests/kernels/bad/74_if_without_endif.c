// expect format: 3: unterminated #if
#define N 2
#if N > 1
void k(const double *in, double *out) {
  out[0] = in[0];
}
