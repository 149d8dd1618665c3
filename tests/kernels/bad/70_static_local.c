// expect unsupported: 3: non-const static local variables keep state
void k(const double *in, double *out) {
  static double calls = 0;
  calls += 1.0;
  out[0] = calls * in[0];
}
