/* Jacobian program: the straight-line computation of a graph's Jacobian for one
   elimination order, and its interpreter.

   Building the program eliminates the vertices symbolically: every edge gets a slot, the
   local partials fill the initial slots, and each elimination step appends multiply-adds
   slot[ps] (+)= slot[vs] * slot[pv]. Evaluating is then a primal sweep, one partial per
   edge and the multiply-adds; no search, no hashing. The number of multiply-adds equals
   the order's scalar cost (tests assert it). */
#ifndef AG_JACOBIAN_H
#define AG_JACOBIAN_H

#include <stddef.h>

#include "graph/graph.h"

typedef struct {
  int dst, a, b; /* slot[dst] = (acc ? slot[dst] : 0) + slot[a] * slot[b] */
  int acc;
  int kind; /* what the generated code does for it (graph/exec_cost.h AG_XOP_*): MUL, FMA,
               ADD, COPY (a product with a unit factor), FOLD (constants, at generation) */
  int sz;   /* strong zero: bit 0 (factor a), bit 1 (factor b): that factor may be a
               select's masked 0 (it stems from the partial of a select), and when it is 0
               the product is 0, even against inf or NaN from the untaken side of a branch
               (log(0), x/0 evaluated where C would not) */
} ag_jop;

#define AG_SLOT_ONE (-2) /* Jacobian entry of an output that is an input: constant 1 */

typedef struct {
  const ag_graph *g;
  int nslots;
  int *partial_slot;          /* 2 per vertex (operand a, operand b): slot or -1 */
  unsigned char *partial_cls; /* 2 per vertex: class of the partial (AG_EDGE_*) */
  double *partial_val;        /* 2 per vertex: its value when UNIT or CONST */
  int nops;
  ag_jop *ops;
  long mults;       /* multiply-adds of the elimination (= scalar cost of the order) */
  long extra_mults; /* multiply-adds propagating through outputs that feed other outputs */
  /* operations of the generated code by kind (AG_XOP_*), for the elimination and for the
     propagation through outputs that feed other outputs */
  long xops[6], xops_extra[6];
  int nentries; /* structurally non-zero Jacobian entries, row-major, columns ascending */
  int *row, *col, *slot;
} ag_jacprog;

/* The execution model's cost of the program's elimination (ag_order_cost on a DAG with
   these weights gives the same), and of everything including the output propagation. */
long ag_jacprog_exec_cost(const ag_jacprog *jp, const struct ag_exec_weights *w, int with_extra);

/* order: 1-based vertex ids, validated against g. g must stay alive while the program is used. */
ag_jacprog *ag_jacprog_build(const ag_graph *g, const int *order, int len, ag_error *err);
void ag_jacprog_free(ag_jacprog *jp);
/* Doubles of work space ag_jacprog_eval needs. */
size_t ag_jacprog_work_size(const ag_jacprog *jp);
/* in[ni], params[np] (may be NULL when np == 0); writes out[no] and vals[nentries]. */
void ag_jacprog_eval(const ag_jacprog *jp, const double *in, const double *params, double *out,
                     double *vals, double *work);
/* Scatters vals into a dense row-major no x ni matrix. */
void ag_jacprog_dense(const ag_jacprog *jp, const double *vals, double *J);
/* Primal values only (no derivatives): out[no]. work: ag_jacprog_work_size or g->nnodes doubles. */
void ag_graph_eval(const ag_graph *g, const double *in, const double *params, double *out,
                   double *work);

#endif
