// expect unsupported: 5: 'while' loops are not supported
void k(const double *in, double *out) {
  int i = 0;
  out[0] = in[0];
  while (i < 3) {
    out[0] = out[0] * in[0];
    i++;
  }
}
