// expect unsupported: 3: member access '->' is not supported
void k(const double *in, double *out) {
  out[0] = in->x;
}
