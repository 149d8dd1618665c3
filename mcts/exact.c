/* Exact order search: A* over eliminated sets (docs/exact.md).

   A state is the set of eliminated vertices; the remaining graph depends on the set only,
   so states live in a hash table keyed by the set, with the cheapest known cost g to reach
   it and a parent link for the order. The open list is a binary heap on f = g + h, h the
   group bound (path bound where no group applies). h is consistent, so a state is expanded
   at most once with its optimal g. Children enter the heap with a cheap f computed from the
   parent's per-vertex bounds (a valid lower bound, since bounds only grow with
   eliminations); a state's exact h is computed when it is popped, and it goes back into
   the heap if its f rose above the next entry. f is path-maxed (never below the parent's).

   The incumbent (best complete order) prunes every child with f >= its cost. The search
   ends when the open list is empty or its least f reaches the incumbent's cost: then the
   incumbent is optimal. Stopped early (time, iterations, memory), the proven bound is the
   least f in the open list (every optimal order passes through an open state whose f is
   at most the optimum), and never more than the incumbent's cost.

   Phases: a short A* on the path bound (small graphs end there); the group bound with
   groups of up to 16 (A* restarted with it when it raises the root bound); simulated
   annealing on the incumbent (the primal heuristic: A* proves well but finds the optimum
   of a large plateau slowly); larger groups if a gap remains; the A* to the end.

   The incumbent, clock, iteration count (expanded states), progress and sharing are those
   of the search run (mcts/run.h); an order offered through sharing is adopted once its
   cost checks out, a bound offered there is not (the bound is only what this search
   proved). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "mcts/bounds.h"
#include "mcts/exact.h"
#include "mcts/run.h"

#define AG_EXACT_FIRST_GROUP 16

void ag_exact_params_default(ag_exact_params *p) {
  memset(p, 0, sizeof *p);
  p->max_memory = (size_t)1 << 30;
  p->max_group = 20;
  p->group_fraction = 0.25;
  p->first_expansions = 256;
  p->anneal_moves = 400000;
  p->anneal_fraction = 0.3;
}

/* ---- state table: open addressing on the eliminated set ---- */

typedef struct {
  int W;                        /* words per key */
  uint32_t count, cap, max_cap; /* states, allocated, allowed by the memory budget */
  uint64_t *keys;               /* cap * W */
  int32_t *g;                   /* best known cost to reach the state */
  int32_t *parent;              /* state it was reached from (-1: root) */
  uint16_t *last;               /* vertex eliminated last on that path */
  uint8_t *closed;
  uint32_t *slot; /* hash index: state + 1, 0 = empty; nslot = 2^k >= 2 cap */
  uint32_t nslot;
} state_table;

static void table_alloc(state_table *t, uint32_t cap) {
  t->cap = cap;
  t->keys = ag_realloc(t->keys, (size_t)cap * t->W * sizeof(uint64_t));
  t->g = ag_realloc(t->g, (size_t)cap * sizeof(int32_t));
  t->parent = ag_realloc(t->parent, (size_t)cap * sizeof(int32_t));
  t->last = ag_realloc(t->last, (size_t)cap * sizeof(uint16_t));
  t->closed = ag_realloc(t->closed, (size_t)cap);
  t->nslot = 16;
  while (t->nslot < 2 * (uint64_t)cap)
    t->nslot *= 2;
  free(t->slot);
  t->slot = ag_calloc(t->nslot, sizeof(uint32_t));
}

static void table_init(state_table *t, int W, uint32_t max_cap) {
  memset(t, 0, sizeof *t);
  t->W = W;
  t->max_cap = max_cap;
  table_alloc(t, max_cap < 4096 ? max_cap : 4096);
}

/* Room for `need` more states: grows (doubling, rehashing) within max_cap; 0 if full. */
static int table_reserve(state_table *t, uint32_t need) {
  if ((uint64_t)t->count + need <= t->cap) return 1;
  if ((uint64_t)t->count + need > t->max_cap) return 0;
  uint64_t cap = (uint64_t)t->cap * 2;
  while (cap < (uint64_t)t->count + need)
    cap *= 2;
  if (cap > t->max_cap) cap = t->max_cap;
  table_alloc(t, (uint32_t)cap);
  uint32_t mask = t->nslot - 1;
  for (uint32_t idx = 0; idx < t->count; idx++) {
    uint32_t i = (uint32_t)ag_hash_words(t->keys + (size_t)idx * t->W, t->W) & mask;
    while (t->slot[i])
      i = (i + 1) & mask;
    t->slot[i] = idx + 1;
  }
  return 1;
}

static void table_free(state_table *t) {
  free(t->keys);
  free(t->g);
  free(t->parent);
  free(t->last);
  free(t->closed);
  free(t->slot);
}

/* Index of key, or -1; *ins receives the slot to insert at. */
static int64_t table_find(const state_table *t, const uint64_t *key, uint32_t *ins) {
  uint32_t mask = t->nslot - 1, i = (uint32_t)ag_hash_words(key, t->W) & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t e = t->slot[i];
    if (!e) {
      *ins = i;
      return -1;
    }
    if (!memcmp(t->keys + (size_t)(e - 1) * t->W, key, (size_t)t->W * sizeof(uint64_t)))
      return (int64_t)e - 1;
  }
}

static uint32_t table_insert(state_table *t, uint32_t slot, const uint64_t *key) {
  uint32_t idx = t->count++;
  memcpy(t->keys + (size_t)idx * t->W, key, (size_t)t->W * sizeof(uint64_t));
  t->closed[idx] = 0;
  t->slot[slot] = idx + 1;
  return idx;
}

/* ---- open list: binary heap on (f asc, g desc, seq desc) ---- */

typedef struct {
  int32_t f, g;
  uint32_t idx, seq;
} heap_entry;

typedef struct {
  heap_entry *a;
  size_t n, cap;
} heap;

static int heap_less(const heap_entry *x, const heap_entry *y) {
  if (x->f != y->f) return x->f < y->f;
  if (x->g != y->g) return x->g > y->g;
  return x->seq > y->seq;
}

static void heap_push(heap *h, heap_entry e) {
  size_t i = h->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!heap_less(&e, &h->a[p])) break;
    h->a[i] = h->a[p];
    i = p;
  }
  h->a[i] = e;
}

static heap_entry heap_pop(heap *h) {
  heap_entry top = h->a[0], e = h->a[--h->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && heap_less(&h->a[c + 1], &h->a[c])) c++;
    if (!heap_less(&h->a[c], &e)) break;
    h->a[i] = h->a[c];
    i = c;
  }
  if (h->n) h->a[i] = e;
  return top;
}

/* The A*'s memory: the state table (grown on demand up to the budget) and the open list. */
typedef struct {
  state_table t;
  heap h;
  size_t heap_cap;
  long lower; /* proven bound on completions of the start state */
  int done;   /* exhausted: nothing below the incumbent */
  int full;   /* out of memory */
} astar_mem;

static void mem_init(astar_mem *a, int W, size_t max_memory) {
  memset(a, 0, sizeof *a);
  /* a state: key + 11 bytes + 8 bytes of hash index; the heap up to 2 entries per state */
  size_t per = (size_t)W * 8 + 11 + 8 + 2 * sizeof(heap_entry);
  size_t cap = max_memory / per;
  if (cap > 0x7fffffffu) cap = 0x7fffffffu;
  if (cap < 1024) cap = 1024;
  table_init(&a->t, W, (uint32_t)cap);
  a->heap_cap = 2 * cap;
  a->h.cap = 1024;
  a->h.n = 0;
  a->h.a = ag_malloc(a->h.cap * sizeof(heap_entry));
}

static void mem_clear(astar_mem *a) {
  memset(a->t.slot, 0, (size_t)a->t.nslot * sizeof(uint32_t));
  a->t.count = 0;
  a->h.n = 0;
  a->full = a->done = 0;
}

static void mem_free(astar_mem *a) {
  table_free(&a->t);
  free(a->h.a);
}

static void mem_push(astar_mem *a, heap_entry e) {
  if (a->h.n == a->h.cap) {
    a->h.cap *= 2;
    a->h.a = ag_realloc(a->h.a, a->h.cap * sizeof(heap_entry));
  }
  heap_push(&a->h, e);
}

/* ---- the search ---- */

typedef struct {
  ag_search_run *run; /* incumbent (run->best), clock, expanded states (run->iterations),
                         proven global bound (run->lower_bound), hooks */
  const ag_dag *d;
  const ag_search_opts *o;
  ag_exact_params p;
  int W, n, m;        /* key words, elimination indices, eliminable vertices */
  ag_group_bound *gb; /* the group tables built at the root (NULL: path bound only) */
  long *gterm;        /* per group: its term of h */
  ag_bound_ws *ws;
  ag_elim *root, *s;
  long *pv;        /* per-vertex path bounds of the state being expanded */
  double deadline; /* 0: none */
  int *path;       /* scratch for orders */
  uint32_t seq;
  int stop; /* time, iterations or target: the whole search ends */
} xsearch;

static void rebuild_state(xsearch *x, const uint64_t *key) {
  ag_elim_copy(x->s, x->root);
  for (int i = 0; i < x->W; i++)
    for (uint64_t b = key[i]; b; b &= b - 1)
      ag_elim_step(x->s, i * 64 + __builtin_ctzll(b));
}

/* h of x->s: the path bounds of the vertices in no group plus, per group, the larger of
   its table entry and its remaining members' path bounds. Fills x->pv and x->gterm. */
static long eval_h(xsearch *x) {
  const ag_elim *s = x->s;
  const ag_group_bound *gb = x->gb;
  long h = 0;
  ag_bound_paths_ws(x->ws, s, x->pv);
  for (int v = 0; v < x->n; v++)
    if (ag_elim_eliminable(s, v) && (!gb || gb->group_of[v] < 0)) h += x->pv[v];
  if (gb)
    for (int k = 0; k < gb->ngroups; k++) {
      x->gterm[k] = ag_group_term(gb, k, s, x->pv);
      h += x->gterm[k];
    }
  return h;
}

/* A lower bound on h(x->s + u) from the terms of x->s: the parent's per-vertex bounds
   stand in for the child's (they only grow). */
static long child_h(const xsearch *x, long h, int u) {
  const ag_group_bound *gb = x->gb;
  int k = gb ? gb->group_of[u] : -1;
  if (k < 0) return h - x->pv[u];
  const int *g = gb->members[k];
  size_t mask = 0;
  long sum = 0;
  for (int i = 0; i < gb->gsize[k]; i++) {
    if (g[i] == u || ((x->s->removed[g[i] >> 6] >> (g[i] & 63)) & 1))
      mask |= (size_t)1 << i;
    else
      sum += x->pv[g[i]];
  }
  long r = gb->rdp[k][mask];
  return h - x->gterm[k] + (r > sum ? r : sum);
}

/* The order reaching state idx of a's table (its parent chain) into x->path; returns the
   length. */
static int trace(xsearch *x, const astar_mem *a, int64_t idx) {
  int len = 0;
  for (; idx >= 0 && a->t.parent[idx] >= 0; idx = a->t.parent[idx])
    x->path[len++] = a->t.last[idx];
  for (int i = 0; i < len / 2; i++) {
    int tmp = x->path[i];
    x->path[i] = x->path[len - 1 - i];
    x->path[len - 1 - i] = tmp;
  }
  return len;
}

static void offer(xsearch *x, const int *order, long cost) { ag_run_offer(x->run, order, cost); }

/* Progress and sharing hooks; sets x->stop when the search must end. */
static void tick(xsearch *x) {
  if (ag_run_tick(x->run)) x->stop = 1;
}

/* A* from the state `start` (reached at cost g0; the search uses the root), in a (cleared
   here). astar_run continues it. */
static void astar_start(xsearch *x, astar_mem *a, const uint64_t *start, long g0) {
  mem_clear(a);
  table_reserve(&a->t, 1);
  uint32_t ins;
  table_find(&a->t, start, &ins);
  uint32_t sidx = table_insert(&a->t, ins, start);
  a->t.g[sidx] = (int32_t)g0;
  a->t.parent[sidx] = -1;
  a->t.last[sidx] = 0;
  rebuild_state(x, start);
  long f0 = g0 + eval_h(x);
  a->lower = f0;
  a->done = 0;
  if (f0 < x->run->best.cost) mem_push(a, (heap_entry){(int32_t)f0, (int32_t)g0, sidx, x->seq++});
}

/* Runs the A* in a for at most max_exp more expansions (0: no cap). Returns 0 when it is
   finished: the open list holds no state cheaper than the incumbent, so no completion of
   the start state beats the incumbent; 1 when paused (max_exp) or stopped (x->stop, or out
   of memory: a->full). a->lower: the proven bound on completions through the start state,
   capped by the incumbent's cost. */
static int astar_run(xsearch *x, astar_mem *a, long max_exp) {
  const int W = x->W;
  uint64_t *key = ag_malloc((size_t)W * sizeof(uint64_t));
  uint32_t ins;
  long exp0 = x->run->iterations;
  int paused = 0;
  while (a->h.n > 0) {
    heap_entry e = a->h.a[0];
    if (e.f >= x->run->best.cost) break; /* nothing cheaper left */
    if (e.f > a->lower) a->lower = e.f;
    if ((x->run->iterations & 63) == 0) tick(x);
    if (x->o->max_iterations > 0 && x->run->iterations >= x->o->max_iterations) x->stop = 1;
    if (!table_reserve(&a->t, (uint32_t)x->m + 1) || a->h.n + (size_t)x->m + 1 > a->heap_cap)
      a->full = 1;
    if (x->stop || a->full || (max_exp > 0 && x->run->iterations - exp0 >= max_exp)) {
      paused = 1;
      break;
    }
    heap_pop(&a->h);
    uint32_t idx = e.idx;
    if (a->t.closed[idx] || e.g > a->t.g[idx]) continue; /* stale entry */
    memcpy(key, a->t.keys + (size_t)idx * W, (size_t)W * sizeof(uint64_t));
    rebuild_state(x, key);
    long g = a->t.g[idx];
    long h = eval_h(x);
    long f = g + h > e.f ? g + h : e.f;
    if (f >= x->run->best.cost) continue;
    if (f > e.f && a->h.n > 0 &&
        heap_less(&a->h.a[0], &(heap_entry){(int32_t)f, (int32_t)g, idx, 0})) {
      /* its f rose above the next entry: back into the heap with the exact value */
      mem_push(a, (heap_entry){(int32_t)f, (int32_t)g, idx, x->seq++});
      continue;
    }
    a->t.closed[idx] = 1;
    x->run->iterations++;
    for (int u = x->s->ni; u < x->n; u++) {
      if (!ag_elim_eliminable(x->s, u)) continue;
      long gc = g + ag_elim_markowitz(x->s, u);
      long fc = gc + child_h(x, h, u);
      if (fc < f) fc = f;
      if (fc >= x->run->best.cost) continue;
      if (x->s->nleft == 1) { /* a complete order */
        int len = trace(x, a, idx);
        x->path[len] = u;
        offer(x, x->path, gc);
        continue;
      }
      key[u >> 6] |= 1ULL << (u & 63);
      int64_t c = table_find(&a->t, key, &ins);
      if (c < 0 || gc < a->t.g[c]) {
        if (c < 0) c = table_insert(&a->t, ins, key);
      } else {
        c = -1; /* reached before at no more cost */
      }
      key[u >> 6] &= ~(1ULL << (u & 63));
      if (c < 0) continue;
      a->t.g[c] = (int32_t)gc;
      a->t.parent[c] = (int32_t)idx;
      a->t.last[c] = (uint16_t)u;
      a->t.closed[c] = 0; /* (re)open; never happens with a consistent bound */
      mem_push(a, (heap_entry){(int32_t)fc, (int32_t)gc, (uint32_t)c, x->seq++});
    }
  }
  free(key);
  if (paused) {
    /* least f in the open list; stale entries only make it smaller: still valid */
    if (a->h.n > 0 && a->h.a[0].f > a->lower) a->lower = a->h.a[0].f;
  } else {
    a->done = 1;
  }
  if (a->done || a->lower > x->run->best.cost) a->lower = x->run->best.cost;
  return !a->done;
}

/* Simulated annealing on the incumbent (primal heuristic): the shared annealer of
   anneal.c, stopped after `moves` moves, at `until`, at x->stop, or when the
   incumbent meets the proven bound. */
typedef struct {
  xsearch *x;
  double until;
} anneal_ctx;

static int anneal_stop(void *ctx) {
  anneal_ctx *a = ctx;
  tick(a->x);
  return a->x->stop || (a->until > 0 && ag_now() >= a->until) ||
         a->x->run->best.cost <= a->x->run->lower_bound;
}

static void anneal_improved(void *ctx, const int *order, long cost) {
  offer(((anneal_ctx *)ctx)->x, order, cost);
}

static void anneal(xsearch *x, long moves, double until) {
  if (x->m < 2 || moves <= 0) return;
  anneal_ctx a = {x, until};
  ag_anneal_ctl c = {.seed = x->o->seed,
                     .max_moves = moves,
                     .stop = anneal_stop,
                     .improved = anneal_improved,
                     .ctx = &a};
  ag_anneal(x->d, x->run->best.order, &c);
}

/* The search on a seeded run (run->lower_bound is replaced by what this search proves). */
static int exact_run(ag_search_run *run, const ag_exact_params *p, ag_error *err) {
  const ag_dag *d = run->d;
  const ag_search_opts *o = run->o;
  if (d->n > 65535)
    return ag_failc(err, AG_ERR_LIMIT, "exact search: graph too large (%d vertices)", d->n);
  if (run->best.cost > 0x3fffffffL)
    return ag_failc(err, AG_ERR_LIMIT, "exact search: costs beyond 2^30 are not supported");
  run->verify_shared = 1;
  run->adopt_shared_bound = 0;
  xsearch x;
  memset(&x, 0, sizeof x);
  x.run = run;
  x.d = d;
  x.o = o;
  if (p)
    x.p = *p;
  else
    ag_exact_params_default(&x.p);
  x.deadline = o->time_limit > 0 ? run->t0 + o->time_limit : 0;
  x.n = d->n;
  x.m = d->neliminable;
  x.W = (d->n + 63) / 64;
  x.path = ag_malloc((size_t)(x.m + 1) * sizeof(int));
  x.root = ag_elim_new(d);
  x.s = ag_elim_new(d);
  x.ws = ag_bound_ws_new(d);
  x.pv = ag_malloc((size_t)(x.n + 1) * sizeof(long));
  ag_elim_copy(x.s, x.root);
  run->lower_bound = x.m > 0 ? eval_h(&x) : 0; /* the path bound */
  if (x.m > AG_EXACT_MAX_ASTAR && run->lower_bound < run->best.cost) {
    /* too large to prove anything: each A* expansion recomputes bounds over the whole
       graph (minutes at 10,000 vertices) in a state space far beyond reach. The method is
       its annealing stage for the whole budget, with the path bound as the lower bound. */
    anneal(&x, LONG_MAX, x.deadline);
  } else if (run->lower_bound < run->best.cost) {
    /* 1. A* on the path bound, briefly: small graphs end here.
       2. groups of at most 16 (well under a second on the paper graphs); if they raise the
          root bound, the A* starts again with them, briefly.
       3. annealing for a better incumbent (pruning sharpens with it).
       4. if a gap remains, groups up to max_group; the A* starts again if they help.
       5. the A* to the end (time, iterations, memory). */
    long root_bound = run->lower_bound; /* of the heuristic in use */
    astar_mem a;
    mem_init(&a, x.W, x.p.max_memory);
    uint64_t *key = ag_calloc((size_t)x.W, sizeof(uint64_t));
    astar_start(&x, &a, key, 0);
    int more = astar_run(&x, &a, x.p.first_expansions);
    if (a.lower > run->lower_bound) run->lower_bound = a.lower;
    int small = x.p.max_group < AG_EXACT_FIRST_GROUP ? x.p.max_group : AG_EXACT_FIRST_GROUP;
    for (int stage = 0; stage < 2; stage++) {
      if (!more || x.stop || run->lower_bound >= run->best.cost) break;
      int size = stage == 0 ? small : x.p.max_group;
      if (size >= 2 && (stage == 0 || size > small)) {
        double gt = o->time_limit > 0 ? x.p.group_fraction * (x.deadline - ag_now()) : 0;
        ag_group_bound *gb = ag_group_bound_build(d, x.root, size, gt);
        if (gb->root_bound > root_bound) {
          /* a better heuristic: the A* starts again with it */
          root_bound = gb->root_bound;
          ag_group_bound_free(x.gb);
          free(x.gterm);
          x.gb = gb;
          x.gterm = ag_malloc((size_t)(gb->ngroups + 1) * sizeof(long));
          if (root_bound > run->lower_bound) run->lower_bound = root_bound;
          astar_start(&x, &a, key, 0);
          more = stage == 0 ? astar_run(&x, &a, x.p.first_expansions) : 1;
          if (a.lower > run->lower_bound) run->lower_bound = a.lower;
        } else {
          ag_group_bound_free(gb);
        }
      }
      if (stage == 0 && more && !x.stop && run->lower_bound < run->best.cost &&
          x.p.anneal_moves > 0) {
        double until = 0;
        if (o->time_limit > 0) until = ag_now() + x.p.anneal_fraction * (x.deadline - ag_now());
        anneal(&x, x.p.anneal_moves, until);
      }
    }
    free(key);
    if (more && !x.stop && !a.full && run->lower_bound < run->best.cost) astar_run(&x, &a, 0);
    if (a.lower > run->lower_bound) run->lower_bound = a.lower;
    mem_free(&a);
  }
  if (run->lower_bound >= run->best.cost) run->lower_bound = run->best.cost;
  free(x.gterm);
  ag_group_bound_free(x.gb);
  ag_bound_ws_free(x.ws);
  ag_elim_free(x.root);
  ag_elim_free(x.s);
  free(x.pv);
  free(x.path);
  return 0;
}

int ag_search_exact_run(ag_search_run *run, ag_error *err) { return exact_run(run, NULL, err); }

int ag_search_exact(const ag_dag *d, const ag_search_opts *o, const int *incumbent, int inc_len,
                    long inc_cost, ag_search_result *r, ag_error *err) {
  return ag_search_exact_ex(d, o, NULL, incumbent, inc_len, inc_cost, r, err);
}

/* A run seeded with the given incumbent (else Markowitz), searched, its result filled. */
int ag_search_exact_ex(const ag_dag *d, const ag_search_opts *o, const ag_exact_params *p,
                       const int *incumbent, int inc_len, long inc_cost, ag_search_result *r,
                       ag_error *err) {
  (void)inc_cost; /* recomputed */
  memset(r, 0, sizeof *r);
  r->method = "exact";
  r->lower_bound = -1;
  if (d->exec)
    return ag_failc(err, AG_ERR_UNSUPPORTED,
                    "exact search proves optima of multiplications only (--objective mults)");
  if (d->n > 65535)
    return ag_failc(err, AG_ERR_LIMIT, "exact search: graph too large (%d vertices)", d->n);
  if (incumbent && inc_len > 0 && ag_order_validate(d, incumbent, inc_len, err)) return -1;
  ag_search_run run;
  ag_run_init(&run, d, o);
  int m = d->neliminable, *ids = ag_malloc((size_t)(m + 1) * sizeof(int));
  if (incumbent && inc_len > 0)
    memcpy(ids, incumbent, (size_t)m * sizeof(int));
  else
    ag_order_markowitz(d, ids);
  ag_run_offer_ids(&run, ids, ag_order_cost(d, ids, m, NULL));
  free(ids);
  run.best.found_at = 0;
  int rc = exact_run(&run, p, err);
  if (!rc) ag_run_result(&run, r, "exact");
  ag_run_free(&run);
  return rc;
}
