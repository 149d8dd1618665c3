// expect format: 4: #else without #if
void k(const double *in, double *out) {
  out[0] = in[0];
#else
}
