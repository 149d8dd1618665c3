// expect unsupported: 4: file-scope variable 'scale' is not const
double scale = 2.0;
void k(const double *in, double *out) {
  out[0] = scale * in[0];
}
