// expect format: 5: unbalanced '}'
void k(const double *in, double *out) {
  out[0] = in[0];
}
}
