// expect unsupported: 3: 3000000000 does not fit in int (the type of variable 'k')
void k(const double *in, double *out) {
  int k = 3000000000L;
  out[0] = in[0] * k;
}
