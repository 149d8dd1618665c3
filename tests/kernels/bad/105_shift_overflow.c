// expect format: 3: integer overflow in '<<': 2147483648 does not fit in int
void k(const double *in, double *out) {
  int k = 1 << 31;
  out[0] = in[0] * k;
}
