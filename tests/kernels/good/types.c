/* Types: typedef double Real, PETSc scalar and integer types, casts. The PETSc names are
   known to the front end; the typedefs below let the file compile without PETSc. */
#include <math.h>

typedef double PetscScalar;
typedef double PetscReal;
typedef int PetscInt;
typedef double Real;

#ifndef PetscSqr /* the front end knows the PETSc macros */
#define PetscSqr(a)   ((a) * (a))
#define PetscSqrtReal sqrt
#define PetscExpReal  exp
#define PetscAbsReal  fabs
#endif

static PetscReal dot(const PetscScalar *a, const PetscScalar *b, PetscInt n) {
  PetscReal s = 0.0;
  for (PetscInt i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

void types(const PetscScalar *in, PetscScalar *out) {
  const Real half = 0.5;
  Real x = in[0], y = in[1];
  PetscInt two = 2;
  out[0] = half * dot(in, in + 1, two);
  out[1] = PetscSqr(x) + PetscSqrtReal(y);
  out[2] = (Real)two * PetscExpReal(x - y) + PetscAbsReal(y);
}
