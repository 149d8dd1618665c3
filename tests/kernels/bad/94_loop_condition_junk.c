// expect format: 5: expected ';' after the loop condition
#define NOUT 2
void k(const double *in, double *out) {
  out[0] = out[1] = 0;
  for (int i = 0; i  NOUT; i++) out[i] = in[i];
}
