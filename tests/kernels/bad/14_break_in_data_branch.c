// expect unsupported: 5: 'break' inside a branch on input-dependent data
void k(const double *in, double *out) {
  out[0] = 0.0;
  for (int i = 0; i < 4; i++) {
    if (in[0] > i) break;
    out[0] += in[1];
  }
}
