/* The objective `measured`: orders chosen by timing their compiled code on this machine.

   Candidates: forward, reverse, Markowitz, the caller's orders (the main search's result, a
   stored order), the best order of a short annealing under multiplications and orders of
   annealing runs under the execution model with distinct seeds, up to k distinct programs
   (orders that generate the same code count once). All are compiled with the JIT's flags
   and timed interleaved (tune/timing.h); the pick follows the never-slower rule: an order
   other than forward or reverse wins only when its score is below `margin` times the
   better of the two, measured in the same run, and again in a confirmation run of its own
   (winner, forward, reverse; neither entry point more than 2 % slower than the better
   baseline's). The result's times are the confirmation run's. */
#ifndef AG_TUNE_MEASURED_H
#define AG_TUNE_MEASURED_H

#include "graph/exec_cost.h"
#include "graph/graph.h"
#include "jacobian/jit.h"
#include "tune/timing.h"

typedef struct {
  int k;              /* candidates timed at most; default 8 */
  double search_time; /* seconds of annealing for candidates (all runs together); default 2 */
  ag_exec_weights weights;
  ag_tune_opts timing;
  ag_jit_opts jit;
  uint64_t seed;
  double margin; /* default 0.99 */
  /* the caller's candidates (1-based vertex ids, neliminable each) and their labels */
  const int *const *extra;
  const char *const *extra_labels;
  int nextra;
  int quiet; /* no progress line on stderr */
} ag_measure_opts;

typedef struct {
  int *order; /* the winner, 1-based vertex ids (malloc'ed) */
  int len;
  char label[32];        /* forward, reverse, markowitz, mults, exec-S (seed S), or an extra's */
  ag_tune_time t;        /* the winner's times */
  ag_tune_time fwd, rev; /* the baselines' times in the same run */
  long mults, exec;      /* the winner's scalar cost and execution cost */
  int ncand;             /* distinct programs timed */
} ag_measure_result;

void ag_measure_opts_default(ag_measure_opts *o);
/* g must be a numeric graph (a C kernel); a structure-only graph is refused. */
int ag_measure_search(const ag_graph *g, const ag_measure_opts *o, ag_measure_result *r,
                      ag_error *err);
void ag_measure_result_free(ag_measure_result *r);

#endif
