/* Order search under the tensor cost model (tensor_search.h): the front door, the run
   bookkeeping and the annealer; MCTS is in tensor_mcts.c. */
#include "tensor/tensor_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/perm_move.h"
#include "base/rng.h"
#include "tensor/tensor_search_int.h"

void ag_tsearch_opts_default(ag_tsearch_opts *o) {
  memset(o, 0, sizeof *o);
  o->time_limit = 10;
  o->seed = 1;
  o->share_interval = 1;
  o->mcts_rollouts = 1;
}

void ag_tsearch_result_free(ag_tsearch_result *r) {
  free(r->order);
  memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- run bookkeeping */

void ag_trun_offer(ag_trun *run, const int *cols, long cost) {
  if (cost >= run->best_cost) return;
  run->best_cost = cost;
  for (int i = 0; i < run->m; i++)
    run->best[i] = cols[i] + 1;
  run->found_at = ag_now() - run->t0;
}

int ag_trun_tick(ag_trun *run) {
  const ag_tsearch_opts *o = run->o;
  double el = ag_now() - run->t0;
  if (o->share && el >= run->next_share) {
    run->next_share = el + (o->share_interval > 0 ? o->share_interval : 1);
    long c = run->best_cost;
    if (o->share(&c, run->best, run->m, o->share_ctx) && c < run->best_cost) {
      run->best_cost = c;
      run->found_at = el;
      run->adopted = 1;
    }
  }
  if (o->progress && el >= run->next_progress) {
    run->next_progress = el + 1;
    o->progress(run->best_cost, el > 0 ? (double)run->iterations / el : 0, el, o->progress_ctx);
  }
  if (o->time_limit > 0 && el >= o->time_limit) return 1;
  if (o->max_moves > 0 && run->iterations >= o->max_moves) return 1;
  if (o->target > 0 && run->best_cost <= o->target) return 1;
  return 0;
}

/* ---------------------------------------------------------------- annealing */

#define SNAP 8

typedef struct {
  const ag_tgraph *g;
  int m, ns;
  ag_tstate **snap; /* snap[k]: the state after cur[0 .. k*SNAP-1] */
  ag_tstate *s;
  int *cur, *trial;
  long cost;
} annealer;

static int same_state(const ag_tstate *a, const ag_tstate *b) {
  const ag_tgraph *g = a->g;
  return !memcmp(a->done, b->done, (size_t)g->nv) &&
         !memcmp(a->E, b->E, (size_t)g->nvar * g->nv * sizeof(ag_tedge));
}

/* Replays cur from snapshot k0 / SNAP to the end, refreshing the snapshots after it. */
static void rebuild(annealer *an, int k0) {
  ag_tstate_copy(an->s, an->snap[k0 / SNAP]);
  for (int k = k0; k < an->m; k++) {
    if (k % SNAP == 0 && k > k0) ag_tstate_copy(an->snap[k / SNAP], an->s);
    ag_tstate_eliminate(an->s, an->cur[k]);
  }
  an->cost = an->s->cost;
}

static void load(annealer *an, const int *cols) {
  memcpy(an->cur, cols, (size_t)an->m * sizeof(int));
  ag_tstate_reset(an->snap[0]);
  rebuild(an, 0);
}

static int anneal(ag_trun *run) {
  const ag_tgraph *g = run->g;
  const int m = g->neliminable;
  if (m < 2) return 0;
  annealer an = {.g = g, .m = m, .ns = m / SNAP + 1};
  an.snap = ag_malloc((size_t)an.ns * sizeof *an.snap);
  for (int k = 0; k < an.ns; k++)
    an.snap[k] = ag_tstate_new(g);
  an.s = ag_tstate_new(g);
  an.cur = ag_malloc((size_t)m * sizeof(int));
  an.trial = ag_malloc((size_t)m * sizeof(int));
  int *best = ag_malloc((size_t)m * sizeof(int));
  for (int i = 0; i < m; i++)
    best[i] = run->best[i] - 1;
  load(&an, best);
  long best_cost = an.cost;

  ag_rng rng;
  ag_rng_seed(&rng, run->o->seed);
  /* temperatures relative to the starting cost: products cost from 1 to thousands of
     multiplications on these graphs */
  const double T0 = fmax(1.0, 0.01 * (double)best_cost),
               T1 = fmax(0.05, 0.0002 * (double)best_cost);
  long cycle = 4000L * (m > 50 ? m : 50) / 50, in_cycle = 0;
  double temp = T0, decay = exp(log(T1 / T0) / (double)cycle);
  for (;; run->iterations++) {
    if ((run->iterations & 63) == 0) {
      if (ag_trun_tick(run)) break;
      if (run->adopted) { /* a better order from another rank */
        run->adopted = 0;
        for (int i = 0; i < m; i++)
          best[i] = run->best[i] - 1;
        load(&an, best);
        best_cost = an.cost;
      }
    }
    if (++in_cycle > cycle) { /* restart from the best with fresh heat */
      in_cycle = 0;
      if (cycle < 2000000) cycle += cycle / 2;
      temp = T0;
      decay = exp(log(T1 / T0) / (double)cycle);
      load(&an, best);
    }
    temp *= decay;
    ag_perm_move mv;
    if (!ag_perm_move_draw(&rng, m, &mv)) continue;
    const int lo = mv.lo, hi = mv.hi;
    memcpy(an.trial, an.cur, (size_t)m * sizeof(int));
    ag_perm_move_window(&mv, an.cur, an.trial + lo);
    double u = ag_rng_unit(&rng);
    double lim = (double)an.cost - temp * log(u > 1e-300 ? u : 1e-300);
    int k0 = lo / SNAP * SNAP, met = -1; /* met: the snapshot where the states meet again */
    ag_tstate_copy(an.s, an.snap[k0 / SNAP]);
    long newcost = -1;
    for (int k = k0;; k++) {
      if (k > hi && k % SNAP == 0 && k < m && same_state(an.s, an.snap[k / SNAP])) {
        met = k;
        newcost = an.s->cost + (an.cost - an.snap[k / SNAP]->cost);
        break;
      }
      if (k == m) {
        newcost = an.s->cost;
        break;
      }
      ag_tstate_eliminate(an.s, an.trial[k]);
      if ((double)an.s->cost > lim) break; /* costs only grow along an order */
    }
    if (newcost < 0 || (double)newcost > lim) continue;
    /* accepted */
    memcpy(an.cur, an.trial, (size_t)m * sizeof(int));
    if (met < 0)
      rebuild(&an, k0);
    else {
      long delta = newcost - an.cost;
      ag_tstate_copy(an.s, an.snap[k0 / SNAP]);
      for (int k = k0; k < met; k++) {
        if (k % SNAP == 0 && k > k0) ag_tstate_copy(an.snap[k / SNAP], an.s);
        ag_tstate_eliminate(an.s, an.cur[k]);
      }
      for (int k = met / SNAP; k < an.ns; k++)
        an.snap[k]->cost += delta;
      an.cost = newcost;
    }
    if (an.cost < best_cost) {
      best_cost = an.cost;
      memcpy(best, an.cur, (size_t)m * sizeof(int));
      ag_trun_offer(run, best, best_cost);
    }
  }
  for (int k = 0; k < an.ns; k++)
    ag_tstate_free(an.snap[k]);
  free(an.snap);
  ag_tstate_free(an.s);
  free(an.cur);
  free(an.trial);
  free(best);
  return 0;
}

/* ---------------------------------------------------------------- front door */

int ag_tsearch(const ag_tgraph *g, ag_tsearch_method method, const ag_tsearch_opts *o,
               ag_tsearch_result *r, ag_error *err) {
  memset(r, 0, sizeof *r);
  const int m = g->neliminable;
  ag_trun run = {.g = g, .o = o, .m = m, .t0 = ag_now()};
  run.best = ag_malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  int *ids = ag_malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
  run.best_cost = -1;
  long (*seeds[4])(const ag_tgraph *, int *) = {ag_torder_forward, ag_torder_reverse,
                                                ag_torder_markowitz, ag_torder_greedy};
  long *seed_cost[4] = {&r->fwd, &r->rev, &r->markowitz, &r->greedy};
  for (int k = 0; k < 4; k++) {
    long c = seeds[k](g, ids);
    *seed_cost[k] = c;
    if (run.best_cost < 0 || c < run.best_cost) {
      run.best_cost = c;
      memcpy(run.best, ids, (size_t)m * sizeof(int));
    }
  }
  free(ids);
  run.next_share = o->share_interval > 0 ? o->share_interval : 1;
  int rc = 0;
  if (method == AG_TSEARCH_ANNEAL)
    rc = anneal(&run);
  else if (method == AG_TSEARCH_MCTS)
    rc = ag_tsearch_mcts_run(&run, err);
  else
    rc = ag_fail(err, "unknown tensor search method %d", (int)method);
  if (o->progress) {
    double el = ag_now() - run.t0;
    o->progress(run.best_cost, el > 0 ? (double)run.iterations / el : 0, el, o->progress_ctx);
  }
  if (rc) {
    free(run.best);
    return -1;
  }
  r->order = run.best;
  r->len = m;
  r->cost = run.best_cost;
  r->iterations = run.iterations;
  r->elapsed = ag_now() - run.t0;
  r->time_to_cost = run.found_at;
  r->method = method == AG_TSEARCH_ANNEAL ? "anneal" : "mcts";
  /* the reported cost is the order's, recomputed from scratch */
  long check = ag_torder_cost(g, r->order, r->len, err);
  if (check != r->cost) {
    ag_tsearch_result_free(r);
    return ag_failc(err, AG_ERR_INPUT, "internal error: the search's order costs %ld, not %ld",
                    check, run.best_cost);
  }
  return 0;
}
