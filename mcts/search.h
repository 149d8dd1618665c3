/* Order searches behind one interface: each takes the elimination structure of a graph
   and a time budget, and returns the best order found (never worse than the best of
   forward, reverse and Markowitz, which seed every search) with, where the method can
   prove one, a lower bound on the optimum. */
#ifndef AG_SEARCH_H
#define AG_SEARCH_H

#include <stdint.h>

#include "graph/graph.h"
#include "mcts/mcts.h"

typedef enum { AG_SEARCH_MCTS, AG_SEARCH_ANNEAL, AG_SEARCH_EXACT } ag_search_method;

typedef struct ag_search_opts ag_search_opts;

/* Progress report, called at most about once a second (and once at the end). */
typedef void (*ag_search_progress_fn)(const ag_search_opts *o, long best_cost, double sims_per_s,
                                      double elapsed, void *ctx);
/* Sharing hook of the parallel portfolio: called about every share_interval seconds with the
   searcher's best (cost, order); may replace them with a better incumbent from elsewhere
   (returns 1 then). Searchers adopt the returned incumbent. */
typedef int (*ag_search_share_fn)(long *cost, int *order, int len, long *lower_bound, void *ctx);

/* Called whenever the searcher's best cost improves (elapsed seconds since the start). */
typedef void (*ag_search_improve_fn)(long cost, double elapsed, void *ctx);

struct ag_search_opts {
  double time_limit; /* seconds of wall time */
  uint64_t seed;
  ag_search_progress_fn progress; /* may be NULL */
  void *progress_ctx;
  ag_search_improve_fn improved; /* may be NULL */
  void *improved_ctx;
  ag_search_share_fn share; /* may be NULL */
  void *share_ctx;
  double share_interval;      /* seconds, default 1 */
  long target_cost;           /* stop early once cost <= target (0: never) */
  long max_iterations;        /* 0: unlimited (tests use it for determinism) */
  const ag_mcts_params *mcts; /* MCTS settings; NULL: ag_mcts_params_default */
};

typedef struct {
  int *order; /* 1-based vertex ids, len = neliminable; malloc'ed */
  int len;
  long cost;
  long lower_bound; /* best proven bound on the optimum; -1 when the method has none */
  int optimal;      /* cost == lower_bound, proven */
  double elapsed;
  long iterations;     /* simulations (MCTS), moves (annealing), expanded states (exact) */
  double time_to_cost; /* seconds until `cost` was first reached */
  const char *method;
  long *rank_costs; /* portfolio: each rank's own final cost (malloc'ed), else NULL */
  int nranks;
  int stalled; /* portfolio, rank 0: some rank missed the final exchange (see portfolio.h) */
} ag_search_result;

void ag_search_opts_default(ag_search_opts *o);
int ag_search(const ag_dag *d, ag_search_method m, const ag_search_opts *o, ag_search_result *r,
              ag_error *err);
void ag_search_result_free(ag_search_result *r);
const char *ag_search_method_name(ag_search_method m);
int ag_search_method_from_name(const char *name); /* -1 if unknown */

#endif
