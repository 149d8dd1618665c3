/* The cuda backend of AGOperator (ag_backend_cuda_ops): element Jacobians on the GPU. */
/* -snes_jacobian_alphagrad_backend cuda.

   Set-up, once per matrix: the operator's COO pattern (the one set on the matrix with
   MatSetPreallocationCOOLocal) in the matrix's numbering (owned rows, global columns) goes
   to the device, where cuSPARSE sorts it by row and compresses the row pointer
   (ag_gpu_csr_map_build); each CSR entry gets its list of element-Jacobian values
   (+- jac[group][entry][element]) as a gather plan, and its place in the host matrix's AIJ
   value arrays (diagonal block, off-diagonal block) is looked up.

   Every Jacobian: the local (ghosted) state, and the auxiliary vector if any, are uploaded;
   per element group the inputs and parameters are gathered into structure-of-arrays on the
   device, the generated kernel computes the element Jacobians (one element per thread), the
   gather plan sums them into the CSR values (a fixed order: no atomics, reproducible), the
   values come back and are copied into the AIJ arrays of the host matrix.

   The residual stays on the host (the generated C code). */
#include "gpu/gpu.h"
#include "plugin/plugin_impl.h"
#include <string.h>

/* one process-wide device context, opened at first use */
static ag_gpu *the_gpu;
static int gpu_refs;
static PetscBool finalize_registered;

static PetscErrorCode gpu_finalize(void) {
  PetscFunctionBegin;
  if (the_gpu && gpu_refs == 0) {
    ag_gpu_close(the_gpu);
    the_gpu = NULL;
  }
  finalize_registered = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode ag_plugin_gpu_get(MPI_Comm comm, void **g) {
  ag_error err;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  if (!the_gpu) {
    the_gpu = ag_gpu_open(0, &err);
    AGCheckCore(comm, the_gpu, err,
                "alphagrad: -snes_jacobian_alphagrad_backend cuda: %s (use "
                "-snes_jacobian_alphagrad_backend c)",
                err.msg);
  }
  if (!finalize_registered) {
    PetscCall(PetscRegisterFinalize(gpu_finalize));
    finalize_registered = PETSC_TRUE;
  }
  gpu_refs++;
  *g = the_gpu;
  PetscFunctionReturn(0);
}

void ag_plugin_gpu_release(void) {
  if (gpu_refs > 0) gpu_refs--;
}

PetscErrorCode ag_plugin_gpu_check(MPI_Comm comm, const char *prefix) {
  ag_error err;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  AGCheckCore(comm, ag_gpu_available(&err) == 0, err,
              "alphagrad: -%ssnes_jacobian_alphagrad_backend cuda: %s (use "
              "-%ssnes_jacobian_alphagrad_backend c)",
              prefix ? prefix : "", err.msg, prefix ? prefix : "");
  PetscFunctionReturn(0);
}

/* the kernel's CUDA code (NVRTC or the cache); k->gk */
PetscErrorCode ag_kernel_gpu_code(AGKernel k, const ag_plugin_opts *o) {
  ag_error err;
  void *g;
  PetscFunctionBegin;
  if (k->gk) PetscFunctionReturn(0);
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCall(ag_plugin_gpu_get(PetscObjectComm((PetscObject)k), &g));
  ag_gpu_jit_opts jo = {o->cache_dir[0] ? o->cache_dir : NULL};
  ag_gpu_kernel *gk = ag_gpu_kernel_load((ag_gpu *)g, k->jp, &jo, &err);
  if (!gk) ag_plugin_gpu_release();
  AGCheckCore(PETSC_COMM_SELF, gk, err, "alphagrad: kernel %s: CUDA code: %s", k->source, err.msg);
  k->gk = gk;
  PetscCall(PetscSNPrintf(k->gpu_what, sizeof k->gpu_what, "%s (%s)",
                          gk->compiled ? "compiled with NVRTC now" : "CUDA cache hit",
                          ag_gpu_name((ag_gpu *)g)));
  PetscFunctionReturn(0);
}

void ag_kernel_gpu_free(AGKernel k) {
  if (k->gk) {
    ag_gpu_kernel_free(the_gpu, (ag_gpu_kernel *)k->gk);
    k->gk = NULL;
    ag_plugin_gpu_release();
  }
}

typedef struct {
  ag_dptr in_idx, aux_idx, consts; /* per group */
  PetscInt64 jbase;                /* first value of the group in the Jacobian buffer */
} gpu_group;

struct ag_gpu_op {
  ag_gpu *g;
  PetscInt64 mat_id;
  PetscInt nloc, naux;
  gpu_group *gr;
  ag_dptr x, aux, in, p, out, jac, vals, rowptr, colind;
  PetscInt64 njac;
  ag_csr_map map;
  ag_gpu_scatter *sc;
  PetscInt *dest; /* CSR entry -> position in the diagonal block (>= 0) or -1 - position in
                     the off-diagonal block */
  PetscScalar *hvals;
  PetscInt rstart;
  PetscLogDouble t_upload, t_kernels, t_download, t_copy;
};

static void gpu_op_free(struct ag_gpu_op *s, PetscInt ngroups) {
  if (!s) return;
  for (PetscInt q = 0; q < ngroups && s->gr; q++) {
    ag_gpu_free(s->g, s->gr[q].in_idx);
    ag_gpu_free(s->g, s->gr[q].aux_idx);
    ag_gpu_free(s->g, s->gr[q].consts);
  }
  ag_gpu_free(s->g, s->x);
  ag_gpu_free(s->g, s->aux);
  ag_gpu_free(s->g, s->in);
  ag_gpu_free(s->g, s->p);
  ag_gpu_free(s->g, s->out);
  ag_gpu_free(s->g, s->jac);
  ag_gpu_free(s->g, s->vals);
  ag_gpu_free(s->g, s->rowptr);
  ag_gpu_free(s->g, s->colind);
  ag_gpu_scatter_free(s->g, s->sc);
  ag_csr_map_free(&s->map);
  free(s->gr);
  free(s->dest);
  free(s->hvals);
  free(s);
}

static PetscErrorCode gpu_destroy(AGOperator op) {
  PetscFunctionBegin;
  if (op->gpu) {
    gpu_op_free(op->gpu, op->ngroups);
    op->gpu = NULL;
    ag_plugin_gpu_release();
  }
  PetscFunctionReturn(0);
}

#define GCALL(call)                                                                                \
  AGCheckCore(PETSC_COMM_SELF, (call) == 0, err, "alphagrad (cuda backend): %s", err.msg)

/* position of global column c in row r of the AIJ blocks, -1 - pos for the off-diagonal
   block; PETSC_MIN_INT when absent */
static PetscInt find_entry(PetscInt r, PetscInt c, PetscInt cstart, PetscInt cend,
                           const PetscInt *ia, const PetscInt *ja, const PetscInt *ib,
                           const PetscInt *jb, const PetscInt *colmap) {
  if (c >= cstart && c < cend) {
    PetscInt lo = ia[r], hi = ia[r + 1] - 1, want = c - cstart;
    while (lo <= hi) {
      PetscInt mid = (lo + hi) / 2;
      if (ja[mid] == want) return mid;
      if (ja[mid] < want)
        lo = mid + 1;
      else
        hi = mid - 1;
    }
    return PETSC_MIN_INT;
  }
  if (!ib) return PETSC_MIN_INT;
  for (PetscInt t = ib[r]; t < ib[r + 1]; t++)
    if (colmap[jb[t]] == c) return -1 - t;
  return PETSC_MIN_INT;
}

static PetscErrorCode gpu_setup(AGOperator op, Mat P, PetscInt *ci, PetscInt *cj) {
  struct ag_gpu_op *s;
  ag_error err;
  void *g;
  ISLocalToGlobalMapping l2g;
  PetscInt rstart, rend, M, N, cstart, cend;
  PetscBool ismpi;
  Mat Ad = P, Ao = NULL;
  const PetscInt *colmap = NULL;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCall(gpu_destroy(op));
  PetscCall(ag_plugin_gpu_get(PetscObjectComm((PetscObject)op->da), &g));
  PetscCall(PetscCalloc1(1, &s));
  op->gpu = s;
  s->g = (ag_gpu *)g;
  PetscCall(PetscObjectGetId((PetscObject)P, &s->mat_id));
  PetscCall(MatGetOwnershipRange(P, &rstart, &rend));
  PetscCall(MatGetOwnershipRangeColumn(P, &cstart, &cend));
  PetscCall(MatGetSize(P, &M, &N));
  PetscCheck(M <= PETSC_MAX_INT && N < (1 << 30), PETSC_COMM_SELF, PETSC_ERR_SUP,
             "alphagrad (cuda backend): matrices of up to 2^30 columns");
  s->rstart = rstart;
  /* the pattern in the matrix's numbering: owned rows (0-based on this rank), global columns */
  PetscCall(DMGetLocalToGlobalMapping(op->da, &l2g));
  PetscInt *gi, *gj;
  PetscCall(PetscMalloc2(op->ncoo + 1, &gi, op->ncoo + 1, &gj));
  PetscCall(ISLocalToGlobalMappingApply(l2g, (PetscInt)op->ncoo, ci, gi));
  PetscCall(ISLocalToGlobalMappingApply(l2g, (PetscInt)op->ncoo, cj, gj));
  int *ri, *rj;
  PetscCall(PetscMalloc2(op->ncoo + 1, &ri, op->ncoo + 1, &rj));
  for (PetscCount m = 0; m < op->ncoo; m++) {
    int keep = ci[m] >= 0 && cj[m] >= 0 && gi[m] >= rstart && gi[m] < rend;
    ri[m] = keep ? (int)(gi[m] - rstart) : -1;
    rj[m] = keep ? (int)gj[m] : -1;
  }
  PetscCall(PetscFree2(gi, gj));
  int rc = ag_gpu_csr_map_build(s->g, &s->map, (long)op->ncoo, ri, rj, (int)(rend - rstart), (int)N,
                                &err);
  PetscCall(PetscFree2(ri, rj));
  GCALL(rc);
  for (PetscInt q = 0; q < op->ngroups; q++) /* kernels set up under another backend */
    PetscCall(ag_kernel_gpu_code(op->groups[q].k, &op->opts));
  /* the Jacobian buffer: group q's entry en of element e at jbase + en * nel + e */
  PetscInt64 total = 0;
  PetscInt mi = 1, mp = 1, mo = 1;
  PetscCall(PetscCalloc1(op->ngroups + 1, &s->gr));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    s->gr[q].jbase = total;
    total += (PetscInt64)gr->nel * gr->k->jp->nentries;
    mi = PetscMax(mi, gr->k->g->ninputs);
    mp = PetscMax(mp, gr->k->g->nparams);
    mo = PetscMax(mo, gr->k->g->noutputs);
  }
  PetscCheck(total < (1 << 30), PETSC_COMM_SELF, PETSC_ERR_SUP,
             "alphagrad (cuda backend): %lld element Jacobian values on one rank; at most 2^30",
             (long long)total);
  /* the gather plan: CSR entry -> +-(Jacobian buffer index) */
  {
    const ag_csr_map *m = &s->map;
    int *ptr, *code, nc = 0;
    PetscCall(PetscMalloc2(m->nnz + 1, &ptr, m->srcptr[m->nnz] + 1, &code));
    for (int q = 0; q < m->nnz; q++) {
      ptr[q] = nc;
      for (int t = m->srcptr[q]; t < m->srcptr[q + 1]; t++) {
        long c = m->src[t];
        if (c >= op->ncoo_kernels) continue; /* a diagonal entry of the pattern: no value */
        PetscInt grp = 0;
        while (grp + 1 < op->ngroups && op->groups[grp + 1].coo_base <= c)
          grp++;
        const ag_group *gr = &op->groups[grp];
        PetscInt ne = gr->k->jp->nentries, nt = gr->ntarget;
        long off = c - (long)gr->coo_base;
        long e = off / (nt * ne), tt = (off / ne) % nt, en = off % ne;
        long idx = (long)s->gr[grp].jbase + en * gr->nel + e;
        code[nc++] = (int)(2 * idx + (PetscRealPart(gr->sign[tt]) < 0));
      }
    }
    ptr[m->nnz] = nc;
    s->sc = ag_gpu_scatter_create(s->g, m->nnz, ptr, code, &err);
    PetscCall(PetscFree2(ptr, code));
    GCALL(!s->sc);
  }
  /* device buffers */
  PetscInt nel_max = 1;
  for (PetscInt q = 0; q < op->ngroups; q++)
    nel_max = PetscMax(nel_max, op->groups[q].nel);
  PetscCall(VecGetLocalSize(op->xloc, &s->nloc));
  s->naux = 0;
  if (op->aux) PetscCall(VecGetLocalSize(op->aux, &s->naux));
  GCALL(!(s->x = ag_gpu_alloc(s->g, sizeof(double) * (size_t)(s->nloc + 1), &err)));
  if (s->naux) GCALL(!(s->aux = ag_gpu_alloc(s->g, sizeof(double) * (size_t)s->naux, &err)));
  GCALL(!(s->in = ag_gpu_alloc(s->g, sizeof(double) * (size_t)nel_max * mi, &err)));
  GCALL(!(s->p = ag_gpu_alloc(s->g, sizeof(double) * (size_t)nel_max * mp, &err)));
  GCALL(!(s->out = ag_gpu_alloc(s->g, sizeof(double) * (size_t)nel_max * mo, &err)));
  GCALL(!(s->jac = ag_gpu_alloc(s->g, sizeof(double) * (size_t)(total + 1), &err)));
  GCALL(!(s->vals = ag_gpu_alloc(s->g, sizeof(double) * (size_t)(s->map.nnz + 1), &err)));
  GCALL(!(s->rowptr = ag_gpu_alloc(s->g, sizeof(int) * (size_t)(s->map.nrows + 1), &err)));
  GCALL(!(s->colind = ag_gpu_alloc(s->g, sizeof(int) * (size_t)(s->map.nnz + 1), &err)));
  GCALL(ag_gpu_upload(s->g, s->rowptr, s->map.rowptr, sizeof(int) * (size_t)(s->map.nrows + 1),
                      &err));
  GCALL(ag_gpu_upload(s->g, s->colind, s->map.colind, sizeof(int) * (size_t)s->map.nnz, &err));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    PetscInt ni = gr->k->g->ninputs, np = gr->k->g->nparams, nc = PetscMin(gr->k->nconst, np);
    int *tmp;
    PetscCall(PetscMalloc1((size_t)gr->nel * ni + 1, &tmp));
    for (PetscInt t = 0; t < gr->nel * ni; t++)
      tmp[t] = (int)gr->in_idx[t];
    GCALL(!(s->gr[q].in_idx = ag_gpu_alloc(s->g, sizeof(int) * ((size_t)gr->nel * ni + 1), &err)));
    GCALL(ag_gpu_upload(s->g, s->gr[q].in_idx, tmp, sizeof(int) * (size_t)gr->nel * ni, &err));
    if (np > nc && gr->aux_idx) {
      for (PetscInt t = 0; t < gr->nel; t++)
        tmp[t] = (int)gr->aux_idx[t];
      GCALL(!(s->gr[q].aux_idx = ag_gpu_alloc(s->g, sizeof(int) * ((size_t)gr->nel + 1), &err)));
      GCALL(ag_gpu_upload(s->g, s->gr[q].aux_idx, tmp, sizeof(int) * (size_t)gr->nel, &err));
    }
    PetscCall(PetscFree(tmp));
    if (nc > 0) {
      double *cv;
      PetscCall(PetscMalloc1(nc, &cv));
      for (PetscInt i = 0; i < nc; i++)
        cv[i] = (double)gr->k->params[i];
      GCALL(!(s->gr[q].consts = ag_gpu_alloc(s->g, sizeof(double) * (size_t)nc, &err)));
      GCALL(ag_gpu_upload(s->g, s->gr[q].consts, cv, sizeof(double) * (size_t)nc, &err));
      PetscCall(PetscFree(cv));
    }
  }
  /* where each CSR entry lives in the host matrix */
  PetscCall(PetscObjectBaseTypeCompare((PetscObject)P, MATMPIAIJ, &ismpi));
  if (!ismpi) {
    PetscBool isseq;
    PetscCall(PetscObjectBaseTypeCompare((PetscObject)P, MATSEQAIJ, &isseq));
    PetscCheck(isseq, PetscObjectComm((PetscObject)P), PETSC_ERR_SUP,
               "alphagrad: -snes_jacobian_alphagrad_backend cuda needs an AIJ matrix (seqaij or "
               "mpiaij; -dm_mat_type aij), not %s",
               ((PetscObject)P)->type_name);
  } else {
    PetscCall(MatMPIAIJGetSeqAIJ(P, &Ad, &Ao, &colmap));
  }
  {
    const PetscInt *ia, *ja, *ib = NULL, *jb = NULL;
    PetscInt na, nb, nnzA, nnzB = 0;
    PetscBool done;
    PetscCall(MatGetRowIJ(Ad, 0, PETSC_FALSE, PETSC_FALSE, &na, &ia, &ja, &done));
    PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "alphagrad: MatGetRowIJ failed");
    nnzA = ia[na];
    if (Ao) {
      PetscCall(MatGetRowIJ(Ao, 0, PETSC_FALSE, PETSC_FALSE, &nb, &ib, &jb, &done));
      PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "alphagrad: MatGetRowIJ failed");
      nnzB = ib[nb];
    }
    PetscCheck(nnzA + nnzB == s->map.nnz && na == s->map.nrows, PETSC_COMM_SELF, PETSC_ERR_PLIB,
               "alphagrad (cuda backend): the matrix has %" PetscInt_FMT
               " entries in %" PetscInt_FMT " rows, the device pattern %d in %d",
               nnzA + nnzB, na, s->map.nnz, s->map.nrows);
    PetscCall(PetscMalloc1(s->map.nnz + 1, &s->dest));
    for (int r = 0; r < s->map.nrows; r++)
      for (int q = s->map.rowptr[r]; q < s->map.rowptr[r + 1]; q++) {
        PetscInt d = find_entry(r, s->map.colind[q], cstart, cend, ia, ja, ib, jb, colmap);
        PetscCheck(d != PETSC_MIN_INT, PETSC_COMM_SELF, PETSC_ERR_PLIB,
                   "alphagrad (cuda backend): entry (%" PetscInt_FMT ", %d) is not in the matrix",
                   rstart + r, s->map.colind[q]);
        s->dest[q] = d;
      }
    PetscCall(MatRestoreRowIJ(Ad, 0, PETSC_FALSE, PETSC_FALSE, &na, &ia, &ja, &done));
    if (Ao) PetscCall(MatRestoreRowIJ(Ao, 0, PETSC_FALSE, PETSC_FALSE, &nb, &ib, &jb, &done));
  }
  PetscCall(PetscMalloc1(s->map.nnz + 1, &s->hvals));
  PetscFunctionReturn(0);
}

/* the element Jacobians and the CSR values on the device, for the state in op->xloc */
static PetscErrorCode gpu_values(AGOperator op) {
  struct ag_gpu_op *s = op->gpu;
  ag_error err;
  const PetscScalar *x, *aux = NULL;
  PetscLogDouble t0, t1, t2;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCall(PetscTime(&t0));
  PetscCall(VecGetArrayRead(op->xloc, &x));
  GCALL(ag_gpu_upload(s->g, s->x, x, sizeof(double) * (size_t)s->nloc, &err));
  PetscCall(VecRestoreArrayRead(op->xloc, &x));
  if (op->aux && s->naux) {
    PetscCall(VecGetArrayRead(op->aux, &aux));
    GCALL(ag_gpu_upload(s->g, s->aux, aux, sizeof(double) * (size_t)s->naux, &err));
    PetscCall(VecRestoreArrayRead(op->aux, &aux));
  }
  PetscCall(PetscTime(&t1));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    AGKernel k = gr->k;
    int n = (int)gr->nel, ni = k->g->ninputs, np = k->g->nparams;
    int nc = (int)PetscMin(k->nconst, np);
    if (n == 0) continue;
    GCALL(ag_gpu_gather(s->g, n, ni, s->x, s->gr[q].in_idx, s->in, &err));
    if (np > 0)
      GCALL(ag_gpu_params(s->g, n, np, nc, s->gr[q].consts, s->aux, s->gr[q].aux_idx, s->p, &err));
    GCALL(ag_gpu_kernel_eval(s->g, (ag_gpu_kernel *)k->gk, n, s->in, np > 0 ? s->p : 0, s->out,
                             s->jac + sizeof(double) * (size_t)s->gr[q].jbase, &err));
  }
  GCALL(ag_gpu_scatter_apply(s->g, s->sc, s->jac, s->vals, &err));
  GCALL(ag_gpu_sync(s->g, &err));
  PetscCall(PetscTime(&t2));
  s->t_upload += t1 - t0;
  s->t_kernels += t2 - t1;
  PetscFunctionReturn(0);
}

static PetscBool gpu_ready(AGOperator op, PetscInt64 mat_id) {
  return (PetscBool)(op->gpu && op->gpu->mat_id == mat_id);
}

static PetscErrorCode gpu_jacobian(AGOperator op, Mat P, PetscInt *ci, PetscInt *cj) {
  struct ag_gpu_op *s;
  ag_error err;
  PetscInt64 id;
  PetscLogDouble t0, t1, t2;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCall(PetscObjectGetId((PetscObject)P, &id));
  if (!op->gpu || ((struct ag_gpu_op *)op->gpu)->mat_id != id) {
    PetscCheck(ci && cj, PETSC_COMM_SELF, PETSC_ERR_PLIB,
               "alphagrad: no COO pattern for the device set-up");
    PetscCall(gpu_setup(op, P, ci, cj));
  }
  s = op->gpu;
  PetscCall(gpu_values(op));
  PetscCall(PetscTime(&t0));
  GCALL(ag_gpu_download(s->g, s->hvals, s->vals, sizeof(double) * (size_t)s->map.nnz, &err));
  PetscCall(PetscTime(&t1));
  {
    PetscBool ismpi;
    Mat Ad = P, Ao = NULL;
    PetscScalar *a, *b = NULL;
    PetscCall(PetscObjectBaseTypeCompare((PetscObject)P, MATMPIAIJ, &ismpi));
    if (ismpi) PetscCall(MatMPIAIJGetSeqAIJ(P, &Ad, &Ao, NULL));
    PetscCall(MatSeqAIJGetArray(Ad, &a));
    if (Ao) PetscCall(MatSeqAIJGetArray(Ao, &b));
    for (int q = 0; q < s->map.nnz; q++) {
      PetscInt d = s->dest[q];
      if (d >= 0)
        a[d] = s->hvals[q];
      else
        b[-1 - d] = s->hvals[q];
    }
    PetscCall(MatSeqAIJRestoreArray(Ad, &a));
    if (Ao) PetscCall(MatSeqAIJRestoreArray(Ao, &b));
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  }
  PetscCall(PetscTime(&t2));
  s->t_download += t1 - t0;
  s->t_copy += t2 - t1;
  s->njac++;
  PetscFunctionReturn(0);
}

static PetscErrorCode gpu_view(AGOperator op, PetscViewer v) {
  struct ag_gpu_op *s = op->gpu;
  PetscFunctionBegin;
  if (!s) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(v, "CUDA backend on %s: CSR %d rows, %d entries (rank 0)\n",
                                   ag_gpu_name(s->g), s->map.nrows, s->map.nnz));
  if (s->njac)
    PetscCall(PetscViewerASCIIPrintf(v,
                                     "per Jacobian (rank 0): upload %.3g ms, device %.3g ms, "
                                     "download %.3g ms, copy into the matrix %.3g ms\n",
                                     1e3 * s->t_upload / s->njac, 1e3 * s->t_kernels / s->njac,
                                     1e3 * s->t_download / s->njac, 1e3 * s->t_copy / s->njac));
  PetscFunctionReturn(0);
}

/* the device computes the values; the host sets the pattern once per matrix */
static PetscErrorCode jacobian_cuda(AGOperator op, Vec X, Mat P) {
  PetscInt *ci = NULL, *cj = NULL;
  PetscInt64 id;
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetId((PetscObject)P, &id));
  if (id != op->coo_mat_id || !gpu_ready(op, id)) {
    PetscCall(ag_operator_set_pattern(op, P, &ci, &cj));
    PetscCall(MatSetValuesCOO(P, op->coo_vals, INSERT_VALUES)); /* assembled, structure final */
  }
  PetscCall(PetscTime(&t0));
  PetscCall(PetscLogEventBegin(AG_JacobianEval, 0, 0, 0, 0));
  PetscCall(DMGlobalToLocal(op->da, X, INSERT_VALUES, op->xloc));
  PetscCall(gpu_jacobian(op, P, ci, cj));
  PetscCall(PetscLogEventEnd(AG_JacobianEval, 0, 0, 0, 0));
  if (ci) PetscCall(PetscFree2(ci, cj));
  PetscCall(PetscTime(&t1));
  op->njac++;
  op->jac_time += t1 - t0;
  PetscFunctionReturn(0);
}

const ag_backend_ops ag_backend_cuda_ops = {AG_BACKEND_CUDA, ag_kernel_gpu_code, jacobian_cuda,
                                            gpu_destroy, gpu_view};

PetscErrorCode AGOperatorGPUCheckSpMV(AGOperator op, Mat P, Vec X, PetscReal *relerr) {
  struct ag_gpu_op *s = op->gpu;
  ag_error err;
  Vec xall, y;
  VecScatter sc;
  PetscInt N, nl;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCheck(s, PetscObjectComm((PetscObject)P), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: no device Jacobian yet (backend cuda, AGOperatorComputeJacobian first)");
  PetscCall(VecScatterCreateToAll(X, &sc, &xall));
  PetscCall(VecScatterBegin(sc, X, xall, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, X, xall, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetSize(xall, &N));
  PetscCall(VecDuplicate(X, &y));
  PetscCall(MatMult(P, X, y));
  PetscCall(VecGetLocalSize(y, &nl));
  PetscCheck(nl == s->map.nrows, PETSC_COMM_SELF, PETSC_ERR_PLIB, "alphagrad: row count mismatch");
  ag_dptr dx = 0, dy = 0;
  double *yd;
  const PetscScalar *xa, *ya;
  PetscCall(PetscMalloc1(nl + 1, &yd));
  GCALL(!(dx = ag_gpu_alloc(s->g, sizeof(double) * (size_t)(N + 1), &err)));
  GCALL(!(dy = ag_gpu_alloc(s->g, sizeof(double) * (size_t)(nl + 1), &err)));
  PetscCall(VecGetArrayRead(xall, &xa));
  GCALL(ag_gpu_upload(s->g, dx, xa, sizeof(double) * (size_t)N, &err));
  PetscCall(VecRestoreArrayRead(xall, &xa));
  GCALL(ag_gpu_spmv(s->g, s->map.nrows, s->map.ncols, s->map.nnz, s->rowptr, s->colind, s->vals, dx,
                    dy, &err));
  GCALL(ag_gpu_download(s->g, yd, dy, sizeof(double) * (size_t)nl, &err));
  ag_gpu_free(s->g, dx);
  ag_gpu_free(s->g, dy);
  PetscReal dmax = 0, ymax = 0;
  PetscCall(VecGetArrayRead(y, &ya));
  for (PetscInt i = 0; i < nl; i++) {
    dmax = PetscMax(dmax, PetscAbsReal(yd[i] - PetscRealPart(ya[i])));
    ymax = PetscMax(ymax, PetscAbsReal(PetscRealPart(ya[i])));
  }
  PetscCall(VecRestoreArrayRead(y, &ya));
  PetscCallMPI(
      MPI_Allreduce(MPI_IN_PLACE, &dmax, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)P)));
  PetscCallMPI(
      MPI_Allreduce(MPI_IN_PLACE, &ymax, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)P)));
  *relerr = ymax > 0 ? dmax / ymax : dmax;
  PetscCall(PetscFree(yd));
  PetscCall(VecDestroy(&y));
  PetscCall(VecDestroy(&xall));
  PetscCall(VecScatterDestroy(&sc));
  PetscFunctionReturn(0);
}
