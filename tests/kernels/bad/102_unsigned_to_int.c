// expect unsupported: 4: 4294967295 does not fit in int (the type of variable 'k')
void k(const double *in, double *out) {
  unsigned u = 4294967295u;
  int k = u;
  out[0] = in[0] * k;
}
