// expect unsupported: 8: 'j' is set to different values on the two sides of the branch at line 5
void k(const double *in, double *out) {
  double a[2] = {in[0], in[1]};
  int j = 0;
  if (in[0] > in[1])
    j = 1;
  out[1] = in[0];
  out[0] = a[j];
}
