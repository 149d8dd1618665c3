/* The AlphaGrad sparse-tensor cost model: elimination, product costs, baselines
   (docs/tensor.md). */
#include "tensor/tensor_model.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define TI(t) ((t) + 10)

void ag_tgraph_free(ag_tgraph *g) {
  if (!g) return;
  for (int i = 0; g->prim && i < g->nv; i++)
    free(g->prim[i]);
  free(g->prim);
  free(g->shape);
  free(g->name);
  free(g->outputs);
  free(g->is_out);
  free(g->E);
  free(g);
}

long ag_tproduct_cost(const ag_tedge *e1, const ag_tedge *e2, int *t_new) {
  const int a = TI(e1->t), b = TI(e2->t);
  *t_new = ag_tmul[a][b];
  if (e1->t == 10 && e2->t == 10) return 1;
  /* factors (w1, w2, v1, v2, u1, u2): the target's dims from e2's out dims, v's from e2's
     primal dims, u's from e1's primal dims; e1's out dims are not used */
  const long f[6] = {e2->o1, e2->o2, labs(e2->p1), labs(e2->p2), e1->p1, e1->p2};
  int any = 0;
  long c = 1;
  for (int k = 0; k < 6; k++)
    if (ag_tcontraction[k][a][b]) {
      any = 1;
      c *= f[k] < 0 ? 1 : f[k]; /* dims are <= AG_TDIM_MAX: no overflow in 6 factors of 2^15 */
    }
  return any ? c : 0;
}

/* ---------------------------------------------------------------- state */

static inline int bit(const uint64_t *b, int i) { return (int)((b[i >> 6] >> (i & 63)) & 1); }
static inline void setb(uint64_t *b, int i) { b[i >> 6] |= 1ULL << (i & 63); }
static inline void clrb(uint64_t *b, int i) { b[i >> 6] &= ~(1ULL << (i & 63)); }

ag_tstate *ag_tstate_new(const ag_tgraph *g) {
  ag_tstate *s = ag_calloc(1, sizeof *s);
  s->g = g;
  s->wv = (g->nvar + 63) / 64;
  s->wc = (g->nv + 63) / 64;
  s->E = ag_malloc((size_t)g->nvar * g->nv * sizeof(ag_tedge));
  s->done = ag_malloc((size_t)g->nv);
  s->pred = ag_malloc((size_t)g->nv * s->wv * sizeof(uint64_t));
  s->succ = ag_malloc((size_t)g->nvar * s->wc * sizeof(uint64_t));
  s->e1buf = ag_malloc((size_t)g->nvar * sizeof(ag_tedge));
  s->e2buf = ag_malloc((size_t)g->nv * sizeof(ag_tedge));
  s->ubuf = ag_malloc((size_t)g->nvar * sizeof(int));
  s->wbuf = ag_malloc((size_t)g->nv * sizeof(int));
  ag_tstate_reset(s);
  return s;
}

void ag_tstate_free(ag_tstate *s) {
  if (!s) return;
  free(s->E);
  free(s->done);
  free(s->pred);
  free(s->succ);
  free(s->e1buf);
  free(s->e2buf);
  free(s->ubuf);
  free(s->wbuf);
  free(s);
}

void ag_tstate_reset(ag_tstate *s) {
  const ag_tgraph *g = s->g;
  memcpy(s->E, g->E, (size_t)g->nvar * g->nv * sizeof(ag_tedge));
  memcpy(s->done, g->is_out, (size_t)g->nv);
  memset(s->pred, 0, (size_t)g->nv * s->wv * sizeof(uint64_t));
  memset(s->succ, 0, (size_t)g->nvar * s->wc * sizeof(uint64_t));
  for (int k = 0; k < g->nvar; k++)
    for (int c = 0; c < g->nv; c++)
      if (g->E[(size_t)k * g->nv + c].t) {
        setb(s->pred + (size_t)c * s->wv, k);
        setb(s->succ + (size_t)k * s->wc, c);
      }
  s->cost = 0;
  s->nleft = g->neliminable;
}

void ag_tstate_copy(ag_tstate *dst, const ag_tstate *src) {
  const ag_tgraph *g = src->g;
  memcpy(dst->E, src->E, (size_t)g->nvar * g->nv * sizeof(ag_tedge));
  memcpy(dst->done, src->done, (size_t)g->nv);
  memcpy(dst->pred, src->pred, (size_t)g->nv * src->wv * sizeof(uint64_t));
  memcpy(dst->succ, src->succ, (size_t)g->nvar * src->wc * sizeof(uint64_t));
  dst->cost = src->cost;
  dst->nleft = src->nleft;
}

/* the set bits of b[0..w) into out, ascending; returns how many */
static int bits_list(const uint64_t *b, int w, int *out) {
  int n = 0;
  for (int i = 0; i < w; i++)
    for (uint64_t x = b[i]; x; x &= x - 1)
      out[n++] = i * 64 + __builtin_ctzll(x);
  return n;
}

long ag_tstate_step_cost(const ag_tstate *s, int c) {
  const ag_tgraph *g = s->g;
  if (s->done[c]) return 0;
  const int k = g->ni + c;
  long cost = 0;
  int np = bits_list(s->pred + (size_t)c * s->wv, s->wv, s->ubuf);
  int ns = bits_list(s->succ + (size_t)k * s->wc, s->wc, s->wbuf);
  for (int j = 0; j < ns; j++) {
    const ag_tedge *e2 = &s->E[(size_t)k * g->nv + s->wbuf[j]];
    for (int i = 0; i < np; i++) {
      int t;
      cost += ag_tproduct_cost(&s->E[(size_t)s->ubuf[i] * g->nv + c], e2, &t);
    }
  }
  return cost;
}

long ag_tstate_eliminate(ag_tstate *s, int c) {
  const ag_tgraph *g = s->g;
  const int nv = g->nv;
  if (s->done[c]) return 0;
  const int k = g->ni + c; /* c as a variable */
  int *U = s->ubuf, *W = s->wbuf;
  const int np = bits_list(s->pred + (size_t)c * s->wv, s->wv, U);
  const int ns = bits_list(s->succ + (size_t)k * s->wc, s->wc, W);
  /* every product reads the edges of c as they were before this elimination */
  for (int i = 0; i < np; i++)
    s->e1buf[i] = s->E[(size_t)U[i] * nv + c];
  for (int j = 0; j < ns; j++)
    s->e2buf[j] = s->E[(size_t)k * nv + W[j]];
  long cost = 0;
  for (int j = 0; j < ns; j++) {
    const ag_tedge *e2 = &s->e2buf[j];
    const int w = W[j];
    for (int i = 0; i < np; i++) {
      const ag_tedge *e1 = &s->e1buf[i];
      int tn;
      cost += ag_tproduct_cost(e1, e2, &tn);
      ag_tedge *uw = &s->E[(size_t)U[i] * nv + w];
      uw->t = ag_tadd[TI(uw->t)][TI(tn)];
      uw->o1 = e2->o1, uw->o2 = e2->o2, uw->p1 = e1->p1, uw->p2 = e1->p2;
      if (uw->t) {
        setb(s->pred + (size_t)w * s->wv, U[i]);
        setb(s->succ + (size_t)U[i] * s->wc, w);
      }
    }
  }
  /* delete every edge into and out of c */
  for (int i = 0; i < np; i++) {
    memset(&s->E[(size_t)U[i] * nv + c], 0, sizeof(ag_tedge));
    clrb(s->succ + (size_t)U[i] * s->wc, c);
  }
  memset(s->pred + (size_t)c * s->wv, 0, (size_t)s->wv * sizeof(uint64_t));
  for (int j = 0; j < ns; j++) {
    memset(&s->E[(size_t)k * nv + W[j]], 0, sizeof(ag_tedge));
    clrb(s->pred + (size_t)W[j] * s->wv, k);
  }
  memset(s->succ + (size_t)k * s->wc, 0, (size_t)s->wc * sizeof(uint64_t));
  s->done[c] = 1;
  s->nleft--;
  s->cost += cost;
  return cost;
}

/* The reference's count of an edge's elements in its Markowitz degree (docs/tensor.md):
   dense edges count `dense`, diagonal ones 1, the others one of their out dims, picked by
   the reference's table lookup with a wrapped and clamped index. */
static long markowitz_count(const ag_tedge *e, long dense) {
  if (e->t == 1) return dense;
  if (e->t == 6 || e->t == 7 || e->t == 8) return 1;
  static const int idx[4] = {2, 1, 1, 2};
  int k = e->t - 2;
  if (k < 0) k += 4;
  if (k < 0) k = 0;
  if (k > 3) k = 3;
  return idx[k] == 1 ? e->o1 : e->o2;
}

long ag_tstate_markowitz_degree(const ag_tstate *s, int c) {
  const ag_tgraph *g = s->g;
  const int k = g->ni + c;
  long A = 0, B = 0;
  for (int w = 0; w < g->nv; w++) {
    const ag_tedge *e = &s->E[(size_t)k * g->nv + w];
    if (e->t) A += markowitz_count(e, (long)e->p1 * e->p2);
  }
  for (int u = 0; u < g->nvar; u++) {
    const ag_tedge *e = &s->E[(size_t)u * g->nv + c];
    if (e->t) B += markowitz_count(e, (long)e->o1 * e->o2);
  }
  return A * B;
}

/* ---------------------------------------------------------------- orders */

int ag_torder_check(const ag_tgraph *g, const int *ids, int len, ag_error *err) {
  if (len != g->neliminable)
    return ag_fail(err, "the order has %d vertices but graph '%s' has %d eliminable vertices", len,
                   g->name, g->neliminable);
  unsigned char *seen = ag_calloc((size_t)g->nv + 1, 1);
  int rc = 0;
  for (int i = 0; i < len && !rc; i++) {
    int v = ids[i];
    if (v < 1 || v > g->nv)
      rc = ag_fail(err, "order position %d: vertex %d is not in 1..%d", i + 1, v, g->nv);
    else if (g->is_out[v - 1])
      rc = ag_fail(err, "order position %d: vertex %d is an output (never eliminated)", i + 1, v);
    else if (seen[v])
      rc = ag_fail(err, "order position %d: vertex %d is repeated", i + 1, v);
    else
      seen[v] = 1;
  }
  free(seen);
  if (rc && err) err->code = AG_ERR_MISMATCH;
  return rc;
}

long ag_torder_cost(const ag_tgraph *g, const int *ids, int len, ag_error *err) {
  if (ag_torder_check(g, ids, len, err)) return -1;
  ag_tstate *s = ag_tstate_new(g);
  for (int i = 0; i < len; i++)
    ag_tstate_eliminate(s, ids[i] - 1);
  long c = s->cost;
  ag_tstate_free(s);
  return c;
}

static long by_id(const ag_tgraph *g, int *ids, int dir) {
  int n = 0;
  for (int i = 0; i < g->nv; i++) {
    int c = dir > 0 ? i : g->nv - 1 - i;
    if (!g->is_out[c]) ids[n++] = c + 1;
  }
  return ag_torder_cost(g, ids, n, NULL);
}

long ag_torder_forward(const ag_tgraph *g, int *ids) { return by_id(g, ids, 1); }
long ag_torder_reverse(const ag_tgraph *g, int *ids) { return by_id(g, ids, -1); }

/* A greedy order: repeatedly the not-done vertex of least key (ties to the lowest id). */
static long greedy(const ag_tgraph *g, int *ids, long (*key)(const ag_tstate *, int)) {
  ag_tstate *s = ag_tstate_new(g);
  for (int n = 0; n < g->neliminable; n++) {
    int best = -1;
    long bk = 0;
    for (int c = 0; c < g->nv; c++) {
      if (s->done[c]) continue;
      long k = key(s, c);
      if (best < 0 || k < bk) best = c, bk = k;
    }
    ids[n] = best + 1;
    ag_tstate_eliminate(s, best);
  }
  long c = s->cost;
  ag_tstate_free(s);
  return c;
}

long ag_torder_markowitz(const ag_tgraph *g, int *ids) {
  return greedy(g, ids, ag_tstate_markowitz_degree);
}
long ag_torder_greedy(const ag_tgraph *g, int *ids) { return greedy(g, ids, ag_tstate_step_cost); }
