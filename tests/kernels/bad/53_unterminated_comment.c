// expect format: 4: unterminated comment
void k(const double *in, double *out) {
  out[0] = in[0];
  /* the rest
     is never closed
}
