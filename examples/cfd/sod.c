/* The Sod shock tube example (cfd_sod). */
/* Sod's shock tube (examples/cfd): the 1-D Euler equations, time-accurate.

   Cell-centred finite volumes on a DMDA (dof 3: rho, rho u, E; DM_BOUNDARY_NONE, stencil
   width 1) on [0, 1], Roe flux with Harten's entropy fix, transmissive boundaries; PETSc's TS
   steps it (backward Euler by default, fixed steps; any implicit TS type with -ts_type) with
   the IFunction
     F_i(t, U, U_t) = dU_i/dt dx + F(i+1/2) - F(i-1/2) = 0.
   F is an alphagrad IFunction operator (sod_kernels.c: the time term as a cell kernel of the
   cell's time derivatives, the flux as a face kernel, transmissive boundary face kernels),
   which gives the TS its exact IJacobian shift dF/dU_t + dF/dU; the same program runs with
   -snes_jacobian alphagrad, -snes_fd_color, -snes_mf, ... on the TS's SNES.

   -problem double: the periodic double shock tube (Sod's left state on [0.25, 0.75), the
   right state elsewhere; t_end 0.1, before the mirrored waves meet), where -scheme minmod or
   -scheme vanleer gives second order: MUSCL reconstruction of (rho, u, p) with that limiter
   and Roe's flux with Harten's entropy fix, face kernels of width 2 (sod_kernels.c:
   sod_muscl_minmod, sod_muscl_vanleer, written with branches, early returns, a struct and an
   enum; -scheme roe, the default, is the first-order sod_roe).

   -problem smooth: periodic smooth waves (no exact solution; used to check the MUSCL
   Jacobians against finite differences away from the limiters' switches).

   Options: -problem sod|double|smooth (sod), -scheme roe|minmod|vanleer (roe; the MUSCL schemes
   need a periodic problem), -da_grid_x N (100), -cfl C (1: dt = C dx / sqrt(gamma), the largest |u|
   + a of the initial state; the step is then shortened to end exactly at t_end), -t_end (0.2),
   -output DIR (HDF5 + XDMF + text dumps for examples/cfd/plot.sh), -verbose (a line per step),
   and any PETSc option (-ts_type, -ts_monitor, ...). Prints the density L1 error against the
   exact solution at t_end (Riemann's for sod and double) and the line
     summary: app=sod problem=PR scheme=SC cells=N np=P jacobian=J steps=S newton=K jacobians=NJ
   jac_ms=X fevals=F solve_s=Y setup_s=T l1=Z (jac_ms: mean time of SNESJacobianEval, the first
   included; fevals: SNESFunctionEval count, matrix-free products included; solve_s: the wall time
   of TSSolve; setup_s: the operator's set-up before it: orders, generated code compiled or loaded
   from the cache). */
#include "cfd_common.h"
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscts.h>

#ifndef SOD_KERNEL_FILE
#define SOD_KERNEL_FILE "sod_kernels.c"
#endif

static const double GAM = 1.4;

typedef struct {
  PetscScalar u[3];
} Field;

#include "riemann_exact.h" /* exact solution for the L1 error */

/* Sod's states (rho, rho u, E): p = 1 and 0.1 */
static const double UL[3] = {1.0, 0.0, 2.5}, UR[3] = {0.125, 0.0, 0.25};

/* -problem double: periodic [0, 1] with Sod's left state on [0.25, 0.75) and the right state
   elsewhere: two mirrored shock tubes whose waves do not meet before t = 0.14.
   -problem smooth: periodic, smooth waves in all three variables (rho = 1 + 0.2 sin(2 pi x + 0.3),
   u = 0.5 + 0.1 sin(2 pi x + 1.1), p = 1 + 0.1 cos(2 pi x + 2.3): no extremum between two
   cells that mirror each other); no exact solution (the L1
   error is reported as nan), but every slope is away from the limiters' switches, so finite
   differences can check the MUSCL Jacobians (a uniform u or p would put every cell on the
   switch a * b = 0 of the limiter). */
enum { PROBLEM_SOD, PROBLEM_DOUBLE, PROBLEM_SMOOTH };
static int problem_kind = PROBLEM_SOD;

/* the exact density at x, time t */
static double exact_rho(const Prim *L, const Prim *R, double ps, double us, double x, double t) {
  if (problem_kind == PROBLEM_SMOOTH) return NAN;
  double s = problem_kind == PROBLEM_DOUBLE ? (x > 1 - x ? x : 1 - x) - 0.75 : x - 0.5;
  return riemann_density(L, R, GAM, ps, us, s / t);
}

/* -output DIR: sod.h5 (fields density, velocity, pressure, density_exact as (1, N)
   datasets for the XDMF file; the conserved state "state" as (N, 3)), sod.xmf, sod.dat
   (x rho rho_exact u p per cell), sod_exact.dat (the exact density on a fine grid) */
static PetscErrorCode WriteOutput(DM da, Vec x, const char *dir, PetscReal t, const Prim *L,
                                  const Prim *R, double ps, double us) {
  DM da2;
  const PetscInt *lx;
  PetscMPIInt size, rank;
  DMDALocalInfo info;
  const char *names[4] = {"density", "velocity", "pressure", "density_exact"};
  Vec f[4], all;
  PetscViewer v;
  char h5[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  PetscReal diff;
  PetscFunctionBeginUser;
  PetscCall(CfdMakeDir(dir));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAGetOwnershipRanges(da, &lx, NULL, NULL));
  /* the scalar fields on an N x 1 2-D DMDA with the same distribution: (1, N) datasets */
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR,
                         info.mx, 1, size, 1, 1, 0, lx, NULL, &da2));
  PetscCall(DMSetUp(da2));
  {
    const Field *u;
    double dx = 1.0 / info.mx;
    PetscCall(DMDAVecGetArrayRead(da, x, &u));
    for (int k = 0; k < 4; k++) {
      PetscScalar **a;
      PetscCall(DMCreateGlobalVector(da2, &f[k]));
      PetscCall(PetscObjectSetName((PetscObject)f[k], names[k]));
      PetscCall(DMDAVecGetArray(da2, f[k], &a));
      for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
        double r = u[i].u[0], vel = u[i].u[1] / r,
               p = (GAM - 1) * (u[i].u[2] - 0.5 * r * vel * vel);
        double xc = (i + 0.5) * dx;
        a[0][i] = k == 0 ? r : k == 1 ? vel : k == 2 ? p : exact_rho(L, R, ps, us, xc, t);
      }
      PetscCall(DMDAVecRestoreArray(da2, f[k], &a));
    }
    PetscCall(DMDAVecRestoreArrayRead(da, x, &u));
  }
  PetscCall(PetscSNPrintf(h5, sizeof h5, "%s/sod.h5", dir));
  PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, h5, FILE_MODE_WRITE, &v));
  for (int k = 0; k < 4; k++)
    PetscCall(VecView(f[k], v));
  PetscCall(PetscObjectSetName((PetscObject)x, "state"));
  PetscCall(VecView(x, v));
  PetscCall(PetscViewerDestroy(&v));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/sod.xmf", dir));
  PetscCall(
      CfdWriteXdmf(path, "sod.h5", info.mx, 1, 0.0, 0.0, 1.0 / info.mx, 1.0 / info.mx, 4, names));
  PetscCall(CfdReadBack(da, h5, "state", x, &diff));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "output: %s (datasets density velocity pressure density_exact state), %s; "
                        "read back: max |state - VecLoad(state)| = %g\n",
                        h5, path, (double)diff));

  /* text dumps for plot.sh */
  PetscCall(CfdGather(da, x, &all));
  if (rank == 0) {
    const PetscScalar *a;
    FILE *fp;
    double dx = 1.0 / info.mx;
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/sod.dat", dir));
    fp = fopen(path, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    PetscCall(VecGetArrayRead(all, &a));
    fprintf(fp, "# sod: %d cells, t = %g\n# x rho rho_exact u p\n", (int)info.mx, (double)t);
    for (PetscInt i = 0; i < info.mx; i++) {
      double r = a[3 * i], vel = a[3 * i + 1] / r,
             p = (GAM - 1) * (a[3 * i + 2] - 0.5 * r * vel * vel), xc = (i + 0.5) * dx;
      fprintf(fp, "%.8g %.10g %.10g %.10g %.10g\n", xc, r, exact_rho(L, R, ps, us, xc, t), vel, p);
    }
    PetscCall(VecRestoreArrayRead(all, &a));
    fclose(fp);
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/sod_exact.dat", dir));
    fp = fopen(path, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    fprintf(fp, "# exact density of Sod's problem at t = %g\n# x rho\n", (double)t);
    for (int i = 0; i <= 2000; i++)
      fprintf(fp, "%.8g %.10g\n", i / 2000.0, exact_rho(L, R, ps, us, i / 2000.0, t));
    fclose(fp);
  }
  PetscCall(VecDestroy(&all));
  for (int k = 0; k < 4; k++)
    PetscCall(VecDestroy(&f[k]));
  PetscCall(DMDestroy(&da2));
  PetscFunctionReturn(0);
}

/* -verbose: a line per step */
static PetscErrorCode Monitor(TS ts, PetscInt step, PetscReal t, Vec x, void *ctx) {
  SNES snes;
  PetscInt its;
  SNESConvergedReason reason;
  PetscFunctionBeginUser;
  (void)x;
  (void)ctx;
  if (step == 0) PetscFunctionReturn(0);
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESGetIterationNumber(snes, &its));
  PetscCall(SNESGetConvergedReason(snes, &reason));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "step %" PetscInt_FMT " t = %.5f: Newton iterations %" PetscInt_FMT
                        " (%s)\n",
                        step, (double)t, its, SNESConvergedReasons[reason]));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  TS ts;
  DM da;
  Vec x, F;
  AGOperator op;
  AGKernel kt, kf, kl, kh;
  DMDALocalInfo info;
  PetscInt mx, nsteps, total = 0, njac, nfev, steps;
  PetscReal cfl = 1.0, t_end = 0.2, dt, dx, p[1], tjac, tfev, tfinal;
  PetscLogDouble ts0, t0, t1;
  PetscBool verbose = PETSC_FALSE;
  PetscMPIInt size;
  TSConvergedReason reason;
  char kfile[PETSC_MAX_PATH_LEN] = SOD_KERNEL_FILE, spec[PETSC_MAX_PATH_LEN + 32],
       outdir[PETSC_MAX_PATH_LEN] = "", label[96], problem[16] = "sod", scheme[16] = "roe";
  PetscInt width = 1;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(CfdLogBegin());
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", outdir, sizeof outdir, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-cfl", &cfl, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-problem", problem, sizeof problem, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-scheme", scheme, sizeof scheme, NULL));
  PetscCheck(!strcmp(problem, "sod") || !strcmp(problem, "double") || !strcmp(problem, "smooth"),
             PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE,
             "-problem %s: expected sod, double or smooth", problem);
  PetscCheck(!strcmp(scheme, "roe") || !strcmp(scheme, "minmod") || !strcmp(scheme, "vanleer"),
             PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE,
             "-scheme %s: expected roe, minmod or vanleer", scheme);
  problem_kind = !strcmp(problem, "double")   ? PROBLEM_DOUBLE
                 : !strcmp(problem, "smooth") ? PROBLEM_SMOOTH
                                              : PROBLEM_SOD;
  const PetscBool periodic = problem_kind != PROBLEM_SOD;
  if (strcmp(scheme, "roe")) width = 2;
  PetscCheck(width == 1 || periodic, PETSC_COMM_WORLD, PETSC_ERR_ARG_INCOMP,
             "-scheme %s: the MUSCL faces read two cells on each side, which the transmissive "
             "boundaries of -problem sod do not give; use -problem double or smooth (periodic)",
             scheme);
  if (periodic) t_end = 0.1;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-t_end", &t_end, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(CfdJacobianLabel(label, sizeof label));
  PetscCall(SNESAlphaGradRegister());

  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, periodic ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_NONE, 100,
                         3, width, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "density"));
  PetscCall(DMDASetFieldName(da, 1, "momentum"));
  PetscCall(DMDASetFieldName(da, 2, "energy"));
  PetscCall(DMDAGetLocalInfo(da, &info));
  mx = info.mx;
  dx = 1.0 / mx;
  {
    /* PETSc 3.18 colours a periodic DMDA correctly only when 2 w + 1 divides the size
       (otherwise MatFDColoringSetUp writes out of bounds) */
    PetscBool fdc = PETSC_FALSE;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-snes_fd_color", &fdc));
    PetscCheck(!fdc || !periodic || mx % (2 * width + 1) == 0, PETSC_COMM_WORLD,
               PETSC_ERR_ARG_INCOMP,
               "-snes_fd_color on the periodic -problem %s: PETSc colours a periodic DMDA only "
               "when 2 * width + 1 = %d divides the number of cells (%" PetscInt_FMT ")",
               problem, (int)(2 * width + 1), mx);
  }
  dt = cfl * dx / sqrt(GAM); /* max |u| + a of the initial state: a_L = sqrt(gamma) */
  nsteps = (PetscInt)PetscCeilReal(t_end / dt - 1e-9);
  dt = t_end / nsteps;
  p[0] = dx;

  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &F));
  {
    Field *u;
    PetscCall(DMDAVecGetArray(da, x, &u));
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      for (PetscInt c = 0; c < 3; c++)
        u[i].u[c] = (problem_kind == PROBLEM_DOUBLE ? fabs((i + 0.5) * dx - 0.5) < 0.25
                                                    : (i + 0.5) * dx < 0.5)
                        ? UL[c]
                        : UR[c];
      if (problem_kind == PROBLEM_SMOOTH) {
        double xc = 2 * M_PI * (i + 0.5) * dx, r = 1.0 + 0.2 * sin(xc + 0.3),
               v = 0.5 + 0.1 * sin(xc + 1.1), pr = 1.0 + 0.1 * cos(xc + 2.3);
        u[i].u[0] = r;
        u[i].u[1] = r * v;
        u[i].u[2] = pr / (GAM - 1) + 0.5 * r * v * v;
      }
    }
    PetscCall(DMDAVecRestoreArray(da, x, &u));
  }

  /* the IFunction operator: the time term (the cell's time derivatives), the fluxes */
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_time_ts", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kt));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:%s", kfile,
                          width == 1                  ? "sod_roe"
                          : !strcmp(scheme, "minmod") ? "sod_muscl_minmod"
                                                      : "sod_muscl_vanleer"));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kf));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_flux_low", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kl));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:sod_flux_high", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kh));
  PetscCall(AGKernelSetParameters(kt, 1, p));
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorSetIFunction(op, PETSC_TRUE));
  PetscCall(AGOperatorAddCellKernel(op, kt, DMDA_STENCIL_STAR, 0, NULL));
  /* periodic: no boundary faces */
  PetscCall(AGOperatorAddFaceKernel(op, kf, 0, width, periodic ? NULL : kl, periodic ? NULL : kh));

  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, da));
  PetscCall(TSSetType(ts, TSBEULER));
  PetscCall(TSAlphaGradSetOperator(ts, op, PETSC_TRUE)); /* IFunction and exact IJacobian */
  PetscCall(TSSetTimeStep(ts, dt));
  PetscCall(TSSetMaxTime(ts, t_end));
  PetscCall(TSSetMaxSteps(ts, 100 * nsteps)); /* room for adaptive types (-ts_type bdf) */
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  if (verbose) PetscCall(TSMonitorSet(ts, Monitor, NULL, NULL));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "sod: %" PetscInt_FMT " cells, %d processes, %" PetscInt_FMT
                        " steps of dt = %g (CFL %g) to t = %g, Jacobian: %s\n",
                        mx, size, nsteps, (double)dt, (double)cfl, (double)t_end, label));

  /* set-up outside the timed loop: the first IFunction sets the operator up (orders, code
     generation and compilation, or the cache) */
  PetscCall(PetscTime(&ts0));
  PetscCall(TSSetUp(ts));
  PetscCall(TSComputeIFunction(ts, 0.0, x, F, F, PETSC_FALSE)); /* U_t = F's values: any */
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  PetscCall(TSSolve(ts, x));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t1));
  PetscCall(TSGetConvergedReason(ts, &reason));
  PetscCall(TSGetStepNumber(ts, &steps));
  PetscCall(TSGetTime(ts, &tfinal));
  PetscCheck(reason > 0 && PetscAbsReal(tfinal - t_end) <= 1e-12 * t_end, PETSC_COMM_WORLD,
             PETSC_ERR_NOT_CONVERGED, "sod: TS stopped at step %" PetscInt_FMT ", t = %g < %g (%s)",
             steps, (double)tfinal, (double)t_end, TSConvergedReasons[reason]);
  nsteps = steps; /* backward Euler: as planned; adaptive types: as taken */
  PetscCall(TSGetSNESIterations(ts, &total));
  PetscCall(CfdEventStats("SNESJacobianEval", &njac, &tjac));
  PetscCall(CfdEventStats("SNESFunctionEval", &nfev, &tfev));

  {
    PetscReal err = 0, gerr;
    const Field *u;
    Prim L = {UL[0], 0.0, (GAM - 1) * UL[2]}, R = {UR[0], 0.0, (GAM - 1) * UR[2]};
    double ps, us;
    riemann_star(&L, &R, GAM, &ps, &us);
    PetscCall(DMDAVecGetArrayRead(da, x, &u));
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      double xc = (i + 0.5) * dx;
      err += fabs(PetscRealPart(u[i].u[0]) - exact_rho(&L, &R, ps, us, xc, t_end)) * dx;
    }
    PetscCall(DMDAVecRestoreArrayRead(da, x, &u));
    PetscCallMPI(MPI_Allreduce(&err, &gerr, 1, MPIU_REAL, MPIU_SUM, PETSC_COMM_WORLD));
    PetscCall(
        PetscPrintf(PETSC_COMM_WORLD,
                    "sod: total Newton iterations %" PetscInt_FMT " (%.2f per step), %" PetscInt_FMT
                    " Jacobians, %.3f ms per Jacobian, %" PetscInt_FMT
                    " residual evaluations, solve %.3f s (set-up %.3f s before it)\n",
                    total, (double)total / nsteps, njac, njac ? 1e3 * (double)tjac / njac : 0.0,
                    nfev, (double)(t1 - t0), (double)(t0 - ts0)));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "sod: density L1 error vs the exact solution at t = %g: %.6e\n",
                          (double)t_end, (double)gerr));
    PetscCall(PetscPrintf(
        PETSC_COMM_WORLD,
        "summary: app=sod problem=%s scheme=%s cells=%" PetscInt_FMT " np=%d jacobian=%s "
        "steps=%" PetscInt_FMT " newton=%" PetscInt_FMT " jacobians=%" PetscInt_FMT
        " jac_ms=%.4f fevals=%" PetscInt_FMT " solve_s=%.4f setup_s=%.4f l1=%.6e\n",
        problem, scheme, mx, size, label, nsteps, total, njac,
        njac ? 1e3 * (double)tjac / njac : 0.0, nfev, (double)(t1 - t0), (double)(t0 - ts0),
        (double)gerr));
    if (outdir[0]) PetscCall(WriteOutput(da, x, outdir, t_end, &L, &R, ps, us));
  }

  PetscCall(AGKernelDestroy(&kt));
  PetscCall(AGKernelDestroy(&kf));
  PetscCall(AGKernelDestroy(&kl));
  PetscCall(AGKernelDestroy(&kh));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&x));
  PetscCall(TSDestroy(&ts));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
