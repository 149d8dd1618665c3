/* MCTS evaluator backed by the network (see nn_eval.h). */
#include "mcts/nn_eval.h"

#include <math.h>
#include <stdlib.h>

#include "jacobian/alloc.h"
#include "nn/features.h"

struct ag_nn_eval {
  ag_mcts_evaluator ev;
  ag_nn *nn;
  ag_nn_tokens tok;
  float *logits;
  int *slot; /* token -> position in tok.in.act */
  size_t cap;
  int rollout;
  long calls;
};

static double nn_evaluate(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                          float *prior) {
  ag_nn_eval *e = ctx;
  if (n == 0) return 0; /* terminal: nothing left to pay */
  ag_nn_tokens_build(&e->tok, d, s);
  const ag_nn_input *in = &e->tok.in;
  if ((size_t)in->n + 1 > e->cap) {
    free(e->logits);
    free(e->slot);
    e->cap = (size_t)in->n + 1;
    e->logits = ag_malloc(e->cap * sizeof(float));
    e->slot = ag_malloc(e->cap * sizeof(int));
  }
  float value = ag_nn_forward(e->nn, in, e->logits);
  e->calls++;
  for (int k = 0; k < in->nact; k++) e->slot[in->act[k]] = k;
  /* actions are eliminable elimination indices, hence tokens listed in act */
  double mx = -INFINITY;
  for (int k = 0; k < n; k++) {
    double l = e->logits[e->slot[e->tok.token_of[actions[k]]]];
    if (l > mx) mx = l;
  }
  for (int k = 0; k < n; k++) {
    double l = e->logits[e->slot[e->tok.token_of[actions[k]]]];
    double p = exp(l - mx);
    prior[k] = isfinite(p) ? (float)p : 0.0f;
  }
  /* the search normalises the prior (uniform when it sums to 0) */
  if (e->rollout) return -1;
  double v = (double)value * ag_nn_value_scale(d, s);
  return isfinite(v) && v > 0 ? v : 0;
}

ag_nn_eval *ag_nn_eval_new(ag_nn *nn) {
  ag_nn_eval *e = ag_calloc(1, sizeof *e);
  e->nn = nn;
  e->ev.name = "nn";
  e->ev.evaluate = nn_evaluate;
  e->ev.ctx = e;
  ag_nn_tokens_init(&e->tok);
  return e;
}

void ag_nn_eval_free(ag_nn_eval *e) {
  if (!e) return;
  ag_nn_tokens_free(&e->tok);
  free(e->logits);
  free(e->slot);
  free(e);
}

const ag_mcts_evaluator *ag_nn_eval_evaluator(ag_nn_eval *e) { return &e->ev; }
void ag_nn_eval_set_rollout(ag_nn_eval *e, int rollout) { e->rollout = rollout; }
long ag_nn_eval_calls(const ag_nn_eval *e) { return e->calls; }
