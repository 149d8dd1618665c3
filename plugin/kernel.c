/* AGKernel, a PetscObject: a kernel's graph and parameters; create, view, destroy. */
#include "kernel/source.h"
#include "plugin/plugin_impl.h"
#include <string.h>

static PetscErrorCode kernel_new(MPI_Comm comm, ag_graph *g, const char *source, AGKernel *k) {
  AGKernel n;
  PetscFunctionBegin;
  PetscCall(PetscHeaderCreate(n, AG_KERNEL_CLASSID, "AGKernel", "AlphaGrad kernel", "AG", comm,
                              AGKernelDestroy, AGKernelView));
  *k = n;
  (*k)->g = g;
  (*k)->backend = AG_BACKEND_C;
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
  PetscCall(AGInitializePackage());
  err.code = AG_OK;
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
  AGCheckCore(comm, g, err, "alphagrad: kernel %s: %s", source, err.msg);
  PetscCall(kernel_new(comm, g, source, k));
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelCreateFromGraph(MPI_Comm comm, struct ag_graph *g, AGKernel *k) {
  char what[256];
  PetscFunctionBegin;
  PetscValidPointer(g, 2);
  PetscValidPointer(k, 3);
  PetscCall(AGInitializePackage());
  PetscCheck(g->dag.pred_off, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: AGKernelCreateFromGraph needs a finalized graph (ag_graph_finalize)");
  PetscCall(PetscSNPrintf(what, sizeof what, "(builder graph %s)", g->name ? g->name : ""));
  PetscCall(kernel_new(comm, g, what, k));
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelSetParameters(AGKernel k, PetscInt n, const PetscReal v[]) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 1);
  PetscCheck(n >= 0, PetscObjectComm((PetscObject)k), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: kernel %s: %" PetscInt_FMT " parameters", k->source, n);
  PetscCall(PetscFree(k->params));
  PetscCall(PetscMalloc1(n + 1, &k->params));
  if (n) PetscCall(PetscArraycpy(k->params, v, n));
  k->nconst = n;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelSetGeometry(AGKernel k, PetscBool geometry) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 1);
  k->geometry = geometry;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelGetSizes(AGKernel k, PetscInt *ni, PetscInt *no, PetscInt *np) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 1);
  if (ni) *ni = k->g->ninputs;
  if (no) *no = k->g->noutputs;
  if (np) *np = k->g->nparams;
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelView(AGKernel k, PetscViewer v) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 1);
  if (!v) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)k), &v));
  PetscValidHeaderSpecific(v, PETSC_VIEWER_CLASSID, 2);
  PetscCall(ag_kernel_view(k, "alphagrad", v));
  PetscFunctionReturn(0);
}

PetscErrorCode AGKernelDestroy(AGKernel *k) {
  PetscFunctionBegin;
  if (!k || !*k) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*k, AG_KERNEL_CLASSID, 1);
  if (--((PetscObject)(*k))->refct > 0) {
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
  PetscCall(PetscHeaderDestroy(k));
  PetscFunctionReturn(0);
}
