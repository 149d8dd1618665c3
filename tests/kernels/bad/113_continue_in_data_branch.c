// expect unsupported: 6: 'continue' inside a branch on input-dependent data
void k(const double *in, double *out) {
  out[0] = 0.0;
  for (int i = 0; i < 3; i++) {
    if (in[i] < 0)
      continue;
    out[0] += in[i];
  }
}
