// expect format: 5: the two sides give values of different types
typedef struct { double x; } S;
void k(const double *in, double *out) {
  S a = {in[0]};
  S c = in[1] > 0 ? a : in[1];
  out[0] = c.x;
}
