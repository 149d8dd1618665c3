/* Internal: the parameter layout of the network and the backend interface (nn/nn.h).
   Included by C (network.c, backend_cpu.c, nn_io.c) and by CUDA C++ (backend_cuda.cu).

   Parameter layout (one contiguous float buffer, matrices row-major as [in][out], so that a
   token matrix H (n x in) times W gives n x out):

     in.W      nfeat x width        input projection  h0 = x W + b (linear)
     in.b      width
     layer l = 0 .. layers-1:
       W_self  width x width   \  consecutive: together the (3 width) x width matrix Wcat,
       W_pred  width x width    > multiplied by Z = [h | mean_pred h | mean_succ h]
       W_succ  width x width   /  (n x 3 width) in a single GEMM
       b       width
     policy.w  width                logit = w . h_token + b
     policy.b  1
     value.W1  (2 width) x vhidden  u = relu([mean h | max h] W1 + b1)
     value.b1  vhidden
     value.w2  vhidden              value = w2 . u + b2
     value.b2  1
*/
#ifndef AG_NN_BACKEND_H
#define AG_NN_BACKEND_H

#include <stddef.h>

#include "nn/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  size_t w_in, b_in;
  size_t layer0, layer_stride; /* layer l at layer0 + l * layer_stride: Wcat, then b */
  size_t w_pol, b_pol, w_v1, b_v1, w_v2, b_v2;
  size_t total;
} ag_nn_layout;

static inline ag_nn_layout ag_nn_layout_of(const ag_nn_arch *a) {
  ag_nn_layout L;
  size_t f = (size_t)a->nfeat, w = (size_t)a->width, vh = (size_t)a->vhidden;
  size_t o = 0;
  L.w_in = o, o += f * w;
  L.b_in = o, o += w;
  L.layer0 = o;
  L.layer_stride = 3 * w * w + w;
  o += (size_t)a->layers * L.layer_stride;
  L.w_pol = o, o += w;
  L.b_pol = o, o += 1;
  L.w_v1 = o, o += 2 * w * vh;
  L.b_v1 = o, o += vh;
  L.w_v2 = o, o += vh;
  L.b_v2 = o, o += 1;
  L.total = o;
  return L;
}

/* Weight matrix Wcat ((3 width) x width) and bias of layer l. */
static inline size_t ag_nn_layer_w(const ag_nn_layout *L, int l) {
  return L->layer0 + (size_t)l * L->layer_stride;
}
static inline size_t ag_nn_layer_b(const ag_nn_layout *L, const ag_nn_arch *a, int l) {
  return ag_nn_layer_w(L, l) + 3 * (size_t)a->width * (size_t)a->width;
}

/* A backend computes the trunk (projection + message-passing layers) for a set of tokens,
   possibly several states packed together (block-diagonal edges); the heads and the
   backward pass run on the host (CBLAS). */
typedef struct ag_nn_backend {
  const char *name;
  /* NULL with err on failure (e.g. no device) */
  void *(*create)(const ag_nn_arch *a, size_t nparams, ag_error *err);
  void (*destroy)(void *ctx);
  /* copies the host parameters to where the backend computes */
  void (*sync)(void *ctx, const float *params);
  /* h (in->n x width, host memory) = the trunk's output for in; params is the host copy
     (the CPU backend reads it; a device backend uses its synced copy). 0 or -1. */
  int (*trunk)(void *ctx, const ag_nn_arch *a, const float *params, const ag_nn_input *in,
               float *h);
} ag_nn_backend;

extern const ag_nn_backend ag_nn_backend_cpu;
#ifdef AG_NN_HAVE_CUDA
extern const ag_nn_backend ag_nn_backend_cuda;
#endif

/* The CPU trunk; when Z and A are non-NULL they receive, for each layer l, the layer's
   input Z_l = [h | mean_pred h | mean_succ h] (n x 3 width, at Z + l n 3 width) and its
   pre-activation A_l (n x width, at A + l n width), for the backward pass. */
void ag_nn_cpu_trunk(const ag_nn_arch *a, const float *params, const ag_nn_input *in, float *Z,
                     float *A, float *h);

#ifdef __cplusplus
}
#endif
#endif
