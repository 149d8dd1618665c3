// expect format: 4: assignment to an element of const array 'c'
void k(const double *in, double *out) {
  const double c[2] = {1.0, 2.0};
  c[1] = in[0];
  out[0] = c[0] + c[1];
}
