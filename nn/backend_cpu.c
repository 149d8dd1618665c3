/* CPU backend of the network: the trunk with CBLAS (OpenBLAS) GEMMs. Reentrant: scratch
   memory is allocated per call, the parameters are only read. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "nn/backend.h"

/* Z row i = [h_i | mean of h over pred(i) | mean of h over succ(i)] (zeros when empty). */
static void gather(int n, int w, const float *h, const ag_nn_input *in, float *Z) {
  size_t w3 = 3 * (size_t)w;
  for (int i = 0; i < n; i++) {
    float *z = Z + (size_t)i * w3;
    memcpy(z, h + (size_t)i * w, (size_t)w * sizeof(float));
    for (int side = 0; side < 2; side++) {
      const int *off = side ? in->succ_off : in->pred_off, *adj = side ? in->succ : in->pred;
      float *m = z + (size_t)(1 + side) * w;
      memset(m, 0, (size_t)w * sizeof(float));
      int b = off[i], e = off[i + 1];
      if (e <= b) continue;
      for (int j = b; j < e; j++) {
        const float *hp = h + (size_t)adj[j] * w;
        for (int k = 0; k < w; k++)
          m[k] += hp[k];
      }
      float s = 1.0f / (float)(e - b);
      for (int k = 0; k < w; k++)
        m[k] *= s;
    }
  }
}

static void fill_rows(float *C, int n, int w, const float *b) {
  for (int i = 0; i < n; i++)
    memcpy(C + (size_t)i * w, b, (size_t)w * sizeof(float));
}

void ag_nn_cpu_trunk(const ag_nn_arch *a, const float *p, const ag_nn_input *in, float *Zc,
                     float *Ac, float *h) {
  int n = in->n, w = a->width, f = a->nfeat;
  if (n <= 0) return;
  ag_nn_layout L = ag_nn_layout_of(a);
  /* h0 = x W_in + b_in */
  fill_rows(h, n, w, p + L.b_in);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, w, f, 1.0f, in->x, f, p + L.w_in, w,
              1.0f, h, w);
  float *Zs = NULL, *As = NULL;
  if (a->layers > 0 && (!Zc || !Ac)) {
    Zs = ag_malloc((size_t)n * 3 * w * sizeof(float));
    As = ag_malloc((size_t)n * w * sizeof(float));
  }
  for (int l = 0; l < a->layers; l++) {
    float *Z = Zc ? Zc + (size_t)l * n * 3 * w : Zs, *A = Ac ? Ac + (size_t)l * n * w : As;
    gather(n, w, h, in, Z);
    fill_rows(A, n, w, p + ag_nn_layer_b(&L, a, l));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, w, 3 * w, 1.0f, Z, 3 * w,
                p + ag_nn_layer_w(&L, l), w, 1.0f, A, w);
    size_t nw = (size_t)n * w;
    for (size_t k = 0; k < nw; k++)
      h[k] += A[k] > 0.0f ? A[k] : 0.0f;
  }
  free(Zs);
  free(As);
}

static void *cpu_create(const ag_nn_arch *a, size_t nparams, ag_error *err) {
  (void)a, (void)nparams, (void)err;
  static int token;
  return &token; /* stateless */
}
static void cpu_destroy(void *ctx) { (void)ctx; }
static void cpu_sync(void *ctx, const float *params) { (void)ctx, (void)params; }
static int cpu_trunk(void *ctx, const ag_nn_arch *a, const float *params, const ag_nn_input *in,
                     float *h) {
  (void)ctx;
  ag_nn_cpu_trunk(a, params, in, NULL, NULL, h);
  return 0;
}

const ag_nn_backend ag_nn_backend_cpu = {"cpu", cpu_create, cpu_destroy, cpu_sync, cpu_trunk};
