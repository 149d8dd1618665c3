/* Shared by ik_path.c and trajopt.c: solver defaults, the timed solve, the summary line. */
#ifndef ROBOTICS_COMMON_H
#define ROBOTICS_COMMON_H
#include <petscsnes.h>

typedef struct {
  PetscInt its, lin_its, nfev, njac;
  PetscReal solve_s, jac_ms, setup_s, fnorm;
  SNESConvergedReason reason;
} RoboticsRun;

/* Newton to round-off: the errors of the answer are then those of the discretised problem,
   and runs with different Jacobians or process counts agree to the printed digits. The
   options override these. */
static PetscErrorCode RoboticsSetDefaults(SNES snes) {
  KSP ksp;
  PetscFunctionBeginUser;
  PetscCall(SNESSetTolerances(snes, 1e-11, 1e-13, 0.0, 50, 100000));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(KSPSetTolerances(ksp, 1e-12, 1e-15, PETSC_DEFAULT, 2000));
  /* a direct solver with pivoting (MUMPS) by default: the Jacobians of the pose residuals
     have zero diagonal entries at some waypoints (ILU and PETSc's own LU, which do not
     pivot, stop with a zero pivot); -pc_type ... overrides it */
  {
    PC pc;
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  }
  PetscFunctionReturn(0);
}

/* total time (max over ranks) and count of a logged event of the main stage */
static PetscErrorCode RoboticsEventTime(const char *name, PetscReal *t, PetscInt *count) {
  PetscLogEvent ev = -1;
  PetscEventPerfInfo info;
  PetscReal tl = 0;
  PetscFunctionBeginUser;
  *t = 0;
  if (count) *count = 0;
  PetscCall(PetscLogEventGetId(name, &ev));
  if (ev >= 0) {
    PetscCall(PetscLogEventGetPerfInfo(0, ev, &info));
    tl = info.time;
    if (count) *count = info.count;
  }
  PetscCall(MPIU_Allreduce(&tl, t, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscFunctionReturn(0);
}

static PetscErrorCode RoboticsSolve(SNES snes, Vec x, RoboticsRun *run) {
  PetscLogDouble t0, t1;
  PetscReal tj;
  Vec f;
  PetscFunctionBeginUser;
  PetscCall(SNESSetUp(snes));
  { /* one residual first: the alphagrad set-up (order, code generation or cache) happens at
       the first evaluation and is reported apart (setup_s), not in solve_s */
    Vec r;
    PetscCall(VecDuplicate(x, &r));
    PetscCall(SNESComputeFunction(snes, x, r));
    PetscCall(VecDestroy(&r));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  PetscCall(SNESSolve(snes, NULL, x));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t1));
  run->solve_s = t1 - t0;
  PetscCall(SNESGetIterationNumber(snes, &run->its));
  PetscCall(SNESGetLinearSolveIterations(snes, &run->lin_its));
  PetscCall(SNESGetNumberFunctionEvals(snes, &run->nfev));
  PetscCall(SNESGetConvergedReason(snes, &run->reason));
  PetscCall(SNESGetFunction(snes, &f, NULL, NULL));
  PetscCall(VecNorm(f, NORM_2, &run->fnorm));
  PetscCall(RoboticsEventTime("SNESJacobianEval", &tj, &run->njac));
  run->jac_ms = run->njac ? 1e3 * tj / run->njac : 0;
  PetscCall(RoboticsEventTime("AGSetUp", &run->setup_s, NULL));
  PetscFunctionReturn(0);
}

/* which Jacobian the options selected */
static PetscErrorCode RoboticsJacobianName(SNES snes, char *name, size_t len) {
  PetscBool set, flg;
  char jac[64] = "";
  const char *prefix;
  PetscFunctionBeginUser;
  PetscCall(SNESGetOptionsPrefix(snes, &prefix));
  PetscCall(PetscStrncpy(name, "default", len));
  PetscCall(PetscOptionsGetString(NULL, prefix, "-snes_jacobian", jac, sizeof jac, &set));
  if (set) PetscCall(PetscStrncpy(name, jac, len));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-snes_fd_color", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(name, "fd_color", len));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-snes_fd", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(name, "fd", len));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-snes_mf", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(name, "mf", len));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, prefix, "-snes_mf_operator", &flg, NULL));
  if (flg) PetscCall(PetscSNPrintf(name, len, "mf_operator+%s", set ? jac : "default"));
  PetscFunctionReturn(0);
}

static PetscErrorCode RoboticsReport(SNES snes, Vec x, const char *app, PetscInt N,
                                     const RoboticsRun *run, PetscReal pos_err, PetscReal rot_err,
                                     PetscReal q_err) {
  char jac[96];
  PetscReal g[3], l[3] = {pos_err, rot_err, q_err}, nrm;
  PetscFunctionBeginUser;
  PetscCall(RoboticsJacobianName(snes, jac, sizeof jac));
  PetscCall(MPIU_Allreduce(l, g, 3, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(VecNorm(x, NORM_2, &nrm));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "%s: %s, Newton iterations %" PetscInt_FMT
                        ", linear iterations %" PetscInt_FMT ", function evaluations %" PetscInt_FMT
                        ", Jacobians %" PetscInt_FMT
                        ", residual norm %.3e, alphagrad set-up %.3f s\n",
                        app, SNESConvergedReasons[run->reason], run->its, run->lin_its, run->nfev,
                        run->njac, (double)run->fnorm, (double)run->setup_s));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "checksum: %.10e\n", (double)nrm));
  PetscCall(PetscPrintf(
      PETSC_COMM_WORLD,
      "summary: app=%s waypoints=%" PetscInt_FMT " jacobian=%s newton=%" PetscInt_FMT
      " jac_ms=%.3f solve_s=%.3f pos_err=%.2e rot_err=%.2e q_err=%.2e lin_its=%" PetscInt_FMT
      " nfev=%" PetscInt_FMT " reason=%s\n",
      app, N, jac, run->its, (double)run->jac_ms, (double)run->solve_s, (double)g[0], (double)g[1],
      (double)g[2], run->lin_its, run->nfev, SNESConvergedReasons[run->reason]));
  PetscFunctionReturn(0);
}

/* rotation angle (rad) between two rotation matrices (row-major), accurate near 0:
   M = R^T Rt, angle = atan2(|vee(M - M^T)| / 2, (tr M - 1) / 2) */
PETSC_UNUSED static PetscReal RoboticsRotationAngle(const double *R, const double *Rt) {
  double M[9], v[3], tr;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      M[3 * a + b] = 0;
      for (int c = 0; c < 3; c++)
        M[3 * a + b] += R[3 * c + a] * Rt[3 * c + b];
    }
  v[0] = M[7] - M[5];
  v[1] = M[2] - M[6];
  v[2] = M[3] - M[1];
  tr = M[0] + M[4] + M[8];
  return atan2(0.5 * sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), 0.5 * (tr - 1.0));
}
#endif
