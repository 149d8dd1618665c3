/* The run bookkeeping shared by the searchers (run.c): incumbent, clock, progress pacing,
   sharing, stopping rules; and the annealer they share (anneal.c). */
#ifndef AG_SEARCH_INTERNAL_H
#define AG_SEARCH_INTERNAL_H

#include <stdint.h>

#include "base/clock.h"
#include "base/rng.h"
#include "graph/eliminate.h"
#include "mcts/search.h"

/* The best complete order seen by a searcher, with when it was reached. */
typedef struct {
  int *order; /* elimination indices (not vertex ids) */
  int len;
  long cost;
  double found_at;
} ag_incumbent;

/* Tracks time, progress pacing and sharing for one search run. */
typedef struct {
  const ag_dag *d;
  const ag_search_opts *o;
  double t0, next_progress, next_share;
  long iterations;
  long lower_bound;
  int adopted; /* set when sharing brought a better incumbent; searchers clear it */
  ag_incumbent best;
} ag_search_run;

void ag_run_init(ag_search_run *run, const ag_dag *d, const ag_search_opts *o);
void ag_run_free(ag_search_run *run);
/* Offers a complete order (elimination indices) of the given cost; keeps it if better. */
int ag_run_offer(ag_search_run *run, const int *order, long cost);
/* Returns 1 when the search must stop (time, iterations, target reached, bound met);
   calls progress and sharing hooks when due. Cheap: call every few hundred iterations. */
int ag_run_tick(ag_search_run *run);
/* Elimination indices to 1-based vertex ids. */
void ag_run_ids(const ag_dag *d, const int *idx, int *ids, int n);
/* Fills r from the run (order converted to vertex ids). */
void ag_run_result(ag_search_run *run, ag_search_result *r, const char *method);

/* The annealer (anneal.c), shared by --method anneal and the exact solver. */
typedef struct {
  uint64_t seed;
  long max_moves;                 /* 0: until stop says so */
  int (*stop)(void *ctx);         /* polled every 256 moves; nonzero ends the run */
  int (*restart)(void *ctx, int *order); /* polled likewise; 1: restart from *order */
  void (*improved)(void *ctx, const int *order, long cost); /* a cheaper order */
  long *counter;                  /* incremented per move when not NULL */
  void *ctx;
} ag_anneal_ctl;
/* Anneals from start (elimination indices, a complete order of d); returns moves made. */
long ag_anneal(const ag_dag *d, const int *start, const ag_anneal_ctl *c);

#endif
