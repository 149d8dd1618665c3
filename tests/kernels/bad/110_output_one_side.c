// expect format: 2: 'out[1]' is assigned on only some paths through a branch on input-dependent data
void k(const double *in, double *out) {
  out[0] = in[0];
  if (in[0] > 0)
    out[1] = in[1];
}
