/* What the tensor searchers share (private to tensor/): the run's incumbent, clock,
   progress and sharing. */
#ifndef AG_TENSOR_SEARCH_INT_H
#define AG_TENSOR_SEARCH_INT_H

#include "tensor/tensor_search.h"

typedef struct {
  const ag_tgraph *g;
  const ag_tsearch_opts *o;
  int m;
  double t0, next_progress, next_share, found_at;
  long iterations;
  int *best; /* 1-based ids */
  long best_cost;
  int adopted; /* set when sharing brought a better incumbent; the searcher clears it */
} ag_trun;

/* Offers a complete order of columns (0-based); kept if cheaper. */
void ag_trun_offer(ag_trun *run, const int *cols, long cost);
/* 1 when the search must stop; runs progress and sharing when due. */
int ag_trun_tick(ag_trun *run);

int ag_tsearch_mcts_run(ag_trun *run, ag_error *err); /* tensor_mcts.c */

#endif
