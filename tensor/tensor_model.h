/* Tensor graphs and the AlphaGrad sparse-tensor cost model (the "vertex game" that produced
   the paper's counts for RoeFlux_3d, f, MLP, Encoder and BlackScholes_Jacobian).

   A tensor graph has one vertex per array operation; every edge u -> v carries a sparse
   Jacobian descriptor: a sparsity type t in -10..11 (0: no edge) and the shape (o1, o2, p1, p2)
   of dv/du seen as a 4-D tensor. Eliminating v multiplies every in-edge with every out-edge;
   the cost of one product and the type of the result come from the tables in
   sparsity_tables.c, and the sum into an existing edge from the ADD table. docs/tensor.md
   states the rules; they follow the reference specification exactly, quirks included:
   edges from later vertices exist (so forward and reverse are by id, not topological), and
   the state after a set of eliminations depends on their order, not only on the set (so no
   transposition tables, closed sets or scalar lower bounds apply here).

   Vertex ids are 1-based as in the file; inputs x1..xNI, vertices v1..vNV. Internally a
   "variable" k indexes inputs (0..ni-1) and vertices (ni + id - 1), a "column" c is a vertex
   (id - 1): edge E[k * nv + c] is the edge from variable k into vertex c + 1. */
#ifndef AG_TENSOR_MODEL_H
#define AG_TENSOR_MODEL_H

#include <stdint.h>

#include "base/error.h"

#define AG_TTYPES   22    /* sparsity types -10..11, index = type + 10 */
#define AG_TDIM_MAX 32767 /* largest dimension of a Jacobian shape */

extern const signed char ag_tmul[AG_TTYPES][AG_TTYPES];
extern const signed char ag_tadd[AG_TTYPES][AG_TTYPES];
extern const unsigned char ag_tcontraction[6][AG_TTYPES][AG_TTYPES];

typedef struct {
  int16_t t;              /* sparsity type, 0: no edge */
  int16_t o1, o2, p1, p2; /* out dims (the target's 2-D shape), primal dims (the source's) */
} ag_tedge;

typedef struct {
  char *name;
  int ni, nv, no, nvar;  /* nvar = ni + nv */
  int neliminable;       /* nv - no */
  int *outputs;          /* no vertex ids, in the order of the function's outputs */
  unsigned char *is_out; /* nv: 1 for output vertices (never eliminated) */
  ag_tedge *E;           /* nvar * nv */
  int nedges;
  uint64_t hash; /* structural: sizes, outputs, every edge with type and shape */
  long ref_fwd, ref_rev, ref_markowitz; /* the header's reference figures, -1 when absent */
  char **prim;                          /* nv primitive names (informative) */
  int (*shape)[2]; /* nv + ni 2-D shapes: inputs first, then vertices (informative) */
} ag_tgraph;

void ag_tgraph_free(ag_tgraph *g);

/* The cost of one product: in-edge e1 (u -> v) times out-edge e2 (v -> w); *t_new gets the
   type of the product. */
long ag_tproduct_cost(const ag_tedge *e1, const ag_tedge *e2, int *t_new);

/* Elimination state: the edges, which vertices are done, and the cost paid so far. */
typedef struct {
  const ag_tgraph *g;
  ag_tedge *E;
  unsigned char *done; /* nv */
  uint64_t *pred;      /* nv rows of wv words: variables with an edge into the column */
  uint64_t *succ;      /* nvar rows of wc words: columns the variable has an edge into */
  int wv, wc;
  long cost;
  int nleft; /* eliminable vertices left */
  ag_tedge *e1buf, *e2buf;
  int *ubuf, *wbuf; /* scratch of one elimination */
} ag_tstate;

ag_tstate *ag_tstate_new(const ag_tgraph *g);
void ag_tstate_free(ag_tstate *s);
void ag_tstate_reset(ag_tstate *s); /* back to the untouched graph */
void ag_tstate_copy(ag_tstate *dst, const ag_tstate *src);
/* Eliminates vertex column c (0-based); a done vertex (an output, or eliminated) costs 0 and
   changes nothing. Returns the step's cost. */
long ag_tstate_eliminate(ag_tstate *s, int c);
/* The cost eliminating column c would have now, without changing the state. */
long ag_tstate_step_cost(const ag_tstate *s, int c);
/* The reference's Markowitz degree of column c (docs/tensor.md). */
long ag_tstate_markowitz_degree(const ag_tstate *s, int c);

/* Checks that ids (1-based) list every eliminable vertex exactly once (what stored orders
   must do); 0, or -1 with err naming the first problem and position. */
int ag_torder_check(const ag_tgraph *g, const int *ids, int len, ag_error *err);
/* The cost of a complete order of 1-based ids (checked first), or -1 with err set. */
long ag_torder_cost(const ag_tgraph *g, const int *ids, int len, ag_error *err);

/* Baselines, as 1-based ids of the eliminable vertices into ids[neliminable]; each returns
   its cost. forward: ascending id; reverse: descending id; markowitz: the reference's
   minimal-Markowitz greedy order (its degree, ties to the lowest id). */
long ag_torder_forward(const ag_tgraph *g, int *ids);
long ag_torder_reverse(const ag_tgraph *g, int *ids);
long ag_torder_markowitz(const ag_tgraph *g, int *ids);
/* Greedy by the cost of the next step (ties to the lowest id): a seed for the search. */
long ag_torder_greedy(const ag_tgraph *g, int *ids);

#endif
