/* Owns the incremental elimination state and the scalar cost of eliminating a vertex (eliminate.h).
 */
#include "graph/eliminate.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define BIT(v) (1ULL << ((v)&63))

ag_elim *ag_elim_new(const ag_dag *d) {
  ag_elim *s = ag_calloc(1, sizeof *s);
  s->n = d->n;
  s->ni = d->ni;
  s->w = (d->n + 63) / 64;
  s->nwords = (size_t)2 * d->n * s->w + 2 * (size_t)s->w;
  s->pred = ag_malloc(s->nwords * sizeof(uint64_t));
  s->succ = s->pred + (size_t)d->n * s->w;
  s->fixed = s->succ + (size_t)d->n * s->w;
  s->removed = s->fixed + s->w;
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
    }
  for (int v = 0; v < d->n; v++)
    if (v < d->ni || d->is_output[v]) s->fixed[v >> 6] |= BIT(v);
  s->cost = 0;
  s->nleft = d->neliminable;
}

void ag_elim_copy(ag_elim *dst, const ag_elim *src) {
  memcpy(dst->pred, src->pred, src->nwords * sizeof(uint64_t));
  dst->cost = src->cost;
  dst->nleft = src->nleft;
}

long ag_elim_step(ag_elim *s, int v) {
  const int w = s->w;
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
  s->cost += np * ns;
  return np * ns;
}
