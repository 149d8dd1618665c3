/* Shared by the searchers: clock, RNG, incumbent bookkeeping, progress pacing. */
#ifndef AG_SEARCH_INTERNAL_H
#define AG_SEARCH_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "jacobian/eliminate.h"
#include "mcts/search.h"

static inline double ag_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* xoshiro256** seeded by splitmix64: fast, deterministic for a seed */
typedef struct {
  uint64_t s[4];
} ag_rng;

static inline uint64_t ag_splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static inline void ag_rng_seed(ag_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = ag_splitmix(&seed);
}
static inline uint64_t ag_rng_next(ag_rng *r) {
  uint64_t *s = r->s, x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return res;
}
static inline double ag_rng_unit(ag_rng *r) { return (double)(ag_rng_next(r) >> 11) * 0x1.0p-53; }
static inline int ag_rng_below(ag_rng *r, int n) { return (int)(ag_rng_unit(r) * n); }

/* The best complete order seen by a searcher, with when it was reached. */
typedef struct {
  int *order; /* elimination indices (not vertex ids) */
  int len;
  long cost;
  double found_at;
} ag_incumbent;

/* Tracks time, progress pacing and sharing for one search run. */
typedef struct {
  const ag_dag *d;
  const ag_search_opts *o;
  double t0, next_progress, next_share;
  long iterations;
  long lower_bound;
  int adopted; /* set when sharing brought a better incumbent; searchers clear it */
  ag_incumbent best;
} ag_search_run;

void ag_run_init(ag_search_run *run, const ag_dag *d, const ag_search_opts *o);
void ag_run_free(ag_search_run *run);
/* Offers a complete order (elimination indices) of the given cost; keeps it if better. */
int ag_run_offer(ag_search_run *run, const int *order, long cost);
/* Returns 1 when the search must stop (time, iterations, target reached, bound met);
   calls progress and sharing hooks when due. Cheap: call every few hundred iterations. */
int ag_run_tick(ag_search_run *run);
/* Fills r from the run (order converted to vertex ids). */
void ag_run_result(ag_search_run *run, ag_search_result *r, const char *method);

/* The annealer (search_anneal.c), shared by --method anneal and the exact solver. */
typedef struct {
  uint64_t seed;
  long max_moves;                 /* 0: until stop says so */
  int (*stop)(void *ctx);         /* polled every 256 moves; nonzero ends the run */
  int (*restart)(void *ctx, int *order); /* polled likewise; 1: restart from *order */
  void (*improved)(void *ctx, const int *order, long cost); /* a cheaper order */
  long *counter;                  /* incremented per move when not NULL */
  void *ctx;
} ag_anneal_ctl;
/* Anneals from start (elimination indices, a complete order of d); returns moves made. */
long ag_anneal(const ag_dag *d, const int *start, const ag_anneal_ctl *c);

#endif
