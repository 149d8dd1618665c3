/* Scalar DAG IR: leaves (inputs, parameters, constants) and operation nodes, a builder API,
   and the derived elimination structure (inputs, vertices, outputs, edges) with its hash.

   Nodes are appended in evaluation order. A node is *active* when it depends on an input
   through differentiated operands (ag_op_diff_mask); active operation nodes are the graph's
   vertices v1..vNV in creation order. Constants, parameters, operations on them only, and
   the conditions and piecewise constant values of the data (comparisons, floor, the
   condition of a select) are *passive*: they are evaluated per element but make no edge. */
#ifndef AG_GRAPH_H
#define AG_GRAPH_H

#include <stdint.h>

#include "base/error.h"
#include "graph/ops.h"

typedef struct {
  int op;       /* ag_op */
  int a, b;     /* operand node indices, -1 when absent */
  double value; /* CONST: the value; IPOW: exponent; INPUT/PARAM: its index */
  int cond;     /* SELECT: the condition node (no edge); -1 otherwise */
} ag_node;

typedef struct {
  int ni, nv, no; /* inputs, vertices, outputs */
  int n;          /* ni + nv: elimination indices, inputs 0..ni-1, vertex k at ni+k-1 */
  int *pred_off;  /* CSR of unique predecessors (elimination indices), size n+1 */
  int *pred;
  int *vert_node;           /* node index of each elimination index */
  int *out_index;           /* per output: elimination index, or -1 (constant/passive output) */
  unsigned char *is_output; /* per elimination index */
  int neliminable;
  uint64_t hash;           /* structural hash: wiring and outputs only */
  unsigned char *pred_cls; /* class of each edge of pred (graph/exec_cost.h: UNIT, CONST, VAR) */
  /* The objective of costs computed on this DAG (ag_elim, ag_order_cost, searches): NULL
     for the scalar model (multiplications), else the execution model's weights. Set it on
     a shallow copy (ag_dag_with_objective) to search for another objective. */
  const struct ag_exec_weights *exec;
} ag_dag;

/* A shallow copy of d whose costs follow the execution model with weights w (NULL: the
   scalar multiplications). Shares d's arrays: it must not outlive d and is never freed. */
static inline ag_dag ag_dag_with_objective(const ag_dag *d, const struct ag_exec_weights *w) {
  ag_dag c = *d;
  c.exec = w;
  return c;
}

typedef struct ag_graph {
  char *name;
  int nnodes, cap;
  ag_node *nodes;
  int ninputs, nparams;
  int *input_node; /* node of input k, -1 if never created */
  int *param_node; /* node of parameter k, -1 if never created */
  int input_cap, param_cap, output_cap;
  int noutputs;
  int *outputs;       /* node of each output */
  int structure_only; /* built from the reference text format: no constant values */
  int *node_active;   /* derived at ag_graph_finalize */
  int *node_elim;     /* elimination index of each node or -1 */
  ag_dag dag;
  int finalized;
} ag_graph;

/* ---- builder API ---- */
ag_graph *ag_graph_new(const char *name);
void ag_graph_free(ag_graph *g);
/* Node of input k (0-based), created on first use. */
int ag_graph_input(ag_graph *g, int k);
int ag_graph_param(ag_graph *g, int k);
int ag_graph_const(ag_graph *g, double v);
/* Operation on existing nodes (b = -1 for unary ops). Operations whose operands are all
   constants are folded into a constant unless the graph is structure-only. Not SELECT
   (ag_graph_select). */
int ag_graph_op(ag_graph *g, ag_op op, int a, int b);
/* a^n with integer n (reference format's integer_pow). */
int ag_graph_ipow(ag_graph *g, int a, int n);
/* cond != 0 ? a : b (a branch on data): folded when the condition is a constant or a == b. */
int ag_graph_select(ag_graph *g, int cond, int a, int b);
/* Appends an output; returns its index. */
int ag_graph_output(ag_graph *g, int node);
/* Derives the elimination structure; call after the last builder call. */
int ag_graph_finalize(ag_graph *g, ag_error *err);

/* Hash of everything that decides generated code: ops, wiring, constants. */
uint64_t ag_graph_hash_full(const ag_graph *g);

/* 1-based vertex id <-> elimination index */
static inline int ag_vertex_index(const ag_dag *d, int vid) { return d->ni + vid - 1; }
static inline int ag_vertex_id(const ag_dag *d, int idx) { return idx - d->ni + 1; }

/* Multiplications of an order (1-based vertex ids) under the scalar cost model.
   Convenience wrapper around the elimination state. */

#endif
