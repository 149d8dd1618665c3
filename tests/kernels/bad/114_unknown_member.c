// expect format: 5: struct 'Prim' has no member 'v'
typedef struct { double rho, u, p; } Prim;
void k(const double *in, double *out) {
  Prim s = {in[0], in[1], in[2]};
  out[0] = s.v;
}
