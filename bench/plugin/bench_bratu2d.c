/* The 2-D Bratu Jacobian benchmark of the plugin (bench_bratu2d). */
/* Benchmark of the plugin on a scalar problem: Jacobians of the 2-D Bratu residual
   (-Laplace(u) - lambda exp(u) = 0 on the unit square, u = 0 on the boundary, five-point
   differences scaled as in PETSc's SNES tutorial ex5; kernels tests/plugin/bratu.c) by three
   methods, called in alternation in one process (bench_loop.h):
     alphagrad  AGOperatorComputeJacobian of an operator with the cell kernel bratu and the
                boundary kernel bratu_boundary, into DMCreateMatrix's matrix;
     fd_color   SNESComputeJacobianDefaultColor (what -snes_fd_color does), with the
                application's own compiled residual below;
     hand       a hand-coded Jacobian loop of the same residual, one MatSetValuesStencil call
                per row as PETSc's tutorials write it (ex5's FormJacobianLocal), then
                MatAssemblyBegin/End.
   Prints min and median ms per Jacobian of each, the ratios, the memory floor of the matrix
   (its values written once), and the differences between the three Jacobians (also after a
   new lambda set on the same operator, as continuation does); with
   -residual_loop K, the application's residual against the operator's.

   Options: -da_grid_x, -da_grid_y (1025), -lambda (6), -loop K (15), -residual_loop K (0),
   -kernel_file (the kernels' file). */
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>

#include "../../tests/plugin/bratu.c" /* the kernels, as plain C */
#include "bench_loop.h"

#ifndef BRATU_KERNEL_FILE
#define BRATU_KERNEL_FILE "bratu.c"
#endif

typedef struct {
  PetscReal p[3]; /* hy/hx, hx/hy, hx hy lambda */
} AppCtx;

static PetscErrorCode FormFunctionLocal(DMDALocalInfo *info, PetscScalar **x, PetscScalar **f,
                                        AppCtx *user) {
  PetscFunctionBeginUser;
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

/* the hand-coded Jacobian, as PETSc's tutorials write it */
static PetscErrorCode FormJacobianLocal(DMDALocalInfo *info, PetscScalar **x, Mat P, AppCtx *user) {
  MatStencil row, col[5];
  PetscScalar v[5];
  PetscFunctionBeginUser;
  for (PetscInt j = info->ys; j < info->ys + info->ym; j++)
    for (PetscInt i = info->xs; i < info->xs + info->xm; i++) {
      row.i = i;
      row.j = j;
      if (i == 0 || j == 0 || i == info->mx - 1 || j == info->my - 1) {
        v[0] = 2.0 * (user->p[0] + user->p[1]);
        PetscCall(MatSetValuesStencil(P, 1, &row, 1, &row, v, INSERT_VALUES));
        continue;
      }
      col[0].i = i;
      col[0].j = j - 1;
      v[0] = -user->p[1];
      col[1].i = i - 1;
      col[1].j = j;
      v[1] = -user->p[0];
      col[2].i = i;
      col[2].j = j;
      v[2] = 2.0 * (user->p[0] + user->p[1]) - user->p[2] * PetscExpScalar(x[j][i]);
      col[3].i = i + 1;
      col[3].j = j;
      v[3] = -user->p[0];
      col[4].i = i;
      col[4].j = j + 1;
      v[4] = -user->p[1];
      PetscCall(MatSetValuesStencil(P, 1, &row, 5, col, v, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* the hand-coded Jacobian as SNES calls it through DMDASNESSetJacobianLocal: ghost update,
   then the local loop (app: the hand_ctx) */
typedef struct {
  DM da;
  Vec xl;
  AppCtx *user;
} hand_ctx;
static PetscErrorCode call_hand(void *c) {
  bench_ctx *q = c;
  hand_ctx *h = q->app;
  DMDALocalInfo info;
  PetscScalar **xa;
  PetscFunctionBeginUser;
  PetscCall(DMGlobalToLocal(h->da, q->x, INSERT_VALUES, h->xl));
  PetscCall(DMDAGetLocalInfo(h->da, &info));
  PetscCall(DMDAVecGetArrayRead(h->da, h->xl, &xa));
  PetscCall(FormJacobianLocal(&info, xa, q->M, h->user));
  PetscCall(DMDAVecRestoreArrayRead(h->da, h->xl, &xa));
  PetscFunctionReturn(0);
}

/* ||A - B||_F / ||A||_F (B is changed) */
static PetscErrorCode rel_diff(Mat A, Mat B, PetscReal *d) {
  PetscReal na, nd;
  PetscFunctionBeginUser;
  PetscCall(MatNorm(A, NORM_FROBENIUS, &na));
  PetscCall(MatAXPY(B, -1.0, A, DIFFERENT_NONZERO_PATTERN));
  PetscCall(MatNorm(B, NORM_FROBENIUS, &nd));
  *d = nd / na;
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  SNES snes;
  DM da;
  Vec x, xl, r, fa, fo;
  Mat A, B, C;
  AppCtx user;
  AGOperator op;
  AGKernel k, kb;
  DMDALocalInfo info;
  PetscReal lambda = 6.0, first[3], lo[3], med[3], floor_ms;
  PetscInt loop = 15, rloop = 0;
  PetscMPIInt size;
  MPI_Comm comm;
  double nz;
  char kfile[PETSC_MAX_PATH_LEN] = BRATU_KERNEL_FILE, spec[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  comm = PETSC_COMM_WORLD;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-lambda", &lambda, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-loop", &loop, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-residual_loop", &rloop, NULL));
  PetscCheck(loop > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "bench_bratu2d: -loop must be positive");
  PetscCall(SNESAlphaGradRegister());

  PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 1025, 1025,
                         PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscReal hx = 1.0 / (info.mx - 1), hy = 1.0 / (info.my - 1);
  user.p[0] = hy / hx;
  user.p[1] = hx / hy;
  user.p[2] = hx * hy * lambda;

  /* a state away from zero: ex5's initial guess */
  PetscCall(DMCreateGlobalVector(da, &x));
  {
    PetscScalar **xa;
    PetscReal t1 = lambda / (lambda + 1.0);
    PetscCall(DMDAVecGetArray(da, x, &xa));
    for (PetscInt j = info.ys; j < info.ys + info.ym; j++)
      for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
        PetscReal ty = (PetscReal)PetscMin(j, info.my - j - 1) * hy;
        PetscReal tx = (PetscReal)PetscMin(i, info.mx - i - 1) * hx;
        xa[j][i] = t1 * PetscSqrtReal(PetscMin(tx, ty));
      }
    PetscCall(DMDAVecRestoreArray(da, x, &xa));
  }

  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:bratu", kfile));
  PetscCall(AGKernelCreate(comm, spec, &k));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:bratu_boundary", kfile));
  PetscCall(AGKernelCreate(comm, spec, &kb));
  PetscCall(AGKernelSetParameters(k, 3, user.p));
  PetscCall(AGKernelSetParameters(kb, 3, user.p));
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, k, DMDA_STENCIL_STAR, 1, kb));
  PetscCall(AGOperatorSetFromOptions(op));

  PetscCall(SNESCreate(comm, &snes));
  PetscCall(SNESSetDM(snes, da));
  PetscCall(
      DMDASNESSetFunctionLocal(da, INSERT_VALUES, (DMDASNESFunction)FormFunctionLocal, &user));
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(SNESSetUp(snes));
  PetscCall(SNESSetSolution(snes, x));
  PetscCall(SNESGetFunction(snes, &r, NULL, NULL));
  PetscCall(SNESComputeFunction(snes, x, r));
  PetscCall(PetscPrintf(comm,
                        "bench_bratu2d: %" PetscInt_FMT " x %" PetscInt_FMT
                        " points (dof 1), lambda %g, %d processes\n",
                        info.mx, info.my, (double)lambda, size));

  PetscCall(DMCreateMatrix(da, &A));
  PetscCall(DMCreateMatrix(da, &B));
  PetscCall(DMCreateMatrix(da, &C));
  PetscCall(DMCreateLocalVector(da, &xl));
  hand_ctx hc = {da, xl, &user};
  bench_ctx ca = {snes, op, x, NULL, A, NULL}, cb = {snes, op, x, NULL, B, NULL},
            cc = {snes, op, x, NULL, C, &hc};
  bench_method m[3] = {{"alphagrad", bench_alphagrad, &ca},
                       {"fd_color", bench_fdcolor, &cb},
                       {"hand-coded", call_hand, &cc}};
  PetscCall(bench_alternate(comm, loop, 3, m, first, lo, med));
  PetscCall(PetscPrintf(comm,
                        "loop: first call (set-up included): alphagrad %.1f ms, fd_color %.1f ms, "
                        "hand-coded %.1f ms\n",
                        (double)first[0], (double)first[1], (double)first[2]));
  PetscCall(PetscPrintf(
      comm,
      "loop: %" PetscInt_FMT " Jacobians each: alphagrad min %.2f ms median %.2f ms; fd_color "
      "min %.2f ms median %.2f ms; hand-coded min %.2f ms median %.2f ms; ratio "
      "fd_color/alphagrad %.2f (min) %.2f (median); hand-coded/alphagrad %.2f (min) %.2f "
      "(median)\n",
      loop, (double)lo[0], (double)med[0], (double)lo[1], (double)med[1], (double)lo[2],
      (double)med[2], (double)(lo[1] / lo[0]), (double)(med[1] / med[0]), (double)(lo[2] / lo[0]),
      (double)(med[2] / med[0])));
  PetscCall(bench_floor(comm, A, &floor_ms, &nz));
  PetscCall(PetscPrintf(comm,
                        "floor: %.0f nonzeros on rank 0, written in %.2f ms (%.1f GB/s per rank, "
                        "all ranks writing): alphagrad's median is %.1f x the floor (min %.1f x), "
                        "fd_color's %.1f x, hand-coded %.1f x\n",
                        nz, (double)floor_ms, 8e-6 * nz / (double)floor_ms,
                        (double)(med[0] / floor_ms), (double)(lo[0] / floor_ms),
                        (double)(med[1] / floor_ms), (double)(med[2] / floor_ms)));
  {
    PetscReal dh, df;
    PetscCall(rel_diff(A, C, &dh));
    PetscCall(rel_diff(A, B, &df));
    PetscCall(PetscPrintf(comm,
                          "compare: ||J_alphagrad - J_hand||_F / ||J_alphagrad||_F = %.3e, "
                          "||J_alphagrad - J_fd_color||_F / ||J_alphagrad||_F = %.3e\n",
                          (double)dh, (double)df));
  }
  { /* continuation: a new lambda through AGKernelSetParameters on the same operator */
    PetscReal dh;
    Mat C2; /* the comparisons above replaced C */
    user.p[2] *= 0.5;
    PetscCall(AGKernelSetParameters(k, 3, user.p));
    PetscCall(AGKernelSetParameters(kb, 3, user.p));
    PetscCall(DMCreateMatrix(da, &C2));
    bench_ctx c2 = {snes, op, x, NULL, C2, &hc};
    PetscCall(bench_alphagrad(&ca));
    PetscCall(call_hand(&c2));
    PetscCall(rel_diff(A, C2, &dh));
    PetscCall(MatDestroy(&C2));
    PetscCall(PetscPrintf(comm,
                          "compare after a new lambda (%g): ||J_alphagrad - J_hand||_F / "
                          "||J_alphagrad||_F = %.3e\n",
                          (double)(lambda / 2), (double)dh));
  }
  if (rloop > 0) {
    PetscCall(VecDuplicate(x, &fa));
    PetscCall(VecDuplicate(x, &fo));
    bench_ctx ra = {snes, op, x, fa, NULL, NULL}, ro = {snes, op, x, fo, NULL, NULL};
    bench_method rm[2] = {{"application", bench_app_residual, &ra},
                          {"operator", bench_op_residual, &ro}};
    PetscCall(bench_alternate(comm, rloop, 2, rm, first, lo, med));
    PetscCall(PetscPrintf(comm,
                          "residual loop: %" PetscInt_FMT
                          " residuals each: application min %.2f ms median %.2f ms; operator min "
                          "%.2f ms median %.2f ms; operator / application %.2f (min) %.2f "
                          "(median)\n",
                          rloop, (double)lo[0], (double)med[0], (double)lo[1], (double)med[1],
                          (double)(lo[1] / lo[0]), (double)(med[1] / med[0])));
    PetscReal d, n;
    PetscCall(VecNorm(fa, NORM_INFINITY, &n));
    PetscCall(VecAXPY(fo, -1.0, fa));
    PetscCall(VecNorm(fo, NORM_INFINITY, &d));
    PetscCall(PetscPrintf(comm,
                          "residual check: max |F_application - F_operator| / max |F| = %.3e\n",
                          (double)(d / n)));
    PetscCall(VecDestroy(&fa));
    PetscCall(VecDestroy(&fo));
  }

  PetscCall(MatDestroy(&A));
  PetscCall(MatDestroy(&B));
  PetscCall(MatDestroy(&C));
  PetscCall(AGKernelDestroy(&k));
  PetscCall(AGKernelDestroy(&kb));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&xl));
  PetscCall(VecDestroy(&x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
