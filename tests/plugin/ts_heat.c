/* The 1-D heat equation u_t = u_xx with an implicit TS (backward Euler, IFunction on a DMDA):
   the SNES inside the TS. -snes_jacobian alphagrad there must be refused with a clear
   message (its Jacobian would be shift * dF/dUdot + dF/dU). */
#include <petscdmda.h>
#include <petscts.h>

static PetscErrorCode IFunction(TS ts, PetscReal t, Vec U, Vec Udot, Vec F, void *ctx) {
  DM da;
  Vec Ul;
  DMDALocalInfo info;
  const PetscScalar *u, *ud;
  PetscScalar *f;
  PetscFunctionBeginUser;
  (void)t;
  (void)ctx;
  PetscCall(TSGetDM(ts, &da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMGetLocalVector(da, &Ul));
  PetscCall(DMGlobalToLocal(da, U, INSERT_VALUES, Ul));
  PetscCall(DMDAVecGetArrayRead(da, Ul, &u));
  PetscCall(DMDAVecGetArrayRead(da, Udot, &ud));
  PetscCall(DMDAVecGetArray(da, F, &f));
  PetscReal h = 1.0 / (info.mx - 1);
  for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
    if (i == 0 || i == info.mx - 1)
      f[i] = u[i];
    else
      f[i] = ud[i] - (u[i - 1] - 2 * u[i] + u[i + 1]) / (h * h);
  }
  PetscCall(DMDAVecRestoreArrayRead(da, Ul, &u));
  PetscCall(DMDAVecRestoreArrayRead(da, Udot, &ud));
  PetscCall(DMDAVecRestoreArray(da, F, &f));
  PetscCall(DMRestoreLocalVector(da, &Ul));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  TS ts;
  DM da;
  Vec u;
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, 33, 1, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, da));
  PetscCall(TSSetType(ts, TSBEULER));
  PetscCall(TSSetIFunction(ts, NULL, IFunction, NULL));
  PetscCall(TSSetTimeStep(ts, 1e-3));
  PetscCall(TSSetMaxSteps(ts, 3));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_STEPOVER));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(DMCreateGlobalVector(da, &u));
  PetscCall(VecSet(u, 1.0));
  PetscCall(TSSolve(ts, u));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ts_heat: done\n"));
  PetscCall(VecDestroy(&u));
  PetscCall(TSDestroy(&ts));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
