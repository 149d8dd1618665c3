// expect format: 2: 'out[1]' is never assigned (declared 'double out[2]')
void k(const double *in, double out[2]) {
  out[0] = in[0];
}
