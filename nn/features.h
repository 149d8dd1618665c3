/* Tokens of an elimination state for the network (nn/nn.h).

   One token per elimination index still in the graph: inputs, vertices not yet eliminated
   and outputs (eliminated vertices are gone). Features (AG_NN_NFEAT floats per token,
   scaled to O(1)):
     0 is input, 1 is output, 2 eliminable,
     3 log1p(in-degree), 4 log1p(out-degree), 5 log1p(Markowitz degree = in * out),
     6 Markowitz degree / the largest over the eliminable tokens,
     7 the token's original position (elimination index / n),
     8 log1p(number of eliminable vertices left) (the same for all tokens),
     9 fraction of vertices eliminated so far.
   The edges are those of the current (partially eliminated) graph.

   Value scale: the network's value is the remaining cost divided by
   ag_nn_value_scale(d, s) (the sum of the Markowitz degrees of the eliminable vertices,
   at least 1), which keeps targets O(1) across graph sizes. */
#ifndef AG_NN_FEATURES_H
#define AG_NN_FEATURES_H

#include "graph/eliminate.h"
#include "nn/nn.h"

#define AG_NN_NFEAT 10

/* Storage for one state's tokens; reused across calls (grows as needed). */
typedef struct {
  ag_nn_input in;
  float *x;
  int *pred_off, *pred, *succ_off, *succ, *act;
  int *token_of; /* elimination index -> token, -1 when gone */
  int *index_of; /* token -> elimination index */
  size_t cap_tok, cap_edge;
} ag_nn_tokens;

void ag_nn_tokens_init(ag_nn_tokens *t);
void ag_nn_tokens_free(ag_nn_tokens *t);
/* Fills t (t->in is ready for ag_nn_forward; t->in.act lists the eliminable tokens in
   increasing elimination index). */
void ag_nn_tokens_build(ag_nn_tokens *t, const ag_dag *d, const ag_elim *s);
double ag_nn_value_scale(const ag_dag *d, const ag_elim *s);

#endif
