/* The inverse-kinematics-along-a-path example (ik_path). */
/* Inverse kinematics along a path as ONE nonlinear system (examples/robotics/README.md).

   N waypoints on a 1-D DMDA (dof = the arm's joint count, star stencil width 1). The targets
   are the poses of a known smooth joint trajectory q*(s), s = i / (N - 1), so they are
   reachable; they reach the kernels through the auxiliary vector. The residual of waypoint i:
     -arm 6 (app ik6, the paper's RobotArm_6DOF, dof 6):
        R_i = pose6(q_i) - target_i + mu (2 q_i - q_{i-1} - q_{i+1})     (end waypoints: no mu term)
     -arm 7 (app ik7, a KUKA-iiwa-like 7-axis arm, dof 7):
        rows 0-5 = pose7(q_i) - target_i + mu (2 q_i - q_{i-1} - q_{i+1})[joints 1,2,4,5,6,7]
        row 6    = wn (2 q3_i - q3_{i-1} - q3_{i+1})   (redundancy: the upper-arm joint 3 moves
                   uniformly along the path; end waypoints: wn (q3_i - q3ref_i))
   (kernels ik6_cell/ik6_end, ik7_cell/ik7_end in arm_kernels.c). The pose residuals are
   position differences in m and smooth orientation errors (wrapped Tait-Bryan angle
   differences for the 6-DOF arm, the Gibbs vector tan(angle/2) axis for the iiwa).

   -joint_limit L (-arm 6): soft joint limits |q_k| <= L, a one-sided quadratic penalty of
   weight -limit_weight W (1) written with branches on the joint angles (kernels ik6_lim_cell,
   ik6_lim_end); the solution then trades the pose for the limits (pos_err > 0).
   Options: -arm 6|7 (6), -n_waypoints N (64; or -da_grid_x), -mu (1e-8), -wn (1), -perturb A
   (0.2: initial guess q*(s) + A * (a fixed smooth pattern); -init constant starts every waypoint
   from q*(1/2) instead), -kernel_file (the kernel source), -view_waypoints. The Jacobian comes from
   the options: -snes_jacobian alphagrad, -snes_fd_color, -snes_mf... Prints, after the solve, one
   line summary: app=ik6|ik7 waypoints=N jacobian=alphagrad|fd_color|mf|mf_operator newton=K
              jac_ms=X solve_s=Y pos_err=E rot_err=R q_err=Q lin_its=L nfev=F reason=...
   pos_err: the largest position error over the waypoints (m); rot_err: the largest
   orientation error (rad: the largest wrapped Tait-Bryan angle difference for ik6, the
   rotation angle between reached and target orientation for ik7); q_err: the largest
   difference to the generating trajectory q* (0 only where the solution is q*); jac_ms: the
   mean time of one SNESJacobianEval (max over ranks); solve_s: SNESSolve wall time.
   and "checksum: %.10e" (2-norm of the solution) for comparisons across process counts. */
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>
#include <petsctime.h>

#include "arm_kernels.c" /* the kernels and the forward kinematics, as plain C */
#include "robotics_common.h"

#ifndef ROBOTICS_KERNEL_FILE
#define ROBOTICS_KERNEL_FILE "arm_kernels.c"
#endif

/* the generating joint trajectory q*(s), s in [0, 1] */
static void path6(double s, double *q) {
  static const double c[6] = {0.3, 0.5, -0.4, 0.7, 0.9, -0.6};
  static const double a[6] = {0.6, 0.25, 0.3, 0.5, 0.35, 0.8};
  static const double w[6] = {1.0, 2.0, 1.5, 1.0, 2.0, 1.0};
  static const double ph[6] = {0.0, 0.5, 1.0, 1.5, 2.0, 2.5};
  for (int k = 0; k < 6; k++)
    q[k] = c[k] + a[k] * sin(2 * M_PI * w[k] * s + ph[k]) - a[k] * sin(ph[k]);
}
static void path7(double s, double *q) {
  static const double c[7] = {0.2, 0.7, -0.3, -1.3, 0.4, 0.9, 0.1};
  static const double a[7] = {0.6, 0.25, 0.0, 0.35, 0.5, 0.3, 0.8};
  static const double w[7] = {1.0, 2.0, 0.0, 1.5, 1.0, 2.0, 1.0};
  static const double ph[7] = {0.0, 0.5, 0.0, 1.0, 1.5, 2.0, 2.5};
  for (int k = 0; k < 7; k++)
    q[k] = c[k] + a[k] * sin(2 * M_PI * w[k] * s + ph[k]) - a[k] * sin(ph[k]);
  q[2] = -0.3 + 0.6 * s; /* the redundancy joint: uniform motion (zero second differences) */
}
/* the fixed smooth perturbation pattern of the initial guess */
static double perturbation(double s, int k) { return sin(3.0 * s + 1.7 * k + 0.3); }

int main(int argc, char **argv) {
  SNES snes;
  DM da, daux;
  Vec x, aux;
  AGOperator op;
  AGKernel kc, kb;
  PetscInt arm = 6, N = 64, dof, auxdof, xs, xm;
  PetscReal mu = 1e-8, wn = 1.0, perturb = 0.2, jlim = 0.0, wl = 1.0;
  PetscBool zero_init = PETSC_FALSE, view_wp = PETSC_FALSE;
  char kfile[PETSC_MAX_PATH_LEN] = ROBOTICS_KERNEL_FILE, init[16] = "perturbed",
       spec[PETSC_MAX_PATH_LEN + 32];
  PetscScalar **xa, **aa;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscLogDefaultBegin());
  PetscCall(SNESAlphaGradRegister());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-arm", &arm, NULL));
  PetscCheck(arm == 6 || arm == 7, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-arm 6 or 7");
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n_waypoints", &N, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-mu", &mu, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-wn", &wn, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-perturb", &perturb, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-joint_limit", &jlim, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-limit_weight", &wl, NULL));
  PetscCheck(jlim >= 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-joint_limit L needs L > 0");
  PetscCheck(jlim == 0 || arm == 6, PETSC_COMM_WORLD, PETSC_ERR_ARG_INCOMP,
             "-joint_limit: only with -arm 6 (kernels ik6_lim_cell, ik6_lim_end)");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-init", init, sizeof init, NULL));
  PetscCall(PetscStrcmp(init, "constant", &zero_init));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-view_waypoints", &view_wp, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));
  dof = arm;
  auxdof = arm == 6 ? 6 : 13;

  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, N, dof, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(
      DMDAGetInfo(da, NULL, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(N >= 3, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "at least 3 waypoints");
  PetscCall(DMDACreateCompatibleDMDA(da, auxdof, &daux));
  PetscCall(DMDAGetCorners(da, &xs, NULL, NULL, &xm, NULL, NULL));

  /* targets (auxiliary vector) and the initial guess */
  PetscCall(DMCreateGlobalVector(daux, &aux));
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(DMDAVecGetArrayDOF(daux, aux, &aa));
  PetscCall(DMDAVecGetArrayDOF(da, x, &xa));
  for (PetscInt i = xs; i < xs + xm; i++) {
    double s = (double)i / (N - 1), q[7] = {0}, p[3], R[9];
    if (arm == 6) {
      path6(s, q);
      arm6_fk(q, aa[i]);
    } else {
      path7(s, q);
      iiwa_fk(q, p, R);
      for (int k = 0; k < 3; k++)
        aa[i][k] = p[k];
      for (int k = 0; k < 9; k++)
        aa[i][3 + k] = R[k];
      aa[i][12] = q[2];
    }
    for (int k = 0; k < dof; k++) {
      double q0[7] = {0};
      if (arm == 6)
        path6(0.5, q0);
      else
        path7(0.5, q0);
      xa[i][k] = zero_init ? q0[k] : q[k] + perturb * perturbation(s, k);
    }
  }
  PetscCall(DMDAVecRestoreArrayDOF(da, x, &xa));
  PetscCall(DMDAVecRestoreArrayDOF(daux, aux, &aa));

  /* the operator */
  {
    PetscReal par[4] = {mu, arm == 6 ? 1e-3 : wn, wl, jlim};
    const int npar = jlim > 0 ? 4 : 2;
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:%s", kfile,
                            jlim > 0   ? "ik6_lim_cell"
                            : arm == 6 ? "ik6_cell"
                                       : "ik7_cell"));
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kc));
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:%s", kfile,
                            jlim > 0   ? "ik6_lim_end"
                            : arm == 6 ? "ik6_end"
                                       : "ik7_end"));
    PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kb));
    PetscCall(AGKernelSetParameters(kc, npar, par));
    PetscCall(AGKernelSetParameters(kb, npar, par));
  }
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, kc, DMDA_STENCIL_STAR, 1, kb));
  PetscCall(AGOperatorSetAuxiliaryVec(op, aux));

  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  PetscCall(SNESSetDM(snes, da));
  PetscCall(SNESAlphaGradSetOperator(snes, op, PETSC_TRUE));
  PetscCall(RoboticsSetDefaults(snes));
  PetscCall(SNESSetFromOptions(snes));

  {
    RoboticsRun run;
    PetscReal pos_err = 0, rot_err = 0, q_err = 0;
    PetscCall(RoboticsSolve(snes, x, &run));
    /* errors at the solution */
    PetscCall(DMDAVecGetArrayDOF(daux, aux, &aa));
    PetscCall(DMDAVecGetArrayDOF(da, x, &xa));
    for (PetscInt i = xs; i < xs + xm; i++) {
      double s = (double)i / (N - 1), q[7], pe = 0, re = 0;
      if (arm == 6) {
        double r[6];
        path6(s, q);
        arm6_pose_residual(xa[i], aa[i], 1e-3, r);
        pe = PetscSqrtReal(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        for (int k = 3; k < 6; k++)
          re = PetscMax(re, PetscAbsReal(r[k]));
      } else {
        double p[3], R[9];
        path7(s, q);
        iiwa_fk(xa[i], p, R);
        pe = PetscSqrtReal(PetscSqr(p[0] - aa[i][0]) + PetscSqr(p[1] - aa[i][1]) +
                           PetscSqr(p[2] - aa[i][2]));
        re = RoboticsRotationAngle(R, aa[i] + 3);
      }
      pos_err = PetscMax(pos_err, pe);
      rot_err = PetscMax(rot_err, re);
      for (int k = 0; k < dof; k++)
        q_err = PetscMax(q_err, PetscAbsReal(xa[i][k] - q[k]));
      if (view_wp)
        PetscCall(PetscSynchronizedPrintf(PETSC_COMM_WORLD,
                                          "waypoint %" PetscInt_FMT ": pos_err %.3e rot_err %.3e\n",
                                          i, pe, re));
    }
    if (view_wp) PetscCall(PetscSynchronizedFlush(PETSC_COMM_WORLD, PETSC_STDOUT));
    PetscCall(DMDAVecRestoreArrayDOF(da, x, &xa));
    PetscCall(DMDAVecRestoreArrayDOF(daux, aux, &aa));
    PetscCall(RoboticsReport(snes, x, arm == 6 ? "ik6" : "ik7", N, &run, pos_err, rot_err, q_err));
  }

  PetscCall(AGKernelDestroy(&kc));
  PetscCall(AGKernelDestroy(&kb));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&aux));
  PetscCall(SNESDestroy(&snes));
  PetscCall(DMDestroy(&daux));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
