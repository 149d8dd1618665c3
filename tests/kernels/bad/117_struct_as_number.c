// expect format: 4: a struct is used where a number is expected
typedef struct { double rho, u; } Prim;
void k(const double *in, double *out) {
  Prim s = {in[0], in[1]}; out[0] = s * 2.0;
}
