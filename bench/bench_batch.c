/* Batched leaf evaluation in self-play: how large the batches reaching
   the network are, and what they buy, when leaves are batched within one search (leaf_batch
   B, virtual loss) and across G games played together (ag_mcts_episodes).

   For each (G, B) in the grid: the same E self-play episodes (E = the largest G; graphs
   in turn from the set; the network as prior and value, no rollouts: what a GPU would
   serve; S simulations per move), played G at a time; prints network evaluations, forward passes,
   mean batch, evaluations per second, simulations per second and the ratio of simulations per
   second against (G, B) = (1, 1) measured in the same run, and the mean cost / best of (forward,
   reverse, Markowitz), so that the price of virtual loss in search quality is visible next to the
   speed.

   usage: bench_batch [--model PATH] [--backend cpu|cuda] [--sims S] [--games 1,4,16]
                      [--leaf 1,8] [--large] [--quick]
   --model   default hdf5-data/AG_NN_DEFAULT_MODEL (nn/nn_eval.h) under $AG_SOURCE_DIR, else the
   source tree
   --backend the network backend (cuda: needs a GPU build and device)
   --large   the graph set is the large training kernels (train/corpus.h,
             ag_corpus_large_training 0..5: 75-475 vertices) instead of the paper's five
   --quick   2 games at most, 4 simulations per move (smoke test)
   Exit status 1 when a reported cost differs from its order's recomputed cost, or when a
   configuration with G x B > 1 never evaluated more than one state per pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "graph/orders.h"
#include "kernel/source.h"
#include "nn/nn_eval.h"
#include "train/corpus.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

/* "1,4,16" -> v[], returns the count (at most cap) or 0 on a bad list */
static int parse_list(const char *s, int *v, int cap) {
  int n = 0;
  while (*s && n < cap) {
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || x < 1 || x > 4096) return 0;
    v[n++] = (int)x;
    s = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return 0;
  }
  return n;
}

static int usage(const char *why) {
  fprintf(stderr,
          "bench_batch: %s\nusage: bench_batch [--model PATH] [--backend cpu|cuda] "
          "[--sims S] [--games 1,4,16] [--leaf 1,8] [--large] [--quick]\n",
          why);
  return 2;
}

int main(int argc, char **argv) {
  const char *src = getenv("AG_SOURCE_DIR");
  if (!src) src = AG_DEFAULT_SOURCE_DIR;
  char model[4096];
  snprintf(model, sizeof model, "%s/hdf5-data/%s", src, AG_NN_DEFAULT_MODEL);
  const char *backend = "cpu";
  int sims = 16, games[8] = {1, 4, 16}, ng = 3, leaves[8] = {1, 8}, nl = 2, large = 0, quick = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--large")) {
      large = 1;
      continue;
    }
    if (!strcmp(a, "--quick")) {
      quick = 1;
      continue;
    }
    if (i + 1 >= argc) return usage("an option needs a value");
    const char *v = argv[++i];
    if (!strcmp(a, "--model"))
      snprintf(model, sizeof model, "%s", v);
    else if (!strcmp(a, "--backend"))
      backend = v;
    else if (!strcmp(a, "--sims")) {
      sims = atoi(v);
      if (sims < 1) return usage("bad --sims");
    } else if (!strcmp(a, "--games")) {
      if (!(ng = parse_list(v, games, 8))) return usage("bad --games list");
    } else if (!strcmp(a, "--leaf")) {
      if (!(nl = parse_list(v, leaves, 8))) return usage("bad --leaf list");
    } else
      return usage("unknown option");
  }
  if (quick) {
    sims = 4;
    games[0] = 1, games[1] = 2, ng = 2;
    leaves[0] = 1, leaves[1] = 4, nl = 2;
  }
  ag_error err;
  ag_nn *nn = ag_nn_load(model, backend, NULL, &err);
  if (!nn) {
    fprintf(stderr, "bench_batch: %s\n", err.msg);
    return 1;
  }
  /* the graph set */
  enum { NSET = 6 };
  ag_graph *set[NSET];
  int nset = 0;
  if (large) {
    for (int c = 0; c < NSET; c++)
      set[nset++] = ag_corpus_large_training(c);
  } else {
    static const char *const k[5] = {"roeflux_1d", "robotarm_6dof", "human_heart_dipole",
                                     "propane_combustion", "g"};
    for (int c = 0; c < 5; c++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/examples/paper/%s.c", src, k[c]);
      if (!(set[nset] = ag_load_source(path, NULL, &err))) {
        fprintf(stderr, "bench_batch: %s\n", err.msg);
        return 1;
      }
      nset++;
    }
  }
  long base[NSET];
  int maxe = 0;
  for (int c = 0; c < nset; c++) {
    const ag_dag *d = &set[c]->dag;
    base[c] = ag_order_best_baseline(d, NULL, NULL);
    if (d->neliminable > maxe) maxe = d->neliminable;
  }
  int E = 0; /* episodes per configuration: the largest G */
  for (int gi = 0; gi < ng; gi++)
    if (games[gi] > E) E = games[gi];
  printf("bench_batch: model %s (%s backend), %s graphs (%d), %d episodes per row "
         "(graphs in turn) played G at a time, %d simulations per move, network prior and "
         "value\n",
         model, backend, large ? "large" : "paper", nset, E, sims);
  printf("| games G | leaf batch B | evaluations | passes | mean batch | evaluations/s | "
         "simulations/s | vs G=1,B=1 | mean cost / best baseline |\n");
  printf("|---|---|---|---|---|---|---|---|---|\n");
  double ref = 0;
  for (int gi = 0; gi < ng; gi++)
    for (int li = 0; li < nl; li++) {
      int G = games[gi], B = leaves[li];
      ag_nn_eval *ev = ag_nn_eval_new(nn);
      ag_mcts_params p;
      ag_mcts_params_default(&p);
      p.evaluator = ag_nn_eval_evaluator(ev);
      p.sims_per_move = sims;
      p.leaf_batch = B;
      /* the same E episodes for every (G, B): graph e mod |set| for episode e, played in
         groups of G */
      const ag_dag **ds = malloc(sizeof *ds * (size_t)E);
      const ag_mcts_params **ps = malloc(sizeof *ps * (size_t)E);
      int **orders = malloc(sizeof *orders * (size_t)E);
      long *costs = malloc(sizeof *costs * (size_t)E);
      long total_sims = 0;
      for (int i = 0; i < E; i++) {
        ds[i] = &set[i % nset]->dag;
        ps[i] = &p;
        orders[i] = malloc(sizeof(int) * (size_t)(maxe + 1));
        total_sims += (long)sims * ds[i]->neliminable;
      }
      double t0 = ag_now();
      for (int e = 0; e < E; e += G)
        ag_mcts_episodes(E - e < G ? E - e : G, ds + e, ps + e, orders + e, costs + e);
      double t = ag_now() - t0;
      double ratio = 0;
      int bad = 0;
      for (int i = 0; i < E; i++) { /* elimination indices -> vertex ids, recomputed */
        for (int k = 0; k < ds[i]->neliminable; k++)
          orders[i][k] = ag_vertex_id(ds[i], orders[i][k]);
        long c = ag_order_cost(ds[i], orders[i], ds[i]->neliminable, NULL);
        bad += c != costs[i];
        ratio += (double)costs[i] / (double)base[i % nset];
      }
      double sps = (double)total_sims / t;
      if (gi == 0 && li == 0) ref = sps;
      long calls = ag_nn_eval_calls(ev), passes = ag_nn_eval_batches(ev);
      printf("| %d | %d | %ld | %ld | %.1f | %.0f | %.0f | %.2fx | %.3f%s |\n", G, B, calls, passes,
             passes ? (double)calls / (double)passes : 0, (double)calls / t, sps,
             ref > 0 ? sps / ref : 0, ratio / E, bad ? " ORDER COSTS DIFFER" : "");
      fflush(stdout);
      for (int i = 0; i < E; i++)
        free(orders[i]);
      free(orders);
      free(costs);
      free(ds);
      free(ps);
      ag_nn_eval_free(ev);
      if (bad) return 1;
      if (G * B > 1 && calls <= passes) { /* several games or leaves, yet one state a pass */
        fprintf(stderr, "bench_batch: G=%d B=%d gave no batch larger than 1\n", G, B);
        return 1;
      }
    }
  for (int c = 0; c < nset; c++)
    ag_graph_free(set[c]);
  ag_nn_free(nn);
  return 0;
}
