/* The elimination state for large graphs: adjacency lists instead of bitsets, and an undo
   log instead of copies.

   The same state and costs as eliminate.h (scalar multiplications, or the execution model
   when d->exec is set), but a step costs O(sum over p in pred(v) of |succ(p)| + sum over q
   in succ(v) of |pred(q)|): the size of the local change, not of the graph. Memory is
   O(edges of the partially eliminated graph), where the bitsets of eliminate.h take
   O(n^2 / 8) bytes a state (25 MB at 10,000 vertices).

   Copies are what this state avoids: a step is logged, ag_selim_undo takes the last
   logged step back exactly, and ag_selim_commit forgets the log (steps before it can no
   longer be undone). The annealer (mcts/anneal.c) walks an order with it: a move's window is
   eliminated, costed, and undone. Lists are unordered; an eliminated vertex keeps its own
   lists (nobody reads them) so that undoing it only clears a flag. */
#ifndef AG_ELIM_SPARSE_H
#define AG_ELIM_SPARSE_H

#include "graph/graph.h"

typedef struct {
  int *v;            /* neighbours (elimination indices), unordered */
  unsigned char *cl; /* predecessor lists under the execution model: class of edge v[k]->owner */
  int len, cap;
} ag_selim_list;

typedef struct ag_selim_log ag_selim_log;

typedef struct {
  unsigned st; /* stamp: the entry is current when st == the state's stamp */
  int pos;     /* position in the list being looked up */
} ag_selim_mark;

typedef struct {
  int n, ni;
  ag_selim_list *pred, *succ;
  unsigned char *fixed;               /* inputs, outputs and eliminated vertices */
  const struct ag_exec_weights *exec; /* the objective (NULL: multiplications) */
  long cost, mults;                   /* paid so far, as ag_elim */
  int nleft;                          /* eliminable vertices left */
  ag_selim_mark *mp; /* scratch per vertex: stamp and position side by side, one cache line
                        a lookup (annealing on f 15-24 % faster than two arrays) */
  unsigned stamp;
  ag_selim_log *log;
} ag_selim;

ag_selim *ag_selim_new(const ag_dag *d);
void ag_selim_free(ag_selim *s);
/* Back to the untouched graph d (the one s was created from); clears the log. */
void ag_selim_reset(ag_selim *s, const ag_dag *d);

static inline int ag_selim_eliminable(const ag_selim *s, int v) {
  return v >= s->ni && v < s->n && !s->fixed[v];
}
/* Markowitz degree |pred(v)| * |succ(v)|. */
static inline long ag_selim_markowitz(const ag_selim *s, int v) {
  return (long)s->pred[v].len * s->succ[v].len;
}
/* Eliminates elimination index v (must be eliminable), logging the step; returns the
   step's cost under the state's objective (the same value as ag_elim_step). */
long ag_selim_step(ag_selim *s, int v);
/* Takes the last logged step back (there must be one); returns the vertex it eliminated. */
int ag_selim_undo(ag_selim *s);
/* Logged steps that ag_selim_undo can take back. */
int ag_selim_logged(const ag_selim *s);
/* Forgets the log: the current state becomes the one undo cannot go behind. */
void ag_selim_commit(ag_selim *s);

/* The objective's cost of a complete order of elimination indices (not validated), on a
   fresh sparse state: what ag_order_cost computes, in time linear in the work. */
long ag_selim_order_cost(const ag_dag *d, const int *idx, int len);

#endif
