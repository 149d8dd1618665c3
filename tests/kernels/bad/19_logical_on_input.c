// expect unsupported: 3: operand of a logical operator depends on the kernel's inputs
void k(const double *in, double *out) {
  int both = in[0] && 1;
  out[0] = both;
}
