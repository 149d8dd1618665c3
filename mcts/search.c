/* The front door of the order searches: seeds a run with the baselines, sets the path
   lower bound, calls the method's searcher from the table, fills the result. */
#include "mcts/search.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/orders.h"
#include "mcts/bounds.h"
#include "mcts/run.h"

/* The searchers, indexed by ag_search_method. */
static const struct {
  const char *name;
  ag_searcher_fn fn;
} searchers[] = {
    [AG_SEARCH_MCTS] = {"mcts", ag_search_mcts_run},
    [AG_SEARCH_ANNEAL] = {"anneal", ag_search_anneal_run},
    [AG_SEARCH_EXACT] = {"exact", ag_search_exact_run},
};
#define NSEARCHERS ((int)(sizeof searchers / sizeof searchers[0]))

const char *ag_search_method_name(ag_search_method m) {
  return ((int)m >= 0 && (int)m < NSEARCHERS) ? searchers[m].name : "?";
}

int ag_search_method_from_name(const char *name) {
  for (int i = 0; i < NSEARCHERS; i++)
    if (!strcmp(name, searchers[i].name)) return i;
  return -1;
}

void ag_search_opts_default(ag_search_opts *o) {
  memset(o, 0, sizeof *o);
  o->time_limit = 10;
  o->seed = 1;
  o->share_interval = 1;
}

void ag_search_result_free(ag_search_result *r) {
  free(r->order);
  free(r->rank_costs);
  r->order = NULL;
  r->rank_costs = NULL;
}

int ag_search(const ag_dag *d, ag_search_method m, const ag_search_opts *o, ag_search_result *r,
              ag_error *err) {
  if ((int)m < 0 || (int)m >= NSEARCHERS) return ag_fail(err, "unknown search method %d", (int)m);
  if (!(o->time_limit > 0)) return ag_fail(err, "the time limit must be positive");
  if (d->neliminable == 0) { /* nothing to order: the empty order is optimal (a kernel list may
                                hold such kernels, e.g. a time term dx * u_t) */
    memset(r, 0, sizeof *r);
    r->order = ag_malloc(sizeof(int));
    r->cost = ag_order_cost(d, r->order, 0, err);
    if (r->cost < 0) return -1;
    r->lower_bound = r->cost;
    r->optimal = 1;
    r->method = searchers[m].name;
    return 0;
  }
  ag_search_run run;
  ag_run_init(&run, d, o);
  /* seed: forward, reverse and Markowitz offered in turn (ties to the earlier) */
  int *ids = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  for (int b = 0; b < AG_NBASELINES; b++) {
    int n = ag_order_baseline(d, b, ids);
    ag_run_offer_ids(&run, ids, ag_order_cost(d, ids, n, err));
  }
  free(ids);
  run.best.found_at = 0;
  /* a proven floor: searches stop once they reach it, and report optimality. The bounds
     count multiplications: under the execution model there is none (-1). */
  if (!d->exec) {
    ag_elim *root = ag_elim_new(d);
    run.lower_bound = ag_bound_paths(d, root);
    ag_elim_free(root);
  }
  /* The exact solver's bounds and closed set are for multiplications: under the execution
     model the method is its annealing stage alone (documented; no proof is claimed). */
  ag_searcher_fn fn = (d->exec && m == AG_SEARCH_EXACT) ? ag_search_anneal_run : searchers[m].fn;
  int rc = fn(&run, err);
  if (rc) {
    memset(r, 0, sizeof *r);
    r->method = searchers[m].name;
    r->lower_bound = -1;
  } else {
    ag_run_result(&run, r, fn != searchers[m].fn ? "anneal" : searchers[m].name);
  }
  ag_run_free(&run);
  return rc;
}
