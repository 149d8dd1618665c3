// expect unsupported: 4: float literal (suffix 'f')
void k(const double *in, double *out) {
  out[0] = 0.5 * in[0];
  out[1] = 1.5f * in[1];
}
