// expect unsupported: 3: cast of an input-dependent value to an integer type
void k(const double *in, double *out) {
  out[0] = (int)in[0] + in[1];
}
