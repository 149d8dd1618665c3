// expect unsupported: 3: 'fmod' is not supported
void k(const double *in, double *out) {
  out[0] = fmod(in[0], 2.0);
}
