/* The SNES side: options checker, SNESComputeJacobianAlphaGrad, the SNESAlphaGrad* API. */
/* The top layer: it uses the package (register.c), kernels and operators; nothing below
   calls it. -snes_jacobian alphagrad is read by an options checker that runs at the end of
   every SNESSetFromOptions (registered by SNESAlphaGradRegister). */
#include "plugin/plugin_impl.h"
#include <petscts.h>
#include <string.h>

/* Per-SNES state, composed on the SNES as "AlphaGradContext". */
typedef struct {
  AGOperator op;
  PetscBool op_residual; /* the operator is the SNES function */
  PetscBool use;         /* -snes_jacobian alphagrad */
  PetscBool have_opts;   /* options were read */
  ag_plugin_opts opts;
  PetscBool check;
  /* operator defined by options (-snes_jacobian_alphagrad_kernel) */
  char kernel[PETSC_MAX_PATH_LEN], bkernel[PETSC_MAX_PATH_LEN];
  PetscReal params[64], bparams[64];
  PetscInt nparams, nbparams;
  PetscInt width;
  PetscBool width_set;
  PetscBool geometry;                  /* -snes_jacobian_alphagrad_geometry */
  char skernel[6][PETSC_MAX_PATH_LEN]; /* -snes_jacobian_alphagrad_boundary_kernel_xlo, ... */
  PetscInt swidth;                     /* -snes_jacobian_alphagrad_boundary_side_width */
  /* a TS's RHS G(t, U) by options (-snes_jacobian_alphagrad_rhs_kernel) and its operator */
  char rkernel[PETSC_MAX_PATH_LEN], rbkernel[PETSC_MAX_PATH_LEN];
  PetscReal rparams[64];
  PetscInt nrparams;
  AGOperator rop;
  PetscErrorCode (*type_view)(SNES, PetscViewer); /* the SNES type's view, which ours wraps */
  PetscBool view_wrapped;
} ag_snes_ctx;

static PetscErrorCode ctx_destroy(void *p) {
  ag_snes_ctx *c = (ag_snes_ctx *)p;
  PetscFunctionBegin;
  PetscCall(AGOperatorDestroy(&c->op));
  PetscCall(AGOperatorDestroy(&c->rop));
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}

static PetscErrorCode get_ctx(SNES snes, PetscBool create, ag_snes_ctx **c) {
  PetscContainer box;
  PetscFunctionBegin;
  *c = NULL;
  PetscCall(PetscObjectQuery((PetscObject)snes, "AlphaGradContext", (PetscObject *)&box));
  if (box) {
    PetscCall(PetscContainerGetPointer(box, (void **)c));
  } else if (create) {
    PetscCall(PetscNew(c));
    ag_plugin_opts_default(&(*c)->opts);
    PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)snes), &box));
    PetscCall(PetscContainerSetPointer(box, *c));
    PetscCall(PetscContainerSetUserDestroy(box, ctx_destroy));
    PetscCall(PetscObjectCompose((PetscObject)snes, "AlphaGradContext", (PetscObject)box));
    PetscCall(PetscContainerDestroy(&box));
  }
  PetscFunctionReturn(0);
}

/* the operator's options prefix under snes: SNESPREFIX + "snes_jacobian_alphagrad_" */
static PetscErrorCode set_op_prefix(SNES snes, AGOperator op) {
  const char *sp;
  char prefix[256];
  PetscFunctionBegin;
  PetscCall(SNESGetOptionsPrefix(snes, &sp));
  PetscCall(PetscSNPrintf(prefix, sizeof prefix, "%ssnes_jacobian_alphagrad_", sp ? sp : ""));
  PetscCall(AGOperatorSetOptionsPrefix(op, prefix));
  PetscFunctionReturn(0);
}

/* The operator of the DM snes works on now: op's own DMDA, or a coarser or finer one (a
   multigrid level, a grid-sequencing step: the DMSNES callbacks, with op as context, are
   copied to those DMs). */
static PetscErrorCode op_for_snes(SNES snes, AGOperator op, AGOperator *out) {
  DM dm;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(ag_operator_on_dm(op, dm, out));
  if (!*out) {
    PetscInt M, N, P;
    PetscCall(
        DMDAGetInfo(dm, NULL, &M, &N, &P, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    SETERRQ(PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_INCOMP,
            "alphagrad: the SNES works on a %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
            " DMDA that has no alphagrad operator: it is neither the operator's DMDA nor made "
            "from it by DMCoarsen/DMRefine after the operator was created (create the operator "
            "on the DM before the solver builds its hierarchy, or give this DM its own operator "
            "with SNESAlphaGradSetOperator)",
            M, N, P);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode residual_cb(SNES snes, Vec X, Vec F, void *p) {
  AGOperator op;
  PetscFunctionBegin;
  PetscCall(op_for_snes(snes, (AGOperator)p, &op));
  PetscCall(AGOperatorComputeResidual(op, X, F));
  PetscFunctionReturn(0);
}

/* A kernel named by options (file.c:function) with its constants and the geometry flag. */
static PetscErrorCode kernel_from_options(MPI_Comm comm, ag_snes_ctx *c, const char *src,
                                          PetscInt np, const PetscReal *params, AGKernel *k) {
  PetscFunctionBegin;
  PetscCall(AGKernelCreate(comm, src, k));
  PetscCall(AGKernelSetParameters(*k, np, params));
  PetscCall(AGKernelSetGeometry(*k, c->geometry));
  PetscFunctionReturn(0);
}

/* An operator on dm with the cell kernel `kernel` (the DMDA's stencil, or the width of the
   options) and its boundary kernel `bkernel` ("" none); the cell kernel is returned too (a
   reference) for side kernels. Prefix and set-up options those of snes. */
static PetscErrorCode cell_operator_from_options(SNES snes, ag_snes_ctx *c, DM dm,
                                                 PetscBool ifunction, const char *kernel,
                                                 PetscInt np, const PetscReal *params,
                                                 const char *bkernel, PetscInt nbp,
                                                 const PetscReal *bparams, AGOperator *op,
                                                 AGKernel *k) {
  AGKernel b = NULL;
  PetscInt sw;
  DMDAStencilType st;
  MPI_Comm comm = PetscObjectComm((PetscObject)snes);
  PetscFunctionBegin;
  PetscCall(AGOperatorCreate(dm, op));
  PetscCall(AGOperatorSetIFunction(*op, ifunction));
  PetscCall(
      DMDAGetInfo(dm, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &sw, NULL, NULL, NULL, &st));
  PetscCall(kernel_from_options(comm, c, kernel, np, params, k));
  if (bkernel[0]) PetscCall(kernel_from_options(comm, c, bkernel, nbp, bparams, &b));
  PetscCall(AGOperatorAddCellKernel(*op, *k, st, c->width_set ? c->width : sw, b));
  PetscCall(AGKernelDestroy(&b));
  PetscCall(set_op_prefix(snes, *op));
  PetscCall(ag_operator_set_opts(*op, &c->opts));
  PetscFunctionReturn(0);
}

/* The RHS operator named by options (-snes_jacobian_alphagrad_rhs_kernel): a cell kernel of
   the stencil's values on the TS's DMDA, attached to ts as its RHS Jacobian. */
static PetscErrorCode rhs_operator_from_options(SNES snes, TS ts, ag_snes_ctx *c) {
  DM dm;
  AGKernel k;
  PetscFunctionBegin;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(cell_operator_from_options(snes, c, dm, PETSC_FALSE, c->rkernel, c->nrparams,
                                       c->rparams, c->rbkernel, c->nrparams, c->rparams, &c->rop,
                                       &k));
  PetscCall(AGKernelDestroy(&k));
  PetscCall(TSAlphaGradSetRHSOperator(ts, c->rop, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* The operator named by options: a cell kernel on the SNES's DMDA with its stencil, its
   boundary kernel and one-sided boundary kernels. */
static PetscErrorCode operator_from_options(SNES snes, ag_snes_ctx *c, PetscBool ifunction) {
  DM dm;
  AGKernel k;
  MPI_Comm comm = PetscObjectComm((PetscObject)snes);
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(cell_operator_from_options(snes, c, dm, ifunction, c->kernel, c->nparams, c->params,
                                       c->bkernel, c->nbparams, c->bparams, &c->op, &k));
  for (int q = 0; q < 6; q++) {
    AGKernel sk;
    if (!c->skernel[q][0]) continue;
    PetscCall(kernel_from_options(comm, c, c->skernel[q], c->nbparams, c->bparams, &sk));
    PetscCall(AGOperatorSetSideKernel(c->op, k, (AGSide)q, c->swidth, sk));
    PetscCall(AGKernelDestroy(&sk));
  }
  PetscCall(AGKernelDestroy(&k));
  PetscCall(ag_operator_point_dm(c->op)); /* nested solvers and other grids on the DM find it */
  PetscFunctionReturn(0);
}

/* Model: SNESComputeJacobianDefaultColor (src/snes/interface/snesj2.c). */
PetscErrorCode SNESComputeJacobianAlphaGrad(SNES snes, Vec X, Mat J, Mat P, void *ctx) {
  ag_snes_ctx *c;
  AGOperator op = (AGOperator)ctx, shared;
  MPI_Comm comm;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscValidHeaderSpecific(X, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(P, MAT_CLASSID, 4);
  comm = PetscObjectComm((PetscObject)snes);
  if (op) PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 5);
  PetscCall(get_ctx(snes, (PetscBool)!op, &c));
  if (!op) {
    if (!c->op) { /* another SNES's operator on the same DM (a nonlinear preconditioner) */
      DM dm;
      PetscCall(SNESGetDM(snes, &dm));
      PetscCall(AGOperatorGetForDM(dm, &shared));
    }
    if (!c->op && shared) {
      PetscCall(PetscObjectReference((PetscObject)shared));
      c->op = shared;
    }
    if (!c->op) {
      PetscCheck(c->kernel[0], comm, PETSC_ERR_ARG_WRONGSTATE,
                 "alphagrad: -snes_jacobian alphagrad is given but this SNES has no alphagrad "
                 "operator: call SNESAlphaGradSetOperator() in the application, or name the "
                 "residual's cell kernel with -%ssnes_jacobian_alphagrad_kernel file.c:function",
                 ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "");
      PetscCall(operator_from_options(snes, c, PETSC_FALSE));
    }
    op = c->op;
  }
  PetscCall(op_for_snes(snes, op, &op));
  PetscCall(AGOperatorComputeJacobian(op, X, P));
  PetscCall(ag_operator_nonfinite(op, snes));
  if (J != P) {
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  }
  if (c && c->check) {
    Vec F1, F2;
    PetscReal d, n1;
    PetscCall(VecDuplicate(X, &F1));
    PetscCall(VecDuplicate(X, &F2));
    PetscCall(SNESComputeFunction(snes, X, F1));
    PetscCall(AGOperatorComputeResidual(op, X, F2));
    PetscCall(VecNorm(F1, NORM_INFINITY, &n1));
    PetscCall(VecAXPY(F2, -1.0, F1));
    PetscCall(VecNorm(F2, NORM_INFINITY, &d));
    PetscCall(
        PetscPrintf(comm,
                    "alphagrad check: max |F_application - F_operator| = %g (relative to max "
                    "|F| = %g: %g)%s\n",
                    (double)d, (double)n1, (double)(n1 > 0 ? d / n1 : d),
                    c->op_residual && op == c->op ? " [the operator is the SNES function]" : ""));
    { /* the Jacobian along a random direction v against the application's residual:
         J v against (F(X + h v) - F(X)) / h. It shows a missing or wrong dependency even
         where a constant offset (a forcing, FAS's tau correction) makes the residuals differ */
      Vec v, Xh, Jv;
      PetscRandom rnd;
      PetscReal nx, nv, h, dj, nf;
      PetscCall(VecDuplicate(X, &v));
      PetscCall(VecDuplicate(X, &Xh));
      PetscCall(VecDuplicate(X, &Jv));
      PetscCall(PetscRandomCreate(comm, &rnd));
      PetscCall(PetscRandomSetInterval(rnd, -1.0, 1.0));
      PetscCall(VecSetRandom(v, rnd));
      PetscCall(PetscRandomDestroy(&rnd));
      PetscCall(VecNorm(X, NORM_2, &nx));
      PetscCall(VecNorm(v, NORM_2, &nv));
      h = PetscSqrtReal(PETSC_MACHINE_EPSILON) * (1 + nx) / (nv > 0 ? nv : 1);
      PetscCall(VecWAXPY(Xh, h, v, X));
      PetscCall(SNESComputeFunction(snes, Xh, F2));
      PetscCall(VecAXPY(F2, -1.0, F1));
      PetscCall(VecScale(F2, 1.0 / h));
      PetscCall(MatMult(P, v, Jv));
      PetscCall(VecNorm(F2, NORM_2, &nf));
      PetscCall(VecAXPY(Jv, -1.0, F2));
      PetscCall(VecNorm(Jv, NORM_2, &dj));
      PetscCall(PetscPrintf(comm,
                            "alphagrad check: |J v - (F(X + h v) - F(X))/h| / |(F(X + h v) - "
                            "F(X))/h| = %g (the application's F, a random v, h = %g; about 1e-7 "
                            "when the Jacobian is F's)\n",
                            (double)(nf > 0 ? dj / nf : dj), (double)h));
      PetscCall(VecDestroy(&v));
      PetscCall(VecDestroy(&Xh));
      PetscCall(VecDestroy(&Jv));
    }
    PetscCall(VecDestroy(&F1));
    PetscCall(VecDestroy(&F2));
  }
  PetscFunctionReturn(0);
}

/* SNESView (-snes_view) prints "Jacobian is built using colored finite differences" for
   -snes_fd_color but has no hook for other Jacobians: the SNES type's view function (which
   SNESView calls) is wrapped to say that alphagrad builds the Jacobian, with what. */
static PetscErrorCode snes_view(SNES snes, PetscViewer v) {
  ag_snes_ctx *c;
  PetscBool ascii;
  PetscFunctionBegin;
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  if (c && c->type_view) PetscCall(c->type_view(snes, v));
  PetscCall(PetscObjectTypeCompare((PetscObject)v, PETSCVIEWERASCII, &ascii));
  if (!c || !c->use || !ascii) PetscFunctionReturn(0);
  {
    DM dm;
    AGOperator op = NULL;
    PetscCall(SNESGetDM(snes, &dm));
    if (c->op) PetscCall(ag_operator_on_dm(c->op, dm, &op));
    if (!op) PetscCall(AGOperatorGetForDM(dm, &op));
    PetscCall(PetscViewerASCIIPrintf(v, "Jacobian is built by alphagrad: exact, by vertex "
                                        "elimination on the kernels' computational graphs\n"));
    PetscCall(PetscViewerASCIIPushTab(v));
    if (!op) {
      PetscCall(PetscViewerASCIIPrintf(v, "(its operator is made at the first Jacobian)\n"));
    } else if (!op->ready) {
      PetscCall(PetscViewerASCIIPrintf(v,
                                       "operator: %" PetscInt_FMT " cell and %" PetscInt_FMT
                                       " face kernels, not set up yet\n",
                                       op->ncells, op->nfaces));
    } else {
      PetscCall(PetscViewerASCIIPrintf(v, "backend %s; %" PetscInt_FMT " Jacobians so far%s\n",
                                       AGBackends[op->opts.backend], op->njac,
                                       op->derived ? "; operator derived for this grid" : ""));
      for (PetscInt q = 0; q < op->ngroups; q++) {
        const AGKernel k = op->groups[q].k;
        PetscCall(PetscViewerASCIIPrintf(v,
                                         "%s kernel %s: %ld multiplications (forward %ld, "
                                         "reverse %ld, Markowitz %ld)\n",
                                         op->groups[q].role, k->source, k->cost, k->cost_fwd,
                                         k->cost_rev, k->cost_mkw));
      }
    }
    PetscCall(PetscViewerASCIIPopTab(v));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode wrap_view(SNES snes, ag_snes_ctx *c) {
  PetscFunctionBegin;
  if (snes->ops->view == snes_view) PetscFunctionReturn(0);
  c->type_view = snes->ops->view;
  snes->ops->view = snes_view;
  PetscFunctionReturn(0);
}

static PetscErrorCode install_jacobian(SNES snes) {
  DM dm;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  /* as -snes_fd_color does: the application's Jacobian (if any) is replaced */
  PetscCall(DMSNESUnsetJacobianContext_Internal(dm));
  PetscCall(SNESSetJacobian(snes, NULL, NULL, SNESComputeJacobianAlphaGrad, NULL));
  PetscFunctionReturn(0);
}

/* The TS whose implicit step snes solves (its function is SNESTSFormFunction), else NULL. */
static PetscErrorCode snes_ts(SNES snes, TS *ts) {
  DM dm;
  PetscErrorCode (*f)(SNES, Vec, Vec, void *) = NULL;
  void *ctx = NULL;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(DMSNESGetFunction(dm, &f, &ctx));
  *ts = f == SNESTSFormFunction ? (TS)ctx : NULL;
  PetscFunctionReturn(0);
}

/* -snes_jacobian alphagrad on the SNES of an implicit TS: the TS's IJacobian becomes the
   operator's (the SNES keeps SNESTSFormJacobian, which calls it): the operator attached with
   TSAlphaGradSetOperator, or one built from -snes_jacobian_alphagrad_kernel with IFunction
   kernels (the application keeps its IFunction). */
static PetscErrorCode install_ts(SNES snes, TS ts, ag_snes_ctx *c) {
  DM dm;
  AGOperator op = NULL;
  const char *pre = ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "";
  PetscFunctionBegin;
  AGOperator rop = NULL;
  TSIFunction ifun = NULL;
  PetscFunctionBegin;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(AGOperatorGetForDM(dm, &op));
  PetscCall(ag_operator_rhs_for_dm(dm, &rop));
  PetscCall(TSGetIFunction(ts, NULL, &ifun, NULL));
  /* the RHS G(t, U): an operator attached by the application, or one named by options */
  if (!rop && c->rkernel[0]) {
    if (!c->rop) PetscCall(rhs_operator_from_options(snes, ts, c));
    rop = c->rop;
  } else if (rop) {
    PetscCall(TSSetRHSJacobian(ts, NULL, NULL, TSComputeRHSJacobianAlphaGrad, NULL));
  }
  if (rop) {
    PetscCall(set_op_prefix(snes, rop));
    PetscCall(ag_operator_set_opts(rop, &c->opts));
  }
  /* the IFunction F(t, U, U_t), when the TS has one (a TS with an RHS alone computes its
     Jacobian from the RHS Jacobian) */
  if (!op && (ifun || !rop)) {
    PetscCheck(c->kernel[0], PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_WRONGSTATE,
               "alphagrad: -%ssnes_jacobian alphagrad on the SNES of an implicit TS needs an "
               "operator: TSAlphaGradSetOperator() in the application, or the IFunction's cell "
               "kernel with -%ssnes_jacobian_alphagrad_kernel file.c:function (its inputs: the "
               "stencil's values, then the cell's time derivatives; the RHS G(t, U), if any, "
               "with -%ssnes_jacobian_alphagrad_rhs_kernel)",
               pre, pre, pre);
    if (!c->op) PetscCall(operator_from_options(snes, c, PETSC_TRUE));
    op = c->op;
    PetscCall(TSAlphaGradSetOperator(ts, op, PETSC_FALSE));
  } else if (op) {
    PetscCall(TSSetIJacobian(ts, NULL, NULL, TSComputeIJacobianAlphaGrad, NULL));
  }
  if (op) {
    PetscCall(set_op_prefix(snes, op));
    PetscCall(ag_operator_set_opts(op, &c->opts));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode options_checker(SNES snes) {
  char choice[64] = "";
  PetscBool set = PETSC_FALSE;
  ag_snes_ctx *c;
  ag_plugin_opts o;
  PetscBool check = PETSC_FALSE, bset;
  char kernel[PETSC_MAX_PATH_LEN] = "", bkernel[PETSC_MAX_PATH_LEN] = "";
  PetscReal params[64], bparams[64];
  PetscInt np = 64, nbp = 64, width = 0;
  PetscBool width_set = PETSC_FALSE;
  PetscBool view = PETSC_FALSE, geometry = PETSC_FALSE;
  char skernel[6][PETSC_MAX_PATH_LEN];
  char rkernel[PETSC_MAX_PATH_LEN] = "", rbkernel[PETSC_MAX_PATH_LEN] = "";
  PetscReal rparams[64];
  PetscInt nrp = 64;
  PetscInt swidth = 1;
  PetscBool anyside = PETSC_FALSE;
  PetscFunctionBegin;
  memset(skernel, 0, sizeof skernel);
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  o = c ? c->opts : (ag_plugin_opts){0};
  if (!c) ag_plugin_opts_default(&o);
  /* a title of our own: -help prints each title's options once */
  PetscOptionsBegin(PetscObjectComm((PetscObject)snes), ((PetscObject)snes)->prefix,
                    "alphagrad: exact Jacobians by vertex elimination (plugin options)", "SNES");
  PetscCall(PetscOptionsString("-snes_jacobian", "Jacobian by a plugin: alphagrad",
                               "SNESAlphaGradRegister", choice, choice, sizeof choice, &set));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_orders",
                               "Order libraries (HDF5), comma-separated; searched before the "
                               "shipped ones; a search result is stored in the first",
                               "SNESAlphaGradSetOperator", o.orders, o.orders, sizeof o.orders,
                               NULL));
  PetscCall(PetscOptionsReal(
      "-snes_jacobian_alphagrad_search_time",
      "Seconds of order search (over the SNES's ranks) for a kernel with no stored order; 0: none",
      "SNESAlphaGradSetOperator", o.search_time, &o.search_time, NULL));
  PetscCall(PetscOptionsEnum("-snes_jacobian_alphagrad_backend",
                             "Element Jacobians by generated C code, the interpreter, or generated "
                             "CUDA on the GPU (NVRTC, cuSPARSE assembly)",
                             "AGOperatorSetFromOptions", AGBackends, (PetscEnum)o.backend,
                             (PetscEnum *)&o.backend, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_cache",
                               "Directory of compiled kernels (default $AG_JIT_CACHE, "
                               "$XDG_CACHE_HOME/alphagrad or ~/.cache/alphagrad)",
                               "SNESAlphaGradSetOperator", o.cache_dir, o.cache_dir,
                               sizeof o.cache_dir, NULL));
  PetscCall(PetscOptionsInt("-snes_jacobian_alphagrad_batch", "Elements per batch",
                            "SNESAlphaGradSetOperator", o.batch, &o.batch, NULL));
  {
    PetscEnum pat = (PetscEnum)o.exact_pattern;
    PetscCall(PetscOptionsEnum("-snes_jacobian_alphagrad_pattern",
                               "Nonzero structure of the Jacobian: the matrix's own (e.g. "
                               "DMCreateMatrix's) plus the kernels' entries, or the kernels' "
                               "entries only",
                               "AGOperatorSetFromOptions", AGPatterns, pat, &pat, NULL));
    o.exact_pattern = (PetscBool)(pat == 1);
  }
  /* a viewer (-snes_jacobian_alphagrad_view [ascii:FILE]): read by AGOperatorSetUp under the
     operator's prefix (PetscObjectViewFromOptions) */
  PetscCall(PetscOptionsName("-snes_jacobian_alphagrad_view",
                             "Print the operator after its set-up (a viewer: stdout, ascii:FILE, "
                             "...): kernels, orders and where they came from, costs, backend",
                             "AGOperatorView", &view));
  PetscCall(PetscOptionsBool("-snes_jacobian_alphagrad_verbose", "One line per kernel at set-up",
                             "SNESAlphaGradSetOperator", o.verbose, &o.verbose, NULL));
  PetscCall(PetscOptionsBool(
      "-snes_jacobian_alphagrad_tune",
      "Time candidate orders (forward, reverse, Markowitz, the stored or heuristic one, annealed "
      "ones) on the application's own elements at the first Jacobian and keep the fastest "
      "(never slower than forward and reverse); stored in the first order library",
      "SNESAlphaGradSetOperator", o.tune, &o.tune, NULL));
  PetscCall(
      PetscOptionsBool("-snes_jacobian_alphagrad_check",
                       "Compare the application's residual with the operator's at every Jacobian",
                       "SNESAlphaGradSetOperator", c ? c->check : check, &check, NULL));
  PetscCall(PetscOptionsString(
      "-snes_jacobian_alphagrad_kernel",
      "Cell kernel file.c:function of the residual, for applications that register no operator",
      "SNESAlphaGradSetOperator", kernel, kernel, sizeof kernel, NULL));
  PetscCall(PetscOptionsRealArray("-snes_jacobian_alphagrad_params",
                                  "Constant parameters of that kernel", "AGKernelSetParameters",
                                  params, &np, NULL));
  PetscCall(PetscOptionsString(
      "-snes_jacobian_alphagrad_boundary_kernel",
      "Its boundary kernel file.c:function (cells whose stencil leaves the domain)",
      "AGOperatorAddCellKernel", bkernel, bkernel, sizeof bkernel, &bset));
  for (int q = 0; q < 6; q++) {
    char name[64], help[160];
    PetscBool has = PETSC_FALSE;
    PetscCall(PetscSNPrintf(name, sizeof name, "-snes_jacobian_alphagrad_boundary_kernel_%s",
                            AGSides[q]));
    PetscCall(PetscSNPrintf(help, sizeof help,
                            "One-sided boundary kernel file.c:function of the %s side (reads the "
                            "cell, then the cells inward)",
                            AGSides[q]));
    PetscCall(PetscOptionsString(name, help, "AGOperatorSetSideKernel", skernel[q], skernel[q],
                                 sizeof skernel[q], &has));
    anyside = (PetscBool)(anyside || has);
  }
  PetscCall(PetscOptionsInt("-snes_jacobian_alphagrad_boundary_side_width",
                            "Cells inward that the one-sided boundary kernels read",
                            "AGOperatorSetSideKernel", c && c->swidth ? c->swidth : swidth, &swidth,
                            NULL));
  PetscCall(PetscOptionsRealArray("-snes_jacobian_alphagrad_boundary_params",
                                  "Constant parameters of the boundary kernels (also the "
                                  "one-sided ones)",
                                  "AGKernelSetParameters", bparams, &nbp, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_rhs_kernel",
                               "Cell kernel file.c:function of a TS's right-hand side G(t, U) "
                               "(the stencil's values; its exact Jacobian is the RHS Jacobian)",
                               "TSAlphaGradSetRHSOperator", rkernel, rkernel, sizeof rkernel,
                               NULL));
  PetscCall(PetscOptionsRealArray("-snes_jacobian_alphagrad_rhs_params",
                                  "Constant parameters of the RHS kernels", "AGKernelSetParameters",
                                  rparams, &nrp, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_rhs_boundary_kernel",
                               "Boundary kernel file.c:function of the RHS (the cell's values)",
                               "TSAlphaGradSetRHSOperator", rbkernel, rbkernel, sizeof rbkernel,
                               NULL));
  PetscCall(PetscOptionsBool(
      "-snes_jacobian_alphagrad_geometry",
      "Append the grid's spacings and the cell's coordinates to the parameters of those kernels "
      "(one kernel file for every grid of a hierarchy)",
      "AGKernelSetGeometry", c ? c->geometry : geometry, &geometry, NULL));
  PetscCall(PetscOptionsInt("-snes_jacobian_alphagrad_stencil_width",
                            "Stencil width of that kernel (default: the DMDA's)",
                            "AGOperatorAddCellKernel", width, &width, &width_set));
  PetscOptionsEnd();
  (void)bset;
  PetscCheck(o.batch >= 1, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -snes_jacobian_alphagrad_batch %" PetscInt_FMT " must be >= 1", o.batch);
  PetscCheck(o.search_time >= 0, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -snes_jacobian_alphagrad_search_time %g must be >= 0",
             (double)o.search_time);
  if (view) o.view = PETSC_TRUE;
  if (set) {
    PetscCheck(!strcmp(choice, "alphagrad"), PetscObjectComm((PetscObject)snes),
               PETSC_ERR_ARG_UNKNOWN_TYPE,
               "alphagrad: unknown -%ssnes_jacobian %s (known: alphagrad)",
               ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "", choice);
    { /* two Jacobians asked for: PETSc would silently use whichever is installed last */
      const char *pre = ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "";
      const char *other[] = {"-snes_fd_color", "-snes_fd"};
      for (int q = 0; q < 2; q++) {
        PetscBool has = PETSC_FALSE, on = PETSC_TRUE;
        PetscCall(PetscOptionsGetBool(((PetscObject)snes)->options, pre, other[q], &on, &has));
        PetscCheck(!(has && on), PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_INCOMP,
                   "alphagrad: -%ssnes_jacobian alphagrad and -%s%s both ask for the Jacobian: "
                   "give one of them",
                   pre, pre, other[q] + 1);
      }
    }
  }
  if (!set && !c) PetscFunctionReturn(0); /* nothing of ours on this SNES */
  if (o.backend == AG_BACKEND_CUDA) /* fail here, clearly, rather than at the first Jacobian */
    PetscCall(ag_plugin_gpu_check(PetscObjectComm((PetscObject)snes), ((PetscObject)snes)->prefix));
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  c->opts = o;
  c->have_opts = PETSC_TRUE;
  c->check = check;
  c->geometry = geometry;
  PetscCall(PetscStrcpy(c->kernel, kernel));
  PetscCall(PetscStrcpy(c->bkernel, bkernel));
  c->nparams = kernel[0] ? np : 0;
  if (c->nparams) PetscCall(PetscArraycpy(c->params, params, np));
  c->nbparams = bkernel[0] || anyside ? nbp : 0;
  for (int q = 0; q < 6; q++)
    PetscCall(PetscStrcpy(c->skernel[q], skernel[q]));
  c->swidth = swidth;
  PetscCall(PetscStrcpy(c->rkernel, rkernel));
  PetscCall(PetscStrcpy(c->rbkernel, rbkernel));
  c->nrparams = rkernel[0] ? nrp : 0;
  if (c->nrparams) PetscCall(PetscArraycpy(c->rparams, rparams, nrp));
  if (c->nbparams) PetscCall(PetscArraycpy(c->bparams, bparams, nbp));
  c->width = width;
  c->width_set = width_set;
  if (c->op) {
    PetscCall(set_op_prefix(snes, c->op));
    PetscCall(ag_operator_set_opts(c->op, &c->opts));
  }
  if (set) {
    TS ts = NULL;
    PetscCall(PetscInfo(
        snes, "alphagrad: -%ssnes_jacobian alphagrad: the alphagrad Jacobian is installed\n",
        ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : ""));
    c->use = PETSC_TRUE;
    PetscCall(wrap_view(snes, c));
    PetscCall(snes_ts(snes, &ts));
    if (ts)
      PetscCall(install_ts(snes, ts, c));
    else {
      DM dm;
      PetscBool isda = PETSC_FALSE;
      AGOperator have = NULL;
      PetscCall(install_jacobian(snes));
      /* the operator named by options now, not at the first Jacobian: its DMDA's hierarchy
         (FAS levels, multigrid, grid sequencing) is built later and inherits it, so a nested
         solver on a coarser grid (-fas_coarse_snes_jacobian alphagrad) finds it */
      PetscCall(SNESGetDM(snes, &dm));
      PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
      if (isda) PetscCall(AGOperatorGetForDM(dm, &have));
      if (isda && !c->op && !have && c->kernel[0])
        PetscCall(operator_from_options(snes, c, PETSC_FALSE));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradRegister(void) {
  static PetscBool done = PETSC_FALSE;
  PetscFunctionBegin;
  PetscCall(AGInitializePackage());
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(SNESAddOptionsChecker(options_checker));
  PetscFunctionReturn(0);
}

/* the hook PETSc calls when -dll_append loads the library */
PetscErrorCode PetscDLLibraryRegister_alphagrad(void) {
  PetscFunctionBegin;
  PetscCall(AGInitializePackage());
  PetscCall(SNESAlphaGradRegister());
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradSetOperator(SNES snes, AGOperator op, PetscBool residual) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 2);
  PetscCall(AGInitializePackage());
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  PetscCall(PetscObjectReference((PetscObject)op));
  PetscCall(AGOperatorDestroy(&c->op));
  c->op = op;
  c->op_residual = residual;
  PetscCall(set_op_prefix(snes, op));
  PetscCall(ag_operator_point_dm(op)); /* nested solvers and other grids on the DM find it */
  if (c->have_opts) PetscCall(ag_operator_set_opts(op, &c->opts));
  if (residual) PetscCall(SNESSetFunction(snes, NULL, residual_cb, op));
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradGetOperator(SNES snes, AGOperator *op) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscValidPointer(op, 2);
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  *op = c ? c->op : NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradSetUse(SNES snes) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  {
    TS ts = NULL;
    PetscCall(snes_ts(snes, &ts));
    PetscCheck(!ts, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_WRONGSTATE,
               "alphagrad: this SNES solves an implicit TS step: use TSAlphaGradSetOperator()");
  }
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  c->use = PETSC_TRUE;
  PetscCall(wrap_view(snes, c));
  PetscCall(install_jacobian(snes));
  PetscFunctionReturn(0);
}

/* ---- deprecated names (since 0.2): one-line forwards ---- */
PetscErrorCode SNESSetAlphaGradOperator(SNES snes, AGOperator op, PetscBool residual) {
  return SNESAlphaGradSetOperator(snes, op, residual);
}
PetscErrorCode SNESGetAlphaGradOperator(SNES snes, AGOperator *op) {
  return SNESAlphaGradGetOperator(snes, op);
}
