/* The cuda backend test of the plugin (test_gpu_plugin). */
/* The CUDA backend of the plugin against the C backend on a 2-D Euler operator (the
   kernels of bench/plugin/euler2d_kernels.c: a time-term cell kernel with the old state as
   auxiliary vector, Roe face fluxes in x and y, periodic DMDA, dof 4): the Jacobian
   assembled on the device and copied into the host AIJ matrix equals the C backend's
   matrix (1e-13 relative, Frobenius and largest entry), at two states (set-up, then values
   only), and a cuSPARSE SpMV on the device CSR equals MatMult on the host matrix.
   Runs on 1 or more ranks (mpiexec: MPIAIJ with its diagonal and off-diagonal blocks).
   Exit 77 (skipped) without a GPU. */
#include "gpu/gpu.h"
#include "plugin/plugin_impl.h"
#include <petscdmda.h>

static PetscErrorCode make_op(DM da, Vec uold, const char *kfile, const char *backend,
                              AGOperator *op) {
  AGKernel kt, kx, ky;
  char spec[PETSC_MAX_PATH_LEN];
  MPI_Comm comm = PetscObjectComm((PetscObject)da);
  PetscReal hdt = 3.0;
  ag_plugin_opts o;
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_time", kfile));
  PetscCall(AGKernelCreate(comm, spec, &kt));
  PetscCall(AGKernelSetParameters(kt, 1, &hdt));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_roe_x", kfile));
  PetscCall(AGKernelCreate(comm, spec, &kx));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s:euler2d_roe_y", kfile));
  PetscCall(AGKernelCreate(comm, spec, &ky));
  PetscCall(AGOperatorCreate(da, op));
  PetscCall(AGOperatorAddCellKernel(*op, kt, DMDA_STENCIL_STAR, 0, NULL));
  PetscCall(AGOperatorAddFaceKernel(*op, kx, 0, 1, NULL, NULL));
  PetscCall(AGOperatorAddFaceKernel(*op, ky, 1, 1, NULL, NULL));
  PetscCall(AGOperatorSetAuxiliaryVec(*op, uold));
  ag_plugin_opts_default(&o);
  o.backend = !strcmp(backend, "cuda")     ? AG_BACKEND_CUDA
              : !strcmp(backend, "interp") ? AG_BACKEND_INTERP
                                           : AG_BACKEND_C;
  o.verbose = PETSC_TRUE;
  PetscCall(ag_operator_set_opts(*op, &o));
  PetscCall(AGKernelDestroy(&kt));
  PetscCall(AGKernelDestroy(&kx));
  PetscCall(AGKernelDestroy(&ky));
  PetscFunctionReturn(0);
}

static PetscErrorCode set_state(DM da, Vec X, PetscReal phase) {
  DMDALocalInfo info;
  PetscScalar ***x;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArrayDOF(da, X, &x));
  for (PetscInt j = info.ys; j < info.ys + info.ym; j++)
    for (PetscInt i = info.xs; i < info.xs + info.xm; i++) {
      PetscReal a = 2 * PETSC_PI * i / info.mx + phase, b = 2 * PETSC_PI * j / info.my;
      PetscReal rho = 1 + 0.2 * PetscSinReal(a) * PetscCosReal(b),
                u = 0.3 + 0.1 * PetscCosReal(a + b), v = -0.2 + 0.1 * PetscSinReal(2 * b),
                p = 1 + 0.1 * PetscCosReal(a - b);
      x[j][i][0] = rho;
      x[j][i][1] = rho * u;
      x[j][i][2] = rho * v;
      x[j][i][3] = p / 0.4 + 0.5 * rho * (u * u + v * v);
    }
  PetscCall(DMDAVecRestoreArrayDOF(da, X, &x));
  PetscFunctionReturn(0);
}

static PetscErrorCode compare(Mat A, Mat B, PetscReal *rel, PetscReal *entry) {
  Mat D;
  PetscReal na, nd, ma, md;
  PetscFunctionBeginUser;
  PetscCall(MatDuplicate(B, MAT_COPY_VALUES, &D));
  PetscCall(MatAXPY(D, -1.0, A, SAME_NONZERO_PATTERN));
  PetscCall(MatNorm(A, NORM_FROBENIUS, &na));
  PetscCall(MatNorm(D, NORM_FROBENIUS, &nd));
  PetscCall(MatNorm(A, NORM_INFINITY, &ma));
  PetscCall(MatNorm(D, NORM_INFINITY, &md));
  *rel = nd / na;
  *entry = md / ma;
  PetscCall(MatDestroy(&D));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  DM da;
  Vec X, uold;
  Mat P1, P2;
  AGOperator opc, opg;
  ag_error err;
  char kfile[PETSC_MAX_PATH_LEN];
  PetscInt M = 48, N = 37;
  int fails = 0;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  err.msg[0] = 0;
  if (ag_gpu_available(&err)) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "test_gpu_plugin: skipped: %s\n", err.msg));
    PetscCall(PetscFinalize());
    return 77;
  }
  const char *root = getenv("AG_SOURCE_DIR");
  PetscCall(
      PetscSNPrintf(kfile, sizeof kfile, "%s/bench/plugin/euler2d_kernels.c", root ? root : "."));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-M", &M, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-N", &N, NULL));
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC,
                         DMDA_STENCIL_STAR, M, N, PETSC_DECIDE, PETSC_DECIDE, 4, 1, NULL, NULL,
                         &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMCreateGlobalVector(da, &X));
  PetscCall(VecDuplicate(X, &uold));
  PetscCall(set_state(da, uold, 0.1));
  PetscCall(make_op(da, uold, kfile, "c", &opc));
  PetscCall(make_op(da, uold, kfile, "cuda", &opg));
  PetscCall(DMCreateMatrix(da, &P1));
  PetscCall(DMCreateMatrix(da, &P2));
  for (int step = 0; step < 2; step++) {
    PetscReal rel = -1, entry = -1, sp = -1;
    PetscCall(set_state(da, X, 0.3 + step));
    PetscCall(AGOperatorComputeJacobian(opc, X, P1));
    PetscCall(AGOperatorComputeJacobian(opg, X, P2));
    PetscCall(compare(P1, P2, &rel, &entry));
    PetscCall(AGOperatorGPUCheckSpMV(opg, P2, X, &sp));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "state %d: ||J_cuda - J_c||_F / ||J_c||_F = %.3g, ||.||_inf ratio %.3g; "
                          "device SpMV vs MatMult: %.3g\n",
                          step, (double)rel, (double)entry, (double)sp));
    if (!(rel <= 1e-13 && entry <= 1e-13)) fails++;
    if (!(sp <= 1e-13)) fails++;
  }
  PetscCall(AGOperatorView(opg, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(MatDestroy(&P1));
  PetscCall(MatDestroy(&P2));
  PetscCall(AGOperatorDestroy(&opc));
  PetscCall(AGOperatorDestroy(&opg));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&uold));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "test_gpu_plugin: %s\n", fails ? "FAILED" : "ok"));
  PetscCall(PetscFinalize());
  return fails ? 1 : 0;
}
