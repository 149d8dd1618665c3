// expect unsupported: 5: 'do' loops are not supported
void k(const double *in, double *out) {
  int i = 0;
  out[0] = in[0];
  do {
    out[0] = out[0] * in[0];
    i++;
  } while (i < 3);
}
