/* Simulated annealing over permutations of the eliminable vertices: the one annealer,
   used by `--method anneal` and as the primal heuristic of the exact solver.

   A move takes the vertex at position i to position j (60 %: |i - j| <= 8, 20 %: anywhere)
   or swaps the two (20 %). Only the window between i and j changes: the set eliminated
   after it is the same, so the rest of the order costs the same (the remaining graph
   depends on the eliminated set only). A move is evaluated by replaying the window from a
   snapshot of the state (one every SNAP positions), aborted as soon as it passes the
   Metropolis threshold drawn beforehand (costs only grow along an order). Cooling runs in
   cycles from T = 2 to 0.05 multiplications (geometric), each restarting from the best
   order, of 20000 * max(m, 50) / 50 moves growing by half each time. Deterministic for a
   seed and a move count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/perm_move.h"
#include "graph/exec_cost.h"
#include "mcts/run.h"

#define SNAP 8

typedef struct {
  int m, ns;
  ag_elim *root;           /* the untouched graph */
  ag_elim **snap, **tsnap; /* snap[k]: state after cur[0 .. k*SNAP-1]; tsnap: trial copies */
  ag_elim *s;
  int *cur, *win, *best;
  long *stepc, *wstep; /* cost of each step of cur; of the trial window */
  long cost, best_cost;
} annealer;

static void load(annealer *an, const int *order) {
  memcpy(an->cur, order, (size_t)an->m * sizeof(int));
  ag_elim_copy(an->s, an->root);
  for (int k = 0; k < an->m; k++) {
    if (k % SNAP == 0) ag_elim_copy(an->snap[k / SNAP], an->s);
    an->stepc[k] = ag_elim_step(an->s, an->cur[k]);
  }
  an->cost = an->s->cost;
}

long ag_anneal(const ag_dag *d, const int *start, const ag_anneal_ctl *c) {
  const int m = d->neliminable;
  if (m < 2) return 0;
  annealer an = {.m = m, .ns = m / SNAP + 1};
  an.root = ag_elim_new(d);
  an.snap = ag_malloc((size_t)an.ns * sizeof(ag_elim *));
  an.tsnap = ag_malloc((size_t)an.ns * sizeof(ag_elim *));
  for (int k = 0; k < an.ns; k++)
    an.snap[k] = ag_elim_new(d), an.tsnap[k] = ag_elim_new(d);
  an.s = ag_elim_new(d);
  an.cur = ag_malloc((size_t)m * sizeof(int));
  an.win = ag_malloc((size_t)m * sizeof(int));
  an.best = ag_malloc((size_t)m * sizeof(int));
  an.stepc = ag_malloc((size_t)m * sizeof(long));
  an.wstep = ag_malloc((size_t)m * sizeof(long));
  load(&an, start);
  memcpy(an.best, an.cur, (size_t)m * sizeof(int));
  an.best_cost = an.cost;

  ag_rng rng;
  ag_rng_seed(&rng, c->seed);
  /* temperatures in multiplications; under the execution model in the cost of one fused
     multiply-add */
  const double unit = d->exec ? (double)(d->exec->fma > 0 ? d->exec->fma : 1) : 1.0;
  const double T0 = 2.0 * unit, T1 = 0.05 * unit;
  long cycle = 20000L * (m > 50 ? m : 50) / 50, in_cycle = 0, it = 0;
  double temp = T0, decay = exp(log(T1 / T0) / (double)cycle);
  for (;; it++) {
    if (c->max_moves > 0 && it >= c->max_moves) break;
    if ((it & 255) == 0) {
      if (c->stop && c->stop(c->ctx)) break;
      if (c->restart && c->restart(c->ctx, an.win)) { /* a better order from elsewhere */
        load(&an, an.win);
        if (an.cost < an.best_cost) {
          memcpy(an.best, an.cur, (size_t)m * sizeof(int));
          an.best_cost = an.cost;
        }
      }
    }
    if (c->counter) (*c->counter)++;
    if (++in_cycle > cycle) { /* restart from the best with fresh heat */
      in_cycle = 0;
      if (cycle < 5000000) cycle += cycle / 2;
      temp = T0;
      decay = exp(log(T1 / T0) / (double)cycle);
      load(&an, an.best);
    }
    temp *= decay;
    ag_perm_move mv;
    if (!ag_perm_move_draw(&rng, m, &mv)) continue;
    const int lo = mv.lo, hi = mv.hi, len = hi - lo + 1;
    ag_perm_move_window(&mv, an.cur, an.win); /* the window after the move */
    long old = 0;
    for (int k = lo; k <= hi; k++)
      old += an.stepc[k];
    double u = ag_rng_unit(&rng);
    double lim = (double)old - temp * log(u > 1e-300 ? u : 1e-300);
    int k0 = lo / SNAP * SNAP;
    ag_elim_copy(an.s, an.snap[k0 / SNAP]);
    for (int k = k0; k < lo; k++)
      ag_elim_step(an.s, an.cur[k]);
    long cw = 0;
    int ok = 1;
    for (int k = lo; k <= hi && ok; k++) {
      if (k % SNAP == 0) ag_elim_copy(an.tsnap[k / SNAP], an.s);
      an.wstep[k - lo] = ag_elim_step(an.s, an.win[k - lo]);
      cw += an.wstep[k - lo];
      ok = (double)cw <= lim;
    }
    if (!ok) continue;
    memcpy(an.cur + lo, an.win, (size_t)len * sizeof(int));
    memcpy(an.stepc + lo, an.wstep, (size_t)len * sizeof(long));
    for (int k = (lo + SNAP - 1) / SNAP * SNAP; k <= hi; k += SNAP) {
      ag_elim *t = an.snap[k / SNAP];
      an.snap[k / SNAP] = an.tsnap[k / SNAP];
      an.tsnap[k / SNAP] = t;
    }
    an.cost += cw - old;
    if (an.cost < an.best_cost) {
      memcpy(an.best, an.cur, (size_t)m * sizeof(int));
      an.best_cost = an.cost;
      if (c->improved) c->improved(c->ctx, an.best, an.best_cost);
    }
  }
  for (int k = 0; k < an.ns; k++)
    ag_elim_free(an.snap[k]), ag_elim_free(an.tsnap[k]);
  free(an.snap);
  free(an.tsnap);
  ag_elim_free(an.s);
  ag_elim_free(an.root);
  free(an.cur);
  free(an.win);
  free(an.best);
  free(an.stepc);
  free(an.wstep);
  return it;
}

/* ---- `--method anneal`: the annealer driven by a search run ---- */

static int run_stop(void *ctx) { return ag_run_tick(ctx); }

static int run_restart(void *ctx, int *order) {
  ag_search_run *run = ctx;
  if (!run->adopted) return 0;
  run->adopted = 0;
  memcpy(order, run->best.order, (size_t)run->best.len * sizeof(int));
  return 1;
}

static void run_improved(void *ctx, const int *order, long cost) { ag_run_offer(ctx, order, cost); }

int ag_search_anneal_run(ag_search_run *run, ag_error *err) {
  (void)err;
  ag_anneal_ctl c = {.seed = run->o->seed,
                     .stop = run_stop,
                     .restart = run_restart,
                     .improved = run_improved,
                     .counter = &run->iterations,
                     .ctx = run};
  ag_anneal(run->d, run->best.order, &c);
  return 0;
}
