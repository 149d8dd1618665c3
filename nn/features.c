/* Tokens of an elimination state (see features.h). */
#include "nn/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/exec_cost.h"

void ag_nn_tokens_init(ag_nn_tokens *t) { memset(t, 0, sizeof *t); }

void ag_nn_tokens_free(ag_nn_tokens *t) {
  free(t->x);
  free(t->pred_off);
  free(t->pred);
  free(t->succ_off);
  free(t->succ);
  free(t->act);
  free(t->token_of);
  free(t->index_of);
  ag_nn_tokens_init(t);
}

static int removed(const ag_elim *s, int v) { return (int)((s->removed[v >> 6] >> (v & 63)) & 1); }

static void grow_tokens(ag_nn_tokens *t, size_t n) {
  if (n <= t->cap_tok) return;
  size_t cap = t->cap_tok ? t->cap_tok : 64;
  while (cap < n)
    cap *= 2;
  free(t->x);
  free(t->pred_off);
  free(t->succ_off);
  free(t->act);
  free(t->token_of);
  free(t->index_of);
  t->x = ag_malloc(cap * AG_NN_NFEAT * sizeof(float));
  t->pred_off = ag_malloc((cap + 1) * sizeof(int));
  t->succ_off = ag_malloc((cap + 1) * sizeof(int));
  t->act = ag_malloc(cap * sizeof(int));
  t->token_of = ag_malloc(cap * sizeof(int));
  t->index_of = ag_malloc(cap * sizeof(int));
  t->cap_tok = cap;
}

static void grow_edges(ag_nn_tokens *t, size_t n) {
  if (n <= t->cap_edge) return;
  size_t cap = t->cap_edge ? t->cap_edge : 256;
  while (cap < n)
    cap *= 2;
  free(t->pred);
  free(t->succ);
  t->pred = ag_malloc(cap * sizeof(int));
  t->succ = ag_malloc(cap * sizeof(int));
  t->cap_edge = cap;
}

double ag_nn_value_scale(const ag_dag *d, const ag_elim *s) {
  double sum = 0;
  for (int v = s->ni; v < s->n; v++)
    if (ag_elim_eliminable(s, v)) sum += (double)ag_elim_markowitz(s, v);
  /* the network predicts multiplications; under the execution model one costs about a
     fused multiply-add */
  if (d && d->exec) sum *= (double)(d->exec->fma > 0 ? d->exec->fma : 1);
  return sum < 1 ? 1 : sum;
}

/* appends the token indices of the set bits of row (elimination indices) to out */
static int row_tokens(const ag_nn_tokens *t, const uint64_t *row, int w, int *out) {
  int k = 0;
  for (int i = 0; i < w; i++)
    for (uint64_t b = row[i]; b; b &= b - 1)
      out[k++] = t->token_of[i * 64 + __builtin_ctzll(b)];
  return k;
}

void ag_nn_tokens_build(ag_nn_tokens *t, const ag_dag *d, const ag_elim *s) {
  const int n = s->n, w = s->w;
  grow_tokens(t, (size_t)n + 1);
  /* tokens: every elimination index not eliminated, in increasing order */
  int nt = 0;
  size_t ne = 0;
  for (int v = 0; v < n; v++) {
    if (removed(s, v)) {
      t->token_of[v] = -1;
      continue;
    }
    t->token_of[v] = nt;
    t->index_of[nt++] = v;
    ne += (size_t)ag_bits_count(s->pred + (size_t)v * w, w);
  }
  grow_edges(t, ne + 1);
  /* Markowitz normaliser over the eliminable tokens */
  long mmax = 0;
  int nact = 0;
  for (int k = 0; k < nt; k++) {
    int v = t->index_of[k];
    if (ag_elim_eliminable(s, v)) {
      long m = ag_elim_markowitz(s, v);
      if (m > mmax) mmax = m;
      t->act[nact++] = k;
    }
  }
  const double inv_max = 1.0 / (double)(mmax > 0 ? mmax : 1);
  const float left = (float)log1p((double)s->nleft);
  const float done =
      d->neliminable > 0 ? (float)(d->neliminable - s->nleft) / (float)d->neliminable : 0.0f;
  int np = 0, ns = 0;
  t->pred_off[0] = t->succ_off[0] = 0;
  for (int k = 0; k < nt; k++) {
    int v = t->index_of[k];
    const uint64_t *pr = s->pred + (size_t)v * w, *su = s->succ + (size_t)v * w;
    int din = row_tokens(t, pr, w, t->pred + np);
    int dout = row_tokens(t, su, w, t->succ + ns);
    np += din;
    ns += dout;
    t->pred_off[k + 1] = np;
    t->succ_off[k + 1] = ns;
    double mk = (double)din * (double)dout;
    float *x = t->x + (size_t)k * AG_NN_NFEAT;
    x[0] = v < s->ni ? 1.0f : 0.0f;
    x[1] = d->is_output[v] ? 1.0f : 0.0f;
    x[2] = ag_elim_eliminable(s, v) ? 1.0f : 0.0f;
    x[3] = (float)log1p((double)din);
    x[4] = (float)log1p((double)dout);
    x[5] = (float)log1p(mk);
    x[6] = (float)(mk * inv_max);
    x[7] = (float)v / (float)(n > 0 ? n : 1);
    x[8] = left;
    x[9] = done;
  }
  t->in.n = nt;
  t->in.x = t->x;
  t->in.pred_off = t->pred_off;
  t->in.pred = t->pred;
  t->in.succ_off = t->succ_off;
  t->in.succ = t->succ;
  t->in.nact = nact;
  t->in.act = t->act;
}
