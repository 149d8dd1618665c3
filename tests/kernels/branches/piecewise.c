// range: -3 3
/* The piecewise functions of math.h and PETSc's sign helpers. */
#include <math.h>
#include <petscsys.h>

void piecewise(const double *in, double *out) {
  double x = in[0], y = in[1], z = in[2];
  out[0] = copysign(x * y, z) + copysign(2.0, x) * y;
  out[1] = x * floor(y) + ceil(z) * y + round(x * z) + trunc(y - z) * x;
  out[2] = fmod(x * 3.0, y + 4.0) + fdim(x, y) * z;
  out[3] = PetscSign(x) * y + PetscSignReal(y - z) * z * z;
  out[4] = PetscFloorReal(z) * x + PetscCopysignReal(y, x) + PetscFmodReal(z, 1.5);
  out[5] = fabs(x - y) + fmax(x, z) * fmin(y, z);
}
