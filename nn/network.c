/* The policy/value network (nn/nn.h): construction, initialisation, parameter groups,
   forward passes (trunk on the backend, heads on the host) and the backward pass (host,
   CBLAS). The layout of the parameter buffer is in nn/backend.h. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/rng.h"
#include "nn/backend.h"
#include "nn/nn_internal.h"

/* ---------------------------------------------------------------- construction */

size_t ag_nn_arch_nparams(const ag_nn_arch *a, ag_error *err) {
  if (!a) return ag_fail(err, "network: no architecture given"), 0;
  const int lim = 1 << 16;
  if (a->nfeat < 1 || a->nfeat > lim || a->width < 1 || a->width > 8192 || a->layers < 0 ||
      a->layers > 1024 || a->vhidden < 1 || a->vhidden > lim) {
    ag_fail(err,
            "network: invalid architecture nfeat=%d width=%d layers=%d vhidden=%d (need "
            "1<=nfeat<=%d, 1<=width<=8192, 0<=layers<=1024, 1<=vhidden<=%d)",
            a->nfeat, a->width, a->layers, a->vhidden, lim, lim);
    return 0;
  }
  return ag_nn_layout_of(a).total;
}

static const ag_nn_backend *find_backend(const char *name, ag_error *err) {
  if (!name || !strcmp(name, "cpu")) return &ag_nn_backend_cpu;
  if (!strcmp(name, "cuda")) {
#ifdef AG_NN_HAVE_CUDA
    return &ag_nn_backend_cuda;
#else
    ag_failc(err, AG_ERR_UNSUPPORTED,
             "network: backend 'cuda' is not built (no CUDA toolkit when alphagrad was "
             "configured, or -DAG_NN_CUDA=OFF)");
    return NULL;
#endif
  }
  ag_fail(err, "network: unknown backend '%.100s' (expected 'cpu' or 'cuda')", name);
  return NULL;
}

/* Box-Muller normals from a splitmix64 stream, for the initialisation */
static double uniform01(uint64_t *s) {
  return ((double)(ag_splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(uint64_t *s) {
  double u = uniform01(s), v = uniform01(s);
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void init_params(ag_nn *nn, uint64_t seed) {
  const ag_nn_arch *a = &nn->arch;
  ag_nn_group g[AG_NN_NGROUPS(a->layers)];
  int ng = ag_nn_groups(nn, g, AG_NN_NGROUPS(a->layers));
  uint64_t s = seed ^ 0x6A09E667F3BCC909ULL;
  double w = a->width, depth = a->layers > 0 ? a->layers : 1;
  for (int k = 0; k < ng; k++) {
    const char *nm = g[k].name, *dot = strrchr(nm, '.');
    double sd = 0; /* biases start at zero */
    if (!strcmp(nm, "in.W"))
      sd = sqrt(1.0 / a->nfeat); /* linear projection: Xavier-like */
    else if (dot && !strncmp(dot, ".W_", 3))
      sd = sqrt(2.0 / (3.0 * w)) / sqrt(depth); /* He, scaled down for the residual stack */
    else if (!strcmp(nm, "policy.w"))
      sd = sqrt(1.0 / w);
    else if (!strcmp(nm, "value.W1"))
      sd = sqrt(2.0 / (2.0 * w));
    else if (!strcmp(nm, "value.w2"))
      sd = sqrt(1.0 / a->vhidden);
    float *p = nn->params + g[k].off;
    for (size_t i = 0; i < g[k].len; i++)
      p[i] = sd > 0 ? (float)(sd * normal(&s)) : 0.0f;
  }
}

ag_nn *ag_nn_new(const ag_nn_arch *a, const char *backend, uint64_t seed, ag_error *err) {
  size_t np = ag_nn_arch_nparams(a, err);
  if (!np) return NULL;
  const ag_nn_backend *be = find_backend(backend, err);
  if (!be) return NULL;
  void *ctx = be->create(a, np, err);
  if (!ctx) return NULL;
  ag_nn *nn = ag_calloc(1, sizeof *nn);
  nn->arch = *a;
  nn->layout = ag_nn_layout_of(a);
  nn->np = np;
  nn->params = ag_calloc(np, sizeof(float));
  nn->be = be;
  nn->ctx = ctx;
  init_params(nn, seed);
  ag_nn_sync(nn);
  return nn;
}

void ag_nn_free(ag_nn *nn) {
  if (!nn) return;
  nn->be->destroy(nn->ctx);
  free(nn->params);
  free(nn);
}

const ag_nn_arch *ag_nn_get_arch(const ag_nn *nn) { return &nn->arch; }
const char *ag_nn_backend_name(const ag_nn *nn) { return nn->be->name; }
size_t ag_nn_nparams(const ag_nn *nn) { return nn->np; }
float *ag_nn_params(ag_nn *nn) { return nn->params; }
void ag_nn_sync(ag_nn *nn) { nn->be->sync(nn->ctx, nn->params); }

int ag_nn_groups(const ag_nn *nn, ag_nn_group *g, int max) {
  const ag_nn_arch *a = &nn->arch;
  const ag_nn_layout *L = &nn->layout;
  size_t w = (size_t)a->width, vh = (size_t)a->vhidden;
  int k = 0;
#define ADD(off_, len_, ...)                                                                       \
  do {                                                                                             \
    if (g && k < max) {                                                                            \
      snprintf(g[k].name, sizeof g[k].name, __VA_ARGS__);                                          \
      g[k].off = (off_), g[k].len = (len_);                                                        \
    }                                                                                              \
    k++;                                                                                           \
  } while (0)
  ADD(L->w_in, (size_t)a->nfeat * w, "in.W");
  ADD(L->b_in, w, "in.b");
  for (int l = 0; l < a->layers; l++) {
    size_t o = ag_nn_layer_w(L, l);
    ADD(o, w * w, "layer%d.W_self", l);
    ADD(o + w * w, w * w, "layer%d.W_pred", l);
    ADD(o + 2 * w * w, w * w, "layer%d.W_succ", l);
    ADD(ag_nn_layer_b(L, a, l), w, "layer%d.b", l);
  }
  ADD(L->w_pol, w, "policy.w");
  ADD(L->b_pol, 1, "policy.b");
  ADD(L->w_v1, 2 * w * vh, "value.W1");
  ADD(L->b_v1, vh, "value.b1");
  ADD(L->w_v2, vh, "value.w2");
  ADD(L->b_v2, 1, "value.b2");
#undef ADD
  return k;
}

/* ---------------------------------------------------------------- heads */

typedef struct {
  float *pool; /* 2 width: mean | max */
  float *upre; /* vhidden */
  int *argmax; /* width: token of each max */
} head_cache;

/* Policy logits (when logits != NULL) and the value from the trunk output h (n x width). */
static float heads(const ag_nn *nn, const float *h, int n, const int *act, int nact, float *logits,
                   head_cache *c) {
  const ag_nn_arch *a = &nn->arch;
  const ag_nn_layout *L = &nn->layout;
  const float *p = nn->params;
  int w = a->width, vh = a->vhidden;
  if (logits) {
    const float *wp = p + L->w_pol;
    for (int k = 0; k < nact; k++) {
      const float *hk = h + (size_t)act[k] * w;
      float s = 0;
      for (int j = 0; j < w; j++)
        s += wp[j] * hk[j];
      logits[k] = s + p[L->b_pol];
    }
  }
  float pool_s[2 * 64], upre_s[64];
  float *pool = c ? c->pool : 2 * w <= 128 ? pool_s : ag_malloc(2 * (size_t)w * sizeof(float));
  float *upre = c ? c->upre : vh <= 64 ? upre_s : ag_malloc((size_t)vh * sizeof(float));
  for (int j = 0; j < w; j++) {
    double sum = 0;
    float mx = n > 0 ? h[j] : 0.0f;
    int am = 0;
    for (int i = 0; i < n; i++) {
      float x = h[(size_t)i * w + j];
      sum += x;
      if (x > mx) mx = x, am = i;
    }
    pool[j] = n > 0 ? (float)(sum / n) : 0.0f;
    pool[w + j] = mx;
    if (c) c->argmax[j] = n > 0 ? am : -1;
  }
  const float *W1 = p + L->w_v1, *b1 = p + L->b_v1, *w2 = p + L->w_v2;
  for (int k = 0; k < vh; k++)
    upre[k] = b1[k];
  for (int j = 0; j < 2 * w; j++) {
    float x = pool[j];
    const float *row = W1 + (size_t)j * vh;
    for (int k = 0; k < vh; k++)
      upre[k] += x * row[k];
  }
  float v = p[L->b_v2];
  for (int k = 0; k < vh; k++)
    v += w2[k] * (upre[k] > 0 ? upre[k] : 0.0f);
  if (!c) {
    if (pool != pool_s) free(pool);
    if (upre != upre_s) free(upre);
  }
  return v;
}

/* ---------------------------------------------------------------- forward */

float ag_nn_forward(ag_nn *nn, const ag_nn_input *in, float *logits) {
  size_t hn = (size_t)(in->n > 0 ? in->n : 1) * nn->arch.width;
  float *h = ag_malloc(hn * sizeof(float));
  nn->be->trunk(nn->ctx, &nn->arch, nn->params, in, h);
  float v = heads(nn, h, in->n, in->act, in->nact, logits, NULL);
  free(h);
  return v;
}

void ag_nn_forward_batch(ag_nn *nn, const ag_nn_input *in, int nstates, float **logits,
                         float *values) {
  if (nstates <= 0) return;
  if (nstates == 1) {
    float v = ag_nn_forward(nn, in, logits ? logits[0] : NULL);
    if (values) values[0] = v;
    return;
  }
  /* pack all states into one block-diagonal input */
  int f = nn->arch.nfeat, w = nn->arch.width;
  size_t N = 0, Ep = 0, Es = 0;
  for (int s = 0; s < nstates; s++) {
    N += (size_t)in[s].n;
    if (in[s].n > 0) Ep += (size_t)in[s].pred_off[in[s].n], Es += (size_t)in[s].succ_off[in[s].n];
  }
  float *x = ag_malloc((N ? N : 1) * f * sizeof(float));
  int *po = ag_malloc((N + 1) * sizeof(int)), *so = ag_malloc((N + 1) * sizeof(int));
  int *pr = ag_malloc((Ep ? Ep : 1) * sizeof(int)), *su = ag_malloc((Es ? Es : 1) * sizeof(int));
  size_t t0 = 0, ep = 0, es = 0;
  po[0] = so[0] = 0;
  for (int s = 0; s < nstates; s++) {
    const ag_nn_input *q = &in[s];
    if (q->n <= 0) continue;
    memcpy(x + t0 * f, q->x, (size_t)q->n * f * sizeof(float));
    for (int i = 0; i < q->n; i++) {
      for (int j = q->pred_off[i]; j < q->pred_off[i + 1]; j++)
        pr[ep++] = q->pred[j] + (int)t0;
      for (int j = q->succ_off[i]; j < q->succ_off[i + 1]; j++)
        su[es++] = q->succ[j] + (int)t0;
      po[t0 + i + 1] = (int)ep;
      so[t0 + i + 1] = (int)es;
    }
    t0 += (size_t)q->n;
  }
  ag_nn_input all = {(int)N, x, po, pr, so, su, 0, NULL};
  float *h = ag_malloc((N ? N : 1) * w * sizeof(float));
  nn->be->trunk(nn->ctx, &nn->arch, nn->params, &all, h);
  t0 = 0;
  for (int s = 0; s < nstates; s++) {
    float v =
        heads(nn, h + t0 * w, in[s].n, in[s].act, in[s].nact, logits ? logits[s] : NULL, NULL);
    if (values) values[s] = v;
    if (in[s].n > 0) t0 += (size_t)in[s].n;
  }
  free(h);
  free(x);
  free(po);
  free(so);
  free(pr);
  free(su);
}

/* ---------------------------------------------------------------- backward */

static void colsum_add(const float *M, int n, int w, float *out) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < w; j++)
      out[j] += M[(size_t)i * w + j];
}

float ag_nn_backward(ag_nn *nn, const ag_nn_input *in, const float *pi, float z, float value_weight,
                     float *grad, float *lp, float *lv) {
  const ag_nn_arch *a = &nn->arch;
  const ag_nn_layout *L = &nn->layout;
  const float *p = nn->params;
  int n = in->n > 0 ? in->n : 0, w = a->width, vh = a->vhidden, f = a->nfeat, nl = a->layers;
  size_t nw = (size_t)(n ? n : 1) * w;
  float *Zc = ag_malloc((nl ? nl : 1) * nw * 3 * sizeof(float));
  float *Ac = ag_malloc((nl ? nl : 1) * nw * sizeof(float));
  float *h = ag_malloc(nw * sizeof(float)), *dH = ag_calloc(nw, sizeof(float));
  float *dA = ag_malloc(nw * sizeof(float)), *dZ = ag_malloc(3 * nw * sizeof(float));
  float *logits = ag_malloc((size_t)(in->nact > 0 ? in->nact : 1) * sizeof(float));
  head_cache c = {ag_malloc(2 * (size_t)w * sizeof(float)), ag_malloc((size_t)vh * sizeof(float)),
                  ag_malloc((size_t)w * sizeof(int))};

  ag_nn_cpu_trunk(a, p, in, Zc, Ac, h);
  float v = heads(nn, h, n, in->act, in->nact, logits, &c);

  /* policy: cross-entropy against pi; dlogit_k = sum(pi) softmax_k - pi_k */
  double Lp = 0;
  if (in->nact > 0) {
    double mx = logits[0], se = 0, spi = 0;
    for (int k = 1; k < in->nact; k++)
      if (logits[k] > mx) mx = logits[k];
    for (int k = 0; k < in->nact; k++)
      se += exp(logits[k] - mx);
    double lse = mx + log(se);
    for (int k = 0; k < in->nact; k++)
      spi += pi[k], Lp += pi[k] * (lse - logits[k]);
    const float *wp = p + L->w_pol;
    float *gwp = grad + L->w_pol;
    for (int k = 0; k < in->nact; k++) {
      float d = (float)(spi * exp(logits[k] - lse) - pi[k]);
      const float *hk = h + (size_t)in->act[k] * w;
      float *dhk = dH + (size_t)in->act[k] * w;
      for (int j = 0; j < w; j++) {
        gwp[j] += d * hk[j];
        dhk[j] += d * wp[j];
      }
      grad[L->b_pol] += d;
    }
  }

  /* value: value_weight (v - z)^2 */
  double Lv = (double)value_weight * ((double)v - z) * ((double)v - z);
  float dv = 2.0f * value_weight * (v - z);
  {
    const float *W1 = p + L->w_v1, *w2 = p + L->w_v2;
    float *gW1 = grad + L->w_v1, *gb1 = grad + L->b_v1, *gw2 = grad + L->w_v2;
    grad[L->b_v2] += dv;
    float *du = ag_malloc((size_t)vh * sizeof(float));
    for (int k = 0; k < vh; k++) {
      float u = c.upre[k] > 0 ? c.upre[k] : 0.0f;
      gw2[k] += dv * u;
      du[k] = c.upre[k] > 0 ? dv * w2[k] : 0.0f;
      gb1[k] += du[k];
    }
    for (int j = 0; j < 2 * w; j++) {
      float x = c.pool[j], dp = 0;
      const float *row = W1 + (size_t)j * vh;
      float *grow = gW1 + (size_t)j * vh;
      for (int k = 0; k < vh; k++) {
        grow[k] += x * du[k];
        dp += row[k] * du[k];
      }
      if (n == 0) continue;
      if (j < w) { /* mean pooling */
        float s = dp / (float)n;
        for (int i = 0; i < n; i++)
          dH[(size_t)i * w + j] += s;
      } else { /* max pooling */
        dH[(size_t)c.argmax[j - w] * w + (j - w)] += dp;
      }
    }
    free(du);
  }

  /* message-passing layers, last to first; dH holds the gradient of h_{l+1} */
  if (n > 0) {
    for (int l = nl - 1; l >= 0; l--) {
      const float *Z = Zc + (size_t)l * n * 3 * w, *A = Ac + (size_t)l * n * w;
      const float *Wc = p + ag_nn_layer_w(L, l);
      for (size_t k = 0; k < (size_t)n * w; k++)
        dA[k] = A[k] > 0 ? dH[k] : 0.0f;
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 3 * w, w, n, 1.0f, Z, 3 * w, dA, w, 1.0f,
                  grad + ag_nn_layer_w(L, l), w);
      colsum_add(dA, n, w, grad + ag_nn_layer_b(L, a, l));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, 3 * w, w, 1.0f, dA, w, Wc, w, 0.0f,
                  dZ, 3 * w);
      for (int i = 0; i < n; i++) {
        const float *dz = dZ + (size_t)i * 3 * w;
        float *dh = dH + (size_t)i * w;
        for (int j = 0; j < w; j++)
          dh[j] += dz[j];
      }
      for (int i = 0; i < n; i++) {
        for (int side = 0; side < 2; side++) {
          const int *off = side ? in->succ_off : in->pred_off, *adj = side ? in->succ : in->pred;
          int b = off[i], e = off[i + 1];
          if (e <= b) continue;
          const float *dm = dZ + (size_t)i * 3 * w + (size_t)(1 + side) * w;
          float s = 1.0f / (float)(e - b);
          for (int q = b; q < e; q++) {
            float *dh = dH + (size_t)adj[q] * w;
            for (int j = 0; j < w; j++)
              dh[j] += s * dm[j];
          }
        }
      }
    }
    /* input projection */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, f, w, n, 1.0f, in->x, f, dH, w, 1.0f,
                grad + L->w_in, w);
    colsum_add(dH, n, w, grad + L->b_in);
  }

  free(Zc);
  free(Ac);
  free(h);
  free(dH);
  free(dA);
  free(dZ);
  free(logits);
  free(c.pool);
  free(c.upre);
  free(c.argmax);
  if (lp) *lp = (float)Lp;
  if (lv) *lv = (float)Lv;
  return (float)(Lp + Lv);
}

uint64_t ag_nn_checksum(ag_nn *nn) {
  return ag_fnv1a(AG_FNV1A_INIT, ag_nn_params(nn), ag_nn_nparams(nn) * sizeof(float));
}
