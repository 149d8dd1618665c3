// expect format: 4: index -1 is out of bounds
void k(const double *in, double *out) {
  double a[2] = {in[0], in[1]};
  out[0] = a[-1];
}
