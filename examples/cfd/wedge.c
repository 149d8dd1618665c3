/* The supersonic wedge example (cfd_wedge). */
/* Supersonic flow over a wedge (examples/cfd): the steady 2-D Euler equations by
   pseudo-time stepping, an oblique shock compared with the theta-beta-Mach relation.

   The geometry, on a Cartesian DMDA without a body-fitted mesh: the frame of the wedge's
   surface. The domain is [0, Lx] x [0, Ly] (1 x 1); the bottom y = 0 is a flat reflecting
   wall; the freestream (Mach M, 2) comes in through the left and the top boundaries turned by
   the wedge angle theta (10 degrees) towards the wall: (u, v) = M a (cos theta, -sin theta).
   The wall turns it parallel to itself through an oblique shock from the corner (0, 0): the
   flow over a wedge of half-angle theta, seen from the wedge's surface. The shock makes the
   angle beta with the upstream flow, so beta - theta with the wall. The right boundary is a
   supersonic outflow.

   Discretisation: first-order cell-centred finite volumes (dof 4: rho, rho u, rho v, E;
   cells hx x hy), Roe flux with Harten's entropy fix, boundary faces by kernels
   (wedge_kernels.c: inflow = Roe flux against the freestream, outflow = the physical flux,
   wall = (0, 0, p, 0)), backward-Euler pseudo-time steps with a Newton solve each,
     R = (U - U^old) hx hy / dt + hy (Fx(i+1/2) - Fx(i-1/2)) + hx (Fy(j+1/2) - Fy(j-1/2)),
   dt = CFL min(hx, hy) / (M + 1), the CFL number growing geometrically (CFL *= growth up to
   a maximum) until the steady residual (R with U^old = U) has dropped by -steady_rtol.
   The residual is an alphagrad operator, so the same program runs with -snes_jacobian
   alphagrad, -snes_fd_color, -snes_mf, ...

   The shock angle is measured from the solution: in every column with x in [0.3, 0.95] Lx,
   the height where the density crosses the mid-jump value (rho_1 + rho_2) / 2 (rho_2 the
   exact post-shock density), interpolated between cell centres from the top; a line through
   the corner fitted to these points (least squares) gives the angle to the wall. The exact
   beta solves the theta-beta-Mach relation (weak shock) numerically. The tolerance is the
   angle of -tol_cells (1) cells (max(hx, hy)) at the mean distance of the columns from
   the corner: the first-order shock is smeared over a few cells and the mid contour is
   defined to about a cell (measured: 0.63 degrees at 40 x 40, 0.43 at 80 x 80, against
   tolerances of 2.3 and 1.1).

   Options: -da_grid_x, -da_grid_y (40), -Lx, -Ly (1), -mach (2), -theta (10 degrees),
   -cfl (5, the first step), -cfl_growth (1.5), -cfl_max (1e4), -steady_rtol (1e-6),
   -max_steps (200), -tol_cells (1), -output DIR, -verbose (a line per pseudo-time step),
   -require_steady (true: exit with an error when max_steps pass without a steady state;
   false for short runs, e.g. a few steps with -snes_test_jacobian).
   Prints the line
     summary: app=wedge cells=NXxNY np=P jacobian=J steps=S newton=K jacobians=NJ jac_ms=X
              fevals=F solve_s=Y setup_s=T res_drop=R beta_measured=B1 beta_exact=B2 diff=D tol=TOL
   (angles in degrees; beta relative to the upstream flow) and exits with an error if the
   steady state is not reached. */
#include "cfd_common.h"
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>

#ifndef WEDGE_KERNEL_FILE
#define WEDGE_KERNEL_FILE "wedge_kernels.c"
#endif

static const double GAM = 1.4;

typedef struct {
  PetscScalar u[4];
} Field;

/* the flow deflection theta of an oblique shock at angle beta (radians), Mach M */
static double tbm_theta(double beta, double M) {
  double s = sin(beta);
  return atan(2.0 / tan(beta) * (M * M * s * s - 1.0) / (M * M * (GAM + cos(2.0 * beta)) + 2.0));
}

/* the weak-shock beta of the theta-beta-Mach relation (radians); -1 if theta > theta_max */
static double tbm_beta_weak(double theta, double M, double *beta_max) {
  double a = asin(1.0 / M), b = 0.5 * M_PI, g = 0.5 * (sqrt(5.0) - 1.0);
  /* golden-section search for the maximum deflection */
  double c = b - g * (b - a), d = a + g * (b - a);
  for (int it = 0; it < 200; it++) {
    if (tbm_theta(c, M) > tbm_theta(d, M))
      b = d;
    else
      a = c;
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  *beta_max = 0.5 * (a + b);
  if (theta > tbm_theta(*beta_max, M)) return -1.0;
  a = asin(1.0 / M);
  b = *beta_max; /* theta(beta) increases on [mu, beta_max] */
  for (int it = 0; it < 200; it++) {
    double m = 0.5 * (a + b);
    if (tbm_theta(m, M) < theta)
      a = m;
    else
      b = m;
  }
  return 0.5 * (a + b);
}

typedef struct {
  PetscInt n;          /* columns used */
  double angle, xmean; /* fitted angle to the wall (radians), mean column x */
  double *xs, *ys;     /* the points (rank 0) */
} ShockFit;

/* the mid-jump density contour in the columns with x in [0.3, 0.95] Lx, fitted to a line
   through the corner (rank 0 computes, the result is broadcast) */
static PetscErrorCode MeasureShock(DM da, Vec x, double Lx, double Ly, double rho_mid,
                                   ShockFit *fit) {
  Vec all;
  DMDALocalInfo info;
  PetscMPIInt rank;
  double res[3] = {0, 0, 0};
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(CfdGather(da, x, &all));
  PetscCall(PetscMalloc2(info.mx, &fit->xs, info.mx, &fit->ys));
  fit->n = 0;
  if (rank == 0) {
    const PetscScalar *a;
    double hx = Lx / info.mx, hy = Ly / info.my, sxy = 0, sxx = 0, sx = 0;
    PetscCall(VecGetArrayRead(all, &a));
    for (PetscInt i = 0; i < info.mx; i++) {
      double xc = (i + 0.5) * hx;
      if (xc < 0.3 * Lx || xc > 0.95 * Lx) continue;
      for (PetscInt j = info.my - 2; j >= 0; j--) { /* from the top: the first crossing */
        double r0 = a[4 * (j * info.mx + i)], r1 = a[4 * ((j + 1) * info.mx + i)];
        if (r0 >= rho_mid && r1 < rho_mid) {
          double y = (j + 0.5) * hy + hy * (r0 - rho_mid) / (r0 - r1);
          fit->xs[fit->n] = xc;
          fit->ys[fit->n] = y;
          fit->n++;
          sxy += xc * y;
          sxx += xc * xc;
          sx += xc;
          break;
        }
      }
    }
    PetscCall(VecRestoreArrayRead(all, &a));
    res[0] = fit->n;
    res[1] = sxx > 0 ? atan(sxy / sxx) : 0;
    res[2] = fit->n ? sx / fit->n : 0;
  }
  PetscCallMPI(MPI_Bcast(res, 3, MPI_DOUBLE, 0, PETSC_COMM_WORLD));
  fit->n = (PetscInt)res[0];
  fit->angle = res[1];
  fit->xmean = res[2];
  PetscCall(VecDestroy(&all));
  PetscFunctionReturn(0);
}

/* -output DIR: wedge.h5 (density, velocity_x, velocity_y, pressure, mach: (ny, nx) datasets;
   the conserved state "state": (ny, nx, 4)), wedge.xmf, and for plot.sh wedge_density.dat
   (x y rho, a blank line after each row), wedge_shock.dat (the measured contour points),
   wedge_info.txt (key value lines) */
static PetscErrorCode WriteOutput(DM da, Vec x, const char *dir, double Lx, double Ly,
                                  const ShockFit *fit, double mach, double theta, double beta,
                                  double beta_meas) {
  DM da1;
  DMDALocalInfo info;
  const char *names[5] = {"density", "velocity_x", "velocity_y", "pressure", "mach"};
  Vec f[5], all;
  PetscViewer v;
  PetscMPIInt rank;
  PetscReal diff;
  char h5[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(CfdMakeDir(dir));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDACreateCompatibleDMDA(da, 1, &da1));
  {
    const Field **u;
    PetscCall(DMDAVecGetArrayRead(da, x, &u));
    for (int k = 0; k < 5; k++) {
      PetscScalar **a;
      PetscCall(DMCreateGlobalVector(da1, &f[k]));
      PetscCall(PetscObjectSetName((PetscObject)f[k], names[k]));
      PetscCall(DMDAVecGetArray(da1, f[k], &a));
      for (PetscInt j = info.ys; j < info.ys + info.ym; j++)
        for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
          const PetscScalar *w = u[j][i].u;
          double r = w[0], vx = w[1] / r, vy = w[2] / r,
                 p = (GAM - 1) * (w[3] - 0.5 * r * (vx * vx + vy * vy));
          a[j][i] = k == 0   ? r
                    : k == 1 ? vx
                    : k == 2 ? vy
                    : k == 3 ? p
                             : sqrt((vx * vx + vy * vy) * r / (GAM * p));
        }
      PetscCall(DMDAVecRestoreArray(da1, f[k], &a));
    }
    PetscCall(DMDAVecRestoreArrayRead(da, x, &u));
  }
  PetscCall(PetscSNPrintf(h5, sizeof h5, "%s/wedge.h5", dir));
  PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, h5, FILE_MODE_WRITE, &v));
  for (int k = 0; k < 5; k++)
    PetscCall(VecView(f[k], v));
  PetscCall(PetscObjectSetName((PetscObject)x, "state"));
  PetscCall(VecView(x, v));
  PetscCall(PetscViewerDestroy(&v));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/wedge.xmf", dir));
  PetscCall(CfdWriteXdmf(path, "wedge.h5", info.mx, info.my, 0.0, 0.0, Lx / info.mx, Ly / info.my,
                         5, names));
  PetscCall(CfdReadBack(da, h5, "state", x, &diff));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "output: %s (datasets density velocity_x velocity_y pressure mach state), "
                        "%s; read back: max |state - VecLoad(state)| = %g\n",
                        h5, path, (double)diff));

  PetscCall(CfdGather(da, x, &all));
  if (rank == 0) {
    const PetscScalar *a;
    FILE *fp;
    double hx = Lx / info.mx, hy = Ly / info.my;
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/wedge_density.dat", dir));
    fp = fopen(path, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    PetscCall(VecGetArrayRead(all, &a));
    fprintf(fp, "# wedge: %d x %d cells\n# x y rho (cell centres; a blank line after each row)\n",
            (int)info.mx, (int)info.my);
    for (PetscInt j = 0; j < info.my; j++) {
      for (PetscInt i = 0; i < info.mx; i++)
        fprintf(fp, "%.8g %.8g %.10g\n", (i + 0.5) * hx, (j + 0.5) * hy,
                (double)a[4 * (j * info.mx + i)]);
      fprintf(fp, "\n");
    }
    PetscCall(VecRestoreArrayRead(all, &a));
    fclose(fp);
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/wedge_shock.dat", dir));
    fp = fopen(path, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    fprintf(fp, "# the mid-jump density contour: x y\n");
    for (PetscInt k = 0; k < fit->n; k++)
      fprintf(fp, "%.8g %.8g\n", fit->xs[k], fit->ys[k]);
    fclose(fp);
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/wedge_info.txt", dir));
    fp = fopen(path, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    fprintf(fp,
            "nx %d\nny %d\nLx %.10g\nLy %.10g\nmach %.10g\ntheta %.10g\nbeta_exact "
            "%.10g\nbeta_measured %.10g\n",
            (int)info.mx, (int)info.my, Lx, Ly, mach, theta * 180 / M_PI, beta * 180 / M_PI,
            beta_meas * 180 / M_PI);
    fclose(fp);
  }
  PetscCall(VecDestroy(&all));
  for (int k = 0; k < 5; k++)
    PetscCall(VecDestroy(&f[k]));
  PetscCall(DMDestroy(&da1));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  SNES snes;
  DM da;
  Vec x, uold, F;
  AGOperator op;
  AGKernel kt, kx, ky, kin, kout, kwall, kfar;
  DMDALocalInfo info;
  PetscInt total = 0, njac, nfev, steps = 0, max_steps = 200;
  PetscReal Lx = 1, Ly = 1, mach = 2, theta_deg = 10, cfl = 5, growth = 1.5, cfl_max = 1e4,
            steady_rtol = 1e-6, tol_cells = 1;
  PetscReal hx, hy, r0 = 0, r = 0, tjac, tfev;
  PetscReal uinf[4], pt[1], px[1], py[1], pin[5], pfar[5];
  PetscLogDouble ts, t0, t1;
  PetscBool verbose = PETSC_FALSE, converged = PETSC_FALSE, require_steady = PETSC_TRUE;
  PetscMPIInt size;
  char kfile[PETSC_MAX_PATH_LEN] = WEDGE_KERNEL_FILE, spec[PETSC_MAX_PATH_LEN + 32],
       outdir[PETSC_MAX_PATH_LEN] = "", label[96];
  double theta, beta, beta_max;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(CfdLogBegin());
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", outdir, sizeof outdir, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-Lx", &Lx, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-Ly", &Ly, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-mach", &mach, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-theta", &theta_deg, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-cfl", &cfl, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-cfl_growth", &growth, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-cfl_max", &cfl_max, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-steady_rtol", &steady_rtol, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-tol_cells", &tol_cells, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-max_steps", &max_steps, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-require_steady", &require_steady, NULL));
  PetscCall(CfdJacobianLabel(label, sizeof label));
  PetscCall(SNESAlphaGradRegister());

  theta = theta_deg * M_PI / 180;
  beta = tbm_beta_weak(theta, mach, &beta_max);
  PetscCheck(beta > 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE,
             "wedge: theta = %g degrees exceeds the largest deflection %g degrees at Mach %g "
             "(detached shock)",
             (double)theta_deg, tbm_theta(beta_max, mach) * 180 / M_PI, (double)mach);

  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR,
                         40, 40, PETSC_DECIDE, PETSC_DECIDE, 4, 1, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "density"));
  PetscCall(DMDASetFieldName(da, 1, "momentum_x"));
  PetscCall(DMDASetFieldName(da, 2, "momentum_y"));
  PetscCall(DMDASetFieldName(da, 3, "energy"));
  PetscCall(DMDAGetLocalInfo(da, &info));
  hx = Lx / info.mx;
  hy = Ly / info.my;

  /* the freestream: rho = 1, a = 1 (p = 1/gamma), speed M, turned by theta towards the wall */
  uinf[0] = 1.0;
  uinf[1] = mach * cos(theta);
  uinf[2] = -mach * sin(theta);
  uinf[3] = 1.0 / (GAM * (GAM - 1)) + 0.5 * mach * mach;
  px[0] = hy;
  py[0] = hx;
  pin[0] = hy;
  pfar[0] = hx;
  for (int c = 0; c < 4; c++)
    pin[1 + c] = pfar[1 + c] = uinf[c];

  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &uold));
  PetscCall(VecDuplicate(x, &F));
  {
    Field **u;
    PetscCall(DMDAVecGetArray(da, x, &u));
    for (PetscInt j = info.ys; j < info.ys + info.ym; j++)
      for (PetscInt i = info.xs; i < info.xs + info.xm; i++)
        for (int c = 0; c < 4; c++)
          u[j][i].u[c] = uinf[c];
    PetscCall(DMDAVecRestoreArray(da, x, &u));
  }

  /* the residual operator */
#define KERNEL(k, name)                                                                            \
  do {                                                                                             \
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:%s", kfile, name));                             \
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &k));                                         \
  } while (0)
  KERNEL(kt, "wedge_time");
  KERNEL(kx, "wedge_roe_x");
  KERNEL(ky, "wedge_roe_y");
  KERNEL(kin, "wedge_inflow_x");
  KERNEL(kout, "wedge_outflow_x");
  KERNEL(kwall, "wedge_wall_y");
  KERNEL(kfar, "wedge_farfield_y");
#undef KERNEL
  pt[0] = 0; /* set at every step */
  PetscCall(AGKernelSetParameters(kt, 1, pt));
  PetscCall(AGKernelSetParameters(kx, 1, px));
  PetscCall(AGKernelSetParameters(ky, 1, py));
  PetscCall(AGKernelSetParameters(kin, 5, pin));
  PetscCall(AGKernelSetParameters(kout, 1, px));
  PetscCall(AGKernelSetParameters(kwall, 1, py));
  PetscCall(AGKernelSetParameters(kfar, 5, pfar));
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, kt, DMDA_STENCIL_STAR, 0, NULL));
  PetscCall(AGOperatorAddFaceKernel(op, kx, 0, 1, kin, kout));
  PetscCall(AGOperatorAddFaceKernel(op, ky, 1, 1, kwall, kfar));
  PetscCall(AGOperatorSetAuxiliaryVec(op, uold));

  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  PetscCall(SNESSetDM(snes, da));
  PetscCall(SNESAlphaGradSetOperator(snes, op, PETSC_TRUE));
  /* a pseudo-time step needs no tight solve; the options may change it */
  PetscCall(SNESSetTolerances(snes, 1e-12, 1e-6, 1e-12, 50, 10000));
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "wedge: %" PetscInt_FMT " x %" PetscInt_FMT
                        " cells on [0, %g] x [0, %g], %d processes, Mach %g, theta %g degrees; "
                        "exact (weak) beta %.4f degrees, "
                        "shock at %.4f degrees to the wall; Jacobian: %s\n",
                        info.mx, info.my, (double)Lx, (double)Ly, size, (double)mach,
                        (double)theta_deg, beta * 180 / M_PI, (beta - theta) * 180 / M_PI, label));

  /* set-up outside the timed loop: the first residual sets the operator up (orders, code
     generation and compilation, or the cache) */
  PetscCall(PetscTime(&ts));
  PetscCall(VecCopy(x, uold));
  PetscCall(SNESSetUp(snes));
  PetscCall(SNESComputeFunction(snes, x, F));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  for (steps = 0; steps <= max_steps; steps++) {
    PetscInt its;
    SNESConvergedReason reason;
    PetscReal dt = cfl * PetscMin(hx, hy) / (mach + 1.0);
    PetscCall(VecCopy(x, uold));
    PetscCall(SNESComputeFunction(snes, x, F)); /* U^old = U: the steady residual */
    PetscCall(VecNorm(F, NORM_2, &r));
    if (steps == 0) r0 = r;
    if (verbose || steps == 0)
      PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                            "step %3" PetscInt_FMT ": steady residual %.4e (drop %.3e), CFL %g\n",
                            steps, (double)r, (double)(r / r0), (double)cfl));
    if (r <= steady_rtol * r0) {
      converged = PETSC_TRUE;
      break;
    }
    if (steps == max_steps) break;
    pt[0] = hx * hy / dt;
    PetscCall(AGKernelSetParameters(kt, 1, pt));
    PetscCall(SNESSolve(snes, NULL, x));
    PetscCall(SNESGetIterationNumber(snes, &its));
    PetscCall(SNESGetConvergedReason(snes, &reason));
    if (verbose)
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "        Newton iterations %" PetscInt_FMT " (%s)\n",
                            its, SNESConvergedReasons[reason]));
    PetscCheck(reason > 0, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED,
               "wedge: Newton did not converge at pseudo-time step %" PetscInt_FMT " (CFL %g): %s",
               steps + 1, (double)cfl, SNESConvergedReasons[reason]);
    total += its;
    cfl = PetscMin(cfl * growth, cfl_max);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t1));
  PetscCall(CfdEventStats("SNESJacobianEval", &njac, &tjac));
  PetscCall(CfdEventStats("SNESFunctionEval", &nfev, &tfev));
  PetscCall(PetscPrintf(
      PETSC_COMM_WORLD,
      "wedge: %s after %" PetscInt_FMT
      " pseudo-time steps: steady residual %.4e (drop %.3e); total Newton iterations %" PetscInt_FMT
      ", %" PetscInt_FMT " Jacobians, %.3f ms per Jacobian, %" PetscInt_FMT
      " residual evaluations, solve %.3f s (set-up %.3f s before it)\n",
      converged ? "steady" : "NOT steady", steps, (double)r, (double)(r / r0), total, njac,
      njac ? 1e3 * (double)tjac / njac : 0.0, nfev, (double)(t1 - t0), (double)(t0 - ts)));

  {
    ShockFit fit;
    double Mn = mach * sin(beta), rho2 = (GAM + 1) * Mn * Mn / ((GAM - 1) * Mn * Mn + 2), beta_meas,
           diff, tol;
    PetscCall(MeasureShock(da, x, Lx, Ly, 0.5 * (1.0 + rho2), &fit));
    PetscCheck(fit.n >= 3 || !require_steady, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED,
               "wedge: the shock was found in %" PetscInt_FMT " columns only", fit.n);
    beta_meas = fit.angle + theta;
    diff = (beta_meas - beta) * 180 / M_PI;
    tol = atan(tol_cells * PetscMax(hx, hy) / fit.xmean) * 180 / M_PI;
    PetscCall(PetscPrintf(
        PETSC_COMM_WORLD,
        "wedge: shock (density %.4f, mid-jump contour in %" PetscInt_FMT
        " columns) at %.3f degrees to the wall (exact %.3f): beta measured %.3f, exact %.3f "
        "degrees, difference %+.3f, tolerance %.3f (%g cells at x = %.3f)\n",
        rho2, fit.n, fit.angle * 180 / M_PI, (beta - theta) * 180 / M_PI, beta_meas * 180 / M_PI,
        beta * 180 / M_PI, diff, tol, (double)tol_cells, fit.xmean));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "summary: app=wedge cells=%" PetscInt_FMT "x%" PetscInt_FMT
                          " np=%d jacobian=%s steps=%" PetscInt_FMT " newton=%" PetscInt_FMT
                          " jacobians=%" PetscInt_FMT " jac_ms=%.4f fevals=%" PetscInt_FMT
                          " solve_s=%.4f setup_s=%.4f res_drop=%.3e beta_measured=%.3f "
                          "beta_exact=%.3f diff=%.3f tol=%.3f\n",
                          info.mx, info.my, size, label, steps, total, njac,
                          njac ? 1e3 * (double)tjac / njac : 0.0, nfev, (double)(t1 - t0),
                          (double)(t0 - ts), (double)(r / r0), beta_meas * 180 / M_PI,
                          beta * 180 / M_PI, diff, tol));
    if (outdir[0])
      PetscCall(WriteOutput(da, x, outdir, Lx, Ly, &fit, mach, theta, beta, beta_meas));
    PetscCall(PetscFree2(fit.xs, fit.ys));
  }
  PetscCheck(converged || !require_steady, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED,
             "wedge: no steady state after %" PetscInt_FMT " pseudo-time steps (drop %g > %g)",
             steps, (double)(r / r0), (double)steady_rtol);

  PetscCall(AGKernelDestroy(&kt));
  PetscCall(AGKernelDestroy(&kx));
  PetscCall(AGKernelDestroy(&ky));
  PetscCall(AGKernelDestroy(&kin));
  PetscCall(AGKernelDestroy(&kout));
  PetscCall(AGKernelDestroy(&kwall));
  PetscCall(AGKernelDestroy(&kfar));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&uold));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
