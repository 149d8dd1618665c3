// expect unsupported: 3: 40000 does not fit in short (the type of variable 's')
void k(const double *in, double *out) {
  short s = 40000;
  out[0] = in[0] * s;
}
