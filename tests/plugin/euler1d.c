/* The 1-D Euler (Sod) face-flux test application of the plugin tests. */
/* 1-D Euler equations (Sod's shock tube) with face-flux kernels, for the plugin tests
   (tests/plugin/test_euler1d.sh).

   Cell-centred finite volumes on a DMDA (dof 3: rho, rho u, E; DM_BOUNDARY_NONE, stencil
   width 1) on [0, 1], Roe flux with an entropy fix, transmissive boundaries, backward Euler:
     R_i = (U_i - U_i^old) dx/dt + F(i+1/2) - F(i-1/2) = 0
   solved by SNES at every time step. The kernels are examples/cfd/sod_kernels.c (time term: a cell
   kernel whose parameters are dx/dt and, through AGOperatorSetAuxiliaryVec, U^old; the flux:
   a face kernel with transmissive boundary kernels).

   Modes:
     -mode operator  the alphagrad operator is the SNES function; the Jacobian comes from the
                     options (-snes_fd_color, or -snes_jacobian alphagrad)
     -mode own       the application's own residual (hand loops calling the same kernel
                     functions, #included as C); the operator is registered for the Jacobian
                     only (SNESAlphaGradSetOperator(snes, op, PETSC_FALSE))
   Options: -dt (0.01), -t_end (0.05), -da_grid_x (100), -kernel_file (the kernel source),
   -periodic (a periodic DMDA: every face interior, no boundary kernels).
   Prints per time step the Newton iterations, at the end the total, a checksum (the discrete
   L2 norm of the state, %.10e; the L1 norm of the density is the mass, conserved here) and
   the density L1 error against the exact Riemann solution. */
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>

#include "../../examples/cfd/sod_kernels.c" /* the kernels, as plain C */

#ifndef EULER1D_KERNEL_FILE
#define EULER1D_KERNEL_FILE "../../examples/cfd/sod_kernels.c"
#endif

typedef struct {
  PetscScalar u[3];
} Field;

typedef struct {
  PetscReal p[1]; /* dx/dt */
  Vec uold;       /* the previous time step (global) */
  PetscBool periodic;
} AppCtx;

/* The application's own residual: the same kernel functions, in the operator's order of
   summation (time term, interior faces by increasing index, low boundary, high boundary). */
static PetscErrorCode FormFunctionLocal(DMDALocalInfo *info, Field *x, Field *f, AppCtx *user) {
  const Field *xo;
  DM da = info->da;
  PetscInt i, c, xs = info->xs, xe = info->xs + info->xm, mx = info->mx;
  double in[6], out[3], p[4];
  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArrayRead(da, user->uold, &xo));
  for (i = xs; i < xe; i++) {
    p[0] = user->p[0];
    for (c = 0; c < 3; c++)
      p[1 + c] = xo[i].u[c];
    sod_time(x[i].u, f[i].u, p);
  }
  /* face i - 1/2; on a periodic domain every face is interior (the ghosts wrap around) */
  for (i = user->periodic ? xs : PetscMax(xs, 1); i <= (user->periodic ? xe : PetscMin(xe, mx - 1));
       i++) {
    for (c = 0; c < 3; c++) {
      in[c] = x[i - 1].u[c];
      in[3 + c] = x[i].u[c];
    }
    sod_roe(in, out, NULL);
    for (c = 0; c < 3; c++) {
      if (i - 1 >= xs) f[i - 1].u[c] += out[c];
      if (i < xe) f[i].u[c] -= out[c];
    }
  }
  if (!user->periodic && xs == 0) {
    sod_flux_low(x[0].u, out, NULL);
    for (c = 0; c < 3; c++)
      f[0].u[c] -= out[c];
  }
  if (!user->periodic && xe == mx) {
    sod_flux_high(x[mx - 1].u, out, NULL);
    for (c = 0; c < 3; c++)
      f[mx - 1].u[c] += out[c];
  }
  PetscCall(DMDAVecRestoreArrayRead(da, user->uold, &xo));
  PetscCall(PetscLogFlops(200.0 * info->xm));
  PetscFunctionReturn(0);
}

#include "../../examples/cfd/riemann_exact.h" /* exact solution for the L1 error */

static const double UL[3] = {1.0, 0.0, 2.5}, UR[3] = {0.125, 0.0, 0.25};

int main(int argc, char **argv) {
  SNES snes;
  DM da;
  Vec x;
  AppCtx user;
  AGOperator op;
  AGKernel kt, kf, kl, kh;
  DMDALocalInfo info;
  PetscInt mx, nsteps, total = 0;
  PetscReal dt = 0.01, t_end = 0.05, dx;
  PetscBool residual;
  char mode[32] = "operator", kfile[PETSC_MAX_PATH_LEN] = EULER1D_KERNEL_FILE;
  char spec[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mode", mode, sizeof mode, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-dt", &dt, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-t_end", &t_end, NULL));
  user.periodic = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-periodic", &user.periodic, NULL));
  PetscCall(PetscStrcmp(mode, "operator", &residual));
  if (!residual) {
    PetscBool own;
    PetscCall(PetscStrcmp(mode, "own", &own));
    PetscCheck(own, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-mode %s: operator or own", mode);
  }
  PetscCall(SNESAlphaGradRegister());

  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, user.periodic ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_NONE,
                         100, 3, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "density"));
  PetscCall(DMDASetFieldName(da, 1, "momentum"));
  PetscCall(DMDASetFieldName(da, 2, "energy"));
  PetscCall(DMDAGetLocalInfo(da, &info));
  mx = info.mx;
  dx = 1.0 / mx;
  nsteps = (PetscInt)PetscCeilReal(t_end / dt - 1e-9);
  dt = t_end / nsteps;
  user.p[0] = dx / dt;

  /* initial state: Sod's shock tube, the diaphragm at x = 0.5 */
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &user.uold));
  {
    Field *u;
    PetscCall(DMDAVecGetArray(da, x, &u));
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++)
      for (PetscInt c = 0; c < 3; c++)
        u[i].u[c] = (i + 0.5) * dx < 0.5 ? UL[c] : UR[c];
    PetscCall(DMDAVecRestoreArray(da, x, &u));
  }

  /* the operator: time term (cell kernel + U^old as auxiliary vector), Roe flux faces */
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_time", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kt));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_roe", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kf));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_flux_low", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kl));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_flux_high", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kh));
  PetscCall(AGKernelSetParameters(kt, 1, user.p));
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, kt, DMDA_STENCIL_STAR, 0, NULL));
  PetscCall(
      AGOperatorAddFaceKernel(op, kf, 0, 1, user.periodic ? NULL : kl, user.periodic ? NULL : kh));
  PetscCall(AGOperatorSetAuxiliaryVec(op, user.uold));

  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  PetscCall(SNESSetDM(snes, da));
  if (!residual)
    PetscCall(
        DMDASNESSetFunctionLocal(da, INSERT_VALUES, (DMDASNESFunction)FormFunctionLocal, &user));
  PetscCall(SNESAlphaGradSetOperator(snes, op, residual));
  PetscCall(SNESSetFromOptions(snes));

  for (PetscInt n = 0; n < nsteps; n++) {
    PetscInt its;
    SNESConvergedReason reason;
    PetscCall(VecCopy(x, user.uold));
    PetscCall(SNESSolve(snes, NULL, x));
    PetscCall(SNESGetIterationNumber(snes, &its));
    PetscCall(SNESGetConvergedReason(snes, &reason));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "step %" PetscInt_FMT " t = %.4f: Newton iterations %" PetscInt_FMT
                          " (%s)\n",
                          n + 1, (double)((n + 1) * dt), its, SNESConvergedReasons[reason]));
    PetscCheck(reason > 0, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED,
               "euler1d: Newton did not converge at step %" PetscInt_FMT, n + 1);
    total += its;
  }

  {
    PetscReal l2, err = 0, gerr;
    const Field *u;
    Prim L = {UL[0], 0.0, (GAM - 1) * UL[2]}, R = {UR[0], 0.0, (GAM - 1) * UR[2]};
    double ps, us;
    riemann_star(&L, &R, GAM, &ps, &us);
    PetscCall(DMDAVecGetArrayRead(da, x, &u));
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      double xc = (i + 0.5) * dx;
      err += fabs(PetscRealPart(u[i].u[0]) -
                  riemann_density(&L, &R, GAM, ps, us, (xc - 0.5) / t_end)) *
             dx;
    }
    PetscCall(DMDAVecRestoreArrayRead(da, x, &u));
    PetscCallMPI(MPI_Allreduce(&err, &gerr, 1, MPIU_REAL, MPIU_SUM, PETSC_COMM_WORLD));
    PetscCall(VecNorm(x, NORM_2, &l2)); /* the L1 norm of the density is the mass: conserved */
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "euler1d: %" PetscInt_FMT " cells, %" PetscInt_FMT
                          " steps of dt %g, mode %s: total Newton iterations %" PetscInt_FMT "\n",
                          mx, nsteps, (double)dt, mode, total));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "checksum (L2 norm of the state): %.10e\n",
                          (double)(l2 * PetscSqrtReal(dx))));
    if (!user.periodic) /* periodic: a second Riemann problem at x = 0 */
      PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                            "density L1 error vs exact Riemann solution at t = %g: %.10e\n",
                            (double)t_end, (double)gerr));
  }

  PetscCall(AGKernelDestroy(&kt));
  PetscCall(AGKernelDestroy(&kf));
  PetscCall(AGKernelDestroy(&kl));
  PetscCall(AGKernelDestroy(&kh));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&user.uold));
  PetscCall(VecDestroy(&x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
