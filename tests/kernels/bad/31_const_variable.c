// expect format: 5: assignment to const variable 'a'
void k(const double *in, double *out) {
  const double a = 2.0;
  out[0] = a * in[0];
  a = 3.0;
}
