// expect unsupported: 2: unsupported preprocessor directive '#import'
#import "other.h"
void k(const double *in, double *out) {
  out[0] = in[0];
}
