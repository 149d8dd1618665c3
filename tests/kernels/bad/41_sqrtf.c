// expect unsupported: 3: 'sqrtf' is the float/long double variant; use 'sqrt'
void k(const double *in, double *out) {
  out[0] = sqrtf(in[0]);
}
