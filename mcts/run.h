/* The run bookkeeping shared by the searchers (run.c): incumbent, clock, progress pacing,
   sharing, stopping rules; the searchers' one signature; and the annealer they share
   (anneal.c). */
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
  /* set by the searcher before its first tick (both 0 for annealing and MCTS): */
  int verify_shared;      /* an order offered through sharing is adopted only once its cost,
                             recomputed here, checks out (else it is taken as given) */
  int adopt_shared_bound; /* a bound offered through sharing raises lower_bound, and the run
                             stops once the incumbent meets lower_bound; 0: lower_bound is only
                             what the searcher proved, and it decides itself when to end */
  ag_incumbent best;
} ag_search_run;

void ag_run_init(ag_search_run *run, const ag_dag *d, const ag_search_opts *o);
void ag_run_free(ag_search_run *run);
/* Offers a complete order (elimination indices) of the given cost; keeps it if better. */
int ag_run_offer(ag_search_run *run, const int *order, long cost);
/* The same for an order of 1-based vertex ids (a baseline, an order given by the caller). */
int ag_run_offer_ids(ag_search_run *run, const int *ids, long cost);
/* Returns 1 when the search must stop (time, unless o->time_limit <= 0; iterations; target
   reached; bound met, where adopt_shared_bound);
   calls progress and sharing hooks when due. Cheap: call every few hundred iterations. */
int ag_run_tick(ag_search_run *run);
/* Elimination indices to 1-based vertex ids. */
void ag_run_ids(const ag_dag *d, const int *idx, int *ids, int n);
/* Fills r from the run (order converted to vertex ids) and reports the final progress. */
void ag_run_result(ag_search_run *run, ag_search_result *r, const char *method);

/* A searcher: improves run->best (seeded with a complete order) until ag_run_tick says
   stop, counting its iterations in run->iterations; 0, or -1 with err set. search.c holds
   the table of them, indexed by ag_search_method. */
typedef int (*ag_searcher_fn)(ag_search_run *run, ag_error *err);
int ag_search_mcts_run(ag_search_run *run, ag_error *err);   /* mcts.c */
int ag_search_anneal_run(ag_search_run *run, ag_error *err); /* anneal.c */
int ag_search_exact_run(ag_search_run *run, ag_error *err);  /* exact.c */

/* The annealer (anneal.c), shared by --method anneal and the exact solver. */
typedef struct {
  uint64_t seed;
  long max_moves;                        /* 0: until stop says so */
  int (*stop)(void *ctx);                /* polled every 256 moves; nonzero ends the run */
  int (*restart)(void *ctx, int *order); /* polled likewise; 1: restart from *order */
  void (*improved)(void *ctx, const int *order, long cost); /* a cheaper order */
  long *counter;                                            /* incremented per move when not NULL */
  void *ctx;
} ag_anneal_ctl;
/* Anneals from start (elimination indices, a complete order of d); returns moves made. */
long ag_anneal(const ag_dag *d, const int *start, const ag_anneal_ctl *c);

#endif
