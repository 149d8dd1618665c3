/* Internals of the PETSc plugin, shared by its files (layers, bottom up; no file calls a
   layer above its own):
     register.c  the package: class ids, -log_view events, AGInitializePackage, core error
                 classes
     kernel.c    AGKernel: a graph, its parameters, and at set-up its order, program, code
     setup.c     order selection (libraries, heuristics, search) and code for one kernel
     operator.c  AGOperator: element lists on the DMDA, residual, Jacobian, the host
                 backends (c, interp)
     assembly.c  element Jacobians into the matrix: in place (AIJ, BAIJ) or COO; the
                 schedule of batches
     operator_gpu.c  the CUDA backend of the Jacobian (gpu/gpu.h)
     snes.c      the SNES side: options checker, SNESComputeJacobianAlphaGrad, SNES API */
#ifndef AG_PLUGIN_IMPL_H
#define AG_PLUGIN_IMPL_H

#include "base/error.h"
#include "graph/graph.h"
#include "jacobian/jacobian.h"
#include "jacobian/jit.h"
#include <alphagrad_petsc.h>
#include <petsc/private/petscimpl.h>
#include <petsc/private/snesimpl.h>

/* Options of the set-up (-snes_jacobian_alphagrad_*), copied into each operator. */
typedef struct {
  char orders[PETSC_MAX_PATH_LEN * 4]; /* comma-separated order libraries, "" none */
  PetscReal search_time;               /* seconds, 0: no search */
  AGBackend backend;
  char cache_dir[PETSC_MAX_PATH_LEN]; /* "" default */
  PetscInt batch;                     /* elements per batch */
  PetscBool view;
  PetscBool verbose;       /* one line per kernel at set-up */
  PetscBool tune;          /* time candidate orders at the first Jacobian (objective measured) */
  PetscBool exact_pattern; /* -pattern exact: only the kernels' entries (default: keep the
                              matrix's own nonzero structure as well, e.g. DMCreateMatrix's) */
} ag_plugin_opts;

/* -snes_jacobian_alphagrad_pattern */
extern const char *const AGPatterns[];

void ag_plugin_opts_default(ag_plugin_opts *o);

/* ---- register.c: the bottom layer ---- */
extern PetscClassId AG_KERNEL_CLASSID, AG_OPERATOR_CLASSID;
extern PetscLogEvent AG_SetUp, AG_Search, AG_Codegen, AG_JacobianEval, AG_Residual, AG_Pattern;
/* the PETSc error class of a core status code (base/error.h) */
PetscErrorCode ag_petsc_error_class(ag_status code);
/* The one way a core failure becomes a PETSc error: when ok is false, an error of the class
   of err.code (ag_petsc_error_class) with the message fmt, ... (which usually ends with
   err.msg). */
#define AGCheckCore(comm, ok, err, ...)                                                            \
  do {                                                                                             \
    if (!(ok)) SETERRQ(comm, ag_petsc_error_class((err).code), __VA_ARGS__);                       \
  } while (0)

struct _AGKernelOps {
  PetscErrorCode (*view)(AGKernel, PetscViewer);
  PetscErrorCode (*destroy)(AGKernel *);
};

struct _p_AGKernel {
  PETSCHEADER(struct _AGKernelOps);
  ag_graph *g;
  char *source; /* as given, or "(builder graph NAME)" */
  PetscReal *params;
  PetscInt nconst;
  PetscBool geometry; /* grid spacings and element coordinates appended to the parameters */
  /* set-up (ag_kernel_setup) */
  PetscBool ready;
  int *order, len;
  long cost, cost_fwd, cost_rev, cost_mkw;
  char origin[PETSC_MAX_PATH_LEN + 128]; /* where the order came from */
  ag_jacprog *jp;
  ag_evaluator *ev;
  AGBackend backend;  /* c, interp (asked for, or the fallback when compiling failed), cuda */
  char code_what[64]; /* "compiled", "from the cache", "interpreter" */
  double setup_time, search_time, code_time;
  /* what the order was chosen for: "mults" (library or heuristic), or "measured" (tuned at
     the first Jacobian on the application's elements, or a tuned library entry of this
     machine) with its measured ns per element and gain over forward and reverse */
  char objective[16];
  PetscBool tuned;
  double tune_ns, tune_fwd_ns, tune_rev_ns, tune_gain;
  int tune_ncand, tune_nsample;
  char tune_what[160];
  void *gk;           /* ag_gpu_kernel (backend cuda) */
  char gpu_what[320]; /* "compiled with NVRTC now (device)", "CUDA cache hit (device)" */
};

/* Chooses the kernel's order and builds its Jacobian program (k->jp). Collective on k->comm;
   does nothing when done before. */
PetscErrorCode ag_kernel_order(AGKernel k, const ag_plugin_opts *o);
struct ag_backend_ops;
/* Then the code of kernels (compiled in parallel over the ranks of comm, or the
   interpreter), and the backend's own code for each (ops->kernel_code); k->ready afterwards.
   Collective. */
PetscErrorCode ag_kernels_code(AGKernel *ks, PetscInt n, const ag_plugin_opts *o,
                               const struct ag_backend_ops *ops, MPI_Comm comm);
PetscErrorCode ag_kernel_view(AGKernel k, const char *role, PetscViewer v);
/* -snes_jacobian_alphagrad_tune: rank 0 times candidate orders (tune/measured.h) on the
   nsample elements xs (inputs, element-major) and ps (parameters), the winner is broadcast,
   the kernel's program and code replaced, and stored as a tuned entry in the first order
   library. Collective on comm; once per kernel; only for the c backend. */
PetscErrorCode ag_kernel_tune(AGKernel k, const ag_plugin_opts *o, const double *xs,
                              const double *ps, int nsample, MPI_Comm comm);

/* local (ghosted) index of the first value of point (i, j, k) of a DMDA */
static inline PetscInt ag_lidx(const DMDALocalInfo *g, PetscInt i, PetscInt j, PetscInt k) {
  return (((k - g->gzs) * g->gym + (j - g->gys)) * g->gxm + (i - g->gxs)) * g->dof;
}

/* An element group: one kernel applied to a list of elements. */
typedef struct {
  AGKernel k;
  const char *role; /* "cell", "cell boundary", "face x", "face x low", ... */
  PetscInt nel;
  PetscInt ntarget; /* 1 (cells) or 2 (interior faces: low +, high -) */
  PetscScalar sign[2];
  PetscInt *in_idx;      /* nel * ni: local (ghosted) indices of the inputs */
  PetscInt *out_idx;     /* nel * ntarget * no: local indices of the rows, -1: not owned */
  PetscInt *aux_idx;     /* nel * aux_per: index of each cell's first aux value, or NULL */
  PetscInt aux_per;      /* cells whose aux values an element takes (interior faces: 2) */
  PetscBool aux_ghosted; /* aux_idx indexes the aux DMDA's ghosted local array (faces), else
                            the owned part of the auxiliary vector (cells) */
  PetscInt *cell;        /* nel * 3: the element's cell (i, j, k), for geometry parameters */
  PetscReal at[3];       /* the element's place relative to its cell, in spacings (faces: 1/2) */
  PetscInt nudot;        /* the last nudot inputs are time derivatives (IFunction kernels) */
  PetscCount coo_base;   /* first COO entry of the group */
} ag_group;

typedef struct {
  AGKernel k, boundary;
  DMDAStencilType st;
  PetscInt width;
  AGKernel side[6];       /* one-sided boundary kernels per side (AGSide), NULL: none */
  PetscInt side_width[6]; /* how many cells inward each reads */
} ag_cell_spec;

typedef struct {
  AGKernel k, low, high;
  PetscInt dir, width;
} ag_face_spec;

/* one batch: elements e0..e0+n-1 of group q; ist > 0: the input indices of element e0 + e
   are element e0's plus e ist, its aux indices element e0's plus e ast, its rows (all owned)
   element e0's plus e ost: gathered and scattered without index arrays */
typedef struct {
  PetscInt q, e0, n, ist, ast, ost;
} ag_work;

/* A backend of the element Jacobians, chosen once per operator at set-up
   (ag_backend_ops_get); operator.c holds c and interp, operator_gpu.c cuda. */
typedef struct ag_backend_ops {
  AGBackend id;
  /* the backend's code for one kernel after its host code (NULL: none) */
  PetscErrorCode (*kernel_code)(AGKernel k, const ag_plugin_opts *o);
  /* the element Jacobians at X assembled into P */
  PetscErrorCode (*jacobian)(AGOperator op, Vec X, Mat P);
  /* the operator's backend state (NULL: none) */
  PetscErrorCode (*destroy)(AGOperator op);
  /* lines for AGOperatorView (NULL: none) */
  PetscErrorCode (*view)(AGOperator op, PetscViewer v);
} ag_backend_ops;

const ag_backend_ops *ag_backend_ops_get(AGBackend b);
extern const ag_backend_ops ag_backend_cuda_ops; /* operator_gpu.c */

struct _AGOperatorOps {
  PetscErrorCode (*view)(AGOperator, PetscViewer);
  PetscErrorCode (*destroy)(AGOperator *);
};

struct _p_AGOperator {
  PETSCHEADER(struct _AGOperatorOps);
  DM da;
  PetscBool derived;    /* made by DMCoarsen/DMRefine of another operator's DMDA: owned by its
                           DMDA (which it does not reference; hierarchy.c) */
  PetscBool aux_wanted; /* derived from an operator with an auxiliary vector */
  PetscInt dim;         /* of the DMDA */
  PetscBool ifunction;  /* cell kernels take the cell's time derivatives after the stencil */
  PetscBool rhs;        /* the RHS G(t, U) of a TS (TSAlphaGradSetRHSOperator): its DM keeps it
                           under its own key, beside an IFunction operator */
  PetscReal shift;      /* of the IJacobian being computed: shift * dF/dUdot + dF/dU */
  Vec udotloc;          /* the time derivative (local) of an IFunction/IJacobian evaluation */
  const PetscScalar *udot_arr; /* its values while it is evaluated, else NULL */
  PetscReal h[3], x0[3];       /* grid geometry: spacings and the coordinates of point 0 */
  ag_cell_spec *cells;
  PetscInt ncells;
  ag_face_spec *faces;
  PetscInt nfaces;
  Vec aux;
  DM auxdm;
  PetscInt auxdof;
  PetscBool aux_faces; /* face kernels take the aux values of their cells too */
  ag_plugin_opts opts;
  /* set-up */
  PetscBool ready;
  const ag_backend_ops *bops; /* chosen at set-up from opts.backend */
  PetscBool tune_done;        /* -tune: the kernels were timed (at the first Jacobian) */
  ag_group *groups;
  PetscInt ngroups;
  PetscCount ncoo; /* kernel entries, then one (zero) diagonal entry per owned row, then
                      (zero) the matrix's own pattern unless opts.exact_pattern */
  PetscCount ncoo_kernels;
  PetscInt nowned; /* owned rows */
  PetscInt nempty; /* owned rows no kernel writes (all ranks) */
  PetscScalar *coo_vals;
  PetscInt64 coo_mat_id; /* id of the matrix whose COO pattern is set, -1 none */
  PetscObjectState coo_mat_state;
  ag_work *work; /* the batches of every group, in group order (assembly.c) */
  PetscInt nwork;
  struct ag_assembly *as; /* in-place maps and assembly state (assembly.c) */
  Vec xloc, floc, auxloc;
  PetscReal *bin, *bp, *bout, *bjac; /* batch buffers */
  PetscInt bp_q, bp_n; /* bp holds group bp_q's constant parameters for batches of bp_n (0:
                          nothing known) */
  PetscInt bcap_in, bcap_p, bcap_out, bcap_jac;
  /* statistics */
  PetscInt njac, nres;
  /* the last Jacobian held a non-finite entry (this rank): its group and element's cell */
  PetscBool nonfinite;
  PetscInt nonfinite_group, nonfinite_cell[3];
  PetscLogDouble jac_time, res_time;
  struct ag_gpu_op *gpu; /* backend cuda: device state (operator_gpu.c) */
};

/* After a Jacobian: when any rank's held a non-finite entry, prints which kernel and cell
   (the first rank's) and tells snes (SNESSetJacobianDomainError on every rank; collective). */
PetscErrorCode ag_operator_nonfinite(AGOperator op, SNES snes);
/* ---- assembly.c: element Jacobians into the matrix ---- */
/* The COO pattern of op on P (first Jacobian on a matrix); the local index arrays are
   returned in *pci, *pcj (PetscFree2) when asked. */
PetscErrorCode ag_operator_set_pattern(AGOperator op, Mat P, PetscInt **pci, PetscInt **pcj);
/* op->work: every group's elements in batches, in group order (set-up) */
PetscErrorCode ag_assembly_schedule(AGOperator op);
/* Before a Jacobian into P: the in-place maps or the COO pattern at P's first Jacobian (or
   when its structure changed); collective. */
PetscErrorCode ag_assembly_prepare(AGOperator op, Mat P);
/* then P's value arrays (in place) and the factors (sign, shift) */
PetscErrorCode ag_assembly_begin(AGOperator op, Mat P);
/* The k-th batch (of op->nwork) to evaluate: *w indexes op->work, and the kernel writes its
   Jacobians to the buffer *bjac, entry-major (bjac[en * n + e]). */
void ag_assembly_batch(AGOperator op, PetscInt k, PetscInt *w, PetscReal **bjac);
/* after the k-th batch: what can be assembled now (in place: the chunks of rows whose
   batches are all evaluated; COO: the batch's values); COO: true when the batch's Jacobians
   hold an inf or a NaN (they are still in *bjac then) */
PetscBool ag_assembly_add(AGOperator op, PetscInt k);
/* after the last batch: P assembled; *nonfinite: in place, P got an inf or a NaN */
PetscErrorCode ag_assembly_end(AGOperator op, Mat P, PetscBool *nonfinite);
/* an inf or a NaN among x[0..n-1] */
PetscBool ag_any_nonfinite(const PetscReal *x, PetscInt n);
/* the last Jacobian was assembled in place */
PetscBool ag_assembly_in_place(AGOperator op);
/* a line for AGOperatorView when it was */
PetscErrorCode ag_assembly_view(AGOperator op, PetscViewer v);
PetscErrorCode ag_assembly_destroy(struct ag_assembly **as);

/* backend cuda (operator_gpu.c) */
/* error naming -PREFIXsnes_jacobian_alphagrad_backend cuda when no device can be used */
PetscErrorCode ag_plugin_gpu_check(MPI_Comm comm, const char *prefix);
PetscErrorCode ag_plugin_gpu_get(MPI_Comm comm, void **g);
void ag_plugin_gpu_release(void);
PetscErrorCode ag_kernel_gpu_code(AGKernel k, const ag_plugin_opts *o);
void ag_kernel_gpu_free(AGKernel k);
/* the Jacobian into P on the device; ci/cj: the operator's COO pattern (local numbering),
   needed at the first call on a matrix */
/* For tests: y = P x with cuSPARSE on the device CSR of the last Jacobian against MatMult
   on the host matrix P; *relerr = max |y_dev - y_host| / max |y_host|. */
PETSC_EXTERN PetscErrorCode AGOperatorGPUCheckSpMV(AGOperator op, Mat P, Vec X, PetscReal *relerr);
/* ---- hierarchy.c: operators that follow their DMDA through DMCoarsen/DMRefine ---- */
/* Registers op's hooks on its DMDA (AGOperatorCreate) and removes them (destroy). */
PetscErrorCode ag_operator_hooks_add(AGOperator op);
PetscErrorCode ag_operator_hooks_remove(AGOperator op);
/* op's DMDA points to op (weakly: op holds the DMDA; AGOperatorDestroy removes the pointer),
   so that AGOperatorGetForDM finds it and solvers on that DMDA use it. */
PetscErrorCode ag_operator_point_dm(AGOperator op);
/* The operator to use on dm for op (op itself when dm is op's DMDA); NULL when dm has none. */
PetscErrorCode ag_operator_on_dm(AGOperator op, DM dm, AGOperator *out);
/* The RHS operator of dm (TSAlphaGradSetRHSOperator, or derived for dm); NULL if none. */
PetscErrorCode ag_operator_rhs_for_dm(DM dm, AGOperator *op);
/* the key under which op's DMDA keeps it */
const char *ag_operator_dm_key(AGOperator op);

/* The set-up options of op (before its set-up; later calls do nothing). */
PetscErrorCode ag_operator_set_opts(AGOperator op, const ag_plugin_opts *o);

/* The shipped order libraries (hdf5-data/ in the source tree, share/alphagrad when
   installed, $AG_DATA_DIR first): comma-separated paths of the *.h5 files found. */
void ag_plugin_shipped_libraries(char *buf, size_t n);

#endif
