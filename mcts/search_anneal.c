/* Simulated annealing over permutations of the eliminable vertices.

   Cost evaluation is incremental: elimination states are checkpointed every K positions,
   so a move that changes the order from position i on replays only from the checkpoint
   before i. Metropolis acceptance is decided before the replay (the threshold
   cost + T ln(1/u) is drawn first), so a replay stops as soon as its partial cost
   exceeds the threshold: costs only grow along an order. Cooling runs in cycles; each
   cycle restarts from the best order with a fresh temperature, so long runs keep
   exploring around the incumbent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jacobian/alloc.h"
#include "mcts/search_internal.h"

typedef struct {
  const ag_dag *d;
  int m, K, nck;
  ag_elim **ck;      /* ck[c]: state after eliminating perm[0 .. c*K-1] */
  ag_elim **ck_new;  /* checkpoints written by the trial replay */
  ag_elim *scratch;
  int *perm, *trial;
  long cost;
} anneal;

/* Replays trial from position start (a checkpoint boundary) to the end, writing new
   checkpoints; gives up (returns -1) once the cost exceeds limit. */
static long replay(anneal *a, int start, long limit) {
  int c = start / a->K;
  ag_elim *s = a->scratch;
  ag_elim_copy(s, a->ck[c]);
  for (int i = start; i < a->m; i++) {
    if (i % a->K == 0) ag_elim_copy(a->ck_new[i / a->K], s);
    ag_elim_step(s, a->trial[i]);
    if (s->cost > limit) return -1;
  }
  return s->cost;
}

static void commit(anneal *a, int start) {
  for (int c = start / a->K + 1; c < a->nck; c++) {
    ag_elim *t = a->ck[c];
    a->ck[c] = a->ck_new[c];
    a->ck_new[c] = t;
  }
  /* ck_new[start/K] was a copy of ck[start/K]: nothing to swap there */
  memcpy(a->perm, a->trial, (size_t)a->m * sizeof(int));
}

static void rebuild(anneal *a) {
  ag_elim_copy(a->scratch, a->ck[0]);
  for (int i = 0; i < a->m; i++) {
    if (i % a->K == 0) ag_elim_copy(a->ck[i / a->K], a->scratch);
    ag_elim_step(a->scratch, a->perm[i]);
  }
  a->cost = a->scratch->cost;
}

void ag_search_anneal_run(ag_search_run *run) {
  const ag_dag *d = run->d;
  anneal a = {.d = d, .m = d->neliminable};
  a.K = a.m / 32 > 4 ? a.m / 32 : 4;
  a.nck = (a.m + a.K - 1) / a.K + 1;
  a.ck = ag_malloc((size_t)a.nck * sizeof(ag_elim *));
  a.ck_new = ag_malloc((size_t)a.nck * sizeof(ag_elim *));
  for (int c = 0; c < a.nck; c++) {
    a.ck[c] = ag_elim_new(d);
    a.ck_new[c] = ag_elim_new(d);
  }
  a.scratch = ag_elim_new(d);
  a.perm = ag_malloc((size_t)a.m * sizeof(int));
  a.trial = ag_malloc((size_t)a.m * sizeof(int));
  memcpy(a.perm, run->best.order, (size_t)a.m * sizeof(int));
  rebuild(&a);

  ag_rng rng;
  ag_rng_seed(&rng, run->o->seed);
  /* cycle length grows so that long runs cool slowly; temperatures relative to a typical
     step cost */
  long cycle_len = 20000L * (a.m > 50 ? a.m : 50) / 50;
  double T0 = 2.0, T1 = 0.05;
  long in_cycle = 0;
  double T = T0;
  for (;;) {
    if ((run->iterations & 255) == 0) {
      if (ag_run_tick(run)) break;
      if (run->adopted) { /* a better order came from another rank */
        run->adopted = 0;
        memcpy(a.perm, run->best.order, (size_t)a.m * sizeof(int));
        rebuild(&a);
        in_cycle = 0;
      }
      T = T0 * pow(T1 / T0, (double)in_cycle / (double)cycle_len);
    }
    run->iterations++;
    if (++in_cycle > cycle_len) { /* restart from the best with fresh heat */
      in_cycle = 0;
      memcpy(a.perm, run->best.order, (size_t)a.m * sizeof(int));
      rebuild(&a);
      if (cycle_len < 5000000) cycle_len += cycle_len / 2;
    }
    /* propose: move perm[i] to position j (mostly short moves), or swap two */
    int i = ag_rng_below(&rng, a.m), j;
    int kind = ag_rng_below(&rng, 10);
    if (kind < 6) {
      int span = 1 + ag_rng_below(&rng, 8);
      j = i + (ag_rng_below(&rng, 2) ? span : -span);
      if (j < 0 || j >= a.m) continue;
    } else {
      j = ag_rng_below(&rng, a.m);
      if (j == i) continue;
    }
    memcpy(a.trial, a.perm, (size_t)a.m * sizeof(int));
    if (kind < 8) {
      int v = a.trial[i];
      if (i < j) memmove(a.trial + i, a.trial + i + 1, (size_t)(j - i) * sizeof(int));
      else memmove(a.trial + j + 1, a.trial + j, (size_t)(i - j) * sizeof(int));
      a.trial[j] = v;
    } else {
      int t = a.trial[i];
      a.trial[i] = a.trial[j];
      a.trial[j] = t;
    }
    int lo = i < j ? i : j, start = lo - lo % a.K;
    double u = ag_rng_unit(&rng);
    long limit = a.cost + (long)floor(-T * log(u > 1e-300 ? u : 1e-300));
    long c = replay(&a, start, limit);
    if (c < 0) continue;
    commit(&a, start);
    a.cost = c;
    if (c < run->best.cost) ag_run_offer(run, a.perm, c);
  }
  for (int c = 0; c < a.nck; c++) {
    ag_elim_free(a.ck[c]);
    ag_elim_free(a.ck_new[c]);
  }
  free(a.ck);
  free(a.ck_new);
  ag_elim_free(a.scratch);
  free(a.perm);
  free(a.trial);
}
