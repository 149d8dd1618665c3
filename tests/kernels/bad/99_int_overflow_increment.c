// expect format: 4: integer overflow in '++': 2147483648 does not fit in int
void k(const double *in, double *out) {
  int k = 2147483647;
  k++;
  out[0] = in[0] * k;
}
