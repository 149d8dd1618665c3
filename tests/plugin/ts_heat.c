/* 1-D reaction-diffusion u_t = u_xx + r u (1 - u) (-reaction r, default 0: the heat equation),
   u = 0 held at both ends, with an implicit TS (backward Euler unless -ts_type says otherwise)
   and an IFunction on a DMDA; no IJacobian of its own (-snes_fd_color, or alphagrad).
   Built twice: ts_heat (plain PETSc: -snes_jacobian alphagrad works from options on the TS's
   SNES with the IFunction kernels of heat_ts.c) and ts_heat_api (AG_USE_API, -mode api: the
   operator of heat_ts.c is the TS's IFunction and IJacobian, TSAlphaGradSetOperator; with
   -split also the RHS operator, TSAlphaGradSetRHSOperator). */
#include <petscdmda.h>
#include <petscts.h>
#ifdef AG_USE_API
#include <alphagrad_petsc.h>
#endif

static PetscReal reaction = 0;
/* -split: the same problem as F(t, U, U_t) = G(t, U) with F = u_t - u_xx (u at the ends) and
   G = r u (1 - u) (0 at the ends), for IMEX methods (G explicit) and for implicit ones (which
   need G's Jacobian: -snes_fd_color, or alphagrad's RHS operator) */
static PetscBool split = PETSC_FALSE;

PETSC_UNUSED static PetscErrorCode IFunction(TS ts, PetscReal t, Vec U, Vec Udot, Vec F,
                                             void *ctx) {
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
      f[i] = ud[i] - (u[i - 1] - 2 * u[i] + u[i + 1]) / (h * h) -
             (split ? 0 : reaction * u[i] * (1 - u[i]));
  }
  PetscCall(DMDAVecRestoreArrayRead(da, Ul, &u));
  PetscCall(DMDAVecRestoreArrayRead(da, Udot, &ud));
  PetscCall(DMDAVecRestoreArray(da, F, &f));
  PetscCall(DMRestoreLocalVector(da, &Ul));
  PetscFunctionReturn(0);
}

PETSC_UNUSED static PetscErrorCode RHSFunction(TS ts, PetscReal t, Vec U, Vec G, void *ctx) {
  DM da;
  DMDALocalInfo info;
  const PetscScalar *u;
  PetscScalar *g;
  PetscFunctionBeginUser;
  (void)t;
  (void)ctx;
  PetscCall(TSGetDM(ts, &da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArrayRead(da, U, &u));
  PetscCall(DMDAVecGetArray(da, G, &g));
  for (PetscInt i = info.xs; i < info.xs + info.xm; i++)
    g[i] = (i == 0 || i == info.mx - 1) ? 0 : reaction * u[i] * (1 - u[i]);
  PetscCall(DMDAVecRestoreArrayRead(da, U, &u));
  PetscCall(DMDAVecRestoreArray(da, G, &g));
  PetscFunctionReturn(0);
}

/* -hand: hand-coded Jacobians (the exact reference): IJacobian shift I - d(u_xx + [r u (1 - u)])
   /du (the reaction only without -split), and with -split the RHS Jacobian r (1 - 2u) */
PETSC_UNUSED static PetscErrorCode IJacobian(TS ts, PetscReal t, Vec U, Vec Udot, PetscReal shift,
                                             Mat A, Mat B, void *ctx) {
  DM da;
  DMDALocalInfo info;
  const PetscScalar *u;
  PetscFunctionBeginUser;
  (void)t;
  (void)Udot;
  (void)ctx;
  PetscCall(TSGetDM(ts, &da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArrayRead(da, U, &u));
  PetscReal h = 1.0 / (info.mx - 1);
  for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
    MatStencil row = {.i = i}, col[3] = {{.i = i - 1}, {.i = i}, {.i = i + 1}};
    if (i == 0 || i == info.mx - 1) {
      PetscScalar one = 1;
      PetscCall(MatSetValuesStencil(B, 1, &row, 1, &col[1], &one, INSERT_VALUES));
    } else {
      PetscScalar v[3] = {-1 / (h * h), shift + 2 / (h * h), -1 / (h * h)};
      if (!split) v[1] -= reaction * (1 - 2 * u[i]);
      PetscCall(MatSetValuesStencil(B, 1, &row, 3, col, v, INSERT_VALUES));
    }
  }
  PetscCall(DMDAVecRestoreArrayRead(da, U, &u));
  PetscCall(MatAssemblyBegin(B, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(B, MAT_FINAL_ASSEMBLY));
  if (A != B) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

PETSC_UNUSED static PetscErrorCode RHSJacobian(TS ts, PetscReal t, Vec U, Mat A, Mat B, void *ctx) {
  DM da;
  DMDALocalInfo info;
  const PetscScalar *u;
  PetscFunctionBeginUser;
  (void)t;
  (void)ctx;
  PetscCall(TSGetDM(ts, &da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArrayRead(da, U, &u));
  for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
    MatStencil row = {.i = i};
    PetscScalar v = (i == 0 || i == info.mx - 1) ? 0 : reaction * (1 - 2 * u[i]);
    PetscCall(MatSetValuesStencil(B, 1, &row, 1, &row, &v, INSERT_VALUES));
  }
  PetscCall(DMDAVecRestoreArrayRead(da, U, &u));
  PetscCall(MatAssemblyBegin(B, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(B, MAT_FINAL_ASSEMBLY));
  if (A != B) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  TS ts;
  DM da;
  Vec u;
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-reaction", &reaction, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-split", &split, NULL));
  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, 33, 1, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, da));
  PetscCall(TSSetType(ts, TSBEULER));
#ifdef AG_USE_API
  {
    AGOperator op;
    AGKernel k, b;
    PetscCall(SNESAlphaGradRegister());
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD,
                             split ? "heat_ts.c:heat_diffusion" : "heat_ts.c:heat", &k));
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, "heat_ts.c:heat_boundary", &b));
    PetscCall(AGKernelSetParameters(k, 1, &reaction));
    PetscCall(AGKernelSetGeometry(k, PETSC_TRUE));
    PetscCall(AGOperatorCreate(da, &op));
    PetscCall(AGOperatorSetIFunction(op, PETSC_TRUE));
    PetscCall(AGOperatorAddCellKernel(op, k, DMDA_STENCIL_STAR, 1, b));
    PetscCall(TSAlphaGradSetOperator(ts, op, PETSC_TRUE));
    PetscCall(AGKernelDestroy(&k));
    PetscCall(AGKernelDestroy(&b));
    PetscCall(AGOperatorDestroy(&op));
    if (split) { /* G = r u (1 - u): the operator is the TS's RHS function and RHS Jacobian */
      PetscCall(AGKernelCreate(PETSC_COMM_WORLD, "heat_ts.c:heat_reaction", &k));
      PetscCall(AGKernelCreate(PETSC_COMM_WORLD, "heat_ts.c:heat_reaction_boundary", &b));
      PetscCall(AGKernelSetParameters(k, 1, &reaction));
      PetscCall(AGOperatorCreate(da, &op));
      PetscCall(AGOperatorAddCellKernel(op, k, DMDA_STENCIL_STAR, 1, b));
      PetscCall(TSAlphaGradSetRHSOperator(ts, op, PETSC_TRUE));
      PetscCall(AGKernelDestroy(&k));
      PetscCall(AGKernelDestroy(&b));
      PetscCall(AGOperatorDestroy(&op));
    }
  }
#else
  PetscCall(TSSetIFunction(ts, NULL, IFunction, NULL));
  if (split) PetscCall(TSSetRHSFunction(ts, NULL, RHSFunction, NULL));
  {
    PetscBool hand = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-hand", &hand, NULL));
    if (hand) PetscCall(TSSetIJacobian(ts, NULL, NULL, IJacobian, NULL));
    if (hand && split) PetscCall(TSSetRHSJacobian(ts, NULL, NULL, RHSJacobian, NULL));
  }
#endif
  PetscCall(TSSetTimeStep(ts, 1e-3));
  PetscCall(TSSetMaxSteps(ts, 3));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_STEPOVER));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(DMCreateGlobalVector(da, &u));
  { /* u(0) = 4 x (1 - x): zero at both ends, as the boundary rows hold it */
    PetscScalar *a;
    DMDALocalInfo info;
    PetscCall(DMDAGetLocalInfo(da, &info));
    PetscCall(DMDAVecGetArray(da, u, &a));
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      PetscReal x = (PetscReal)i / (info.mx - 1);
      a[i] = 4 * x * (1 - x);
    }
    PetscCall(DMDAVecRestoreArray(da, u, &a));
  }
  PetscCall(TSSolve(ts, u));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ts_heat: done\n"));
  PetscCall(VecDestroy(&u));
  PetscCall(TSDestroy(&ts));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
