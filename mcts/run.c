/* The bookkeeping of one search run, shared by every searcher: the clock, the incumbent,
   progress pacing, the portfolio's sharing hook, the stopping rules, the result. */
#include "mcts/run.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/orders.h"

void ag_run_init(ag_search_run *run, const ag_dag *d, const ag_search_opts *o) {
  memset(run, 0, sizeof *run);
  run->d = d;
  run->o = o;
  run->t0 = ag_now();
  run->next_progress = run->t0 + 1;
  run->next_share = run->t0 + (o->share_interval > 0 ? o->share_interval : 1);
  run->lower_bound = -1;
  run->adopt_shared_bound = 1;
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

int ag_run_offer_ids(ag_search_run *run, const int *ids, long cost) {
  int n = run->best.len, *idx = ag_malloc((size_t)(n + 1) * sizeof(int));
  for (int i = 0; i < n; i++)
    idx[i] = ag_vertex_index(run->d, ids[i]);
  int rc = ag_run_offer(run, idx, cost);
  free(idx);
  return rc;
}

void ag_run_ids(const ag_dag *d, const int *idx, int *ids, int n) {
  for (int i = 0; i < n; i++)
    ids[i] = ag_vertex_id(d, idx[i]);
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
    ag_run_ids(run->d, run->best.order, ids, n);
    long c = run->best.cost, lb = run->lower_bound;
    if (run->best.cost >= 0 && lb > run->best.cost) lb = run->best.cost;
    if (o->share(&c, ids, n, &lb, o->share_ctx) && c < run->best.cost) {
      if (run->verify_shared) c = ag_order_cost(run->d, ids, n, NULL);
      if (c >= 0 && c < run->best.cost) {
        ag_run_offer_ids(run, ids, c);
        run->adopted = 1;
      }
    }
    if (run->adopt_shared_bound && lb > run->lower_bound) run->lower_bound = lb;
    free(ids);
    run->next_share = t + (o->share_interval > 0 ? o->share_interval : 1);
  }
  if (o->time_limit > 0 && t - run->t0 >= o->time_limit) return 1;
  if (o->max_iterations > 0 && run->iterations >= o->max_iterations) return 1;
  if (o->target_cost > 0 && run->best.cost >= 0 && run->best.cost <= o->target_cost) return 1;
  if (run->adopt_shared_bound && run->lower_bound >= 0 && run->best.cost == run->lower_bound)
    return 1;
  return 0;
}

void ag_run_result(ag_search_run *run, ag_search_result *r, const char *method) {
  memset(r, 0, sizeof *r);
  r->len = run->best.len;
  r->order = ag_malloc((size_t)(r->len + 1) * sizeof(int));
  ag_run_ids(run->d, run->best.order, r->order, r->len);
  r->cost = run->best.cost;
  r->lower_bound = run->lower_bound;
  r->optimal = run->lower_bound >= 0 && run->lower_bound == run->best.cost;
  r->elapsed = ag_now() - run->t0;
  r->iterations = run->iterations;
  r->time_to_cost = run->best.found_at;
  r->method = method;
  const ag_search_opts *o = run->o;
  if (o->progress)
    o->progress(o, r->cost, r->elapsed > 0 ? (double)r->iterations / r->elapsed : 0, r->elapsed,
                o->progress_ctx);
}
