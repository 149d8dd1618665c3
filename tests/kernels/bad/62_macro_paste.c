// expect unsupported: 2: (stringizing/token pasting) in macros is not supported
#define CAT(a, b) a ## b
void k(const double *in, double *out) {
  out[0] = in[0];
}
