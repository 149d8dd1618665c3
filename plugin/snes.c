/* The SNES side: registration (-dll_append or SNESAlphaGradRegister), the options checker
   that runs at the end of every SNESSetFromOptions, the residual and Jacobian callbacks,
   and the -log_view events. */
#include <string.h>
#include <petscts.h>
#include "plugin/plugin_impl.h"

PetscLogEvent AG_SetUp, AG_Search, AG_Codegen, AG_JacobianEval, AG_Residual;
static PetscClassId AG_CLASSID;

PetscErrorCode ag_plugin_log_register(void) {
  static PetscBool done = PETSC_FALSE;
  PetscFunctionBegin;
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("alphagrad", &AG_CLASSID));
  PetscCall(PetscLogEventRegister("AGSetUp", AG_CLASSID, &AG_SetUp));
  PetscCall(PetscLogEventRegister("AGSearch", AG_CLASSID, &AG_Search));
  PetscCall(PetscLogEventRegister("AGCodegen", AG_CLASSID, &AG_Codegen));
  PetscCall(PetscLogEventRegister("AGJacobianEval", AG_CLASSID, &AG_JacobianEval));
  PetscCall(PetscLogEventRegister("AGResidual", AG_CLASSID, &AG_Residual));
  PetscFunctionReturn(0);
}

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
} ag_snes_ctx;

static PetscErrorCode ctx_destroy(void *p) {
  ag_snes_ctx *c = (ag_snes_ctx *)p;
  PetscFunctionBegin;
  PetscCall(AGOperatorDestroy(&c->op));
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

static PetscErrorCode residual_cb(SNES snes, Vec X, Vec F, void *p) {
  PetscFunctionBegin;
  (void)snes;
  PetscCall(AGOperatorComputeResidual((AGOperator)p, X, F));
  PetscFunctionReturn(0);
}

/* The operator named by options: a cell kernel on the SNES's DMDA with its stencil. */
static PetscErrorCode operator_from_options(SNES snes, ag_snes_ctx *c) {
  DM dm;
  AGKernel k = NULL, b = NULL;
  PetscInt sw;
  DMDAStencilType st;
  MPI_Comm comm = PetscObjectComm((PetscObject)snes);
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(AGOperatorCreate(dm, &c->op));
  PetscCall(DMDAGetInfo(dm, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &sw, NULL, NULL, NULL,
                        &st));
  PetscCall(AGKernelCreate(comm, c->kernel, &k));
  PetscCall(AGKernelSetParameters(k, c->nparams, c->params));
  if (c->bkernel[0]) {
    PetscCall(AGKernelCreate(comm, c->bkernel, &b));
    PetscCall(AGKernelSetParameters(b, c->nbparams, c->bparams));
  }
  PetscCall(AGOperatorAddCellKernel(c->op, k, st, c->width_set ? c->width : sw, b));
  PetscCall(AGKernelDestroy(&k));
  PetscCall(AGKernelDestroy(&b));
  PetscCall(ag_operator_set_opts(c->op, &c->opts));
  PetscFunctionReturn(0);
}

/* The operator is also composed on the SNES's DM, so that nested solvers on the same DM
   (a nonlinear preconditioner, -npc_snes_jacobian alphagrad) find it. The DM holds it weakly
   (the operator holds the DM); AGOperatorDestroy removes it. */
static PetscErrorCode compose_on_dm(SNES snes, AGOperator op) {
  DM dm;
  PetscContainer box;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)snes), &box));
  PetscCall(PetscContainerSetPointer(box, op));
  PetscCall(PetscObjectCompose((PetscObject)dm, "AlphaGradOperator", (PetscObject)box));
  PetscCall(PetscContainerDestroy(&box));
  PetscFunctionReturn(0);
}

static PetscErrorCode operator_from_dm(SNES snes, AGOperator *op) {
  DM dm;
  PetscContainer box = NULL;
  PetscFunctionBegin;
  *op = NULL;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(PetscObjectQuery((PetscObject)dm, "AlphaGradOperator", (PetscObject *)&box));
  if (box) PetscCall(PetscContainerGetPointer(box, (void **)op));
  PetscFunctionReturn(0);
}

static PetscErrorCode jacobian_cb(SNES snes, Vec X, Mat J, Mat P, void *p) {
  ag_snes_ctx *c;
  AGOperator shared;
  PetscFunctionBegin;
  (void)p;
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  PetscCheck(c, PetscObjectComm((PetscObject)snes), PETSC_ERR_PLIB, "alphagrad: context lost");
  if (!c->op) PetscCall(operator_from_dm(snes, &shared));
  if (!c->op && shared) {
    shared->refct++;
    c->op = shared;
  }
  if (!c->op) {
    PetscCheck(c->kernel[0], PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_WRONGSTATE,
               "alphagrad: -snes_jacobian alphagrad is given but this SNES has no alphagrad "
               "operator: call SNESSetAlphaGradOperator() in the application, or name the "
               "residual's cell kernel with -%ssnes_jacobian_alphagrad_kernel file.c:function",
               ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "");
    PetscCall(operator_from_options(snes, c));
  }
  PetscCall(AGOperatorComputeJacobian(c->op, X, P));
  if (J != P) {
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  }
  if (c->check) {
    Vec F1, F2;
    PetscReal d, n1;
    PetscCall(VecDuplicate(X, &F1));
    PetscCall(VecDuplicate(X, &F2));
    PetscCall(SNESComputeFunction(snes, X, F1));
    PetscCall(AGOperatorComputeResidual(c->op, X, F2));
    PetscCall(VecNorm(F1, NORM_INFINITY, &n1));
    PetscCall(VecAXPY(F2, -1.0, F1));
    PetscCall(VecNorm(F2, NORM_INFINITY, &d));
    PetscCall(PetscPrintf(PetscObjectComm((PetscObject)snes),
                          "alphagrad check: max |F_application - F_operator| = %g (relative to max "
                          "|F| = %g: %g)%s\n",
                          (double)d, (double)n1, (double)(n1 > 0 ? d / n1 : d),
                          c->op_residual ? " [the operator is the SNES function]" : ""));
    PetscCall(VecDestroy(&F1));
    PetscCall(VecDestroy(&F2));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode install_jacobian(SNES snes) {
  DM dm;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  /* as -snes_fd_color does: the application's Jacobian (if any) is replaced */
  PetscCall(DMSNESUnsetJacobianContext_Internal(dm));
  PetscCall(SNESSetJacobian(snes, NULL, NULL, jacobian_cb, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode refuse_ts(SNES snes) {
  DM dm;
  PetscErrorCode (*f)(SNES, Vec, Vec, void *) = NULL;
  PetscFunctionBegin;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(DMSNESGetFunction(dm, &f, NULL));
  PetscCheck(f != SNESTSFormFunction, PetscObjectComm((PetscObject)snes), PETSC_ERR_SUP,
             "alphagrad: -%ssnes_jacobian alphagrad on the SNES inside an implicit TS is not "
             "supported yet (its Jacobian is shift * dF/dUdot + dF/dU, and the operator holds a "
             "residual F(U) only); write the time step as a residual operator and solve it with "
             "SNES, or use -%ssnes_fd_color",
             ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "",
             ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "");
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
  const char *backends[] = {"c", "interp", "cuda"};
  PetscInt backend = 0;
  PetscFunctionBegin;
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  o = c ? c->opts : (ag_plugin_opts){0};
  if (!c) ag_plugin_opts_default(&o);
  backend = !strcmp(o.backend, "interp") ? 1 : !strcmp(o.backend, "cuda") ? 2 : 0;
  /* a title of our own: -help prints each title's options once */
  PetscOptionsBegin(PetscObjectComm((PetscObject)snes), ((PetscObject)snes)->prefix,
                    "alphagrad: exact Jacobians by vertex elimination (plugin options)", "SNES");
  PetscCall(PetscOptionsString("-snes_jacobian", "Jacobian by a plugin: alphagrad", "SNESAlphaGradRegister",
                               choice, choice, sizeof choice, &set));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_orders",
                               "Order libraries (HDF5), comma-separated; searched before the shipped ones; a search result is stored in the first",
                               "SNESSetAlphaGradOperator", o.orders, o.orders, sizeof o.orders, NULL));
  PetscCall(PetscOptionsReal("-snes_jacobian_alphagrad_search_time",
                             "Seconds of order search (over the SNES's ranks) for a kernel with no stored order; 0: none",
                             "SNESSetAlphaGradOperator", o.search_time, &o.search_time, NULL));
  PetscCall(PetscOptionsEList("-snes_jacobian_alphagrad_backend", "Element Jacobians by generated C code, the interpreter, or generated CUDA on the GPU (NVRTC, cuSPARSE assembly)",
                              "SNESSetAlphaGradOperator", backends, 3, backends[backend], &backend, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_cache", "Directory of compiled kernels (default $AG_JIT_CACHE, $XDG_CACHE_HOME/alphagrad or ~/.cache/alphagrad)",
                               "SNESSetAlphaGradOperator", o.cache_dir, o.cache_dir, sizeof o.cache_dir, NULL));
  PetscCall(PetscOptionsInt("-snes_jacobian_alphagrad_batch", "Elements per batch", "SNESSetAlphaGradOperator",
                            o.batch, &o.batch, NULL));
  PetscCall(PetscOptionsBool("-snes_jacobian_alphagrad_view", "Print the operator after its set-up: kernels, orders and where they came from, costs, backend",
                             "AGOperatorView", o.view, &o.view, NULL));
  PetscCall(PetscOptionsBool("-snes_jacobian_alphagrad_verbose", "One line per kernel at set-up", "SNESSetAlphaGradOperator",
                             o.verbose, &o.verbose, NULL));
  PetscCall(PetscOptionsBool("-snes_jacobian_alphagrad_check", "Compare the application's residual with the operator's at every Jacobian",
                             "SNESSetAlphaGradOperator", c ? c->check : check, &check, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_kernel", "Cell kernel file.c:function of the residual, for applications that register no operator",
                               "SNESSetAlphaGradOperator", kernel, kernel, sizeof kernel, NULL));
  PetscCall(PetscOptionsRealArray("-snes_jacobian_alphagrad_params", "Constant parameters of that kernel", "AGKernelSetParameters",
                                  params, &np, NULL));
  PetscCall(PetscOptionsString("-snes_jacobian_alphagrad_boundary_kernel", "Its boundary kernel file.c:function (cells whose stencil leaves the domain)",
                               "AGOperatorAddCellKernel", bkernel, bkernel, sizeof bkernel, &bset));
  PetscCall(PetscOptionsRealArray("-snes_jacobian_alphagrad_boundary_params", "Constant parameters of the boundary kernel",
                                  "AGKernelSetParameters", bparams, &nbp, NULL));
  PetscCall(PetscOptionsInt("-snes_jacobian_alphagrad_stencil_width", "Stencil width of that kernel (default: the DMDA's)",
                            "AGOperatorAddCellKernel", width, &width, &width_set));
  PetscOptionsEnd();
  (void)bset;
  PetscCheck(o.batch >= 1, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -snes_jacobian_alphagrad_batch %" PetscInt_FMT " must be >= 1", o.batch);
  PetscCheck(o.search_time >= 0, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -snes_jacobian_alphagrad_search_time %g must be >= 0", (double)o.search_time);
  PetscCall(PetscStrcpy(o.backend, backends[backend]));
  if (set) {
    PetscCheck(!strcmp(choice, "alphagrad"), PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_UNKNOWN_TYPE,
               "alphagrad: unknown -%ssnes_jacobian %s (known: alphagrad)",
               ((PetscObject)snes)->prefix ? ((PetscObject)snes)->prefix : "", choice);
    PetscCall(refuse_ts(snes));
  }
  if (!set && !c) PetscFunctionReturn(0); /* nothing of ours on this SNES */
  if (backend == 2) /* fail here, clearly, rather than at the first Jacobian */
    PetscCall(ag_plugin_gpu_check(PetscObjectComm((PetscObject)snes), ((PetscObject)snes)->prefix));
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  c->opts = o;
  c->have_opts = PETSC_TRUE;
  c->check = check;
  PetscCall(PetscStrcpy(c->kernel, kernel));
  PetscCall(PetscStrcpy(c->bkernel, bkernel));
  c->nparams = kernel[0] ? np : 0;
  if (c->nparams) PetscCall(PetscArraycpy(c->params, params, np));
  c->nbparams = bkernel[0] ? nbp : 0;
  if (c->nbparams) PetscCall(PetscArraycpy(c->bparams, bparams, nbp));
  c->width = width;
  c->width_set = width_set;
  if (c->op) PetscCall(ag_operator_set_opts(c->op, &c->opts));
  if (set) {
    c->use = PETSC_TRUE;
    PetscCall(install_jacobian(snes));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradRegister(void) {
  static PetscBool done = PETSC_FALSE;
  PetscFunctionBegin;
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(ag_plugin_log_register());
  PetscCall(SNESAddOptionsChecker(options_checker));
  PetscFunctionReturn(0);
}

PetscErrorCode PetscDLLibraryRegister_alphagrad(void) {
  PetscFunctionBegin;
  PetscCall(SNESAlphaGradRegister());
  PetscFunctionReturn(0);
}

PetscErrorCode SNESSetAlphaGradOperator(SNES snes, AGOperator op, PetscBool residual) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscValidPointer(op, 2);
  PetscCall(ag_plugin_log_register());
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  op->refct++;
  PetscCall(AGOperatorDestroy(&c->op));
  c->op = op;
  c->op_residual = residual;
  PetscCall(compose_on_dm(snes, op));
  if (c->have_opts) PetscCall(ag_operator_set_opts(op, &c->opts));
  if (residual) PetscCall(SNESSetFunction(snes, NULL, residual_cb, op));
  PetscFunctionReturn(0);
}

PetscErrorCode SNESGetAlphaGradOperator(SNES snes, AGOperator *op) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscCall(get_ctx(snes, PETSC_FALSE, &c));
  *op = c ? c->op : NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode SNESAlphaGradSetUse(SNES snes) {
  ag_snes_ctx *c;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(snes, SNES_CLASSID, 1);
  PetscCall(refuse_ts(snes));
  PetscCall(get_ctx(snes, PETSC_TRUE, &c));
  c->use = PETSC_TRUE;
  PetscCall(install_jacobian(snes));
  PetscFunctionReturn(0);
}
