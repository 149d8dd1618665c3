#include "mcts/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jacobian/alloc.h"
#include "jacobian/orders.h"
#include "mcts/bounds.h"
#include "mcts/exact.h"
#include "mcts/search_internal.h"

/* searchers (search_anneal.c, search_mcts.c) */
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

void ag_run_init(ag_search_run *run, const ag_dag *d, const ag_search_opts *o) {
  memset(run, 0, sizeof *run);
  run->d = d;
  run->o = o;
  run->t0 = ag_now();
  run->next_progress = run->t0 + 1;
  run->next_share = run->t0 + (o->share_interval > 0 ? o->share_interval : 1);
  run->lower_bound = -1;
  run->best.order = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  run->best.len = d->neliminable;
  run->best.cost = -1;
}

void ag_run_free(ag_search_run *run) { free(run->best.order); }

int ag_run_offer(ag_search_run *run, const int *order, long cost) {
  if (run->best.cost >= 0 && cost >= run->best.cost) return 0;
  memcpy(run->best.order, order, (size_t)run->best.len * sizeof(int));
  run->best.cost = cost;
  run->best.found_at = ag_now() - run->t0;
  if (run->o->improved) run->o->improved(cost, run->best.found_at, run->o->improved_ctx);
  return 1;
}

static void to_ids(const ag_dag *d, const int *idx, int *ids, int n) {
  for (int i = 0; i < n; i++) ids[i] = ag_vertex_id(d, idx[i]);
}

int ag_run_tick(ag_search_run *run) {
  const ag_search_opts *o = run->o;
  double t = ag_now();
  if (o->progress && t >= run->next_progress) {
    double el = t - run->t0;
    o->progress(o, run->best.cost, el > 0 ? (double)run->iterations / el : 0, el, o->progress_ctx);
    run->next_progress = t + 1;
  }
  if (o->share && t >= run->next_share) {
    int n = run->best.len, *ids = ag_malloc((size_t)(n + 1) * sizeof(int));
    to_ids(run->d, run->best.order, ids, n);
    long c = run->best.cost, lb = run->lower_bound;
    if (o->share(&c, ids, n, &lb, o->share_ctx) && c < run->best.cost) {
      for (int i = 0; i < n; i++) ids[i] = ag_vertex_index(run->d, ids[i]);
      ag_run_offer(run, ids, c);
      run->adopted = 1;
    }
    if (lb > run->lower_bound) run->lower_bound = lb;
    free(ids);
    run->next_share = t + (o->share_interval > 0 ? o->share_interval : 1);
  }
  if (t - run->t0 >= o->time_limit) return 1;
  if (o->max_iterations > 0 && run->iterations >= o->max_iterations) return 1;
  if (o->target_cost > 0 && run->best.cost >= 0 && run->best.cost <= o->target_cost) return 1;
  if (run->lower_bound >= 0 && run->best.cost == run->lower_bound) return 1;
  return 0;
}

void ag_run_result(ag_search_run *run, ag_search_result *r, const char *method) {
  memset(r, 0, sizeof *r);
  r->len = run->best.len;
  r->order = ag_malloc((size_t)(r->len + 1) * sizeof(int));
  to_ids(run->d, run->best.order, r->order, r->len);
  r->cost = run->best.cost;
  r->lower_bound = run->lower_bound;
  r->optimal = run->lower_bound >= 0 && run->lower_bound == run->best.cost;
  r->elapsed = ag_now() - run->t0;
  r->iterations = run->iterations;
  r->time_to_cost = run->best.found_at;
  r->method = method;
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
    to_ids(d, run.best.order, inc, n);
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
