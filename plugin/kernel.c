/* AGKernel: a pointwise kernel's graph and constant parameters. */
#include <string.h>
#include "plugin/plugin_impl.h"
#include "kernel/source.h"

static PetscErrorCode kernel_new(MPI_Comm comm, ag_graph *g, const char *source, AGKernel *k) {
  PetscFunctionBegin;
  PetscCall(PetscNew(k));
  (*k)->refct = 1;
  (*k)->comm = comm;
  (*k)->g = g;
  PetscCall(PetscStrallocpy(source, &(*k)->source));
  (*k)->cost = (*k)->cost_fwd = (*k)->cost_rev = (*k)->cost_mkw = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelCreate(MPI_Comm comm, const char source[], AGKernel *k) {
  ag_error err;
  PetscFunctionBegin;
  PetscValidCharPointer(source, 2);
  PetscValidPointer(k, 3);
  *k = NULL;
  err.msg[0] = 0;
  /* "file:section" for DAG text files; C kernels take "file.c:function" themselves */
  char spec[PETSC_MAX_PATH_LEN], *name = NULL;
  PetscCall(PetscStrncpy(spec, source, sizeof spec));
  size_t len = strlen(spec);
  int is_c = len > 2 && (strstr(spec, ".c:") || (spec[len - 2] == '.' && spec[len - 1] == 'c'));
  if (!is_c) {
    char *colon = strrchr(spec, ':');
    if (colon) {
      *colon = 0;
      name = colon + 1;
    }
  }
  ag_graph *g = ag_load_source(spec, name, &err);
  PetscCheck(g, comm, PETSC_ERR_USER_INPUT, "alphagrad: kernel %s: %s", source, err.msg);
  PetscCall(kernel_new(comm, g, source, k));
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelCreateFromGraph(MPI_Comm comm, struct ag_graph *g, AGKernel *k) {
  char what[256];
  PetscFunctionBegin;
  PetscValidPointer(g, 2);
  PetscValidPointer(k, 3);
  PetscCheck(g->dag.pred_off, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: AGKernelCreateFromGraph needs a finalized graph (ag_graph_finalize)");
  PetscCall(PetscSNPrintf(what, sizeof what, "(builder graph %s)", g->name ? g->name : ""));
  PetscCall(kernel_new(comm, g, what, k));
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelSetParameters(AGKernel k, PetscInt n, const PetscReal v[]) {
  PetscFunctionBegin;
  PetscValidPointer(k, 1);
  PetscCheck(n >= 0, k->comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: kernel %s: %" PetscInt_FMT " parameters", k->source, n);
  PetscCall(PetscFree(k->params));
  PetscCall(PetscMalloc1(n + 1, &k->params));
  if (n) PetscCall(PetscArraycpy(k->params, v, n));
  k->nconst = n;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelGetSizes(AGKernel k, PetscInt *ni, PetscInt *no, PetscInt *np) {
  PetscFunctionBegin;
  PetscValidPointer(k, 1);
  if (ni) *ni = k->g->ninputs;
  if (no) *no = k->g->noutputs;
  if (np) *np = k->g->nparams;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelDestroy(AGKernel *k) {
  PetscFunctionBegin;
  if (!k || !*k) PetscFunctionReturn(0);
  if (--(*k)->refct > 0) {
    *k = NULL;
    PetscFunctionReturn(0);
  }
  ag_kernel_gpu_free(*k);
  ag_evaluator_free((*k)->ev);
  ag_jacprog_free((*k)->jp);
  ag_graph_free((*k)->g);
  PetscCall(PetscFree((*k)->order));
  PetscCall(PetscFree((*k)->params));
  PetscCall(PetscFree((*k)->source));
  PetscCall(PetscFree(*k));
  PetscFunctionReturn(0);
}
