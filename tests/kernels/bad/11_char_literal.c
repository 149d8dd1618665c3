// expect unsupported: 3: character literals are not supported
void k(const double *in, double *out) {
  int c = 'a';
  out[0] = c * in[0];
}
