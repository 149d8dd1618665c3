// expect input: -: 2 kernels in this file (a, b)
void a(const double *in, double *out) { out[0] = in[0]; }
void b(const double *in, double *out) { out[0] = 2.0 * in[0]; }
