// expect unsupported: 5: pointers to pointers are not supported
void k(const double *in, double *out) {
  double a[1];
  double *p = a;
  double **pp = &p;
  a[0] = in[0];
  out[0] = **pp;
}
