// expect format: 3: #define needs a macro name
void k(const double *in, double *out) { out[0] = in[0]; }
#define