// expect unsupported: 4: condition of '?:' depends on the kernel's inputs
void k(const double *in, double *out) {
  double s = in[1];
  out[0] = s ? in[0] : 0.0;
}
