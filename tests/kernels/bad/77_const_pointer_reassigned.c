// expect format: 5: assignment through a pointer to const
void k(const double *in, double *out) {
  out[0] = in[0];
  in = out;
  in[0] = 2.0;
}
