/* Self-play training of the policy/value network (AlphaZero style, issue 7).

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

#include "jacobian/graph.h"
#include "mcts/mcts.h"
#include "nn/nn.h"

typedef struct {
  long episodes, steps;                   /* so far */
  double loss, loss_policy, loss_value;   /* means over the last episode's training steps */
  int graph;                              /* the last episode's graph */
  long episode_cost;                      /* and its cost */
  int ngraphs;
  const long *best_cost;                  /* per graph, -1 until an episode ended there */
  int buffer_states;
  double elapsed, episodes_per_s;
} ag_train_progress;

typedef void (*ag_train_progress_fn)(const ag_train_progress *pr, void *ctx);

typedef struct {
  int sims_per_move;   /* MCTS simulations per move, default 64 */
  double c_puct;       /* default 1.5 */
  double temperature;  /* > 0: moves sampled with probability ~ visits^(1/T); default 1 */
  int temp_moves;      /* ... during the first temp_moves moves (then the search's choice); default 30 */
  int rollout;         /* value estimates from greedy rollouts, not the value head; default 0 */
  int buffer;          /* replay capacity in states, default 50000 */
  int batch;           /* states per training step, default 32 */
  int steps_per_episode; /* training steps after each episode, default 16 */
  float lr, value_weight, weight_decay; /* defaults 1e-3, 1, 1e-4 */
  uint64_t seed;
  /* called with the minibatch-mean gradient before every Adam step; must replace it by the
     mean over all workers (data-parallel training, e.g. MPI_Allreduce / size); may be NULL */
  void (*grad_reduce)(float *grad, size_t n, void *ctx);
  void *grad_reduce_ctx;
  ag_train_progress_fn progress; /* after each episode of ag_trainer_run; may be NULL */
  void *progress_ctx;
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
/* episodes round-robin over the graphs, each followed by steps_per_episode training steps
   and a progress report. */
void ag_trainer_run(ag_trainer *tr, long episodes);

#endif
