// expect format: 5: member 'u' of 's' is used before it is assigned
typedef struct { double rho, u; } Prim;
void k(const double *in, double *out) {
  Prim s; s.rho = in[0];
  out[0] = s.u;
}
