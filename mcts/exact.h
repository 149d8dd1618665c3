/* Exact order search: A* over eliminated sets with admissible, consistent lower bounds
   (mcts/bounds.h), pruned against an incumbent; proves optimality or, when stopped early,
   returns the best order found and the best proven lower bound. docs/exact.md has the
   algorithm, the arguments and measurements. */
#ifndef AG_EXACT_H
#define AG_EXACT_H

#include <stddef.h>

#include "graph/graph.h"
#include "mcts/search.h"

typedef struct {
  size_t max_memory;      /* bytes for the main search's state table and open list; 1 GiB */
  int max_group;          /* group bound: largest group (0 or 1: path bound only; at most
                             AG_BOUND_MAX_GROUP); groups up to 16 first, larger ones only
                             when a gap remains after annealing; 20 */
  double group_fraction;  /* at most this share of the time limit builds the groups; 0.25 */
  long first_expansions;  /* A* expansions before the annealing phase; 256 */
  long anneal_moves;      /* moves of the annealing phase (0: none); 400000 */
  double anneal_fraction; /* at most this share of the time left anneals; 0.3 */
} ag_exact_params;

void ag_exact_params_default(ag_exact_params *p);

/* Above this many eliminable vertices the A* is not attempted: the exact method anneals
   for its whole budget and reports the path bound (issue 21: on a 10,000-vertex graph one
   expansion took minutes). No graph that size has been proven optimal here; the largest
   proofs are on graphs of a few hundred vertices (docs/exact.md). */
#define AG_EXACT_MAX_ASTAR 1000

/* incumbent: 1-based vertex ids of a valid order (may be NULL / inc_len 0: the Markowitz
   order is used), inc_cost its cost (recomputed when wrong). Honours o->time_limit (seconds,
   <= 0: none), o->max_iterations (expanded states), o->target_cost, o->progress and
   o->share (an order offered there is adopted once its cost checks out; a bound offered
   there is not: r->lower_bound is only what this search proved). r: best order and cost,
   lower_bound = the best proven bound (== cost and optimal = 1 when proven), iterations = expanded
   states, method "exact". Deterministic unless a time limit cuts it short. Returns 0, or -1 with
   err set for an invalid incumbent or a graph too large to key (over 2^16 elimination indices). */
int ag_search_exact(const ag_dag *d, const ag_search_opts *o, const int *incumbent, int inc_len,
                    long inc_cost, ag_search_result *r, ag_error *err);
/* Same with explicit parameters (NULL: defaults). */
int ag_search_exact_ex(const ag_dag *d, const ag_search_opts *o, const ag_exact_params *p,
                       const int *incumbent, int inc_len, long inc_cost, ag_search_result *r,
                       ag_error *err);

#endif
