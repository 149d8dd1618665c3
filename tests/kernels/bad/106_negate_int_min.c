// expect format: 3: integer overflow in '-': 2147483648 does not fit in int
void k(const double *in, double *out) {
  int k = -(-2147483647 - 1);
  out[0] = in[0] * k;
}
