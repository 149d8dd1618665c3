/* The 2-D Bratu test application (bratu2d_plain, bratu2d_api) of the plugin tests. */
/* 2-D Bratu application for the plugin tests, in the style of PETSc's SNES ex5.

   Built twice from this file:
   - bratu2d_plain: a PETSc application that never names alphagrad (its own residual and
     hand-coded Jacobian, DMDA local callbacks). With -dll_append libalphagrad.so and
     -snes_jacobian alphagrad -snes_jacobian_alphagrad_kernel bratu.c:bratu ... the plugin
     takes over the Jacobian.
   - bratu2d_api (AG_USE_API): registers an alphagrad operator built from the same kernel
     file: -mode operator (the operator is the residual too) or -mode jacobian (the
     application keeps its residual; the operator is used for the Jacobian only), or -mode
     explicit (as operator, with SNESSetJacobian(..., SNESComputeJacobianAlphaGrad, op)).

   Options: -lambda L (6), -use_prefix (the SNES gets prefix "bratu_"), -no_hand_jacobian
   (plain: do not register the hand-coded Jacobian), -geometry (api: the kernels of
   bratu_geom.c with the grid's geometry as parameters, for multigrid and grid sequencing).
   The application's own residual and Jacobian compute the grid's spacings on every call. Prints the
   Newton iterations and the final residual norm. */
#include <petscdmda.h>
#include <petscsnes.h>
#ifdef AG_USE_API
#include <alphagrad_petsc.h>
#endif

#include "bratu.c" /* the kernels, as plain C */

typedef struct {
  PetscReal lambda;
  PetscReal p[3];
} AppCtx;

/* the kernels' parameters on the grid of info (multigrid levels and grid sequencing give
   the callbacks other grids than the first) */
static void grid_params(const DMDALocalInfo *info, PetscReal lambda, PetscReal p[3]) {
  PetscReal hx = 1.0 / (info->mx - 1), hy = 1.0 / (info->my - 1);
  p[0] = hy / hx;
  p[1] = hx / hy;
  p[2] = hx * hy * lambda;
}

static PetscErrorCode FormFunctionLocal(DMDALocalInfo *info, PetscScalar **x, PetscScalar **f,
                                        AppCtx *ctx) {
  AppCtx grid = *ctx, *user = &grid;
  PetscFunctionBeginUser;
  grid_params(info, ctx->lambda, grid.p);
  for (PetscInt j = info->ys; j < info->ys + info->ym; j++)
    for (PetscInt i = info->xs; i < info->xs + info->xm; i++) {
      if (i == 0 || j == 0 || i == info->mx - 1 || j == info->my - 1) {
        bratu_boundary(&x[j][i], &f[j][i], user->p);
      } else {
        double in[5] = {x[j - 1][i], x[j][i - 1], x[j][i], x[j][i + 1], x[j + 1][i]};
        bratu(in, &f[j][i], user->p);
      }
    }
  PetscFunctionReturn(0);
}

PETSC_UNUSED static PetscErrorCode FormJacobianLocal(DMDALocalInfo *info, PetscScalar **x, Mat J,
                                                     Mat P, AppCtx *ctx) {
  MatStencil row, col[5];
  PetscScalar v[5];
  AppCtx grid = *ctx, *user = &grid;
  PetscFunctionBeginUser;
  grid_params(info, ctx->lambda, grid.p);
  (void)J;
  for (PetscInt j = info->ys; j < info->ys + info->ym; j++)
    for (PetscInt i = info->xs; i < info->xs + info->xm; i++) {
      row.i = i;
      row.j = j;
      if (i == 0 || j == 0 || i == info->mx - 1 || j == info->my - 1) {
        v[0] = 2.0 * (user->p[0] + user->p[1]);
        PetscCall(MatSetValuesStencil(P, 1, &row, 1, &row, v, INSERT_VALUES));
      } else {
        v[0] = -user->p[1];
        col[0].i = i;
        col[0].j = j - 1;
        v[1] = -user->p[0];
        col[1].i = i - 1;
        col[1].j = j;
        v[2] = 2.0 * (user->p[0] + user->p[1]) - user->p[2] * PetscExpScalar(x[j][i]);
        col[2].i = i;
        col[2].j = j;
        v[3] = -user->p[0];
        col[3].i = i + 1;
        col[3].j = j;
        v[4] = -user->p[1];
        col[4].i = i;
        col[4].j = j + 1;
        PetscCall(MatSetValuesStencil(P, 1, &row, 5, col, v, INSERT_VALUES));
      }
    }
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  if (J != P) {
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

/* initial guess of ex5 */
static PetscErrorCode FormInitialGuess(DM da, AppCtx *user, Vec X) {
  DMDALocalInfo info;
  PetscScalar **x;
  PetscReal temp1 = user->lambda / (user->lambda + 1.0);
  PetscFunctionBeginUser;
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscReal hx = 1.0 / (info.mx - 1), hy = 1.0 / (info.my - 1);
  PetscCall(DMDAVecGetArray(da, X, &x));
  for (PetscInt j = info.ys; j < info.ys + info.ym; j++) {
    PetscReal temp = (PetscReal)(PetscMin(j, info.my - j - 1)) * hy;
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      if (i == 0 || j == 0 || i == info.mx - 1 || j == info.my - 1)
        x[j][i] = 0.0;
      else
        x[j][i] =
            temp1 * PetscSqrtReal(PetscMin((PetscReal)(PetscMin(i, info.mx - i - 1)) * hx, temp));
    }
  }
  PetscCall(DMDAVecRestoreArray(da, X, &x));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  SNES snes;
  DM da;
  Vec x;
  AppCtx user;
  PetscInt its, mx, my;
  PetscReal fnorm;
  PetscBool use_prefix = PETSC_FALSE, no_hand = PETSC_FALSE;
  SNESConvergedReason reason;
#ifdef AG_USE_API
  char mode[32] = "operator", kfile[PETSC_MAX_PATH_LEN] = "bratu.c";
  PetscBool geometry = PETSC_FALSE;
#endif
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  user.lambda = 6.0;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-lambda", &user.lambda, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-use_prefix", &use_prefix, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-no_hand_jacobian", &no_hand, NULL));
#ifdef AG_USE_API
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mode", mode, sizeof mode, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-geometry", &geometry, NULL));
  if (geometry) PetscCall(PetscStrcpy(kfile, "bratu_geom.c"));
  PetscCall(SNESAlphaGradRegister());
#endif
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR,
                         16, 16, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(
      DMDAGetInfo(da, NULL, &mx, &my, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscReal hx = 1.0 / (mx - 1), hy = 1.0 / (my - 1);
  user.p[0] = hy / hx;
  user.p[1] = hx / hy;
  user.p[2] = hx * hy * user.lambda;

  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  if (use_prefix) PetscCall(SNESSetOptionsPrefix(snes, "bratu_"));
  PetscCall(SNESSetDM(snes, da));
#ifdef AG_USE_API
  {
    AGOperator op;
    AGKernel k, b;
    char spec[PETSC_MAX_PATH_LEN + 32];
    PetscBool residual = PETSC_TRUE, explicit_jac = PETSC_FALSE;
    PetscCall(PetscStrcmp(mode, "operator", &residual));
    PetscCall(PetscStrcmp(mode, "explicit", &explicit_jac));
    residual = (PetscBool)(residual || explicit_jac);
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:bratu", kfile));
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &k));
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:bratu_boundary", kfile));
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &b));
    if (geometry) { /* bratu_geom.c: p = (lambda, hx, hy, x, y), one kernel for every grid */
      PetscCall(AGKernelSetParameters(k, 1, &user.lambda));
      PetscCall(AGKernelSetParameters(b, 1, &user.lambda));
      PetscCall(AGKernelSetGeometry(k, PETSC_TRUE));
      PetscCall(AGKernelSetGeometry(b, PETSC_TRUE));
    } else {
      PetscCall(AGKernelSetParameters(k, 3, user.p));
      PetscCall(AGKernelSetParameters(b, 3, user.p));
    }
    PetscCall(AGOperatorCreate(da, &op));
    PetscCall(AGOperatorAddCellKernel(op, k, DMDA_STENCIL_STAR, 1, b));
    if (!residual)
      PetscCall(
          DMDASNESSetFunctionLocal(da, INSERT_VALUES, (DMDASNESFunction)FormFunctionLocal, &user));
      /* the deprecated name (SNESAlphaGradSetOperator) still compiles and works */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    PetscCall(SNESSetAlphaGradOperator(snes, op, residual));
#pragma GCC diagnostic pop
    /* -mode explicit: the application installs the Jacobian function itself */
    if (explicit_jac)
      PetscCall(SNESSetJacobian(snes, NULL, NULL, SNESComputeJacobianAlphaGrad, op));
    PetscCall(AGKernelDestroy(&k));
    PetscCall(AGKernelDestroy(&b));
    PetscCall(AGOperatorDestroy(&op));
  }
#else
  PetscCall(
      DMDASNESSetFunctionLocal(da, INSERT_VALUES, (DMDASNESFunction)FormFunctionLocal, &user));
  if (!no_hand) PetscCall(DMDASNESSetJacobianLocal(da, (DMDASNESJacobian)FormJacobianLocal, &user));
#endif
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(FormInitialGuess(da, &user, x));
  PetscCall(SNESSolve(snes, NULL, x));
  PetscCall(SNESGetIterationNumber(snes, &its));
  { /* the final grid (-snes_grid_sequence refines it) */
    DM fdm;
    PetscCall(SNESGetDM(snes, &fdm));
    PetscCall(DMDAGetInfo(fdm, NULL, &mx, &my, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL));
  }
  PetscCall(SNESGetConvergedReason(snes, &reason));
  {
    Vec f;
    PetscCall(SNESGetFunction(snes, &f, NULL, NULL));
    PetscCall(VecNorm(f, NORM_2, &fnorm));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "bratu2d: %" PetscInt_FMT " x %" PetscInt_FMT
                        ", lambda %g: %s, Newton iterations %" PetscInt_FMT ", residual norm %g\n",
                        mx, my, (double)user.lambda, SNESConvergedReasons[reason], its,
                        (double)fnorm));
  PetscCall(VecDestroy(&x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
