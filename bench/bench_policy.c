/* Held-out evaluation of a trained policy/value network (not a test): on graphs
   that the model never saw in training, small (random corpus kernels with unused seeds,
   example kernels that were not training graphs) and large (train/corpus.h's realistic
   generators: a Roe-flux finite-volume stencil, a robot-arm kinematic chain, a spring
   network residual), the final cost of
     - MCTS with the network as prior and value (ag_nn_eval),
     - MCTS with the network as prior and greedy rollouts for the value,
     - MCTS with the network as prior and the mean of its value head and the greedy
       completion's cost as value (nn-mix, ag_nn_eval_set_mix 0.5),
     - MCTS with a uniform prior (ag_mcts_uniform, rollouts),
     - MCTS with the Markowitz prior (ag_mcts_heuristic, rollouts),
   at equal simulations per move (one deterministic episode, ag_mcts_episode), and at equal
   wall time (ag_search: the four MCTS variants and simulated annealing, same budget each);
   against forward, reverse and minimal Markowitz. Then throughput: network evaluations
   per second (ag_nn_forward, batch 1; ag_nn_forward_batch, 256 states) and MCTS
   simulations per second with the network and with the heuristic evaluator.

   Every cost printed is recomputed from its order with ag_order_cost (the `recomputed`
   field of the RUN lines; tests/bench/test_bench_policy.sh checks they agree).

   usage: bench_policy [--model PATH] [--quick] [--seed S] [--sims A,B] [--time T]
                       [--xl-time T] [--only SUBSTRING] [--large-only] [--small-only] [--list]
   --model   default hdf5-data/AG_NN_DEFAULT_MODEL (nn/nn_eval.h) under $AG_SOURCE_DIR, else the
   source tree this was built from
   --quick   a small subset with few simulations (smoke test, seconds)
   --seed    seed of the equal-time searches (default 1)
   --sims    simulations per move of the equal-simulation runs (default 50,250)
   --time    equal-time budget in seconds; default: per graph, the network MCTS's wall
             time at the first --sims value, at least 1 s (0.2 s with --quick)
   --xl-time budget of the "xl" graphs (thousands of vertices; equal time only), default 20
   --list    print the graphs with their sizes and baseline costs, then exit */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "graph/orders.h"
#include "kernel/source.h"
#include "mcts/search.h"
#include "nn/features.h"
#include "nn/nn_eval.h"
#include "train/corpus.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

/* ---- held-out graphs ---- */

typedef enum { G_CORPUS, G_FILE, G_ROE, G_ROBOT, G_SPRING } gkind;
typedef struct {
  const char *set; /* "small" or "large" */
  gkind kind;
  const char *file; /* G_FILE: path:function under the source dir */
  int a, b, c;      /* sizes */
  uint64_t seed;
} gspec;

/* Training (BENCHMARKS.md, "A first trained model"): the five paper kernels, wedge_roe_x,
   traj_cell, bratu, and --corpus 8 = ag_corpus_random(1000 + c, ...) for c = 0..7. None
   of the graphs below is among them: corpus seeds 9000+ were never used, and the example
   kernels are other functions of the same files (sod_roe is the 1-D Roe flux of the Sod
   example, close in kind to RoeFlux_1d but another graph). */
static const gspec full_set[] = {
    {"small", G_CORPUS, NULL, 0, 0, 0, 9000},
    {"small", G_CORPUS, NULL, 1, 0, 0, 9001},
    {"small", G_CORPUS, NULL, 2, 0, 0, 9002},
    {"small", G_CORPUS, NULL, 3, 0, 0, 9003},
    {"small", G_CORPUS, NULL, 4, 0, 0, 9004},
    {"small", G_FILE, "examples/cfd/sod_kernels.c:sod_roe", 0, 0, 0, 0},
    {"small", G_FILE, "examples/robotics/arm_kernels.c:ik6_end", 0, 0, 0, 0},
    {"large", G_ROE, NULL, 4, 0, 0, 0},
    {"large", G_ROBOT, NULL, 8, 0, 0, 1},
    {"large", G_SPRING, NULL, 4, 3, 0, 1},
    /* equal time only (an episode of 50 simulations per move would take many minutes) */
    {"xl", G_ROE, NULL, 24, 0, 0, 0},
    {"xl", G_ROBOT, NULL, 40, 0, 0, 2},
    {"xl", G_SPRING, NULL, 8, 6, 0, 2},
};
static const gspec quick_set[] = {
    {"small", G_CORPUS, NULL, 0, 0, 0, 9000},
    {"small", G_FILE, "examples/cfd/sod_kernels.c:sod_roe", 0, 0, 0, 0},
    {"large", G_ROBOT, NULL, 3, 0, 0, 1},
    {"large", G_SPRING, NULL, 2, 2, 0, 1},
    {"xl", G_ROE, NULL, 3, 0, 0, 0},
};

static ag_graph *build(const gspec *s, const char *srcdir, ag_error *err) {
  switch (s->kind) {
  case G_CORPUS: {
    int ni, nv, no;
    if (s->b > 0) {
      ni = s->a, nv = s->b, no = s->c;
    } else { /* the training command's size rule (cli/cmd_train.c) at index a */
      int c = s->a;
      ni = 4 + (c * 5) % 12, nv = 40 + (c * 37) % 120, no = 2 + (c * 7) % 10;
    }
    ag_graph *g = ag_corpus_random(s->seed, ni, nv, no);
    if (!g) snprintf(err->msg, sizeof err->msg, "corpus graph %d/%d/%d not built", ni, nv, no);
    return g;
  }
  case G_FILE: {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", srcdir, s->file);
    return ag_load_source(path, NULL, err);
  }
  case G_ROE: return ag_corpus_roe_stencil(s->a);
  case G_ROBOT: return ag_corpus_robot_chain(s->a, s->seed);
  case G_SPRING: return ag_corpus_spring_net(s->a, s->b, s->seed);
  }
  return NULL;
}

/* ---- methods ---- */

/* xl graphs: equal time only, the MCTS searches start at this many simulations per move
   (doubling after each episode, as ag_search does) */
#define XL_SIMS 1

enum { M_NN, M_NNR, M_NNM, M_UNI, M_MK, NMCTS, M_ANN = NMCTS, NMETH };
static const char *mname[NMETH] = {"nn", "nn-rollout", "nn-mix", "uniform", "markowitz", "anneal"};
/* nn-mix: the value is (1 - MIX) * value head + MIX * greedy completion (ag_nn_eval_set_mix) */
#define MIX 0.5

typedef struct {
  char name[96];
  const char *set;
  int nelim, nv;
  long fwd, rev, mk, base;
  long sims_cost[2][NMCTS];
  double sims_time[2][NMCTS];
  long sims_evals[2][NMCTS]; /* network evaluations of the episode */
  double budget;
  long et_cost[NMETH];
  double et_iters[NMETH];
} grow;

static int failures = 0;

/* cost of an order of elimination indices, recomputed from 1-based vertex ids */
static long recompute_idx(const ag_dag *d, const int *idx, int n) {
  int *ids = malloc((size_t)(n + 1) * sizeof(int));
  for (int k = 0; k < n; k++)
    ids[k] = ag_vertex_id(d, idx[k]);
  ag_error err;
  long c = ag_order_cost(d, ids, n, &err);
  if (c < 0) fprintf(stderr, "bench_policy: invalid order: %s\n", err.msg);
  free(ids);
  return c;
}

/* The baselines' costs into c[0..2], each printed as a RUN line. */
static void base_costs(const ag_dag *d, const char *gname, long c[AG_NBASELINES]) {
  static const char *what[AG_NBASELINES] = {"forward", "reverse", "markowitz-greedy"};
  ag_order_baseline_costs(d, c);
  for (int b = 0; b < AG_NBASELINES; b++)
    printf("RUN graph=%s method=%s sims=- budget=- cost=%ld recomputed=%ld time=0\n", gname,
           what[b], c[b], c[b]);
}

static void report(const char *gname, const char *method, int sims, double budget, long cost,
                   long recomputed, double t, double sims_per_s, long evals) {
  char sb[32], bb[32];
  if (sims > 0)
    snprintf(sb, sizeof sb, "%d", sims);
  else
    snprintf(sb, sizeof sb, "-");
  if (budget > 0)
    snprintf(bb, sizeof bb, "%.3f", budget);
  else
    snprintf(bb, sizeof bb, "-");
  printf(
      "RUN graph=%s method=%s sims=%s budget=%s cost=%ld recomputed=%ld time=%.3f sims_per_s=%.1f "
      "nn_evals=%ld\n",
      gname, method, sb, bb, cost, recomputed, t, sims_per_s, evals);
  fflush(stdout);
  if (cost != recomputed) failures++;
}

static const ag_mcts_evaluator *evaluator(int m, ag_nn_eval *e) {
  switch (m) {
  case M_NN:
    ag_nn_eval_set_rollout(e, 0);
    ag_nn_eval_set_mix(e, 0);
    return ag_nn_eval_evaluator(e);
  case M_NNR: ag_nn_eval_set_rollout(e, 1); return ag_nn_eval_evaluator(e);
  case M_NNM:
    ag_nn_eval_set_rollout(e, 0);
    ag_nn_eval_set_mix(e, MIX);
    return ag_nn_eval_evaluator(e);
  case M_UNI: return &ag_mcts_uniform;
  default: return &ag_mcts_heuristic;
  }
}

static void eval_graph(const ag_graph *g, const char *set, ag_nn_eval *ev, const int *sims,
                       double fixed_budget, double min_budget, double xl_budget, uint64_t seed,
                       grow *row) {
  int xl = !strcmp(set, "xl");
  const ag_dag *d = &g->dag;
  memset(row, 0, sizeof *row);
  snprintf(row->name, sizeof row->name, "%s", g->name ? g->name : "?");
  row->set = set;
  row->nelim = d->neliminable;
  row->nv = d->nv;
  const char *gn = row->name;
  printf("GRAPH name=%s set=%s inputs=%d vertices=%d outputs=%d eliminable=%d\n", gn, set, d->ni,
         d->nv, d->no, d->neliminable);
  long bc[AG_NBASELINES];
  base_costs(d, gn, bc);
  row->fwd = bc[0];
  row->rev = bc[1];
  row->mk = bc[2];
  row->base = row->fwd < row->rev ? row->fwd : row->rev;
  if (row->mk < row->base) row->base = row->mk;
  int *order = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  for (int si = 0; si < 2 && !xl; si++)
    for (int m = 0; m < NMCTS; m++) {
      ag_mcts_params p;
      ag_mcts_params_default(&p);
      p.sims_per_move = sims[si];
      p.evaluator = evaluator(m, ev);
      long calls0 = ag_nn_eval_calls(ev);
      double t0 = ag_now();
      long c = ag_mcts_episode(d, &p, order);
      double t = ag_now() - t0;
      long rc = recompute_idx(d, order, d->neliminable);
      row->sims_cost[si][m] = c;
      row->sims_time[si][m] = t;
      row->sims_evals[si][m] = ag_nn_eval_calls(ev) - calls0;
      report(gn, mname[m], sims[si], 0, c, rc, t, t > 0 ? (double)d->neliminable * sims[si] / t : 0,
             row->sims_evals[si][m]);
    }
  /* equal wall time: the network MCTS's time at the first simulation count */
  double budget = fixed_budget > 0 ? fixed_budget : row->sims_time[0][M_NN];
  if (fixed_budget <= 0 && budget < min_budget) budget = min_budget;
  if (xl) budget = xl_budget;
  row->budget = budget;
  for (int m = 0; m < NMETH; m++) {
    ag_mcts_params p;
    ag_mcts_params_default(&p);
    p.sims_per_move = xl ? XL_SIMS : sims[0];
    ag_search_opts o;
    ag_search_opts_default(&o);
    o.time_limit = budget;
    o.seed = seed;
    ag_search_result r;
    ag_error err;
    int rcode;
    long calls0 = ag_nn_eval_calls(ev);
    double t0 = ag_now();
    if (m < NMCTS) {
      p.evaluator = evaluator(m, ev);
      o.mcts = &p;
      rcode = ag_search(d, AG_SEARCH_MCTS, &o, &r, &err);
    } else {
      rcode = ag_search(d, AG_SEARCH_ANNEAL, &o, &r, &err);
    }
    double t = ag_now() - t0;
    if (rcode) {
      fprintf(stderr, "bench_policy: %s %s: %s\n", gn, mname[m], err.msg);
      failures++;
      row->et_cost[m] = -1;
      continue;
    }
    long rc = ag_order_cost(d, r.order, r.len, &err);
    row->et_cost[m] = r.cost;
    row->et_iters[m] = (double)r.iterations;
    char mn[64];
    snprintf(mn, sizeof mn, "%s-time", mname[m]);
    report(gn, mn, 0, budget, r.cost, rc, t, t > 0 ? (double)r.iterations / t : 0,
           ag_nn_eval_calls(ev) - calls0);
    ag_search_result_free(&r);
  }
  free(order);
}

/* ---- throughput ---- */

static void random_state(const ag_dag *d, ag_elim *s, uint64_t *rng, int steps) {
  ag_elim_reset(s, d);
  int *cand = malloc((size_t)(d->n + 1) * sizeof(int));
  for (int k = 0; k < steps && s->nleft > 1; k++) {
    int nc = 0;
    for (int v = d->ni; v < d->n; v++)
      if (ag_elim_eliminable(s, v)) cand[nc++] = v;
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    ag_elim_step(s, cand[(*rng >> 33) % (uint64_t)nc]);
  }
  free(cand);
}

static void throughput(ag_nn *nn, const ag_graph *g, const char *label, int quick) {
  const ag_dag *d = &g->dag;
  ag_elim *s = ag_elim_new(d);
  ag_nn_tokens tok;
  ag_nn_tokens_init(&tok);
  ag_nn_tokens_build(&tok, d, s);
  float *logits = malloc((size_t)(tok.in.n + 1) * sizeof(float));
  /* batch 1: the initial state, repeated for about a second */
  double target = quick ? 0.1 : 1.0, t0 = ag_now(), t;
  long reps = 0;
  volatile float sink = 0;
  do {
    sink += ag_nn_forward(nn, &tok.in, logits);
    reps++;
    t = ag_now() - t0;
  } while (t < target);
  double b1 = (double)reps / t;
  /* batch 256: states after random prefixes of 0 .. neliminable-1 eliminations */
  enum { B = 256 };
  ag_nn_tokens *bt = malloc(B * sizeof *bt);
  ag_nn_input *in = malloc(B * sizeof *in);
  float *values = malloc(B * sizeof(float));
  uint64_t rng = 12345;
  long tokens = 0;
  for (int k = 0; k < B; k++) {
    ag_nn_tokens_init(&bt[k]);
    random_state(d, s, &rng, (int)((long)k * d->neliminable / B));
    ag_nn_tokens_build(&bt[k], d, s);
    in[k] = bt[k].in;
    tokens += in[k].n;
  }
  t0 = ag_now();
  reps = 0;
  do {
    ag_nn_forward_batch(nn, in, B, NULL, values);
    reps++;
    t = ag_now() - t0;
  } while (t < target);
  double b256 = (double)reps * B / t;
  /* feature building alone (part of every network evaluation in the search) */
  t0 = ag_now();
  reps = 0;
  ag_elim_reset(s, d);
  do {
    ag_nn_tokens_build(&tok, d, s);
    reps++;
    t = ag_now() - t0;
  } while (t < target / 4);
  double feat = (double)reps / t;
  printf("THROUGHPUT graph=%s set=%s tokens=%d mean_batch_tokens=%.0f batch1_evals_per_s=%.1f "
         "batch256_evals_per_s=%.1f features_per_s=%.1f\n",
         g->name, label, tok.in.n, (double)tokens / B, b1, b256, feat);
  (void)sink;
  for (int k = 0; k < B; k++)
    ag_nn_tokens_free(&bt[k]);
  free(bt);
  free(in);
  free(values);
  free(logits);
  ag_nn_tokens_free(&tok);
  ag_elim_free(s);
}

/* ---- summary ---- */

static void wtl(const grow *rows, int nrows, const char *set, const char *what, int si_a, int ma,
                int si_b, int mb, int et) {
  int w = 0, ti = 0, l = 0;
  for (int i = 0; i < nrows; i++) {
    if (set && strcmp(rows[i].set, set)) continue;
    if (!et && !strcmp(rows[i].set, "xl")) continue; /* no equal-simulation runs */
    long a = et ? rows[i].et_cost[ma] : rows[i].sims_cost[si_a][ma];
    long b = et ? rows[i].et_cost[mb] : rows[i].sims_cost[si_b][mb];
    if (a < b)
      w++;
    else if (a == b)
      ti++;
    else
      l++;
  }
  printf("| %s | %s | %d / %d / %d |\n", set ? set : "all", what, w, ti, l);
}

/* Wins / ties / losses of method ref against methods first.. (equal simulations, both
   settings, then equal time), per set and over all graphs */
static void wtl_table(const grow *rows, int nrows, const int *sims, int ref, int first) {
  static const char *const sets[] = {"small", "large", "xl", NULL};
  printf("| set | against | W / T / L |\n|---|---|---|\n");
  for (int k = 0; k < 4; k++) {
    char what[96];
    int sims_rows = !sets[k] || strcmp(sets[k], "xl");
    for (int si = 0; si < 2 && sims_rows; si++)
      for (int m = first; m < NMCTS; m++) {
        snprintf(what, sizeof what, "MCTS %s, %d sims/move", mname[m], sims[si]);
        wtl(rows, nrows, sets[k], what, si, ref, si, m, 0);
      }
    for (int m = first; m < NMETH; m++) {
      snprintf(what, sizeof what, "%s%s, equal time", m < NMCTS ? "MCTS " : "", mname[m]);
      wtl(rows, nrows, sets[k], what, 0, ref, 0, m, 1);
    }
  }
}

static double mean_ratio(const grow *rows, int nrows, const char *set, int si, int m, int et) {
  double sum = 0;
  int n = 0;
  for (int i = 0; i < nrows; i++) {
    if (strcmp(rows[i].set, set)) continue;
    long c = et ? rows[i].et_cost[m] : rows[i].sims_cost[si][m];
    sum += (double)c / (double)rows[i].base;
    n++;
  }
  return n ? sum / n : NAN;
}

static void summary(const grow *rows, int nrows, const int *sims) {
  printf("\n## Equal simulations per move (one episode each; cost, then seconds)\n\n");
  printf("| graph | set | elim | fwd | rev | Markowitz |");
  for (int si = 0; si < 2; si++)
    for (int m = 0; m < NMCTS; m++)
      printf(" %s@%d |", mname[m], sims[si]);
  printf("\n|---|---|---|---|---|---|");
  for (int k = 0; k < 2 * NMCTS; k++)
    printf("---|");
  printf("\n");
  for (int i = 0; i < nrows; i++) {
    const grow *r = &rows[i];
    if (!strcmp(r->set, "xl")) continue;
    printf("| %s | %s | %d | %ld | %ld | %ld |", r->name, r->set, r->nelim, r->fwd, r->rev, r->mk);
    for (int si = 0; si < 2; si++)
      for (int m = 0; m < NMCTS; m++)
        printf(" %ld (%.1fs) |", r->sims_cost[si][m], r->sims_time[si][m]);
    printf("\n");
  }
  printf("\n## Equal wall time (ag_search; every search is seeded with forward, reverse, "
         "Markowitz)\n\n");
  printf("| graph | set | elim | Markowitz | budget s |");
  for (int m = 0; m < NMETH; m++)
    printf(" %s |", mname[m]);
  printf("\n|---|---|---|---|---|");
  for (int m = 0; m < NMETH; m++)
    printf("---|");
  printf("\n");
  for (int i = 0; i < nrows; i++) {
    const grow *r = &rows[i];
    printf("| %s | %s | %d | %ld | %.2f |", r->name, r->set, r->nelim, r->mk, r->budget);
    for (int m = 0; m < NMETH; m++)
      printf(" %ld |", r->et_cost[m]);
    printf("\n");
  }
  printf("\n## Mean cost / best of (forward, reverse, Markowitz)\n\n");
  printf("| setting | method | small | large | xl |\n|---|---|---|---|---|\n");
  for (int si = 0; si < 2; si++)
    for (int m = 0; m < NMCTS; m++)
      printf("| %d sims/move | MCTS %s | %.3f | %.3f | - |\n", sims[si], mname[m],
             mean_ratio(rows, nrows, "small", si, m, 0),
             mean_ratio(rows, nrows, "large", si, m, 0));
  for (int m = 0; m < NMETH; m++)
    printf("| equal time | %s%s | %.3f | %.3f | %.3f |\n", m < NMCTS ? "MCTS " : "", mname[m],
           mean_ratio(rows, nrows, "small", 0, m, 1), mean_ratio(rows, nrows, "large", 0, m, 1),
           mean_ratio(rows, nrows, "xl", 0, m, 1));
  printf("\n## Network MCTS (prior + value, `nn`) wins / ties / losses (lower cost wins)\n\n");
  wtl_table(rows, nrows, sims, M_NN, M_NNR);
  printf("\n## Network prior + rollouts (`nn-rollout`) wins / ties / losses\n\n");
  wtl_table(rows, nrows, sims, M_NNR, M_UNI);
  printf("\n## Simulations per second (one episode, mean over the graphs of the set; for the "
         "network, its evaluations per second inside the search)\n\n");
  printf("| set | sims/move | nn | nn-rollout | nn-mix | uniform | markowitz "
         "|\n|---|---|---|---|---|---|---|\n");
  static const char *const sets[] = {"small", "large"};
  for (int k = 0; k < 2; k++)
    for (int si = 0; si < 2; si++) {
      printf("| %s | %d |", sets[k], sims[si]);
      for (int m = 0; m < NMCTS; m++) {
        double sum = 0, esum = 0;
        int n = 0;
        for (int i = 0; i < nrows; i++)
          if (!strcmp(rows[i].set, sets[k]) && rows[i].sims_time[si][m] > 0) {
            sum += (double)rows[i].nelim * sims[si] / rows[i].sims_time[si][m];
            esum += (double)rows[i].sims_evals[si][m] / rows[i].sims_time[si][m];
            n++;
          }
        if (m <= M_NNM)
          printf(" %.0f (%.0f evals/s) |", n ? sum / n : 0, n ? esum / n : 0);
        else
          printf(" %.0f |", n ? sum / n : 0);
      }
      printf("\n");
    }
}

int main(int argc, char **argv) {
  const char *model = NULL, *only = NULL;
  int quick = 0, sims[2] = {50, 250}, small_only = 0, large_only = 0, list = 0;
  uint64_t seed = 1;
  double fixed_budget = 0, xl_budget = 20;
  int xl_given = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--quick")) {
      quick = 1;
      continue;
    }
    if (!strcmp(a, "--list")) {
      list = 1;
      continue;
    }
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      printf("usage: bench_policy [--model PATH] [--quick] [--seed S] [--sims A,B] [--time T]\n"
             "                    [--xl-time T] [--only SUBSTRING] [--large-only] [--small-only]"
             " [--list]\n(options: the comment at the top of bench/bench_policy.c)\n");
      return 0;
    }
    if (!strcmp(a, "--small-only")) {
      small_only = 1;
      continue;
    }
    if (!strcmp(a, "--large-only")) {
      large_only = 1;
      continue;
    }
    if (!v) {
      fprintf(stderr, "bench_policy: %s needs a value\n", a);
      return 2;
    }
    if (!strcmp(a, "--model"))
      model = v;
    else if (!strcmp(a, "--seed"))
      seed = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--time"))
      fixed_budget = atof(v);
    else if (!strcmp(a, "--xl-time"))
      xl_budget = atof(v), xl_given = 1;
    else if (!strcmp(a, "--only"))
      only = v;
    else if (!strcmp(a, "--sims")) {
      if (sscanf(v, "%d,%d", &sims[0], &sims[1]) != 2 || sims[0] < 1 || sims[1] < 1) {
        fprintf(stderr, "bench_policy: --sims wants A,B\n");
        return 2;
      }
    } else {
      fprintf(stderr, "bench_policy: unknown option %s\n", a);
      return 2;
    }
    i++;
  }
  if (quick && sims[0] == 50 && sims[1] == 250) sims[0] = 4, sims[1] = 12;
  if (quick && !xl_given) xl_budget = 0.2;
  const char *src = getenv("AG_SOURCE_DIR");
  if (!src) src = AG_DEFAULT_SOURCE_DIR;
  char mpath[4096];
  if (!model) {
    snprintf(mpath, sizeof mpath, "%s/hdf5-data/%s", src, AG_NN_DEFAULT_MODEL);
    model = mpath;
  }
  ag_error err;
  ag_nn *nn = ag_nn_load(model, "cpu", NULL, &err);
  if (!nn) {
    fprintf(stderr, "bench_policy: %s\n", err.msg);
    return 1;
  }
  const ag_nn_arch *ar = ag_nn_get_arch(nn);
  const char *blas = getenv("OPENBLAS_NUM_THREADS");
  printf("MODEL path=%s width=%d layers=%d vhidden=%d params=%zu checksum=%016llx\n", model,
         ar->width, ar->layers, ar->vhidden, ag_nn_nparams(nn),
         (unsigned long long)ag_nn_checksum(nn));
  printf("SETUP quick=%d sims=%d,%d seed=%llu budget=%s OPENBLAS_NUM_THREADS=%s\n", quick, sims[0],
         sims[1], (unsigned long long)seed, fixed_budget > 0 ? "fixed" : "nn-time",
         blas ? blas : "unset");
  ag_nn_eval *ev = ag_nn_eval_new(nn);
  const gspec *set = quick ? quick_set : full_set;
  int nset = quick ? (int)(sizeof quick_set / sizeof quick_set[0])
                   : (int)(sizeof full_set / sizeof full_set[0]);
  grow *rows = calloc((size_t)nset, sizeof *rows);
  int nrows = 0;
  ag_graph *small_tp = NULL, *large_tp = NULL;
  const char *large_set = "large";
  double t_all = ag_now();
  for (int i = 0; i < nset; i++) {
    if (small_only && strcmp(set[i].set, "small")) continue;
    if (large_only && !strcmp(set[i].set, "small")) continue;
    err.msg[0] = 0;
    ag_graph *g = build(&set[i], src, &err);
    if (!g) {
      fprintf(stderr, "bench_policy: graph %d: %s\n", i, err.msg[0] ? err.msg : "not built");
      failures++;
      continue;
    }
    if (only && !strstr(g->name ? g->name : "", only)) {
      ag_graph_free(g);
      continue;
    }
    if (list) {
      long c[AG_NBASELINES];
      ag_order_baseline_costs(&g->dag, c);
      printf("GRAPH name=%s set=%s inputs=%d vertices=%d outputs=%d eliminable=%d fwd=%ld rev=%ld "
             "markowitz=%ld\n",
             g->name, set[i].set, g->dag.ni, g->dag.nv, g->dag.no, g->dag.neliminable, c[0], c[1],
             c[2]);
      ag_graph_free(g);
      continue;
    }
    eval_graph(g, set[i].set, ev, sims, fixed_budget, quick ? 0.2 : 1.0, xl_budget, seed,
               &rows[nrows++]);
    /* throughput on a typical small graph (the Roe flux of the Sod example, or the first
       small one) and on the largest large graph */
    if (!strcmp(set[i].set, "small")) {
      if (!small_tp || (set[i].kind == G_FILE && strstr(set[i].file, "sod_roe"))) {
        ag_graph_free(small_tp);
        small_tp = g;
        continue;
      }
    } else if (!large_tp || g->dag.n > large_tp->dag.n) {
      ag_graph_free(large_tp);
      large_tp = g;
      large_set = set[i].set;
      continue;
    }
    ag_graph_free(g);
  }
  if (list) {
    free(rows);
    ag_graph_free(small_tp);
    ag_graph_free(large_tp);
    ag_nn_eval_free(ev);
    ag_nn_free(nn);
    return failures ? 1 : 0;
  }
  double t_eval = ag_now() - t_all;
  printf("\nnetwork evaluations in the searches: %ld; evaluation time %.1f s\n",
         ag_nn_eval_calls(ev), t_eval);
  if (nrows) summary(rows, nrows, sims);
  printf("\n## Network throughput (CPU backend)\n\n");
  if (small_tp) throughput(nn, small_tp, "small", quick);
  if (large_tp) throughput(nn, large_tp, large_set, quick);
  printf("\nDONE graphs=%d failures=%d seconds=%.1f\n", nrows, failures, ag_now() - t_all);
  ag_graph_free(small_tp);
  ag_graph_free(large_tp);
  free(rows);
  ag_nn_eval_free(ev);
  ag_nn_free(nn);
  return failures ? 1 : 0;
}
