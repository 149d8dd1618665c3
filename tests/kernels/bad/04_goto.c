// expect unsupported: 4: 'goto' is not supported
void k(const double *in, double *out) {
  out[0] = in[0];
  goto done;
done:
  out[0] = out[0] + 1.0;
}
