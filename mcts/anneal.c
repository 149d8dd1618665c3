/* Simulated annealing over permutations of the eliminable vertices: the one annealer,
   used by `--method anneal` and as the primal heuristic of the exact solver.

   The annealer sweeps the order front to back with a cursor c, on the sparse elimination
   state (graph/elim_sparse.h) holding the graph after cur[0 .. c-1]. At each position a
   move takes the vertex at c to a later position c + k, or the one at c + k to c, or swaps
   the two (k uniform in 1..8 for 60 % of the moves, else log-uniform in 1..FAR = 1024:
   long moves are what large graphs need; spans of at most 16 left a 11,000-vertex spring
   network at the Markowitz cost for 20 s, at most 64 reached 12 % below it, log-uniform
   up to 1024 37 %). Only the window c .. c+k changes:
   the set eliminated after it is the same, so the rest of the order costs the same (the
   remaining graph depends on the eliminated set only). The window is eliminated on the
   state, aborted as soon as it passes the Metropolis threshold drawn beforehand (costs only
   grow along an order), and undone; then the cursor advances one step. A move thus costs
   about twice its window's steps, and a step the size of its local change: neither copies
   nor bitsets grow with the graph, so a 10,000-vertex graph anneals as fast per move as a
   100-vertex one. A sweep that reaches the end starts again at the front.
   Cooling runs in cycles from T = 2 to 0.05 multiplications (geometric), each restarting
   from the best order, of 400 moves per vertex (at most CYCLE_MAX) growing by half each
   time. Deterministic for a seed and a move count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/elim_sparse.h"
#include "graph/exec_cost.h"
#include "mcts/run.h"

#define LOCAL     8        /* the span of 60 % of the moves */
#define FAR       1024     /* the longest span */
#define CYCLE_MAX 2000000L /* moves in the first cooling cycle, at most */

typedef struct {
  const ag_dag *d;
  int m, c;    /* positions; the cursor */
  ag_selim *s; /* the graph after cur[0 .. c-1], log committed there */
  int *cur, *win, *best;
  long *stepc, *wstep; /* cost of each step of cur; of the trial window */
  long cost, best_cost;
} annealer;

/* Takes order as the current one: costs every step, leaves the cursor at 0. */
static void load(annealer *an, const int *order) {
  memcpy(an->cur, order, (size_t)an->m * sizeof(int));
  ag_selim_reset(an->s, an->d);
  for (int k = 0; k < an->m; k++) {
    an->stepc[k] = ag_selim_step(an->s, an->cur[k]);
    ag_selim_commit(an->s);
  }
  an->cost = an->s->cost;
  ag_selim_reset(an->s, an->d);
  an->c = 0;
}

/* Advances the cursor by one step of the current order. */
static void advance(annealer *an) {
  if (an->c >= an->m - 1) { /* the sweep is over: back to the front */
    ag_selim_reset(an->s, an->d);
    an->c = 0;
    return;
  }
  ag_selim_step(an->s, an->cur[an->c++]);
  ag_selim_commit(an->s);
}

/* The window cur[lo .. lo+k] after the move into win (kind 0: cur[lo] to the end, 1:
   cur[lo+k] to the front, 2: the two swap). */
static void move_window(const int *cur, int lo, int k, int kind, int *win) {
  memcpy(win, cur + lo, (size_t)(k + 1) * sizeof(int));
  if (kind == 0) {
    memmove(win, win + 1, (size_t)k * sizeof(int));
    win[k] = cur[lo];
  } else if (kind == 1) {
    memmove(win + 1, win, (size_t)k * sizeof(int));
    win[0] = cur[lo + k];
  } else {
    win[0] = cur[lo + k];
    win[k] = cur[lo];
  }
}

long ag_anneal(const ag_dag *d, const int *start, const ag_anneal_ctl *c) {
  const int m = d->neliminable;
  if (m < 2) return 0;
  annealer an = {.d = d, .m = m};
  an.s = ag_selim_new(d);
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
  long cycle = 400L * (m > 50 ? m : 50), in_cycle = 0, it = 0;
  if (cycle > CYCLE_MAX) cycle = CYCLE_MAX;
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
    const int lo = an.c, room = m - 1 - lo;
    const int kind = (int)ag_rng_below(&rng, 10);
    /* local: uniform in 1..LOCAL; far: log-uniform in 1..FAR (as many spans in 10..100 as
       in 100..1000, so long moves stay frequent without dominating the work) */
    const double r = ag_rng_unit(&rng);
    const int k = kind < 6 ? 1 + (int)(r * LOCAL) : (int)exp(r * log((double)FAR));
    const double u = ag_rng_unit(&rng);
    if (k > room) {
      advance(&an);
      continue;
    }
    const int len = k + 1;
    move_window(an.cur, lo, k, kind >= 8 ? 2 : kind % 2, an.win);
    long old = 0;
    for (int j = lo; j <= lo + k; j++)
      old += an.stepc[j];
    const double lim = (double)old - temp * log(u > 1e-300 ? u : 1e-300);
    long cw = 0;
    int done = 0, ok = 1;
    while (done < len && ok) {
      an.wstep[done] = ag_selim_step(an.s, an.win[done]);
      cw += an.wstep[done++];
      ok = (double)cw <= lim;
    }
    while (done-- > 0)
      ag_selim_undo(an.s);
    if (ok) {
      memcpy(an.cur + lo, an.win, (size_t)len * sizeof(int));
      memcpy(an.stepc + lo, an.wstep, (size_t)len * sizeof(long));
      an.cost += cw - old;
      if (an.cost < an.best_cost) {
        memcpy(an.best, an.cur, (size_t)m * sizeof(int));
        an.best_cost = an.cost;
        if (c->improved) c->improved(c->ctx, an.best, an.best_cost);
      }
    }
    advance(&an);
  }
  ag_selim_free(an.s);
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
