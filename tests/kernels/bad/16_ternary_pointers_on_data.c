// expect unsupported: 4: '?:' chooses between pointers on an input-dependent condition
void k(const double *in, double *out) {
  const double *a = in, *b = in + 1;
  out[0] = *(in[2] > 0 ? a : b);
}
