/* Order search under the tensor cost model (tensor_model.h): simulated annealing and Monte
   Carlo tree search over elimination orders of a tensor graph, seeded with forward,
   reverse, the reference's Markowitz order and a greedy order.

   In this model the state after a set of eliminations depends on their order, so neither
   searcher merges states by the eliminated set: annealing replays the order after a move
   until its state meets the old one again (compared edge by edge), and the tree of MCTS is
   a tree of orders (no transposition table). No lower bound is reported: the scalar bounds
   do not hold here. */
#ifndef AG_TENSOR_SEARCH_H
#define AG_TENSOR_SEARCH_H

#include <stdint.h>

#include "tensor/tensor_model.h"

typedef struct {
  double time_limit; /* seconds of wall time (<= 0: only max_moves stops) */
  uint64_t seed;
  long max_moves; /* annealing moves or MCTS simulations; 0: unlimited */
  long target;    /* stop once cost <= target (0: never) */
  /* progress, at most about once a second and once at the end */
  void (*progress)(long best, double per_s, double elapsed, void *ctx);
  void *progress_ctx;
  /* sharing (the MPI portfolio): called about every share_interval s with the best order
     (1-based ids); may replace it with a better one from elsewhere (returns 1 then) */
  int (*share)(long *cost, int *ids, int len, void *ctx);
  void *share_ctx;
  double share_interval;
  int mcts_rollouts; /* MCTS: greedy-sampled rollouts per simulation (default 1) */
} ag_tsearch_opts;

typedef struct {
  int *order; /* 1-based ids, neliminable of them; malloc'ed */
  int len;
  long cost;
  long iterations; /* moves (annealing) or simulations (MCTS) */
  double elapsed, time_to_cost;
  const char *method;               /* "anneal" or "mcts" */
  long fwd, rev, markowitz, greedy; /* the seeds' costs */
} ag_tsearch_result;

typedef enum { AG_TSEARCH_ANNEAL, AG_TSEARCH_MCTS } ag_tsearch_method;

void ag_tsearch_opts_default(ag_tsearch_opts *o);
int ag_tsearch(const ag_tgraph *g, ag_tsearch_method m, const ag_tsearch_opts *o,
               ag_tsearch_result *r, ag_error *err);
void ag_tsearch_result_free(ag_tsearch_result *r);

#endif
