/* Random kernel corpus (train/corpus.h): deterministic per seed, the sizes asked for, every
   input read, no dead vertex, every output a vertex; forward/reverse/Markowitz costs are
   computable (their averages are printed), the kernels evaluate, and a trainer plays
   episodes on them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph/orders.h"
#include "nn/features.h"
#include "train/corpus.h"
#include "train/train.h"

static long cost_of(const ag_dag *d, int (*fn)(const ag_dag *, int *)) {
  int *o = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  int len = fn(d, o);
  ag_error err;
  long c = ag_order_cost(d, o, len, &err);
  CHECK(c >= 0, "order cost: %s", err.msg);
  free(o);
  return c;
}

/* forward evaluation of the graph at x (inputs), returns the number of finite outputs */
static int eval_finite(const ag_graph *g, const double *x) {
  double *v = malloc((size_t)g->nnodes * sizeof(double));
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    if (nd->op == AG_OP_INPUT)
      v[i] = x[(int)nd->value];
    else if (nd->op == AG_OP_CONST)
      v[i] = nd->value;
    else
      v[i] = ag_op_eval((ag_op)nd->op, v[nd->a], nd->b >= 0 ? v[nd->b] : 0, nd->value);
  }
  int fin = 0;
  for (int j = 0; j < g->noutputs; j++)
    fin += isfinite(v[g->outputs[j]]) != 0;
  free(v);
  return fin;
}

/* the large training kernels (alphagrad train --corpus-large): all distinct, none of them a
   held-out graph of bench/bench_policy.c, sizes as documented */
static void test_large_training(void) {
  enum { N = 15 };
  ag_graph *g[N];
  static const char *const held_out[] = {"roe-stencil-4",  "robot-chain-8-1",  "spring-net-4x3-1",
                                         "roe-stencil-24", "robot-chain-40-2", "spring-net-8x6-2"};
  for (int c = 0; c < N; c++) {
    g[c] = ag_corpus_large_training(c);
    CHECK(g[c] != NULL, "large training kernel %d not built", c);
    if (!g[c]) return;
    int ne = g[c]->dag.neliminable;
    CHECK(c >= 9 || (ne >= 75 && ne <= 475), "%s: %d eliminable vertices", g[c]->name, ne);
    for (size_t h = 0; h < sizeof held_out / sizeof held_out[0]; h++)
      CHECK(strcmp(g[c]->name, held_out[h]) != 0, "kernel %d is the held-out %s", c, held_out[h]);
    for (int j = 0; j < c; j++)
      CHECK(ag_graph_hash_full(g[j]) != ag_graph_hash_full(g[c]),
            "kernels %d (%s) and %d (%s) are the same graph", j, g[j]->name, c, g[c]->name);
    printf("large training kernel %2d: %-22s %4d eliminable, Markowitz cost %ld\n", c, g[c]->name,
           ne, cost_of(&g[c]->dag, ag_order_markowitz));
  }
  CHECK(ag_corpus_large_training(-1) == NULL, "a negative index gives NULL");
  for (int c = 0; c < N; c++)
    ag_graph_free(g[c]);
}

int main(void) {
  test_large_training();
  static const int sizes[][3] = {{6, 40, 3},  {8, 86, 8}, {11, 62, 11}, {15, 105, 20},
                                 {4, 200, 2}, {3, 3, 1},  {2, 30, 10},  {20, 25, 4}};
  const int nsizes = (int)(sizeof sizes / sizeof sizes[0]);
  double sum_fwd = 0, sum_rev = 0, sum_mk = 0;
  int ngraphs = 0, mk_better = 0, finite_outputs = 0, outputs = 0;
  for (int s = 0; s < nsizes; s++) {
    for (uint64_t seed = 1; seed <= 12; seed++) {
      int ni = sizes[s][0], nv = sizes[s][1], no = sizes[s][2];
      ag_graph *g = ag_corpus_random(seed, ni, nv, no);
      CHECK(g != NULL, "corpus %d/%d/%d seed %llu", ni, nv, no, (unsigned long long)seed);
      if (!g) continue;
      ag_graph *h = ag_corpus_random(seed, ni, nv, no);
      CHECK(h && ag_graph_hash_full(g) == ag_graph_hash_full(h), "deterministic per seed");
      ag_graph_free(h);
      if (seed > 1) {
        ag_graph *p = ag_corpus_random(seed - 1, ni, nv, no);
        if (nv > 10)
          CHECK(p && p->dag.hash != g->dag.hash, "seeds %llu, %llu give the same graph",
                (unsigned long long)seed - 1, (unsigned long long)seed);
        ag_graph_free(p);
      }
      const ag_dag *d = &g->dag;
      CHECK(g->finalized, "finalized");
      CHECK(d->ni == ni && d->nv == nv && d->no == no, "%s: sizes %d/%d/%d", g->name, d->ni, d->nv,
            d->no);
      /* every output is a vertex, every input is read, no dead vertex */
      int *nsucc = calloc((size_t)d->n, sizeof(int));
      for (int v = 0; v < d->n; v++)
        for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
          nsucc[d->pred[j]]++;
      int bad_out = 0, unread = 0, dead = 0;
      for (int j = 0; j < d->no; j++)
        bad_out += d->out_index[j] < d->ni;
      for (int k = 0; k < d->ni; k++)
        unread += nsucc[k] == 0;
      for (int v = d->ni; v < d->n; v++)
        dead += nsucc[v] == 0 && !d->is_output[v];
      CHECK(bad_out == 0 && unread == 0 && dead == 0,
            "%s: %d passive outputs, %d unread inputs, %d dead vertices", g->name, bad_out, unread,
            dead);
      /* distinct outputs */
      int dup = 0;
      for (int a = 0; a < d->no; a++)
        for (int b = a + 1; b < d->no; b++)
          dup += d->out_index[a] == d->out_index[b];
      CHECK(dup == 0, "%s: %d duplicate outputs", g->name, dup);
      free(nsucc);
      long f = cost_of(d, ag_order_forward), r = cost_of(d, ag_order_reverse),
           m = cost_of(d, ag_order_markowitz);
      CHECK(f > 0 && r > 0 && m > 0, "%s: costs fwd %ld rev %ld markowitz %ld", g->name, f, r, m);
      sum_fwd += f;
      sum_rev += r;
      sum_mk += m;
      mk_better += m <= (f > r ? f : r);
      ngraphs++;
      double x[64];
      for (int k = 0; k < ni; k++)
        x[k] = 0.3 + 0.17 * k;
      finite_outputs += eval_finite(g, x);
      outputs += no;
      if (seed == 1) printf("%-22s fwd %5ld rev %5ld markowitz %5ld\n", g->name, f, r, m);
      ag_graph_free(g);
    }
  }
  printf("%d graphs: mean fwd %.1f rev %.1f markowitz %.1f; markowitz <= max(fwd, rev) on %d; "
         "%d/%d outputs finite at a test point\n",
         ngraphs, sum_fwd / ngraphs, sum_rev / ngraphs, sum_mk / ngraphs, mk_better, finite_outputs,
         outputs);
  CHECK(sum_mk <= (sum_fwd > sum_rev ? sum_fwd : sum_rev), "markowitz on average");
  CHECK(finite_outputs >= outputs * 9 / 10, "most outputs finite: %d of %d", finite_outputs,
        outputs);
  /* impossible sizes */
  CHECK(ag_corpus_random(1, 0, 10, 1) == NULL, "no inputs");
  CHECK(ag_corpus_random(1, 3, 10, 0) == NULL, "no outputs");
  CHECK(ag_corpus_random(1, 3, 2, 3) == NULL, "more outputs than vertices");
  CHECK(ag_corpus_random(1, 10, 5, 1) == NULL, "too few vertices to read the inputs");

  /* a trainer plays and trains on corpus graphs */
  ag_graph *gs[3];
  const ag_dag *ds[3];
  for (int i = 0; i < 3; i++) {
    gs[i] = ag_corpus_random(100 + (uint64_t)i, 5 + i, 30 + 10 * i, 2 + i);
    ds[i] = &gs[i]->dag;
  }
  ag_error err;
  ag_nn_arch a = {AG_NN_NFEAT, 16, 2, 16};
  ag_nn *nn = ag_nn_new(&a, "cpu", 5, &err);
  CHECK(nn != NULL, "ag_nn_new: %s", err.msg);
  if (nn) {
    ag_train_params p;
    ag_train_params_default(&p);
    p.sims_per_move = 8;
    p.batch = 8;
    p.steps_per_episode = 2;
    ag_trainer *tr = ag_trainer_new(nn, NULL, ds, 3, &p);
    ag_trainer_run(tr, 3);
    int states = 0;
    for (int i = 0; i < 3; i++) {
      const int *o;
      long c = ag_trainer_best(tr, i, &o);
      long chk = c >= 0 ? ag_order_cost(ds[i], o, ds[i]->neliminable, &err) : -2;
      CHECK(c > 0 && chk == c, "%s: episode cost %ld, order costs %ld", gs[i]->name, c, chk);
      states += ds[i]->neliminable;
      printf("trainer on %s: episode cost %ld\n", gs[i]->name, c);
    }
    CHECK_EQ_LONG(ag_trainer_buffer_size(tr), states, "states in the buffer");
    double loss;
    CHECK(ag_trainer_train(tr, 2, &loss, NULL, NULL) == 2 && isfinite(loss),
          "training on the corpus");
    ag_trainer_free(tr);
    ag_nn_free(nn);
  }
  for (int i = 0; i < 3; i++)
    ag_graph_free(gs[i]);
  return check_report("test_corpus");
}
