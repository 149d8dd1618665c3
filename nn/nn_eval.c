/* MCTS evaluator backed by the network (see nn_eval.h). */
#include "nn/nn_eval.h"

#include <math.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "graph/orders.h"
#include "nn/features.h"

struct ag_nn_eval {
  ag_mcts_evaluator ev;
  ag_nn *nn;
  ag_nn_tokens tok;
  float *logits;
  int *slot; /* token -> position in tok.in.act */
  size_t cap;
  int rollout;
  double mix; /* weight of the rollout in a mixed value (0: value head only) */
  long calls, batches;
  /* batched evaluation: tokens, inputs and logits per state of a batch */
  ag_nn_tokens *btok;
  ag_nn_input *bin;
  float **blog, *bval;
  size_t *bcap;
  int nb;
};

static void ensure_cap(float **logits, int **slot, size_t *cap, int n) {
  if ((size_t)n + 1 <= *cap) return;
  free(*logits);
  free(*slot);
  *cap = (size_t)n + 1;
  *logits = ag_malloc(*cap * sizeof(float));
  *slot = ag_malloc(*cap * sizeof(int));
}

/* the cost of the greedy minimal-Markowitz completion from s (what a rollout pays) */
static long rollout_cost(const ag_dag *d, const ag_elim *s) {
  ag_elim *r = ag_elim_new(d);
  ag_elim_copy(r, s);
  int *order = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int)), len = 0;
  long c = ag_order_markowitz_complete(r, order, &len);
  free(order);
  ag_elim_free(r);
  return c;
}

/* prior[k] from the logits of the tokens of actions[k], and the value estimate */
static double finish(const ag_nn_eval *e, const ag_nn_tokens *tok, const float *logits, int *slot,
                     float value, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                     float *prior) {
  const ag_nn_input *in = &tok->in;
  for (int k = 0; k < in->nact; k++)
    slot[in->act[k]] = k;
  /* actions are eliminable elimination indices, hence tokens listed in act */
  double mx = -INFINITY;
  for (int k = 0; k < n; k++) {
    double l = logits[slot[tok->token_of[actions[k]]]];
    if (l > mx) mx = l;
  }
  for (int k = 0; k < n; k++) {
    double l = logits[slot[tok->token_of[actions[k]]]];
    double p = exp(l - mx);
    prior[k] = isfinite(p) ? (float)p : 0.0f;
  }
  /* the search normalises the prior (uniform when it sums to 0) */
  if (e->rollout) return -1;
  double v = (double)value * ag_nn_value_scale(d, s);
  v = isfinite(v) && v > 0 ? v : 0;
  if (e->mix > 0) v = (1 - e->mix) * v + e->mix * (double)rollout_cost(d, s);
  return v;
}

static double nn_evaluate(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                          float *prior) {
  ag_nn_eval *e = ctx;
  if (n == 0) return 0; /* terminal: nothing left to pay */
  ag_nn_tokens_build(&e->tok, d, s);
  ensure_cap(&e->logits, &e->slot, &e->cap, e->tok.in.n);
  float value = ag_nn_forward(e->nn, &e->tok.in, e->logits);
  e->calls++;
  e->batches++;
  return finish(e, &e->tok, e->logits, e->slot, value, d, s, actions, n, prior);
}

/* All states' tokens through the network in one ag_nn_forward_batch call. */
static void nn_evaluate_batch(void *ctx, int count, const ag_dag *const *graphs,
                              const ag_elim *const *states, const int *const *actions, const int *n,
                              float *const *priors, double *values) {
  ag_nn_eval *e = ctx;
  if (count > e->nb) {
    e->btok = ag_realloc(e->btok, (size_t)count * sizeof *e->btok);
    e->bin = ag_realloc(e->bin, (size_t)count * sizeof *e->bin);
    e->blog = ag_realloc(e->blog, (size_t)count * sizeof *e->blog);
    e->bcap = ag_realloc(e->bcap, (size_t)count * sizeof *e->bcap);
    e->bval = ag_realloc(e->bval, (size_t)count * sizeof *e->bval);
    for (int i = e->nb; i < count; i++) {
      ag_nn_tokens_init(&e->btok[i]);
      e->blog[i] = NULL;
      e->bcap[i] = 0;
    }
    e->nb = count;
  }
  int m = 0;
  int *idx = ag_malloc((size_t)count * sizeof(int));
  for (int i = 0; i < count; i++) {
    if (n[i] == 0) { /* terminal */
      values[i] = 0;
      continue;
    }
    ag_nn_tokens_build(&e->btok[i], graphs[i], states[i]);
    if ((size_t)e->btok[i].in.n + 1 > e->bcap[i]) {
      free(e->blog[i]);
      e->bcap[i] = (size_t)e->btok[i].in.n + 1;
      e->blog[i] = ag_malloc(e->bcap[i] * sizeof(float));
    }
    e->bin[m] = e->btok[i].in;
    idx[m++] = i;
  }
  if (m > 0) {
    float **lg = ag_malloc((size_t)m * sizeof(float *));
    for (int j = 0; j < m; j++)
      lg[j] = e->blog[idx[j]];
    ag_nn_forward_batch(e->nn, e->bin, m, lg, e->bval);
    free(lg);
    e->calls += m;
    e->batches++;
    for (int j = 0; j < m; j++) {
      int i = idx[j];
      ensure_cap(&e->logits, &e->slot, &e->cap, e->btok[i].in.n);
      values[i] = finish(e, &e->btok[i], e->blog[i], e->slot, e->bval[j], graphs[i], states[i],
                         actions[i], n[i], priors[i]);
    }
  }
  free(idx);
}

ag_nn_eval *ag_nn_eval_new(ag_nn *nn) {
  ag_nn_eval *e = ag_calloc(1, sizeof *e);
  e->nn = nn;
  e->ev.name = "nn";
  e->ev.evaluate = nn_evaluate;
  e->ev.evaluate_batch = nn_evaluate_batch;
  e->ev.ctx = e;
  ag_nn_tokens_init(&e->tok);
  return e;
}

void ag_nn_eval_free(ag_nn_eval *e) {
  if (!e) return;
  ag_nn_tokens_free(&e->tok);
  for (int i = 0; i < e->nb; i++) {
    ag_nn_tokens_free(&e->btok[i]);
    free(e->blog[i]);
  }
  free(e->btok);
  free(e->bin);
  free(e->blog);
  free(e->bcap);
  free(e->bval);
  free(e->logits);
  free(e->slot);
  free(e);
}

const ag_mcts_evaluator *ag_nn_eval_evaluator(ag_nn_eval *e) { return &e->ev; }
void ag_nn_eval_set_rollout(ag_nn_eval *e, int rollout) { e->rollout = rollout; }
void ag_nn_eval_set_mix(ag_nn_eval *e, double lambda) {
  e->mix = lambda > 0 ? (lambda < 1 ? lambda : 1) : 0;
}
long ag_nn_eval_calls(const ag_nn_eval *e) { return e->calls; }
long ag_nn_eval_batches(const ag_nn_eval *e) { return e->batches; }
