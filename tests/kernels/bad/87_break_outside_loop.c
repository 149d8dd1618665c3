// expect format: 4: 'break' outside a loop
void k(const double *in, double *out) {
  out[0] = in[0];
  if (1) break;
}
