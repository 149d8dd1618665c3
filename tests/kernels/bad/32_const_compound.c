// expect format: 4: assignment to const variable 'n'
void k(const double *in, double *out) {
  const int n = 2;
  n += 1;
  out[0] = n * in[0];
}
