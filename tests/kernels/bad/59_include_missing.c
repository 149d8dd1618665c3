// expect I/O: 3: missing.h: cannot open
#include <math.h>
#include "missing.h"
void k(const double *in, double *out) {
  out[0] = in[0];
}
