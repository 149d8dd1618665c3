// expect format: 3: invalid digit in octal constant '09'
void k(const double *in, double *out) {
  out[0] = 09 * in[0];
}
