// expect format: 3: 'restrict' applies to pointers only
void k(const double *restrict in, double *restrict out) {
  int restrict j = 1;
  out[0] = in[0] * j;
}
