// expect format: 6: variable 's' is assigned on only one side of the branch at line 4
void k(const double *in, double *out) {
  double s;
  if (in[0] > 0)
    s = in[0];
  out[0] = s * in[1];
}
