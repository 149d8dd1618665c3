/* GPU Jacobians: generated CUDA kernels (jacobian/codegen_cuda.h) compiled at run
   time with NVRTC and cached on disk, launched over elements, and the element Jacobians
   assembled into a CSR matrix on the device through a map built once from the COO pattern
   (cuSPARSE sorts the pattern and compresses its rows), with a cuSPARSE SpMV for checks.

   A small C interface with no CUDA types. When the project is built without CUDA
   (AG_HAVE_CUDA undefined) every device function fails with "alphagrad was built without
   CUDA"; the host parts (the COO-to-CSR map and its reference scatter) always work.
   The CUDA driver (libcuda.so.1) is loaded with dlopen at the first call, so programs and
   libalphagrad.so load and run on machines without an NVIDIA driver; NVRTC and cuSPARSE
   come from the toolkit. Guide: gpu/README.md. */
#ifndef AG_GPU_H
#define AG_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "jacobian/jacobian.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- host: COO pattern -> CSR (plain C, no CUDA) ---- */

/* The CSR pattern of a COO pattern and, for every CSR entry, the COO entries that add into
   it. COO entries with a negative row or column are ignored (as PETSc's COO interface
   does). Rows and columns are 0-based below nrows / ncols. */
typedef struct {
  int nrows, ncols;
  long ncoo;
  int nnz;      /* distinct (row, column) pairs */
  int *rowptr;  /* nrows + 1 */
  int *colind;  /* nnz, ascending within each row */
  int *srcptr;  /* nnz + 1: the COO entries of CSR entry q are src[srcptr[q] .. srcptr[q+1]) */
  long *src;    /* COO entry indices, ascending within each CSR entry */
  int *coo_pos; /* ncoo: CSR position of each COO entry, -1 when ignored */
} ag_csr_map;

/* Reference construction on the host (sorting on the host). 0, or -1 with err (an index out
   of range, too many entries for 32-bit CSR indices, out of memory). */
int ag_csr_map_build(ag_csr_map *m, long ncoo, const int *ci, const int *cj, int nrows, int ncols,
                     ag_error *err);
/* The same map from the kept COO entries already sorted by row (in any column order within
   a row): rows[t], cols[t], perm[t] (the COO index of sorted entry t), t < nkept, and the
   row pointer of those sorted entries (rowptr_sorted[nrows + 1], may be NULL). The GPU path
   sorts with cuSPARSE and finishes here; so does the host reference. */
int ag_csr_map_from_row_sorted(ag_csr_map *m, long ncoo, int nrows, int ncols, long nkept,
                               const int *rows, const int *cols, const long *perm,
                               const int *rowptr_sorted, ag_error *err);
void ag_csr_map_free(ag_csr_map *m);
/* vals[q] = sum of coo_vals over the COO entries of CSR entry q (ascending COO order). */
void ag_csr_map_apply(const ag_csr_map *m, const double *coo_vals, double *vals);

/* A gather plan "CSR value q = sum over its sources of +-x[index]": code = 2*index + 1 for
   a negated source, 2*index for a positive one (index < 2^30). ag_gpu_scatter_apply runs
   it on the device, ag_gather_plan_apply_host is its reference (same order of additions:
   the results are bitwise equal). */
void ag_gather_plan_apply_host(int nnz, const int *ptr, const int *code, const double *x,
                               double *vals);

/* ---- device ---- */

/* 1 when built with CUDA (AG_HAVE_CUDA), else 0. */
int ag_gpu_built_with_cuda(void);
/* 0 when a CUDA device can be used; else -1 and err says why ("alphagrad was built
   without CUDA", "no CUDA driver (libcuda.so.1: ...)", "no CUDA device (...)"). */
int ag_gpu_available(ag_error *err);

typedef struct ag_gpu ag_gpu;
typedef uint64_t ag_dptr; /* device pointer (CUdeviceptr) */

/* The device `device` (0: the first; CUDA_VISIBLE_DEVICES applies), its primary context,
   a cuSPARSE handle and the support kernels. NULL with err when there is none. */
ag_gpu *ag_gpu_open(int device, ag_error *err);
void ag_gpu_close(ag_gpu *g);
const char *ag_gpu_name(const ag_gpu *g); /* "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79 GiB)" */
int ag_gpu_arch(const ag_gpu *g);         /* compute capability as 10*major + minor */

ag_dptr ag_gpu_alloc(ag_gpu *g, size_t bytes, ag_error *err); /* 0 on failure */
void ag_gpu_free(ag_gpu *g, ag_dptr p);
int ag_gpu_upload(ag_gpu *g, ag_dptr dst, const void *src, size_t bytes, ag_error *err);
int ag_gpu_download(ag_gpu *g, void *dst, ag_dptr src, size_t bytes, ag_error *err);
int ag_gpu_memset0(ag_gpu *g, ag_dptr dst, size_t bytes, ag_error *err);
int ag_gpu_sync(ag_gpu *g, ag_error *err);

/* ---- NVRTC (needs no device) ---- */

/* Compiles CUDA source with NVRTC for compute capability arch (e.g. 80, 90): a CUBIN when
   cubin is 1, else PTX (compute_XX). *image (malloc'ed, size *size) is the result; *log
   (malloc'ed, may be NULL) the compiler's messages. Options: -default-device, --fmad=false
   (no contraction into FMA, as the C backend's -ffp-contract=off), -std=c++17. */
int ag_nvrtc_compile(const char *src, const char *name, int arch, int cubin, char **image,
                     size_t *size, char **log, ag_error *err);
/* "NVRTC 13.0" (or the reason it is missing) */
const char *ag_nvrtc_version(void);

/* Options of the compiled-kernel cache (as ag_jit_opts of the C backend). */
typedef struct {
  const char *cache_dir; /* NULL: $AG_JIT_CACHE, else $XDG_CACHE_HOME/alphagrad, else
                            ~/.cache/alphagrad (files <key>.cubin) */
} ag_gpu_jit_opts;

typedef struct ag_gpu_kernel {
  uint64_t key;  /* cache key: graph, order's program, both generator versions, NVRTC
                    version, options, architecture */
  char *path;    /* the cached CUBIN */
  int compiled;  /* 1 if this load ran NVRTC */
  int rebuilt;   /* 1 if a cache entry existed but was invalid */
  char why[256]; /* why it was (re)built: "missing", "bad trailer", "cuModuleLoadData: ..." */
  int ni, no, np, nentries;
  void *module, *fn, *fn_primal; /* CUmodule, CUfunction */
} ag_gpu_kernel;

/* The CUDA kernels of jp for g's device, from the cache or compiled with NVRTC (written to
   the cache atomically, with a checked trailer as the C backend's shared objects). */
ag_gpu_kernel *ag_gpu_kernel_load(ag_gpu *g, const ag_jacprog *jp, const ag_gpu_jit_opts *opt,
                                  ag_error *err);
void ag_gpu_kernel_free(ag_gpu *g, ag_gpu_kernel *k);
/* The cache key of jp for architecture arch. */
uint64_t ag_gpu_kernel_key(const ag_jacprog *jp, int arch);
/* Launches over n elements (device pointers, layout of jacobian/codegen_cuda.h); asynchronous
   (ag_gpu_sync waits). p may be 0 when the kernel has no parameters. */
int ag_gpu_kernel_eval(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p, ag_dptr out,
                       ag_dptr jac, ag_error *err);
int ag_gpu_kernel_eval_primal(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p,
                              ag_dptr out, ag_error *err);
long ag_gpu_compile_count(void); /* NVRTC runs of this process */

/* ---- device support kernels ---- */

/* dst[i*n + e] = x[idx[e*ni + i]] for e < n, i < ni (gathers element inputs into SoA). */
int ag_gpu_gather(ag_gpu *g, int n, int ni, ag_dptr x, ag_dptr idx, ag_dptr dst, ag_error *err);
/* p[i*n + e] = i < nc ? c[i] : aux[aux_idx[e] + i - nc] for i < np (parameters into SoA;
   c: device array of nc constants; aux/aux_idx may be 0 when np <= nc). */
int ag_gpu_params(ag_gpu *g, int n, int np, int nc, ag_dptr c, ag_dptr aux, ag_dptr aux_idx,
                  ag_dptr dst, ag_error *err);

/* The COO-to-CSR map built on the device: the kept COO entries are sorted by row with
   cuSPARSE (cusparseXcoosortByRow), the row pointer compressed with cusparseXcoo2csr, the
   rows finished on the host (ag_csr_map_from_row_sorted). Equal to ag_csr_map_build. */
int ag_gpu_csr_map_build(ag_gpu *g, ag_csr_map *m, long ncoo, const int *ci, const int *cj,
                         int nrows, int ncols, ag_error *err);

/* A gather plan on the device (see ag_gather_plan_apply_host). */
typedef struct ag_gpu_scatter ag_gpu_scatter;
ag_gpu_scatter *ag_gpu_scatter_create(ag_gpu *g, int nnz, const int *ptr, const int *code,
                                      ag_error *err);
void ag_gpu_scatter_free(ag_gpu *g, ag_gpu_scatter *s);
/* vals[q] (device, nnz doubles) from x (device). */
int ag_gpu_scatter_apply(ag_gpu *g, ag_gpu_scatter *s, ag_dptr x, ag_dptr vals, ag_error *err);

/* y = A x with cuSPARSE (CSR, 32-bit indices, double), all device pointers. */
int ag_gpu_spmv(ag_gpu *g, int nrows, int ncols, int nnz, ag_dptr rowptr, ag_dptr colind,
                ag_dptr vals, ag_dptr x, ag_dptr y, ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
