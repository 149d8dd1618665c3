/* CUDA backend of the network: the trunk (projection + message-passing layers) on the GPU,
   GEMMs with cuBLAS, gather/bias/residual in small kernels. Parameters live on the device
   (uploaded by sync); each call uploads the tokens and downloads the trunk's output, the heads
   run on the host. Calls on one context are serialised by a mutex. */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

extern "C" {
#include "nn/backend.h"
}

namespace {

struct Ctx {
  ag_nn_arch a;
  size_t np;
  float *params;
  cublasHandle_t blas;
  cudaStream_t stream;
  pthread_mutex_t mu;
  float *x, *h, *Z, *A;
  int *po, *pr, *so, *su;
  size_t cap_n, cap_e;
};

__global__ void fill_rows(float *C, int n, int w, const float *b) {
  size_t k = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (k < (size_t)n * w) C[k] = b[k % w];
}

__global__ void gather(int n, int w, const float *h, const int *po, const int *pr, const int *so,
                       const int *su, float *Z) {
  size_t k = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (k >= (size_t)n * w) return;
  int i = (int)(k / w), j = (int)(k % w);
  float *z = Z + (size_t)i * 3 * w;
  z[j] = h[k];
  float s = 0;
  int b = po[i], e = po[i + 1];
  for (int q = b; q < e; q++)
    s += h[(size_t)pr[q] * w + j];
  z[w + j] = e > b ? s / (float)(e - b) : 0.0f;
  s = 0;
  b = so[i], e = so[i + 1];
  for (int q = b; q < e; q++)
    s += h[(size_t)su[q] * w + j];
  z[2 * w + j] = e > b ? s / (float)(e - b) : 0.0f;
}

__global__ void residual_relu(float *h, const float *A, size_t nw) {
  size_t k = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (k < nw) h[k] += A[k] > 0.0f ? A[k] : 0.0f;
}

unsigned blocks(size_t n) { return (unsigned)((n + 255) / 256); }

void release(Ctx *c) {
  cudaFree(c->x), cudaFree(c->h), cudaFree(c->Z), cudaFree(c->A);
  cudaFree(c->po), cudaFree(c->pr), cudaFree(c->so), cudaFree(c->su);
  c->x = c->h = c->Z = c->A = NULL;
  c->po = c->pr = c->so = c->su = NULL;
  c->cap_n = c->cap_e = 0;
}

int reserve(Ctx *c, size_t n, size_t e) {
  if (n <= c->cap_n && e <= c->cap_e) return 0;
  size_t cn = n > c->cap_n ? n + n / 2 + 64 : c->cap_n,
         ce = e > c->cap_e ? e + e / 2 + 64 : c->cap_e;
  release(c);
  size_t w = (size_t)c->a.width, f = (size_t)c->a.nfeat;
  if (cudaMalloc(&c->x, cn * f * sizeof(float)) || cudaMalloc(&c->h, cn * w * sizeof(float)) ||
      cudaMalloc(&c->Z, cn * 3 * w * sizeof(float)) || cudaMalloc(&c->A, cn * w * sizeof(float)) ||
      cudaMalloc(&c->po, (cn + 1) * sizeof(int)) || cudaMalloc(&c->so, (cn + 1) * sizeof(int)) ||
      cudaMalloc(&c->pr, ce * sizeof(int)) || cudaMalloc(&c->su, ce * sizeof(int))) {
    release(c);
    return -1;
  }
  c->cap_n = cn, c->cap_e = ce;
  return 0;
}

void *cuda_create(const ag_nn_arch *a, size_t np, ag_error *err) {
  int ndev = 0;
  cudaError_t e = cudaGetDeviceCount(&ndev);
  if (e != cudaSuccess || ndev == 0) {
    ag_failc(err, AG_ERR_BACKEND, "network: backend 'cuda': no usable CUDA device (%s)",
             e != cudaSuccess ? cudaGetErrorString(e) : "no devices");
    cudaGetLastError(); /* clear the sticky-free error state */
    return NULL;
  }
  Ctx *c = (Ctx *)calloc(1, sizeof(Ctx));
  if (!c)
    return ag_failc(err, AG_ERR_LIMIT, "network: backend 'cuda': out of memory"), (void *)NULL;
  c->a = *a;
  c->np = np;
  if ((e = cudaStreamCreate(&c->stream)) != cudaSuccess ||
      (e = cudaMalloc(&c->params, np * sizeof(float))) != cudaSuccess) {
    ag_failc(err, AG_ERR_BACKEND, "network: backend 'cuda': %s", cudaGetErrorString(e));
    if (c->stream) cudaStreamDestroy(c->stream);
    free(c);
    return NULL;
  }
  cublasStatus_t s = cublasCreate(&c->blas);
  if (s != CUBLAS_STATUS_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "network: backend 'cuda': cublasCreate failed (status %d)",
             (int)s);
    cudaFree(c->params);
    cudaStreamDestroy(c->stream);
    free(c);
    return NULL;
  }
  cublasSetStream(c->blas, c->stream);
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

void cuda_destroy(void *ctx) {
  Ctx *c = (Ctx *)ctx;
  if (!c) return;
  release(c);
  cudaFree(c->params);
  cublasDestroy(c->blas);
  cudaStreamDestroy(c->stream);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

void cuda_sync(void *ctx, const float *params) {
  Ctx *c = (Ctx *)ctx;
  pthread_mutex_lock(&c->mu);
  cudaMemcpy(c->params, params, c->np * sizeof(float), cudaMemcpyHostToDevice);
  pthread_mutex_unlock(&c->mu);
}

/* Row-major C (n x m) = X (n x k) W (k x m) + C: in cuBLAS's column-major view
   C^T = W^T X^T, with W^T the row-major W read column-major. */
void gemm_rows(Ctx *c, int n, int m, int k, const float *X, const float *W, float *C) {
  const float one = 1.0f;
  cublasSgemm(c->blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, W, m, X, k, &one, C, m);
}

int cuda_trunk(void *ctx, const ag_nn_arch *a, const float *params, const ag_nn_input *in,
               float *hout) {
  (void)params;
  Ctx *c = (Ctx *)ctx;
  int n = in->n, w = a->width, f = a->nfeat;
  if (n <= 0) return 0;
  size_t ep = (size_t)in->pred_off[n], es = (size_t)in->succ_off[n];
  pthread_mutex_lock(&c->mu);
  int rc = reserve(c, (size_t)n, ep > es ? ep : es);
  if (rc == 0) {
    ag_nn_layout L = ag_nn_layout_of(a);
    cudaStream_t st = c->stream;
    size_t nw = (size_t)n * w;
    cudaMemcpyAsync(c->x, in->x, (size_t)n * f * sizeof(float), cudaMemcpyHostToDevice, st);
    cudaMemcpyAsync(c->po, in->pred_off, (n + 1) * sizeof(int), cudaMemcpyHostToDevice, st);
    cudaMemcpyAsync(c->so, in->succ_off, (n + 1) * sizeof(int), cudaMemcpyHostToDevice, st);
    if (ep) cudaMemcpyAsync(c->pr, in->pred, ep * sizeof(int), cudaMemcpyHostToDevice, st);
    if (es) cudaMemcpyAsync(c->su, in->succ, es * sizeof(int), cudaMemcpyHostToDevice, st);
    fill_rows<<<blocks(nw), 256, 0, st>>>(c->h, n, w, c->params + L.b_in);
    gemm_rows(c, n, w, f, c->x, c->params + L.w_in, c->h);
    for (int l = 0; l < a->layers; l++) {
      gather<<<blocks(nw), 256, 0, st>>>(n, w, c->h, c->po, c->pr, c->so, c->su, c->Z);
      fill_rows<<<blocks(nw), 256, 0, st>>>(c->A, n, w, c->params + ag_nn_layer_b(&L, a, l));
      gemm_rows(c, n, w, 3 * w, c->Z, c->params + ag_nn_layer_w(&L, l), c->A);
      residual_relu<<<blocks(nw), 256, 0, st>>>(c->h, c->A, nw);
    }
    cudaMemcpyAsync(hout, c->h, nw * sizeof(float), cudaMemcpyDeviceToHost, st);
    if (cudaStreamSynchronize(st) != cudaSuccess) rc = -1;
  }
  pthread_mutex_unlock(&c->mu);
  if (rc) {
    fprintf(stderr, "alphagrad nn: CUDA trunk failed: %s\n",
            cudaGetErrorString(cudaGetLastError()));
    abort(); /* the network cannot continue without a device */
  }
  return 0;
}

} // namespace

extern "C" const ag_nn_backend ag_nn_backend_cuda = {"cuda", cuda_create, cuda_destroy, cuda_sync,
                                                     cuda_trunk};
