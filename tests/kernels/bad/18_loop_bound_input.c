// expect unsupported: 4: comparison '<' of input-dependent values
void k(const double *in, double *out) {
  out[0] = 0.0;
  for (int i = 0; i < in[0]; i++)
    out[0] += in[1];
}
