// expect format: 2: expected a macro parameter name
#define F(a,) a
void k(const double *in, double *out) {
  out[0] = in[0];
}
