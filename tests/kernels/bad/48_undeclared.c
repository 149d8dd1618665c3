// expect format: 3: use of undeclared identifier 'scale'
void k(const double *in, double *out) {
  out[0] = scale * in[0];
}
