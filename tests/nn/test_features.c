/* Network features (nn/features.h) and the network-backed MCTS evaluator (nn/nn_eval.h):
   tokens of a small hand-checked graph before and after eliminations, tokens of random
   partial eliminations of the paper graphs against an independent dense elimination,
   actions against ag_elim_eliminable, the move hook of the search, and an MCTS search on
   RoeFlux_1d with a randomly initialised network. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "mcts/search.h"
#include "nn/features.h"
#include "nn/nn_eval.h"
#include "paper.h"

static ag_graph *task_graph(const char *name) {
  char path[4096];
  ag_error err;
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_graph *g = ag_parse_dag_file(path, name, &err);
  CHECK(g != NULL, "%s: %s", name, err.msg);
  return g;
}

static int close_to(float a, double b) { return fabs((double)a - b) <= 1e-5 * (1 + fabs(b)); }

/* token k's pred/succ lists as elimination indices, compared with want (-1 terminated) */
static int same_list(const ag_nn_tokens *t, const int *off, const int *lst, int k,
                     const int *want) {
  int n = 0;
  while (want[n] >= 0)
    n++;
  if (off[k + 1] - off[k] != n) return 0;
  for (int i = 0; i < n; i++)
    if (t->index_of[lst[off[k] + i]] != want[i]) return 0;
  return 1;
}

/* x0, x1; v1 = x0*x1, v2 = sin v1, v3 = cos v1, v4 = v2+v3 (output, used by v6),
   v5 = v2*x1 (output), v6 = exp v4 (output). Elimination indices 0..7. */
static void small_graph(void) {
  ag_graph *g = ag_graph_new("small");
  ag_error err;
  int x0 = ag_graph_input(g, 0), x1 = ag_graph_input(g, 1);
  int v1 = ag_graph_op(g, AG_OP_MUL, x0, x1);
  int v2 = ag_graph_op(g, AG_OP_SIN, v1, -1);
  int v3 = ag_graph_op(g, AG_OP_COS, v1, -1);
  int v4 = ag_graph_op(g, AG_OP_ADD, v2, v3);
  int v5 = ag_graph_op(g, AG_OP_MUL, v2, x1);
  int v6 = ag_graph_op(g, AG_OP_EXP, v4, -1);
  ag_graph_output(g, v4);
  ag_graph_output(g, v5);
  ag_graph_output(g, v6);
  CHECK(ag_graph_finalize(g, &err) == 0, "finalize: %s", err.msg);
  const ag_dag *d = &g->dag;
  CHECK(d->n == 8 && d->ni == 2 && d->neliminable == 3, "shape n=%d ni=%d ne=%d", d->n, d->ni,
        d->neliminable);
  ag_elim *s = ag_elim_new(d);
  ag_nn_tokens t;
  ag_nn_tokens_init(&t);
  ag_nn_tokens_build(&t, d, s);
  const ag_nn_input *in = &t.in;
  CHECK_EQ_LONG(in->n, 8, "tokens");
  CHECK_EQ_LONG(in->nact, 3, "actions");
  CHECK(in->act[0] == 2 && in->act[1] == 3 && in->act[2] == 4, "act %d %d %d", in->act[0],
        in->act[1], in->act[2]);
  /* in/out degree per elimination index */
  static const int din[8] = {0, 0, 2, 1, 1, 2, 2, 1}, dout[8] = {1, 2, 2, 2, 1, 1, 0, 0};
  static const int isout[8] = {0, 0, 0, 0, 0, 1, 1, 1};
  for (int k = 0; k < 8; k++) {
    const float *x = in->x + (size_t)k * AG_NN_NFEAT;
    double mk = (double)din[k] * dout[k];
    CHECK(x[0] == (k < 2) && x[1] == isout[k] && x[2] == (k >= 2 && k <= 4), "token %d flags", k);
    CHECK(close_to(x[3], log1p(din[k])) && close_to(x[4], log1p(dout[k])), "token %d degrees %g %g",
          k, x[3], x[4]);
    CHECK(close_to(x[5], log1p(mk)) && close_to(x[6], mk / 4.0), "token %d markowitz %g %g", k,
          x[5], x[6]);
    CHECK(close_to(x[7], k / 8.0) && close_to(x[8], log1p(3.0)) && close_to(x[9], 0.0),
          "token %d globals", k);
  }
  {
    static const int p2[] = {0, 1, -1}, p5[] = {3, 4, -1}, p6[] = {1, 3, -1}, s1[] = {2, 6, -1},
                     s3[] = {5, 6, -1}, s5[] = {7, -1}, none[] = {-1};
    CHECK(same_list(&t, in->pred_off, in->pred, 2, p2), "pred v1");
    CHECK(same_list(&t, in->pred_off, in->pred, 5, p5), "pred v4");
    CHECK(same_list(&t, in->pred_off, in->pred, 6, p6), "pred v5");
    CHECK(same_list(&t, in->pred_off, in->pred, 0, none), "pred x0");
    CHECK(same_list(&t, in->succ_off, in->succ, 1, s1), "succ x1");
    CHECK(same_list(&t, in->succ_off, in->succ, 3, s3), "succ v2");
    CHECK(same_list(&t, in->succ_off, in->succ, 5, s5), "succ v4 (an output with a successor)");
    CHECK(same_list(&t, in->succ_off, in->succ, 7, none), "succ v6");
  }
  CHECK(ag_nn_value_scale(d, s) == 7.0, "value scale %g (4 + 2 + 1)", ag_nn_value_scale(d, s));

  /* eliminate v2 (index 3): x1.. v1 gains successors v4, v5 */
  CHECK_EQ_LONG(ag_elim_step(s, 3), 2, "cost of v2");
  ag_nn_tokens_build(&t, d, s);
  CHECK_EQ_LONG(in->n, 7, "tokens after v2");
  CHECK_EQ_LONG(in->nact, 2, "actions after v2");
  CHECK(t.token_of[3] == -1 && t.token_of[4] == 3 && t.index_of[3] == 4, "token map");
  CHECK(in->act[0] == 2 && in->act[1] == 3, "act after v2");
  {
    static const int s_v1[] = {4, 5, 6, -1}, p_v4[] = {2, 4, -1}, p_v5[] = {1, 2, -1},
                     s_v3[] = {5, -1};
    CHECK(same_list(&t, in->succ_off, in->succ, 2, s_v1), "succ v1 after v2");
    CHECK(same_list(&t, in->pred_off, in->pred, 4, p_v4), "pred v4 after v2");
    CHECK(same_list(&t, in->pred_off, in->pred, 5, p_v5), "pred v5 after v2");
    CHECK(same_list(&t, in->succ_off, in->succ, 3, s_v3), "succ v3 after v2");
  }
  const float *x1v = in->x + 2 * AG_NN_NFEAT; /* v1: 2 in, 3 out, Markowitz 6 = max */
  CHECK(close_to(x1v[4], log1p(3.0)) && close_to(x1v[5], log1p(6.0)) && close_to(x1v[6], 1.0),
        "v1 after v2");
  const float *x3v = in->x + 3 * AG_NN_NFEAT; /* v3: 1 in, 1 out */
  CHECK(close_to(x3v[6], 1.0 / 6.0) && close_to(x3v[7], 4.0 / 8.0), "v3 after v2");
  CHECK(close_to(x3v[8], log1p(2.0)) && close_to(x3v[9], 1.0 / 3.0), "globals after v2");
  CHECK(ag_nn_value_scale(d, s) == 7.0, "value scale after v2 %g (6 + 1)", ag_nn_value_scale(d, s));
  CHECK_EQ_LONG(ag_elim_step(s, 4), 1, "cost of v3");
  CHECK_EQ_LONG(ag_elim_step(s, 2), 4, "cost of v1");
  ag_nn_tokens_build(&t, d, s);
  CHECK(in->n == 5 && in->nact == 0, "final tokens %d actions %d", in->n, in->nact);
  CHECK(ag_nn_value_scale(d, s) == 1.0, "value scale at the end is 1");
  for (int k = 0; k < in->n; k++)
    CHECK(close_to(in->x[k * AG_NN_NFEAT + 9], 1.0), "all eliminated");
  ag_nn_tokens_free(&t);
  ag_elim_free(s);
  ag_graph_free(g);
}

/* random partial eliminations of a paper graph, checked against a dense boolean matrix */
static void random_states(const char *name, unsigned seed) {
  ag_graph *g = task_graph(name);
  if (!g) return;
  const ag_dag *d = &g->dag;
  int n = d->n;
  unsigned char *adj = calloc((size_t)n * n, 1),
                *gone = calloc((size_t)n, 1); /* adj[p*n+q]: p -> q */
  for (int v = 0; v < n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
      adj[(size_t)d->pred[j] * n + v] = 1;
  ag_elim *s = ag_elim_new(d);
  ag_nn_tokens t;
  ag_nn_tokens_init(&t);
  int *elig = malloc((size_t)n * sizeof(int));
  int bad = 0;
  for (int step = 0; step <= d->neliminable; step++) {
    if (step % 7 == 0 || step == d->neliminable) {
      ag_nn_tokens_build(&t, d, s);
      const ag_nn_input *in = &t.in;
      int nt = 0, na = 0;
      double scale = 0;
      long mmax = 0;
      for (int v = 0; v < n; v++)
        if (!gone[v] && ag_elim_eliminable(s, v)) {
          long a = 0, b = 0;
          for (int q = 0; q < n; q++)
            a += adj[(size_t)q * n + v], b += adj[(size_t)v * n + q];
          if (a * b > mmax) mmax = a * b;
        }
      for (int v = 0; v < n; v++) {
        if (gone[v]) {
          bad += t.token_of[v] != -1;
          continue;
        }
        int k = t.token_of[v];
        if (k != nt || t.index_of[k] != v) {
          bad++;
          nt++;
          continue;
        }
        nt++;
        int a = 0, b = 0;
        for (int q = 0; q < n; q++)
          a += adj[(size_t)q * n + v], b += adj[(size_t)v * n + q];
        /* the lists hold exactly the dense neighbours, increasing */
        int pi = in->pred_off[k], si = in->succ_off[k];
        for (int q = 0; q < n; q++) {
          if (adj[(size_t)q * n + v])
            bad += pi >= in->pred_off[k + 1] || t.index_of[in->pred[pi++]] != q;
          if (adj[(size_t)v * n + q])
            bad += si >= in->succ_off[k + 1] || t.index_of[in->succ[si++]] != q;
        }
        bad += pi != in->pred_off[k + 1] || si != in->succ_off[k + 1];
        const float *x = in->x + (size_t)k * AG_NN_NFEAT;
        int el = ag_elim_eliminable(s, v);
        bad += !close_to(x[3], log1p(a)) || !close_to(x[4], log1p(b)) || x[2] != (float)el;
        bad += !close_to(x[6], (double)a * b / (double)(mmax > 0 ? mmax : 1));
        if (el) {
          scale += (double)a * b;
          bad += na >= in->nact || in->act[na++] != k;
        }
      }
      bad += nt != in->n || na != in->nact || na != s->nleft;
      double want = scale < 1 ? 1 : scale;
      bad += fabs(ag_nn_value_scale(d, s) - want) > 1e-9;
    }
    if (step == d->neliminable) break;
    /* a random eliminable vertex; dense elimination alongside */
    int ne = 0;
    for (int v = d->ni; v < n; v++)
      if (ag_elim_eliminable(s, v)) elig[ne++] = v;
    seed = seed * 1103515245u + 12345u;
    int v = elig[(seed >> 8) % (unsigned)ne];
    for (int p = 0; p < n; p++)
      if (adj[(size_t)p * n + v])
        for (int q = 0; q < n; q++)
          if (adj[(size_t)v * n + q]) adj[(size_t)p * n + q] = 1;
    for (int q = 0; q < n; q++)
      adj[(size_t)q * n + v] = adj[(size_t)v * n + q] = 0;
    gone[v] = 1;
    ag_elim_step(s, v);
  }
  CHECK(bad == 0, "%s: %d mismatches against the dense elimination", name, bad);
  free(elig);
  free(adj);
  free(gone);
  ag_nn_tokens_free(&t);
  ag_elim_free(s);
  ag_graph_free(g);
}

static ag_nn *random_net(uint64_t seed) {
  ag_nn_arch a = {AG_NN_NFEAT, 32, 2, 32};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", seed, &err);
  CHECK(nn != NULL, "ag_nn_new: %s", err.msg);
  return nn;
}

/* move hook: counts calls and checks the visit counts */
typedef struct {
  int calls, bad;
  long sum;
} hook_ctx;
static int hook(void *ctx, const ag_elim *root, const int *actions, const int *visits, int n,
                int choice) {
  hook_ctx *h = ctx;
  h->calls++;
  int ne = 0;
  for (int v = root->ni; v < root->n; v++)
    ne += ag_elim_eliminable(root, v);
  h->bad += ne != n || choice < 0 || choice >= n;
  for (int k = 0; k < n; k++) {
    h->bad += !ag_elim_eliminable(root, actions[k]) || (k && actions[k] <= actions[k - 1]) ||
              visits[k] < 0;
    h->sum += visits[k];
  }
  return -1;
}

static void mcts_with_net(void) {
  ag_graph *g = task_graph("RoeFlux_1d");
  ag_nn *nn = random_net(3);
  if (!g || !nn) return;
  const ag_dag *d = &g->dag;
  ag_error err;
  int *o = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  long base = -1;
  int (*f[3])(const ag_dag *, int *) = {ag_order_forward, ag_order_reverse, ag_order_markowitz};
  for (int b = 0; b < 3; b++) {
    int n = f[b](d, o);
    long c = ag_order_cost(d, o, n, &err);
    if (base < 0 || c < base) base = c;
  }
  ag_nn_eval *ev = ag_nn_eval_new(nn);
  for (int rollout = 0; rollout < 2; rollout++) {
    ag_nn_eval_set_rollout(ev, rollout);
    long calls0 = ag_nn_eval_calls(ev);
    ag_mcts_params mp;
    ag_mcts_params_default(&mp);
    mp.evaluator = ag_nn_eval_evaluator(ev);
    mp.sims_per_move = 16;
    ag_search_opts so;
    ag_search_opts_default(&so);
    so.time_limit = 3;
    so.seed = 5;
    so.mcts = &mp;
    ag_search_result r;
    int rc = ag_search(d, AG_SEARCH_MCTS, &so, &r, &err);
    CHECK(rc == 0, "search: %s", rc ? err.msg : "");
    if (rc) continue;
    long c = ag_order_cost(d, r.order, r.len, &err);
    CHECK(c == r.cost, "reported %ld, order costs %ld", r.cost, c);
    CHECK(r.cost <= base, "%ld worse than the best baseline %ld", r.cost, base);
    long calls = ag_nn_eval_calls(ev) - calls0;
    CHECK(calls > 0, "the network was never evaluated");
    printf("RoeFlux_1d mcts+nn%s: %ld (baselines %ld), %ld sims, %ld network calls in %.2f s\n",
           rollout ? " (rollout values)" : "", r.cost, base, r.iterations, calls, r.elapsed);
    ag_search_result_free(&r);
  }
  /* one self-play episode with the move hook */
  ag_nn_eval_set_rollout(ev, 0);
  ag_mcts_params mp;
  ag_mcts_params_default(&mp);
  mp.evaluator = ag_nn_eval_evaluator(ev);
  mp.sims_per_move = 8;
  hook_ctx h = {0, 0, 0};
  mp.on_move = hook;
  mp.move_ctx = &h;
  long c = ag_mcts_episode(d, &mp, o);
  for (int i = 0; i < d->neliminable; i++)
    o[i] = ag_vertex_id(d, o[i]);
  long cc = ag_order_cost(d, o, d->neliminable, &err);
  CHECK(c == cc && c > 0, "episode cost %ld, its order costs %ld", c, cc);
  CHECK(h.calls == d->neliminable && h.bad == 0 && h.sum > 0, "hook: %d calls for %d moves, %d bad",
        h.calls, d->neliminable, h.bad);
  ag_nn_eval_free(ev);
  ag_nn_free(nn);
  free(o);
  ag_graph_free(g);
}

int main(void) {
  small_graph();
  for (int t = 0; t < N_PAPER_TASKS; t++)
    random_states(paper_tasks[t].name, 17u + (unsigned)t);
  mcts_with_net();
  return check_report("test_features");
}
