/* The trajectory collocation example (trajopt). */
/* A coupled trajectory problem (examples/robotics/README.md): implicit collocation of the
   simplified dynamics of the paper's 6-DOF arm as a two-point boundary-value problem, ONE
   SNES system on a 1-D DMDA over N waypoints in time (dof 6, star stencil width 1).

   Dynamics (kernel traj_cell in arm_kernels.c): point masses at the elbow, the wrist centre
   and the tool centre point under gravity, constant diagonal joint inertia J, viscous joint
   damping b, no Coriolis terms:  J q'' + b q' + G(q) = 0, G the gradient of the potential
   energy. Central differences with h = T / (N - 1), times h^2, at every interior waypoint:
     R_i = J (q_{i+1} - 2 q_i + q_{i-1}) + h b / 2 (q_{i+1} - q_{i-1}) + h^2 G(q_i)
   Boundary conditions (kernel traj_end; which end it is comes from the auxiliary vector):
     waypoint 0:     q_0 = q_a                        (the start configuration)
     waypoint N-1:   pose(q_{N-1}) = target pose      (6 pose equations, m and rad)
   So the problem is: from q_a, with which initial velocity does the damped arm, swinging
   under gravity alone, reach the target pose at time T, and along which trajectory. Every
   waypoint is coupled to its neighbours (the I and h b terms dominate the Jacobian), and the
   end condition couples the whole trajectory: a shooting problem solved all at once.

   The target is made reachable: the discrete dynamics are integrated forward from q_a with a
   known initial velocity v0 (the same recurrence as R_i = 0), and the target is the pose of
   its last waypoint; that trajectory q* is then a solution (q_err measures the distance).

   Options: -n_waypoints N (201), -T (1.0 s), -init constant|perturbed (constant: every waypoint
   at q_a; perturbed: q* + A * pattern, -perturb A, 0.2), -kernel_file.
   Prints the summary line of ik_path.c with app=traj; pos_err, rot_err: the end pose errors
   (m, rad); q_err: the largest joint difference to q* over all waypoints. */
#include <alphagrad_petsc.h>
#include <petscdmda.h>
#include <petscsnes.h>
#include <petsctime.h>

#include "arm_kernels.c" /* the kernels and the forward kinematics, as plain C */
#include "robotics_common.h"

#ifndef ROBOTICS_KERNEL_FILE
#define ROBOTICS_KERNEL_FILE "arm_kernels.c"
#endif

static const double qa[6] = {0.3, 0.5, -0.4, 0.7, 0.9, -0.6}; /* start configuration */
static const double v0[6] = {0.8, -0.5, 0.6, -1.0, 0.7, 1.2}; /* its velocity (rad/s) */

/* the forward integration of the discrete dynamics: q[N][6] */
static void simulate(PetscInt N, const double *par, double (*q)[6]) {
  const double h = par[0], *J = par + 5, *b = par + 11;
  double G[6];
  for (int k = 0; k < 6; k++) {
    q[0][k] = qa[k];
    q[1][k] = qa[k] + h * v0[k];
  }
  for (PetscInt i = 1; i + 1 < N; i++) {
    traj_gravity(q[i], par, G);
    for (int k = 0; k < 6; k++)
      q[i + 1][k] =
          (J[k] * (2 * q[i][k] - q[i - 1][k]) + 0.5 * h * b[k] * q[i - 1][k] - h * h * G[k]) /
          (J[k] + 0.5 * h * b[k]);
  }
}

int main(int argc, char **argv) {
  SNES snes;
  DM da, daux;
  Vec x, aux;
  AGOperator op;
  AGKernel kc, kb;
  PetscInt N = 201, xs, xm;
  PetscReal T = 1.0, perturb = 0.2;
  PetscBool perturbed = PETSC_FALSE;
  char kfile[PETSC_MAX_PATH_LEN] = ROBOTICS_KERNEL_FILE, init[16] = "constant",
       spec[PETSC_MAX_PATH_LEN + 32];
  PetscScalar **xa, **aa;
  double(*qs)[6];
  /* p = (h, g, m_e, m_w, m_t, I[6], b[6]) */
  double par[17] = {0,   9.81, 2.0, 1.5, 0.5, 10.0, 10.0, 6.0, 1.0,
                    1.0, 0.5,  5.0, 5.0, 3.0, 0.5,  0.5,  0.2};

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscLogDefaultBegin());
  PetscCall(SNESAlphaGradRegister());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n_waypoints", &N, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-T", &T, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-perturb", &perturb, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-init", init, sizeof init, NULL));
  PetscCall(PetscStrcmp(init, "perturbed", &perturbed));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel_file", kfile, sizeof kfile, NULL));

  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, N, 6, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(
      DMDAGetInfo(da, NULL, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(N >= 3, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "at least 3 waypoints");
  PetscCall(DMDACreateCompatibleDMDA(da, 7, &daux));
  PetscCall(DMDAGetCorners(da, &xs, NULL, NULL, &xm, NULL, NULL));
  par[0] = T / (N - 1);

  /* the reference trajectory q* (every rank integrates all of it: N * 6 numbers) */
  PetscCall(PetscMalloc1(N, &qs));
  simulate(N, par, qs);

  PetscCall(DMCreateGlobalVector(daux, &aux));
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(DMDAVecGetArrayDOF(daux, aux, &aa));
  PetscCall(DMDAVecGetArrayDOF(da, x, &xa));
  for (PetscInt i = xs; i < xs + xm; i++) {
    double s = (double)i / (N - 1);
    for (int k = 0; k < 7; k++)
      aa[i][k] = 0;
    if (i == 0) {
      aa[i][0] = 1;
      for (int k = 0; k < 6; k++)
        aa[i][1 + k] = qa[k];
    } else if (i == N - 1)
      arm6_fk(qs[N - 1], aa[i] + 1);
    for (int k = 0; k < 6; k++)
      xa[i][k] = perturbed ? qs[i][k] + perturb * sin(3.0 * s + 1.7 * k + 0.3) * (i > 0) : qa[k];
  }
  PetscCall(DMDAVecRestoreArrayDOF(da, x, &xa));
  PetscCall(DMDAVecRestoreArrayDOF(daux, aux, &aa));

  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:traj_cell", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kc));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:traj_end", kfile));
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, spec, &kb));
  PetscCall(AGKernelSetParameters(kc, 17, par));
  PetscCall(AGKernelSetParameters(kb, 17, par));
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
    PetscCall(DMDAVecGetArrayDOF(daux, aux, &aa));
    PetscCall(DMDAVecGetArrayDOF(da, x, &xa));
    for (PetscInt i = xs; i < xs + xm; i++) {
      for (int k = 0; k < 6; k++)
        q_err = PetscMax(q_err, PetscAbsReal(xa[i][k] - qs[i][k]));
      if (i == N - 1) {
        double r[6];
        arm6_pose_residual(xa[i], aa[i] + 1, 1e-3, r);
        pos_err = PetscSqrtReal(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        for (int k = 3; k < 6; k++)
          rot_err = PetscMax(rot_err, PetscAbsReal(r[k]));
      }
    }
    PetscCall(DMDAVecRestoreArrayDOF(da, x, &xa));
    PetscCall(DMDAVecRestoreArrayDOF(daux, aux, &aa));
    PetscCall(RoboticsReport(snes, x, "traj", N, &run, pos_err, rot_err, q_err));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "traj: T %g s, end configuration of q*: %.4f %.4f %.4f %.4f %.4f %.4f\n",
                          (double)T, qs[N - 1][0], qs[N - 1][1], qs[N - 1][2], qs[N - 1][3],
                          qs[N - 1][4], qs[N - 1][5]));
  }

  PetscCall(PetscFree(qs));
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
