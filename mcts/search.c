#include "mcts/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/orders.h"
#include "mcts/bounds.h"
#include "mcts/exact.h"
#include "mcts/run.h"

/* searchers (anneal.c, mcts.c) */
void ag_search_anneal_run(ag_search_run *run);
void ag_search_mcts_run(ag_search_run *run);

static const char *method_names[] = {"mcts", "anneal", "exact"};

const char *ag_search_method_name(ag_search_method m) {
  return (m >= 0 && m <= AG_SEARCH_EXACT) ? method_names[m] : "?";
}

int ag_search_method_from_name(const char *name) {
  for (int i = 0; i <= AG_SEARCH_EXACT; i++)
    if (!strcmp(name, method_names[i])) return i;
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
  if (d->neliminable == 0) return ag_fail(err, "the graph has no eliminable vertex");
  if (!(o->time_limit > 0)) return ag_fail(err, "the time limit must be positive");
  ag_search_run run;
  ag_run_init(&run, d, o);
  /* seed: the best of forward, reverse and Markowitz */
  int *ids = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  int (*base[3])(const ag_dag *, int *) = {ag_order_forward, ag_order_reverse, ag_order_markowitz};
  for (int b = 0; b < 3; b++) {
    int n = base[b](d, ids);
    long c = ag_order_cost(d, ids, n, err);
    for (int i = 0; i < n; i++) ids[i] = ag_vertex_index(d, ids[i]);
    ag_run_offer(&run, ids, c);
  }
  free(ids);
  run.best.found_at = 0;
  /* a proven floor: searches stop once they reach it, and report optimality */
  ag_elim *root = ag_elim_new(d);
  run.lower_bound = ag_bound_paths(d, root);
  ag_elim_free(root);
  int rc = 0;
  if (m == AG_SEARCH_ANNEAL) {
    ag_search_anneal_run(&run);
  } else if (m == AG_SEARCH_MCTS) {
    ag_search_mcts_run(&run);
  } else if (m == AG_SEARCH_EXACT) {
    int n = run.best.len, *inc = ag_malloc((size_t)(n + 1) * sizeof(int));
    ag_run_ids(d, run.best.order, inc, n);
    rc = ag_search_exact(d, o, inc, n, run.best.cost, r, err);
    free(inc);
    ag_run_free(&run);
    return rc;
  } else {
    ag_run_free(&run);
    return ag_fail(err, "unknown search method %d", (int)m);
  }
  ag_run_result(&run, r, ag_search_method_name(m));
  if (o->progress) o->progress(o, r->cost, r->elapsed > 0 ? (double)r->iterations / r->elapsed : 0, r->elapsed, o->progress_ctx);
  ag_run_free(&run);
  return rc;
}
