// expect unsupported: 3: 70000 does not fit in short (the type of the cast)
void k(const double *in, double *out) {
  int k = (short)70000;
  out[0] = in[0] * k;
}
