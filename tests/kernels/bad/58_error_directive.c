// expect format: 3: #error this kernel needs NDIM
#ifndef NDIM
#error this kernel needs NDIM
#endif
void k(const double *in, double *out) {
  out[0] = in[0];
}
