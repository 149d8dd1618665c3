/* Incremental vertex-elimination state under the DAG's cost model: the scalar one
   (multiplications) or, when d->exec is set, the execution model (graph/exec_cost.h).

   Predecessor and successor sets are bitsets over elimination indices (inputs first, then
   vertices), stored in one contiguous block: copying a state is one memcpy, eliminating a
   vertex costs O((|pred| + |succ|) * n/64) word operations (scalar model), plus
   O(|pred| * |succ|) bit tests (execution model: the class of each edge is kept as two
   more bitsets per vertex, UNIT and CONST predecessors). */
#ifndef AG_ELIMINATE_H
#define AG_ELIMINATE_H

#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"

typedef struct {
  int n, w, ni;      /* elimination indices, 64-bit words per set, inputs */
  uint64_t *pred;    /* n*w words */
  uint64_t *succ;    /* n*w words */
  uint64_t *fixed;   /* w words: inputs, outputs and eliminated vertices (not eliminable) */
  uint64_t *removed; /* w words: eliminated vertices */
  uint64_t *unit;    /* execution model: n*w words, bit p of row s: edge p->s is UNIT; else NULL */
  uint64_t *cnst;    /* execution model: likewise CONST */
  const struct ag_exec_weights *exec; /* the DAG's objective (NULL: multiplications) */
  long cost;                          /* the objective paid so far */
  long mults;                         /* multiplications paid so far (either model) */
  int nleft;                          /* eliminable vertices left */
  size_t nwords;                      /* size of the block starting at pred */
} ag_elim;

ag_elim *ag_elim_new(const ag_dag *d);
void ag_elim_free(ag_elim *s);
/* Back to the untouched graph d (the one s was created from). */
void ag_elim_reset(ag_elim *s, const ag_dag *d);
/* dst and src must come from the same graph. */
void ag_elim_copy(ag_elim *dst, const ag_elim *src);

static inline int ag_elim_eliminable(const ag_elim *s, int v) {
  return v >= s->ni && v < s->n && !((s->fixed[v >> 6] >> (v & 63)) & 1);
}
static inline int ag_bits_count(const uint64_t *b, int w) {
  int c = 0;
  for (int i = 0; i < w; i++)
    c += __builtin_popcountll(b[i]);
  return c;
}
/* Markowitz degree |pred(v)| * |succ(v)|: what eliminating v now costs. */
static inline long ag_elim_markowitz(const ag_elim *s, int v) {
  return (long)ag_bits_count(s->pred + (size_t)v * s->w, s->w) *
         ag_bits_count(s->succ + (size_t)v * s->w, s->w);
}
/* Eliminates elimination index v (must be eliminable); returns the step's cost under the
   state's objective. */
long ag_elim_step(ag_elim *s, int v);

#endif
