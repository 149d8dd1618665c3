/* Timing helpers of the plugin benchmarks (bench_euler2d.c, bench_bratu2d.c). */
/* Methods called in alternation, each timed between barriers (the slowest rank's time),
   after one untimed call of each (set-up, patterns, colorings); and the memory floor of a
   matrix: its values written once by every rank at the same time. */
#ifndef AG_BENCH_LOOP_H
#define AG_BENCH_LOOP_H

#include <alphagrad_petsc.h>
#include <petscsnes.h>
#include <stdlib.h>

typedef struct {
  const char *name;
  PetscErrorCode (*call)(void *ctx);
  void *ctx;
} bench_method;

/* what the calls below need: the SNES (fd_color, the application's residual), the operator,
   the state, a residual vector, a matrix, and the application's own context */
typedef struct {
  SNES snes;
  AGOperator op;
  Vec x, f;
  Mat M;
  void *app;
} bench_ctx;
static PETSC_UNUSED PetscErrorCode bench_alphagrad(void *c) {
  bench_ctx *q = c;
  return AGOperatorComputeJacobian(q->op, q->x, q->M);
}
static PETSC_UNUSED PetscErrorCode bench_fdcolor(void *c) {
  bench_ctx *q = c;
  return SNESComputeJacobianDefaultColor(q->snes, q->x, q->M, q->M, NULL);
}
static PETSC_UNUSED PetscErrorCode bench_app_residual(void *c) {
  bench_ctx *q = c;
  return SNESComputeFunction(q->snes, q->x, q->f);
}
static PETSC_UNUSED PetscErrorCode bench_op_residual(void *c) {
  bench_ctx *q = c;
  return AGOperatorComputeResidual(q->op, q->x, q->f);
}

static int bench_cmp_real(const void *a, const void *b) {
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

/* loop rounds of nm methods in alternation; per method the first call's time in first[i] (ms)
   and the minimum and median of the timed calls in lo[i], med[i] (ms) */
static PetscErrorCode bench_alternate(MPI_Comm comm, PetscInt loop, PetscInt nm,
                                      const bench_method *m, PetscReal *first, PetscReal *lo,
                                      PetscReal *med) {
  PetscReal *t;
  PetscLogDouble t0, t1;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nm * loop + 1, &t));
  for (PetscInt k = -1; k < loop; k++) /* k = -1: the first calls */
    for (PetscInt i = 0; i < nm; i++) {
      PetscCallMPI(MPI_Barrier(comm));
      PetscCall(PetscTime(&t0));
      PetscCall(m[i].call(m[i].ctx));
      PetscCallMPI(MPI_Barrier(comm));
      PetscCall(PetscTime(&t1));
      if (k < 0)
        first[i] = 1e3 * (t1 - t0);
      else
        t[i * loop + k] = 1e3 * (t1 - t0);
    }
  for (PetscInt i = 0; i < nm; i++) {
    qsort(t + i * loop, (size_t)loop, sizeof *t, bench_cmp_real);
    lo[i] = t[i * loop];
    med[i] = t[i * loop + loop / 2];
  }
  PetscCall(PetscFree(t));
  PetscFunctionReturn(0);
}

/* The memory floor of a Jacobian in A's format: its values written once (the structure is in
   place already). Every rank writes an array of its share of the nonzeros at the same time,
   as a Jacobian does; the best of 10 passes (after one that maps the pages), the slowest
   rank's, in *ms; *nz: rank 0's nonzeros. */
static PetscErrorCode bench_floor(MPI_Comm comm, Mat A, PetscReal *ms, double *nz) {
  MatInfo info;
  PetscReal *w, best = 1e30;
  PetscLogDouble t0, t1;
  PetscFunctionBeginUser;
  PetscCall(MatGetInfo(A, MAT_LOCAL, &info));
  size_t n = (size_t)info.nz_used;
  *nz = info.nz_used;
  PetscCall(PetscMalloc1(n + 1, &w));
  for (int rep = 0; rep < 11; rep++) {
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    for (size_t i = 0; i < n; i++)
      w[i] = (PetscReal)rep * 0.5 + (PetscReal)(i & 7);
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t1));
    if (rep) best = PetscMin(best, 1e3 * (t1 - t0));
  }
  PetscCallMPI(MPI_Allreduce(&best, ms, 1, MPIU_REAL, MPIU_MAX, comm));
  PetscCallMPI(MPI_Bcast(nz, 1, MPI_DOUBLE, 0, comm));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

#endif
