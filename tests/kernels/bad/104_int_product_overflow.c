// expect format: 3: integer overflow in '*': 4294967296 does not fit in int
void k(const double *in, double *out) {
  long k = 65536 * 65536;
  out[0] = in[0] * k;
}
