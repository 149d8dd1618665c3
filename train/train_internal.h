/* The trainer's internals, shared by train.c and train_ckpt.c (not a public header). */
#ifndef AG_TRAIN_INTERNAL_H
#define AG_TRAIN_INTERNAL_H

#include "graph/eliminate.h"
#include "mcts/run.h"
#include "nn/features.h"
#include "nn/nn_eval.h"
#include "train/train.h"

typedef struct {
  int graph, len, nact;
  int *prefix;  /* elimination indices played before the state */
  float *pi;    /* visit distribution over the eliminable vertices, increasing index */
  float z;      /* scaled remaining cost */
  long episode; /* the episode that recorded it (in memory only: matches value targets) */
} sample;

typedef struct {
  long cost_before;
  double scale;
  int slot; /* buffer slot of the state */
} pending;

/* One self-play game being played (a round plays parallel_games of them together): its
   moves so far and the buffer slots of its states, waiting for the episode's cost. */
typedef struct {
  struct ag_trainer *tr;
  int graph, nmoves;
  long episode;
  int *moves;
  pending *pend;
} recorder;

struct ag_trainer {
  ag_nn *nn;
  ag_adam *opt, own_opt;
  const ag_dag *const *graphs;
  int ngraphs;
  ag_train_params p;
  ag_nn_eval *eval;
  ag_mcts_params mp;
  ag_rng rng;
  /* replay ring buffer */
  sample *buf;
  int cap, size, head;
  /* the games being played (p.parallel_games of them) */
  recorder *rec;
  /* bests */
  long *best;
  int **best_order;
  /* training scratch */
  ag_elim **work;
  ag_nn_tokens tok;
  float *grad, *logits;
  size_t cap_logits;
  long episodes, steps;
  double t0, last_loss, last_lp, last_lv;
  double elapsed0; /* training time before t0 (from a checkpoint) */
  /* evaluation */
  ag_mcts_params emp; /* mp without the move hook, eval_sims */
  long *base_fwd, *base_rev, *base_mkw, *eval_cost;
};

void ag_train_sample_free(sample *s);

#endif
