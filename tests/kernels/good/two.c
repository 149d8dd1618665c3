/* Two kernels in one file: the caller names one. */
void first(const double *in, double *out) { out[0] = in[0] * in[1]; }

void second(const double *in, double *out) {
  out[0] = in[0] / in[1];
  out[1] = in[1] - in[0];
}
