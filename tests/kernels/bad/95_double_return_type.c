// expect format: 2: unexpected type name 'void' in the return type
void void k(const double *in, double *out) { out[0] = in[0]; }
