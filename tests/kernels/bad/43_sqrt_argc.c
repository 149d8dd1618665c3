// expect format: 3: sqrt expects 1 argument, got 2
void k(const double *in, double *out) {
  out[0] = sqrt(in[0],
                in[1]);
}
