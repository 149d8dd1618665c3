// expect format: 3: integer overflow in #if
#define BIG 9223372036854775807
#if BIG + 1 > 0
#endif
void k(const double *in, double *out) {
  out[0] = in[0];
}
