/* Owns the incremental elimination state and the scalar cost of eliminating a vertex (eliminate.h).
 */
#include "graph/eliminate.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/exec_cost.h"

#define BIT(v) (1ULL << ((v)&63))

ag_elim *ag_elim_new(const ag_dag *d) {
  ag_elim *s = ag_calloc(1, sizeof *s);
  s->n = d->n;
  s->ni = d->ni;
  s->w = (d->n + 63) / 64;
  s->exec = d->exec;
  const size_t nw = (size_t)d->n * s->w;
  s->nwords = (d->exec ? 4 : 2) * nw + 2 * (size_t)s->w;
  s->pred = ag_malloc(s->nwords * sizeof(uint64_t));
  s->succ = s->pred + nw;
  s->fixed = s->succ + nw;
  s->removed = s->fixed + s->w;
  if (d->exec) {
    s->unit = s->removed + s->w;
    s->cnst = s->unit + nw;
  }
  ag_elim_reset(s, d);
  return s;
}

void ag_elim_free(ag_elim *s) {
  if (!s) return;
  free(s->pred);
  free(s);
}

void ag_elim_reset(ag_elim *s, const ag_dag *d) {
  memset(s->pred, 0, s->nwords * sizeof(uint64_t));
  int w = s->w;
  for (int v = d->ni; v < d->n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++) {
      int p = d->pred[j];
      s->pred[(size_t)v * w + (p >> 6)] |= BIT(p);
      s->succ[(size_t)p * w + (v >> 6)] |= BIT(v);
      if (s->exec && d->pred_cls[j] == AG_EDGE_UNIT) s->unit[(size_t)v * w + (p >> 6)] |= BIT(p);
      if (s->exec && d->pred_cls[j] == AG_EDGE_CONST) s->cnst[(size_t)v * w + (p >> 6)] |= BIT(p);
    }
  for (int v = 0; v < d->n; v++)
    if (v < d->ni || d->is_output[v]) s->fixed[v >> 6] |= BIT(v);
  s->cost = 0;
  s->mults = 0;
  s->nleft = d->neliminable;
}

void ag_elim_copy(ag_elim *dst, const ag_elim *src) {
  memcpy(dst->pred, src->pred, src->nwords * sizeof(uint64_t));
  dst->cost = src->cost;
  dst->mults = src->mults;
  dst->nleft = src->nleft;
}

/* Class of edge p->q in state s (execution model). */
static inline int edge_class(const ag_elim *s, int p, int q) {
  size_t i = (size_t)q * s->w + (p >> 6);
  return ((s->unit[i] >> (p & 63)) & 1)   ? AG_EDGE_UNIT
         : ((s->cnst[i] >> (p & 63)) & 1) ? AG_EDGE_CONST
                                          : AG_EDGE_VAR;
}

static inline void set_class(ag_elim *s, int p, int q, int c) {
  size_t i = (size_t)q * s->w + (p >> 6);
  uint64_t b = BIT(p);
  s->unit[i] = c == AG_EDGE_UNIT ? (s->unit[i] | b) : (s->unit[i] & ~b);
  s->cnst[i] = c == AG_EDGE_CONST ? (s->cnst[i] | b) : (s->cnst[i] & ~b);
}

/* The execution-model cost of eliminating v, and the classes of the edges it makes; before
   the structural update (the pred bitsets still say which edges p->q exist). */
static long exec_step(ag_elim *s, int v) {
  const int w = s->w;
  const uint64_t *pv = s->pred + (size_t)v * w, *sv = s->succ + (size_t)v * w;
  long cost = 0;
  for (int j = 0; j < w; j++)
    for (uint64_t bq = sv[j]; bq; bq &= bq - 1) {
      int q = j * 64 + __builtin_ctzll(bq);
      int cvq = edge_class(s, v, q);
      const uint64_t *pq = s->pred + (size_t)q * w;
      for (int i = 0; i < w; i++)
        for (uint64_t bp = pv[i]; bp; bp &= bp - 1) {
          int p = i * 64 + __builtin_ctzll(bp);
          int exists = (int)((pq[p >> 6] >> (p & 63)) & 1);
          int cpv = edge_class(s, p, v), cold = exists ? edge_class(s, p, q) : AG_EDGE_VAR;
          cost += ag_exec_op_weight(s->exec, ag_exec_op_kind(cvq, cpv, exists, cold));
          int cq = ag_edge_mul_class(cvq, cpv);
          set_class(s, p, q, exists ? ag_edge_add_class(cold, cq) : cq);
        }
      set_class(s, v, q, AG_EDGE_VAR);
    }
  for (int i = 0; i < w; i++) { /* v's own row goes */
    s->unit[(size_t)v * w + i] = 0;
    s->cnst[(size_t)v * w + i] = 0;
  }
  return cost;
}

long ag_elim_step(ag_elim *s, int v) {
  const int w = s->w;
  const long xcost = s->exec ? exec_step(s, v) : 0;
  uint64_t *pv = s->pred + (size_t)v * w, *sv = s->succ + (size_t)v * w;
  const uint64_t vmask = ~BIT(v);
  const int vw = v >> 6;
  long np = 0, ns = 0;
  /* each predecessor p loses the edge p->v and gains p->s for every successor s */
  for (int i = 0; i < w; i++)
    for (uint64_t b = pv[i]; b; b &= b - 1) {
      int p = i * 64 + __builtin_ctzll(b);
      uint64_t *sp = s->succ + (size_t)p * w;
      sp[vw] &= vmask;
      for (int k = 0; k < w; k++)
        sp[k] |= sv[k];
      np++;
    }
  for (int i = 0; i < w; i++)
    for (uint64_t b = sv[i]; b; b &= b - 1) {
      int q = i * 64 + __builtin_ctzll(b);
      uint64_t *pq = s->pred + (size_t)q * w;
      pq[vw] &= vmask;
      for (int k = 0; k < w; k++)
        pq[k] |= pv[k];
      ns++;
    }
  memset(pv, 0, (size_t)w * sizeof(uint64_t));
  memset(sv, 0, (size_t)w * sizeof(uint64_t));
  s->fixed[vw] |= BIT(v);
  s->removed[vw] |= BIT(v);
  s->nleft--;
  s->mults += np * ns;
  const long c = s->exec ? xcost : np * ns;
  s->cost += c;
  return c;
}
