/* Batched leaf evaluation in MCTS (mcts.h leaf_batch, virtual loss) and the network
   evaluator's evaluate_batch (nn/nn_eval.h):
   - evaluate_batch on states of different sizes gives the priors and values that one
     evaluate call per state gives;
   - with leaf_batch 1 evaluate_batch is never called; with B > 1 the leaves of several
     simulations go to it together (mean batch size well above 1: the virtual loss spreads
     the paths over different leaves) and the number of evaluations stays at most the
     simulation count;
   - every batched episode returns an order whose recomputed cost is the reported cost, on
     the five paper graphs and with the heuristic and the network evaluators; its cost is
     within 15 % of the unbatched episode's (the search is deterministic: no flakiness). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "mcts/mcts.h"
#include "nn/features.h"
#include "nn/nn_eval.h"
#include "paper.h"

/* a heuristic evaluator with a batch entry point that counts its calls */
typedef struct {
  long single, batched_calls, batched_states;
} counter;

static double counting_eval(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                            float *prior) {
  ((counter *)ctx)->single++;
  return ag_mcts_heuristic.evaluate(NULL, d, s, actions, n, prior);
}

static void counting_batch(void *ctx, int count, const ag_dag *const *graphs,
                           const ag_elim *const *states, const int *const *actions, const int *n,
                           float *const *priors, double *values) {
  counter *c = ctx;
  c->batched_calls++;
  c->batched_states += count;
  for (int i = 0; i < count; i++)
    values[i] = ag_mcts_heuristic.evaluate(NULL, graphs[i], states[i], actions[i], n[i], priors[i]);
}

static ag_graph *load_task(int t) {
  char path[4096], rel[256];
  snprintf(rel, sizeof rel, "examples/paper/%s", paper_tasks[t].kernel);
  src_path(path, sizeof path, rel);
  ag_error err;
  ag_graph *g = ag_load_source(path, NULL, &err);
  CHECK(g != NULL, "%s: %s", path, err.msg);
  return g;
}

/* order: elimination indices, as ag_mcts_episode fills it */
static void check_order(const ag_dag *d, const int *order, long cost, const char *what) {
  ag_error err;
  err.msg[0] = 0;
  int *ids = malloc(sizeof(int) * (size_t)(d->neliminable + 1));
  for (int i = 0; i < d->neliminable; i++)
    ids[i] = ag_vertex_id(d, order[i]);
  long c = ag_order_cost(d, ids, d->neliminable, &err);
  free(ids);
  CHECK(c == cost, "%s: reported cost %ld, the order costs %ld (%s)", what, cost, c, err.msg);
}

/* evaluate_batch == evaluate, on states of several sizes of several graphs */
static void test_nn_batch_equals_single(void) {
  ag_nn_arch a = {.nfeat = AG_NN_NFEAT, .width = 16, .layers = 2, .vhidden = 16};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", 5, &err);
  CHECK(nn != NULL, "ag_nn_new: %s", err.msg);
  if (!nn) return;
  ag_nn_eval *ev = ag_nn_eval_new(nn);
  const ag_mcts_evaluator *e = ag_nn_eval_evaluator(ev);
  CHECK(e->evaluate_batch != NULL, "the network evaluator has a batch entry point");
  enum { NS = 6 };
  ag_graph *g[2] = {load_task(0), load_task(3)};
  ag_elim *st[NS];
  const ag_elim *cst[NS];
  int *act[NS], nact[NS];
  const int *cact[NS];
  float *pb[NS], *ps[NS];
  double vb[NS];
  const ag_dag *d[NS];
  for (int i = 0; i < NS; i++) {
    d[i] = &g[i % 2]->dag;
    st[i] = ag_elim_new(d[i]);
    /* i / 2 * 7 eliminations of the Markowitz order: different sizes */
    int *ord = malloc(sizeof(int) * (size_t)(d[i]->neliminable + 1));
    ag_order_markowitz(d[i], ord);
    for (int k = 0; k < (i / 2) * 7 && k < d[i]->neliminable; k++)
      ag_elim_step(st[i], ag_vertex_index(d[i], ord[k]));
    free(ord);
    act[i] = malloc(sizeof(int) * (size_t)(d[i]->n + 1));
    pb[i] = malloc(sizeof(float) * (size_t)(d[i]->n + 1));
    ps[i] = malloc(sizeof(float) * (size_t)(d[i]->n + 1));
    nact[i] = 0;
    for (int v = st[i]->ni; v < st[i]->n; v++)
      if (ag_elim_eliminable(st[i], v)) act[i][nact[i]++] = v;
    cst[i] = st[i];
    cact[i] = act[i];
  }
  /* one batch call over the states of both graphs */
  {
    double bv[NS];
    e->evaluate_batch(e->ctx, NS, d, cst, cact, nact, pb, bv);
    for (int i = 0; i < NS; i++)
      vb[i] = bv[i];
  }
  for (int i = 0; i < NS; i++) {
    double vs = e->evaluate(e->ctx, d[i], st[i], act[i], nact[i], ps[i]);
    CHECK(fabs(vs - vb[i]) <= 1e-5 * fmax(1.0, fabs(vs)), "state %d: value %g batched, %g single",
          i, vb[i], vs);
    double zs = 0, zb = 0, worst = 0;
    for (int k = 0; k < nact[i]; k++)
      zs += ps[i][k], zb += pb[i][k];
    for (int k = 0; k < nact[i]; k++)
      worst = fmax(worst, fabs(ps[i][k] / zs - pb[i][k] / zb));
    CHECK(worst <= 1e-5, "state %d (%d actions): prior differs by %g", i, nact[i], worst);
    ag_elim_free(st[i]);
    free(act[i]);
    free(pb[i]);
    free(ps[i]);
  }
  CHECK(ag_nn_eval_calls(ev) > ag_nn_eval_batches(ev), "batched calls counted as one pass each");
  ag_graph_free(g[0]);
  ag_graph_free(g[1]);
  ag_nn_eval_free(ev);
  ag_nn_free(nn);
}

static void test_search_batches(void) {
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    ag_graph *g = load_task(t);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    int *order = malloc(sizeof(int) * (size_t)(d->neliminable + 1));
    counter c = {0};
    ag_mcts_evaluator ev = {"counting", counting_eval, &c, counting_batch};
    ag_mcts_params p;
    ag_mcts_params_default(&p);
    p.evaluator = &ev;
    p.sims_per_move = 32;
    long c1 = ag_mcts_episode(d, &p, order);
    check_order(d, order, c1, "leaf_batch 1");
    CHECK(c.batched_calls == 0, "%s: leaf_batch 1 called evaluate_batch %ld times",
          paper_tasks[t].name, c.batched_calls);
    long sims1 = c.single;
    int batches[2] = {8, 32};
    for (int b = 0; b < 2; b++) {
      c = (counter){0};
      p.leaf_batch = batches[b];
      long cb = ag_mcts_episode(d, &p, order);
      char what[128];
      snprintf(what, sizeof what, "%s leaf_batch %d", paper_tasks[t].name, batches[b]);
      check_order(d, order, cb, what);
      long evals = c.single + c.batched_states;
      double mean = c.batched_calls ? (double)c.batched_states / (double)c.batched_calls : 0;
      long total_sims = (long)p.sims_per_move * d->neliminable;
      CHECK(c.batched_calls > 0 && mean >= batches[b] / 4.0,
            "%s: %ld batched calls, mean batch %.1f", what, c.batched_calls, mean);
      CHECK(evals <= total_sims + 1, "%s: %ld evaluations for %ld simulations", what, evals,
            total_sims);
      CHECK(cb <= (long)ceil(1.15 * (double)c1), "%s: cost %ld, unbatched %ld", what, cb, c1);
      printf("%-18s leaf_batch %2d: cost %ld (unbatched %ld), %ld evaluations in %ld calls "
             "(mean batch %.1f; unbatched %ld)\n",
             paper_tasks[t].name, batches[b], cb, c1, evals, c.batched_calls + c.single, mean,
             sims1);
    }
    /* the network evaluator in a batched search */
    ag_nn_arch a = {.nfeat = AG_NN_NFEAT, .width = 8, .layers = 1, .vhidden = 8};
    ag_error err;
    ag_nn *nn = ag_nn_new(&a, "cpu", 3, &err);
    ag_nn_eval *ne = nn ? ag_nn_eval_new(nn) : NULL;
    if (ne) {
      p.evaluator = ag_nn_eval_evaluator(ne);
      p.leaf_batch = 16;
      p.sims_per_move = 16;
      long cn = ag_mcts_episode(d, &p, order);
      check_order(d, order, cn, "network, leaf_batch 16");
      CHECK(ag_nn_eval_batches(ne) < ag_nn_eval_calls(ne), "%s: %ld passes for %ld evaluations",
            paper_tasks[t].name, ag_nn_eval_batches(ne), ag_nn_eval_calls(ne));
    }
    ag_nn_eval_free(ne);
    ag_nn_free(nn);
    free(order);
    ag_graph_free(g);
  }
}

/* ag_mcts_episodes: games played together give each game's own episode (the counting
   evaluator is deterministic and stateless), their leaves meet in shared batch calls, and
   games whose evaluator has no batch entry point are left alone */
static void test_parallel_games(void) {
  enum { G = N_PAPER_TASKS + 2 };
  ag_graph *gr[G];
  const ag_dag *ds[G];
  int *ord[G], *ref = NULL;
  int ok = 1;
  for (int i = 0; i < G; i++) {
    gr[i] = load_task(i % N_PAPER_TASKS); /* two graphs twice: same graph, separate games */
    if (!gr[i]) return;
    ds[i] = &gr[i]->dag;
    ord[i] = malloc(sizeof(int) * (size_t)(ds[i]->neliminable + 1));
  }
  int maxn = 0;
  for (int i = 0; i < G; i++)
    if (ds[i]->neliminable > maxn) maxn = ds[i]->neliminable;
  ref = malloc(sizeof(int) * (size_t)(maxn + 1));
  int batches[2] = {1, 4};
  for (int b = 0; b < 2; b++) {
    counter c = {0}, c_single = {0};
    ag_mcts_evaluator ev = {"counting", counting_eval, &c, counting_batch};
    ag_mcts_evaluator ev_single = {"counting-single", counting_eval, &c_single, NULL};
    ag_mcts_params p, p_single;
    ag_mcts_params_default(&p);
    p.evaluator = &ev;
    p.sims_per_move = 24;
    p.leaf_batch = batches[b];
    p_single = p;
    p_single.evaluator = &ev_single;
    const ag_mcts_params *ps[G];
    for (int i = 0; i < G; i++)
      ps[i] = i == 1 ? &p_single : &p; /* game 1: no batch entry */
    long cost[G];
    ag_mcts_episodes(G, ds, ps, ord, cost);
    long shared_calls = c.batched_calls, shared_states = c.batched_states;
    CHECK(c_single.batched_calls == 0 && c_single.single > 0,
          "leaf_batch %d: the game without a batch entry point was evaluated alone", batches[b]);
    double mean = shared_calls ? (double)shared_states / (double)shared_calls : 0;
    /* G - 1 games share the evaluator: the mean batch is about (G - 1) x leaf_batch while
       most games are still playing */
    CHECK(shared_calls > 0 && mean >= 0.5 * (G - 1) * batches[b] / (batches[b] > 1 ? 2.0 : 1.0),
          "leaf_batch %d: %ld shared calls, mean batch %.1f", batches[b], shared_calls, mean);
    printf("%d games, leaf_batch %d: %ld shared evaluator calls, mean batch %.1f\n", G, batches[b],
           shared_calls, mean);
    for (int i = 0; i < G; i++) {
      char what[128];
      snprintf(what, sizeof what, "game %d (%s) of %d, leaf_batch %d", i, gr[i]->name, G,
               batches[b]);
      check_order(ds[i], ord[i], cost[i], what);
      counter c1 = {0};
      ag_mcts_evaluator ev1 = {"counting", counting_eval, &c1, counting_batch};
      ag_mcts_params p1 = *ps[i];
      p1.evaluator = &ev1;
      long alone = ag_mcts_episode(ds[i], &p1, ref);
      int same = alone == cost[i] && !memcmp(ref, ord[i], sizeof(int) * (size_t)ds[i]->neliminable);
      CHECK(same, "%s: cost %ld together, %ld alone (orders %s)", what, cost[i], alone,
            same ? "equal" : "differ");
      ok &= same;
    }
  }
  if (ok) printf("every game played together equals its episode played alone\n");
  /* the network evaluator: one forward pass for the leaves of all games */
  ag_nn_arch a = {.nfeat = AG_NN_NFEAT, .width = 8, .layers = 1, .vhidden = 8};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", 3, &err);
  ag_nn_eval *ne = nn ? ag_nn_eval_new(nn) : NULL;
  CHECK(ne != NULL, "network: %s", err.msg);
  if (ne) {
    ag_mcts_params p;
    ag_mcts_params_default(&p);
    p.evaluator = ag_nn_eval_evaluator(ne);
    p.sims_per_move = 8;
    p.leaf_batch = 4;
    const ag_mcts_params *ps[G];
    for (int i = 0; i < G; i++)
      ps[i] = &p;
    long cost[G];
    ag_mcts_episodes(G, ds, ps, ord, cost);
    for (int i = 0; i < G; i++)
      check_order(ds[i], ord[i], cost[i], "network, games together");
    double mean = (double)ag_nn_eval_calls(ne) / (double)ag_nn_eval_batches(ne);
    CHECK(mean > 4.0, "network: mean batch %.1f over %d games x leaf_batch 4", mean, G);
    printf("network, %d games x leaf_batch 4: %ld evaluations in %ld passes (mean %.1f)\n", G,
           ag_nn_eval_calls(ne), ag_nn_eval_batches(ne), mean);
  }
  ag_nn_eval_free(ne);
  ag_nn_free(nn);
  for (int i = 0; i < G; i++) {
    free(ord[i]);
    ag_graph_free(gr[i]);
  }
  free(ref);
}

int main(void) {
  test_nn_batch_equals_single();
  test_search_batches();
  test_parallel_games();
  return check_report("test_leaf_batch");
}
