/* An application outside the alphagrad tree, built against the installed package (by
   find_package(alphagrad) and by pkg-config alphagrad) in tests/install/test_install.sh.

   Residual on a 1-D DMDA (dof 1, star stencil of width 1), cell kernel from a C kernel file
   (-kernel file.c:function), e.g.
     out[0] = in[0]*in[2] - p[0]*sin(in[1])        (in = u[i-1], u[i], u[i+1])
   and a boundary kernel u - 1 built with the builder API (graph/graph.h). The exact
   Jacobian and the residual are checked against the analytic ones; prints "OK". */
#include <math.h>

#include <alphagrad_petsc.h> /* the only alphagrad header an application needs */

static PetscReal u0(PetscInt i) { return 0.5 + 0.1 * (PetscReal)i; }

int main(int argc, char **argv) {
  char src[PETSC_MAX_PATH_LEN] = "";
  PetscBool flg;
  const PetscInt n = 9;
  const PetscReal p[1] = {2.0};
  DM da;
  Vec X, F;
  Mat J;
  AGKernel k, b;
  AGOperator op;
  PetscInt xs, xm;
  PetscReal errj = 0, errf = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(SNESAlphaGradRegister());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-kernel", src, sizeof src, &flg));
  PetscCheck(flg, PETSC_COMM_WORLD, PETSC_ERR_USER, "give -kernel file.c:function");

  PetscCall(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, n, 1, 1, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));

  /* cell kernel from the C file; boundary kernel u - 1 from the builder API */
  PetscCall(AGKernelCreate(PETSC_COMM_WORLD, src, &k));
  PetscCall(AGKernelSetParameters(k, 1, p));
  {
    ag_graph *g = ag_graph_new("dirichlet");
    ag_error err;
    PetscCheck(g, PETSC_COMM_SELF, PETSC_ERR_MEM, "ag_graph_new");
    int d = ag_graph_op(g, AG_OP_SUB, ag_graph_input(g, 0), ag_graph_const(g, 1.0));
    ag_graph_output(g, d);
    PetscCheck(ag_graph_finalize(g, &err) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", err.msg);
    PetscCall(AGKernelCreateFromGraph(PETSC_COMM_WORLD, g, &b));
  }
  {
    PetscInt ni, no, np;
    PetscCall(AGKernelGetSizes(k, &ni, &no, &np));
    PetscCheck(ni == 3 && no == 1, PETSC_COMM_WORLD, PETSC_ERR_PLIB,
               "kernel sizes %" PetscInt_FMT " x %" PetscInt_FMT, ni, no);
  }
  PetscCall(AGOperatorCreate(da, &op));
  PetscCall(AGOperatorAddCellKernel(op, k, DMDA_STENCIL_STAR, 1, b));
  PetscCall(AGKernelDestroy(&k));
  PetscCall(AGKernelDestroy(&b));

  PetscCall(DMCreateGlobalVector(da, &X));
  PetscCall(VecDuplicate(X, &F));
  PetscCall(DMCreateMatrix(da, &J));
  PetscCall(DMDAGetCorners(da, &xs, NULL, NULL, &xm, NULL, NULL));
  {
    PetscScalar *x;
    PetscCall(DMDAVecGetArray(da, X, &x));
    for (PetscInt i = xs; i < xs + xm; i++)
      x[i] = u0(i);
    PetscCall(DMDAVecRestoreArray(da, X, &x));
  }
  PetscCall(AGOperatorComputeResidual(op, X, F));
  PetscCall(AGOperatorComputeJacobian(op, X, J));

  {
    const PetscScalar *f;
    PetscCall(DMDAVecGetArrayRead(da, F, &f));
    for (PetscInt i = xs; i < xs + xm; i++) {
      PetscInt cols[3] = {i - 1, i, i + 1};
      PetscScalar v[3];
      PetscReal fe, je[3];
      if (i == 0 || i == n - 1) { /* Dirichlet row: u - 1 */
        fe = u0(i) - 1.0;
        je[0] = 0, je[1] = 1, je[2] = 0;
      } else {
        fe = u0(i - 1) * u0(i + 1) - p[0] * sin(u0(i));
        je[0] = u0(i + 1), je[1] = -p[0] * cos(u0(i)), je[2] = u0(i - 1);
      }
      errf = PetscMax(errf, PetscAbsReal(PetscRealPart(f[i]) - fe));
      for (int c = 0; c < 3; c++) {
        if (cols[c] < 0 || cols[c] >= n) continue;
        PetscCall(MatGetValues(J, 1, &i, 1, &cols[c], &v[c]));
        errj = PetscMax(errj, PetscAbsReal(PetscRealPart(v[c]) - je[c]));
      }
    }
    PetscCall(DMDAVecRestoreArrayRead(da, F, &f));
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &errj, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &errf, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  {
    PetscReal nrm;
    PetscCall(MatNorm(J, NORM_FROBENIUS, &nrm));
    PetscCheck(nrm > 1.0, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Jacobian is empty (norm %g)",
               (double)nrm);
  }
  PetscCheck(errj < 1e-12 && errf < 1e-12, PETSC_COMM_WORLD, PETSC_ERR_PLIB,
             "wrong Jacobian or residual: max error J %g, F %g", (double)errj, (double)errf);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "OK: exact Jacobian of %s on %" PetscInt_FMT
                        " cells (max error J %g, F %g)\n",
                        src, n, (double)errj, (double)errf));

  PetscCall(MatDestroy(&J));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&X));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
