// expect unsupported: 3: pointer casts are not supported
void k(const double *in, double *out) {
  const long *bits = (const long *)in;
  out[0] = bits[0];
}
