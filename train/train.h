/* Self-play training of the policy/value network (AlphaZero style).

   Episodes: MCTS (mcts.h, ag_mcts_episode) with the network as evaluator (nn_eval.h) plays
   the elimination game on one of the training graphs; at each committed move the root's
   visit counts become the policy target, and once the episode ends every recorded state
   gets the value target z = (episode cost - cost paid before the state) /
   ag_nn_value_scale(state). States go into a replay ring buffer (graph id + elimination
   prefix + targets; tokens are rebuilt when sampled). Training: Adam on minibatches drawn
   uniformly from the buffer, loss = cross-entropy(pi) + value_weight * (v - z)^2
   (ag_nn_backward). */
#ifndef AG_TRAIN_H
#define AG_TRAIN_H

#include <stdint.h>

#include "base/error.h"
#include "graph/graph.h"
#include "mcts/mcts.h"
#include "nn/nn.h"

typedef struct {
  long episodes, steps;                 /* so far */
  double loss, loss_policy, loss_value; /* means over the last episode's training steps */
  int graph;                            /* the last episode's graph */
  long episode_cost;                    /* and its cost */
  int ngraphs;
  const long *best_cost; /* per graph, -1 until an episode ended there */
  int buffer_states;
  double elapsed, episodes_per_s;
  /* periodic evaluation (ag_train_params.eval_every): per graph, the cost of the
     deterministic network-guided episode (ag_trainer_eval) after this episode; NULL when
     this episode was not followed by an evaluation */
  const long *eval_cost;
  /* per graph, the baselines' costs (forward, reverse, minimal Markowitz); always set */
  const long *forward_cost, *reverse_cost, *markowitz_cost;
  /* 1 on the last episode of a round (ag_train_params.parallel_games): the trainer is
     then between rounds, where a checkpoint continues exactly; round_size is the number
     of episodes the round played (1 when games are played one at a time) */
  int round_end, round_size;
} ag_train_progress;

typedef void (*ag_train_progress_fn)(const ag_train_progress *pr, void *ctx);

typedef struct {
  int sims_per_move; /* MCTS simulations per move, default 64 */
  int leaf_batch;    /* leaves evaluated together in the self-play search (mcts.h), default 1 */
  /* self-play games played together in rounds (ag_mcts_episodes): the leaves of all of
     them go through the network in one batch (parallel_games x leaf_batch states), with
     the weights of the round's start; the round's training steps follow its games.
     Rounds start at multiples of parallel_games episodes. Default 1 (one game at a time,
     training steps after each) */
  int parallel_games;
  /* episodes (counted from the start of training) played by the heuristic MCTS (Markowitz
     prior, rollout values: ag_mcts_heuristic) instead of the network: its visit counts and
     episode costs become the targets, so the network first imitates a good heuristic
     search (expert iteration with a heuristic teacher), then improves on it; default 0 */
  long teacher_episodes;
  double c_puct;      /* default 1.5 */
  double temperature; /* > 0: moves sampled with probability ~ visits^(1/T); default 1 */
  int temp_moves; /* ... during the first temp_moves moves (then the search's choice); default 30 */
  int rollout;    /* value estimates from greedy rollouts, not the value head; default 0 */
  int buffer;     /* replay capacity in states, default 50000 */
  int batch;      /* states per training step, default 32 */
  int steps_per_episode;                /* training steps after each episode, default 16 */
  float lr, value_weight, weight_decay; /* defaults 1e-3, 1, 1e-4 */
  uint64_t seed;
  /* called with the minibatch-mean gradient before every Adam step; must replace it by the
     mean over all workers (data-parallel training, e.g. MPI_Allreduce / size); may be NULL */
  void (*grad_reduce)(float *grad, size_t n, void *ctx);
  void *grad_reduce_ctx;
  ag_train_progress_fn progress; /* after each episode of ag_trainer_run; may be NULL */
  void *progress_ctx;
  /* ag_trainer_run evaluates every graph (ag_trainer_eval) after each episode whose number
     is a multiple of eval_every (0: never), with eval_sims simulations per move (0:
     sims_per_move); the costs reach the progress callback (eval_cost). Evaluation touches
     neither the RNG, the buffer nor the network: training is the same with or without it. */
  int eval_every, eval_sims;
} ag_train_params;

void ag_train_params_default(ag_train_params *p);

typedef struct ag_trainer ag_trainer;

/* nn and graphs are borrowed; opt may be NULL (the trainer then owns an Adam with p->lr;
   see ag_trainer_adam to save it with the weights). */
ag_trainer *ag_trainer_new(ag_nn *nn, ag_adam *opt, const ag_dag *const *graphs, int ngraphs,
                           const ag_train_params *p);
void ag_trainer_free(ag_trainer *tr);
ag_adam *ag_trainer_adam(ag_trainer *tr);

/* One self-play episode on graph g; its states enter the buffer. Returns its cost. */
long ag_trainer_play(ag_trainer *tr, int g);
/* steps minibatch Adam steps; mean loss terms over them (each may be NULL). Returns the
   number of steps done (0 when the buffer is empty). */
int ag_trainer_train(ag_trainer *tr, int steps, double *loss, double *lp, double *lv);
/* Mean loss over the whole buffer with the current weights, no update. */
double ag_trainer_buffer_loss(ag_trainer *tr, double *lp, double *lv);
int ag_trainer_buffer_size(const ag_trainer *tr);
/* Best episode cost on graph g (-1 if none yet); *order (may be NULL) gets its order as
   1-based vertex ids, valid until the next episode on g. */
long ag_trainer_best(const ag_trainer *tr, int g, const int **order);
/* episodes round-robin over the graphs (episode e plays graph e mod ngraphs), in rounds of
   parallel_games games played together (the first and last rounds may be shorter: rounds
   start at multiples of parallel_games); after a round, each of its episodes in turn gets
   steps_per_episode training steps, the periodic evaluation when due and a progress report.
   A trainer saved between rounds continues exactly. */
void ag_trainer_run(ag_trainer *tr, long episodes);
/* Episodes in the next round: parallel_games - episodes mod parallel_games (1 when games are
   played one at a time). A caller that stops between calls of ag_trainer_run(tr,
   ag_trainer_next_round(tr)) stops between rounds. */
int ag_trainer_next_round(const ag_trainer *tr);

/* Counters: episodes played and training steps done (including those of a loaded
   checkpoint). */
long ag_trainer_episodes(const ag_trainer *tr);
long ag_trainer_steps(const ag_trainer *tr);
/* Sets both counters (e.g. a data-parallel rank that starts afresh from another rank's
   checkpoint takes its counters, so that every rank agrees on the episode number). */
void ag_trainer_set_counters(ag_trainer *tr, long episodes, long steps);
/* Deterministic evaluation on graph g: one MCTS episode guided by the network, the
   search's own choice at every move (no temperature), eval_sims (or sims_per_move)
   simulations per move, nothing recorded. Returns its cost; order (may be NULL) gets it as
   1-based vertex ids (neliminable entries). */
long ag_trainer_eval(ag_trainer *tr, int g, int *order);
/* The baselines' costs on graph g (computed once by ag_trainer_new); each may be NULL. */
void ag_trainer_baselines(const ag_trainer *tr, int g, long *forward, long *reverse,
                          long *markowitz);

/* Checkpoints (train/train_ckpt.c; format in mcts/README.md, "Training"). ag_trainer_save
   writes, between episodes, everything training depends on into one HDF5 file: the
   network and Adam state (the nn/nn_io.c model format, so the file is also a model for
   ag_nn_load / --model) plus /trainer (counters, RNG, per-graph hashes, best costs and
   orders) and /buffer (the replay ring with its position); written to path.tmp.<pid>,
   fsynced and renamed over path. ag_trainer_load restores all of it into a trainer made
   with ag_trainer_new on the same graphs in the same order (their structural hashes are
   checked) and a network of the same architecture; training then continues exactly as if
   it had not stopped (same parameters, same train params). A different buffer capacity
   keeps the newest states. On any error (other graphs, missing groups, truncated or
   corrupted file) the trainer and the network are left untouched and err says why. */
int ag_trainer_save(const ag_trainer *tr, const char *path, ag_error *err);
int ag_trainer_load(ag_trainer *tr, const char *path, ag_error *err);
/* Peeks at a checkpoint: *episodes (may be NULL) gets its episode count. 0, or -1 (err
   set) when path is not a readable training checkpoint. */
int ag_trainer_checkpoint_info(const char *path, long *episodes, ag_error *err);

#endif
