// expect unsupported: 4: for loop without a condition
void k(const double *in, double *out) {
  out[0] = in[0];
  for (;;)
    out[0] = out[0] * in[0];
}
