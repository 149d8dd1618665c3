/* gpu.h without CUDA: every device function fails with one clear message. */
#include <stdlib.h>

#include "gpu/gpu.h"

#define NO_CUDA                                                                                    \
  "alphagrad was built without CUDA (no CUDA toolkit found at configure time, or -DAG_GPU=OFF)"

int ag_gpu_built_with_cuda(void) { return 0; }
int ag_gpu_available(ag_error *err) { return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA); }
ag_gpu *ag_gpu_open(int device, ag_error *err) {
  (void)device;
  ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
  return NULL;
}
void ag_gpu_close(ag_gpu *g) { (void)g; }
const char *ag_gpu_name(const ag_gpu *g) {
  (void)g;
  return "(none)";
}
int ag_gpu_arch(const ag_gpu *g) {
  (void)g;
  return 0;
}
ag_dptr ag_gpu_alloc(ag_gpu *g, size_t bytes, ag_error *err) {
  (void)g, (void)bytes;
  ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
  return 0;
}
void ag_gpu_free(ag_gpu *g, ag_dptr p) { (void)g, (void)p; }
int ag_gpu_upload(ag_gpu *g, ag_dptr dst, const void *src, size_t bytes, ag_error *err) {
  (void)g, (void)dst, (void)src, (void)bytes;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_download(ag_gpu *g, void *dst, ag_dptr src, size_t bytes, ag_error *err) {
  (void)g, (void)dst, (void)src, (void)bytes;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_memset0(ag_gpu *g, ag_dptr dst, size_t bytes, ag_error *err) {
  (void)g, (void)dst, (void)bytes;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_sync(ag_gpu *g, ag_error *err) {
  (void)g;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_nvrtc_compile(const char *src, const char *name, int arch, int cubin, char **image,
                     size_t *size, char **log, ag_error *err) {
  (void)src, (void)name, (void)arch, (void)cubin;
  *image = NULL;
  *size = 0;
  if (log) *log = NULL;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
const char *ag_nvrtc_version(void) { return "NVRTC (not built)"; }
ag_gpu_kernel *ag_gpu_kernel_load(ag_gpu *g, const ag_jacprog *jp, const ag_gpu_jit_opts *opt,
                                  ag_error *err) {
  (void)g, (void)jp, (void)opt;
  ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
  return NULL;
}
void ag_gpu_kernel_free(ag_gpu *g, ag_gpu_kernel *k) {
  (void)g;
  free(k);
}
uint64_t ag_gpu_kernel_key(const ag_jacprog *jp, int arch) {
  (void)jp, (void)arch;
  return 0;
}
int ag_gpu_kernel_eval(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p, ag_dptr out,
                       ag_dptr jac, ag_error *err) {
  (void)g, (void)k, (void)n, (void)in, (void)p, (void)out, (void)jac;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_kernel_eval_primal(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p,
                              ag_dptr out, ag_error *err) {
  (void)g, (void)k, (void)n, (void)in, (void)p, (void)out;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
long ag_gpu_compile_count(void) { return 0; }
int ag_gpu_gather(ag_gpu *g, int n, int ni, ag_dptr x, ag_dptr idx, ag_dptr dst, ag_error *err) {
  (void)g, (void)n, (void)ni, (void)x, (void)idx, (void)dst;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_params(ag_gpu *g, int n, int np, int nc, ag_dptr c, ag_dptr aux, ag_dptr aux_idx,
                  ag_dptr dst, ag_error *err) {
  (void)g, (void)n, (void)np, (void)nc, (void)c, (void)aux, (void)aux_idx, (void)dst;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_csr_map_build(ag_gpu *g, ag_csr_map *m, long ncoo, const int *ci, const int *cj,
                         int nrows, int ncols, ag_error *err) {
  (void)g, (void)m, (void)ncoo, (void)ci, (void)cj, (void)nrows, (void)ncols;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
ag_gpu_scatter *ag_gpu_scatter_create(ag_gpu *g, int nnz, const int *ptr, const int *code,
                                      ag_error *err) {
  (void)g, (void)nnz, (void)ptr, (void)code;
  ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
  return NULL;
}
void ag_gpu_scatter_free(ag_gpu *g, ag_gpu_scatter *s) { (void)g, (void)s; }
int ag_gpu_scatter_apply(ag_gpu *g, ag_gpu_scatter *s, ag_dptr x, ag_dptr vals, ag_error *err) {
  (void)g, (void)s, (void)x, (void)vals;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
int ag_gpu_spmv(ag_gpu *g, int nrows, int ncols, int nnz, ag_dptr rowptr, ag_dptr colind,
                ag_dptr vals, ag_dptr x, ag_dptr y, ag_error *err) {
  (void)g, (void)nrows, (void)ncols, (void)nnz, (void)rowptr, (void)colind, (void)vals, (void)x,
      (void)y;
  return ag_failc(err, AG_ERR_UNSUPPORTED, NO_CUDA);
}
