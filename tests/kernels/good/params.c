/* A third argument p (run-time parameters, not differentiated) and pointers into arrays:
   in + 3, &a[1], *(q + 1). */
static double dot3(const double *a, const double *b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

void params(const double *in, double *out, const double *p) {
  const double *second = in + 3;
  double a[4] = {in[0], in[1], in[2], p[0]};
  const double *tail = &a[1];
  out[0] = dot3(in, second);
  out[1] = p[1] * tail[0] + tail[2] * in[5];
  out[2] = *(second + 1) * p[2] / (1.0 + p[0] * p[0]);
}
