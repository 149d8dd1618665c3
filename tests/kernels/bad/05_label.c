// expect unsupported: 4: labels are not supported
void k(const double *in, double *out) {
  out[0] = in[0];
again:
  out[0] = out[0] + 1.0;
}
