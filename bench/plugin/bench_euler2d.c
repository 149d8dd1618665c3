/* The 2-D Euler Jacobian benchmark of the plugin (bench_euler2d). */
/* Benchmark of the plugin: Jacobians of a 2-D compressible Euler residual,
   alphagrad (-snes_jacobian alphagrad) against finite differences with coloring
   (-snes_fd_color). bench/plugin/run_bench.sh runs both and prints the table.

   First-order cell-centred finite volumes on a periodic DMDA (dof 4: rho, rho u, rho v, E;
   star stencil, width 1) on [0, 10]^2, Roe flux with an entropy fix in x and y
   (euler2d_kernels.c), one backward-Euler pseudo-time step from an isentropic vortex in a
   uniform flow:  R = (U - U^old) h/dt + Fx(i+1/2) - Fx(i-1/2) + Fy(j+1/2) - Fy(j-1/2).

   The application has its own compiled residual (the kernels #included as C, hand loops,
   each face flux computed once), so -snes_fd_color is timed with a fair residual; the
   alphagrad operator (time-term cell kernel with U^old as auxiliary vector, two face
   kernels) is registered for the Jacobian only.

   Options: -da_grid_x, -da_grid_y (320), -cfl (2: the pseudo-time step), -kernel_file,
   -compare: before the solve, the Jacobian of the operator and the one of -snes_fd_color at
   the initial state, and their difference (max |entry| and Frobenius norm, relative);
   -check_residual: the operator's residual against the application's; -loop K: K
   Jacobians of each kind in alternation, timed one by one (min and median per call);
   -residual_loop K: the same for the application's residual and the operator's.
   Time per Jacobian: -log_view (events SNESJacobianEval, AGSetUp, AGJacobianEval,
   MatFDColorApply). */
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>

#include "bench_loop.h"
#include "euler2d_kernels.c" /* the kernels, as plain C */

#ifndef EULER2D_KERNEL_FILE
#define EULER2D_KERNEL_FILE "euler2d_kernels.c"
#endif

typedef struct {
  PetscScalar u[4];
} Field;

typedef struct {
  PetscReal p[1]; /* h/dt */
  Vec uold;
} AppCtx;

/* own residual: time term, then every x face once, then every y face once (the operator's
   order of summation per cell) */
static PetscErrorCode FormFunctionLocal(DMDALocalInfo *info, Field **x, Field **f, AppCtx *user) {
  const Field **xo;
  PetscInt xs = info->xs, xe = info->xs + info->xm, ys = info->ys, ye = info->ys + info->ym;
  double in[8], out[4], p[5];
  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArrayRead(info->da, user->uold, &xo));
  p[0] = user->p[0];
  for (PetscInt j = ys; j < ye; j++)
    for (PetscInt i = xs; i < xe; i++) {
      for (int c = 0; c < 4; c++)
        p[1 + c] = xo[j][i].u[c];
      euler2d_time(x[j][i].u, f[j][i].u, p);
    }
  for (PetscInt j = ys; j < ye; j++)
    for (PetscInt i = xs; i <= xe; i++) {          /* face between i-1 and i (periodic ghosts) */
      euler2d_roe_x(&x[j][i - 1].u[0], out, NULL); /* x[j][i-1], x[j][i] are contiguous */
      if (i > xs)
        for (int c = 0; c < 4; c++)
          f[j][i - 1].u[c] += out[c];
      if (i < xe)
        for (int c = 0; c < 4; c++)
          f[j][i].u[c] -= out[c];
    }
  for (PetscInt i = xs; i < xe; i++)
    for (PetscInt j = ys; j <= ye; j++) {
      for (int c = 0; c < 4; c++) {
        in[c] = x[j - 1][i].u[c];
        in[4 + c] = x[j][i].u[c];
      }
      euler2d_roe_y(in, out, NULL);
      if (j > ys)
        for (int c = 0; c < 4; c++)
          f[j - 1][i].u[c] += out[c];
      if (j < ye)
        for (int c = 0; c < 4; c++)
          f[j][i].u[c] -= out[c];
    }
  PetscCall(DMDAVecRestoreArrayRead(info->da, user->uold, &xo));
  PetscFunctionReturn(0);
}

/* isentropic vortex (strength 5, centre (5, 5)) in the uniform flow (0.5, 0.3) */
static void vortex(double x, double y, double *u) {
  const double beta = 5.0, g = GAM, uinf = 0.5, vinf = 0.3;
  double dx = x - 5.0, dy = y - 5.0, r2 = dx * dx + dy * dy;
  double e = exp(0.5 * (1.0 - r2)) * beta / (2.0 * M_PI);
  double T = 1.0 - (g - 1.0) * beta * beta / (8.0 * g * M_PI * M_PI) * exp(1.0 - r2);
  double rho = pow(T, 1.0 / (g - 1.0)), p = pow(rho, g);
  double uu = uinf - e * dy, vv = vinf + e * dx;
  u[0] = rho;
  u[1] = rho * uu;
  u[2] = rho * vv;
  u[3] = p / (g - 1.0) + 0.5 * rho * (uu * uu + vv * vv);
}

/* -loop K: K Jacobians of each kind at the initial state, alternating (alphagrad into one
   matrix, finite differences with coloring into another, as -snes_fd_color does), each
   timed between barriers after one untimed call of each (set-up, patterns, coloring);
   prints the minimum and the median per call, then the memory floor (bench_loop.h). */
static PetscErrorCode JacobianLoop(SNES snes, AGOperator op, DM da, Vec x, PetscInt loop) {
  Mat A, B;
  Vec r;
  MPI_Comm comm = PETSC_COMM_WORLD;
  PetscReal first[2], lo[2], med[2], floor_ms;
  double nz;
  PetscFunctionBeginUser;
  PetscCall(DMCreateMatrix(da, &A));
  PetscCall(DMCreateMatrix(da, &B));
  PetscCall(SNESSetUp(snes));
  PetscCall(SNESSetSolution(snes, x));
  PetscCall(SNESGetFunction(snes, &r, NULL, NULL));
  PetscCall(SNESComputeFunction(snes, x, r));
  bench_ctx ca = {snes, op, x, NULL, A, NULL}, cb = {snes, op, x, NULL, B, NULL};
  bench_method m[2] = {{"alphagrad", bench_alphagrad, &ca}, {"fd_color", bench_fdcolor, &cb}};
  PetscCall(bench_alternate(comm, loop, 2, m, first, lo, med));
  PetscCall(PetscPrintf(comm,
                        "loop: first call (set-up included): alphagrad %.1f ms, fd_color %.1f ms\n",
                        (double)first[0], (double)first[1]));
  PetscCall(PetscPrintf(comm,
                        "loop: %" PetscInt_FMT
                        " Jacobians each: alphagrad min %.2f ms median %.2f ms; fd_color min %.2f "
                        "ms median %.2f ms; ratio fd_color/alphagrad %.2f (min) %.2f (median)\n",
                        loop, (double)lo[0], (double)med[0], (double)lo[1], (double)med[1],
                        (double)(lo[1] / lo[0]), (double)(med[1] / med[0])));
  PetscCall(bench_floor(comm, A, &floor_ms, &nz));
  PetscCall(PetscPrintf(comm,
                        "floor: %.0f nonzeros on rank 0, written in %.2f ms (%.1f GB/s per rank, "
                        "all ranks writing): alphagrad's median is %.1f x the floor (min %.1f x), "
                        "fd_color's %.1f x\n",
                        nz, (double)floor_ms, 8e-6 * nz / (double)floor_ms,
                        (double)(med[0] / floor_ms), (double)(lo[0] / floor_ms),
                        (double)(med[1] / floor_ms)));
  PetscCall(MatDestroy(&A));
  PetscCall(MatDestroy(&B));
  PetscFunctionReturn(0);
}

/* -residual_loop K: K residuals of each kind in alternation (the application's compiled
   residual through SNESComputeFunction, the operator's through AGOperatorComputeResidual),
   timed one by one between barriers after one untimed call of each; min and median */
static PetscErrorCode ResidualLoop(SNES snes, AGOperator op, Vec x, PetscInt loop) {
  Vec fa, fo;
  PetscReal first[2], lo[2], med[2];
  MPI_Comm comm = PETSC_COMM_WORLD;
  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(x, &fa));
  PetscCall(VecDuplicate(x, &fo));
  bench_ctx ca = {snes, op, x, fa, NULL, NULL}, co = {snes, op, x, fo, NULL, NULL};
  bench_method m[2] = {{"application", bench_app_residual, &ca},
                       {"operator", bench_op_residual, &co}};
  PetscCall(bench_alternate(comm, loop, 2, m, first, lo, med));
  PetscCall(PetscPrintf(comm,
                        "residual loop: %" PetscInt_FMT
                        " residuals each: application min %.2f ms median %.2f ms; operator min "
                        "%.2f ms median %.2f ms; operator / application %.2f (min) %.2f (median)\n",
                        loop, (double)lo[0], (double)med[0], (double)lo[1], (double)med[1],
                        (double)(lo[1] / lo[0]), (double)(med[1] / med[0])));
  PetscCall(VecDestroy(&fa));
  PetscCall(VecDestroy(&fo));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  SNES snes;
  DM da;
  Vec x;
  AppCtx user;
  AGOperator op;
  AGKernel kt, kx, ky;
  DMDALocalInfo info;
  PetscReal L = 10.0, h, cfl = 2.0, dt;
  PetscBool compare = PETSC_FALSE, check = PETSC_FALSE;
  PetscInt loop = 0, rloop = 0;
  PetscMPIInt size;
  char kfile[PETSC_MAX_PATH_LEN] = EULER2D_KERNEL_FILE, spec[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-cfl", &cfl, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-compare", &compare, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-check_residual", &check, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-loop", &loop, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-residual_loop", &rloop, NULL));
  PetscCall(SNESAlphaGradRegister());

  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC,
                         DMDA_STENCIL_STAR, 320, 320, PETSC_DECIDE, PETSC_DECIDE, 4, 1, NULL, NULL,
                         &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCheck(info.mx == info.my, PETSC_COMM_WORLD, PETSC_ERR_SUP,
             "bench_euler2d: square grids only (h = dx = dy)");
  /* PETSc's 5-point colouring of a periodic DMDA (fd_color's) needs sizes divisible by 5;
     3.18 does not check and writes past its arrays otherwise (32 x 32 crashed) */
  PetscCheck(info.mx % 5 == 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_SIZ,
             "bench_euler2d: -da_grid_x and -da_grid_y must be multiples of 5 (fd_color's "
             "colouring of this periodic grid); got %" PetscInt_FMT,
             info.mx);
  h = L / info.mx;
  dt = cfl * h / 2.5; /* max |u| + a of the initial state is about 1.9 */
  user.p[0] = h / dt;

  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &user.uold));
  {
    Field **u;
    PetscCall(DMDAVecGetArray(da, x, &u));
    for (PetscInt j = info.ys; j < info.ys + info.ym; j++)
      for (PetscInt i = info.xs; i < info.xs + info.xm; i++)
        vortex((i + 0.5) * h, (j + 0.5) * h, u[j][i].u);
    PetscCall(DMDAVecRestoreArray(da, x, &u));
  }
  PetscCall(VecCopy(x, user.uold));

  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_time", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kt));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_roe_x", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kx));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_roe_y", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &ky));
  PetscCall(AGKernelSetParameters(kt, 1, user.p));
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, kt, DMDA_STENCIL_STAR, 0, NULL));
  PetscCall(AGOperatorAddFaceKernel(op, kx, 0, 1, NULL, NULL));
  PetscCall(AGOperatorAddFaceKernel(op, ky, 1, 1, NULL, NULL));
  PetscCall(AGOperatorSetAuxiliaryVec(op, user.uold));

  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  PetscCall(SNESSetDM(snes, da));
  PetscCall(
      DMDASNESSetFunctionLocal(da, INSERT_VALUES, (DMDASNESFunction)FormFunctionLocal, &user));
  PetscCall(SNESAlphaGradSetOperator(snes, op, PETSC_FALSE));
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "bench_euler2d: %" PetscInt_FMT " x %" PetscInt_FMT " cells (%" PetscInt_FMT
                        " unknowns), %d processes, h/dt = %g\n",
                        info.mx, info.my, 4 * info.mx * info.my, size, (double)user.p[0]));

  if (check) {
    Vec f1, f2;
    PetscReal d, n;
    PetscCall(VecDuplicate(x, &f1));
    PetscCall(VecDuplicate(x, &f2));
    PetscCall(SNESComputeFunction(snes, x, f1));
    PetscCall(AGOperatorComputeResidual(op, x, f2));
    PetscCall(VecNorm(f1, NORM_INFINITY, &n));
    PetscCall(VecAXPY(f2, -1.0, f1));
    PetscCall(VecNorm(f2, NORM_INFINITY, &d));
    PetscCall(
        PetscPrintf(PETSC_COMM_WORLD,
                    "residual check: max |F_application - F_operator| = %.3e (relative %.3e)\n",
                    (double)d, (double)(d / n)));
    PetscCall(VecDestroy(&f1));
    PetscCall(VecDestroy(&f2));
  }
  if (compare) {
    Mat A, B;
    Vec r;
    PetscReal na, nd, ma, md;
    PetscCall(DMCreateMatrix(da, &A));
    PetscCall(DMCreateMatrix(da, &B));
    PetscCall(AGOperatorComputeJacobian(op, x, A));
    PetscCall(SNESSetUp(snes));
    /* as inside SNESSolve: SNESComputeJacobianDefaultColor reuses the SNES's function vector
       as F(x) when x is the SNES's solution */
    PetscCall(SNESSetSolution(snes, x));
    PetscCall(SNESGetFunction(snes, &r, NULL, NULL));
    PetscCall(SNESComputeFunction(snes, x, r));
    PetscCall(SNESComputeJacobianDefaultColor(snes, x, B, B, NULL));
    PetscCall(MatNorm(A, NORM_FROBENIUS, &na));
    PetscCall(MatCreateVecs(A, NULL, &r));
    PetscCall(MatGetRowMaxAbs(A, r, NULL));
    PetscCall(VecMax(r, NULL, &ma));
    PetscCall(MatAXPY(B, -1.0, A, DIFFERENT_NONZERO_PATTERN));
    PetscCall(MatNorm(B, NORM_FROBENIUS, &nd));
    PetscCall(MatGetRowMaxAbs(B, r, NULL));
    PetscCall(VecMax(r, NULL, &md));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "compare: ||J_alphagrad - J_fd_color||_F / ||J_alphagrad||_F = %.3e, max "
                          "|difference| / max |entry| = %.3e\n",
                          (double)(nd / na), (double)(md / ma)));
    PetscCall(VecDestroy(&r));
    PetscCall(MatDestroy(&A));
    PetscCall(MatDestroy(&B));
  }

  if (loop > 0) PetscCall(JacobianLoop(snes, op, da, x, loop));
  if (rloop > 0) PetscCall(ResidualLoop(snes, op, x, rloop));

  PetscCall(SNESSolve(snes, NULL, x));
  {
    PetscInt its;
    SNESConvergedReason reason;
    PetscReal fnorm;
    Vec f;
    PetscCall(SNESGetIterationNumber(snes, &its));
    PetscCall(SNESGetConvergedReason(snes, &reason));
    PetscCall(SNESGetFunction(snes, &f, NULL, NULL));
    PetscCall(VecNorm(f, NORM_2, &fnorm));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "bench_euler2d: %s after %" PetscInt_FMT
                          " Newton iterations, residual norm %.6e\n",
                          SNESConvergedReasons[reason], its, (double)fnorm));
  }

  PetscCall(AGKernelDestroy(&kt));
  PetscCall(AGKernelDestroy(&kx));
  PetscCall(AGKernelDestroy(&ky));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&user.uold));
  PetscCall(VecDestroy(&x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
