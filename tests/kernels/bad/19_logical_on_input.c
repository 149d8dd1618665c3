// expect unsupported: 3: a condition on input-dependent data is stored in int variable 'both'
void k(const double *in, double *out) {
  int both = in[0] && 1;
  out[0] = both;
}
