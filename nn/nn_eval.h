/* An MCTS evaluator (mcts.h) backed by the policy/value network (nn/nn.h): the state's
   tokens (nn/features.h) go through the network; the prior is the softmax of the action
   logits and the value estimate is the network's value times ag_nn_value_scale(d, s)
   (clamped at 0: a negative estimate would ask for a rollout). It has evaluate_batch:
   the leaves of a batch go through ag_nn_forward_batch together. */
#ifndef AG_NN_EVAL_H
#define AG_NN_EVAL_H

#include "mcts/mcts.h"
#include "nn/nn.h"

/* The shipped model, relative to a data directory (hdf5-data/ in the source tree,
   share/alphagrad when installed): MCTS uses it by default (cli/cmd_search.c, the plugin's
   set-up search), with greedy-rollout values (measured better than its value head). */
#define AG_NN_DEFAULT_MODEL "models/model_v2.h5"

typedef struct ag_nn_eval ag_nn_eval;

/* nn is borrowed (not freed by ag_nn_eval_free); it may be trained between searches. */
ag_nn_eval *ag_nn_eval_new(ag_nn *nn);
void ag_nn_eval_free(ag_nn_eval *e);
/* The evaluator to put in ag_mcts_params.evaluator; valid while e lives. */
const ag_mcts_evaluator *ag_nn_eval_evaluator(ag_nn_eval *e);
/* rollout != 0: prior from the network, value from a greedy rollout (the search's
   default) instead of the value head; useful while the value head is untrained. */
void ag_nn_eval_set_rollout(ag_nn_eval *e, int rollout);
/* A mixed value (AlphaGo's lambda): (1 - lambda) * the value head's estimate + lambda * the
   cost of the greedy minimal-Markowitz completion from the state, computed by the
   evaluator (the search sees a value, not a rollout request, so the completion's order is
   not offered to the search's best). lambda is clamped to [0, 1]; 0 (the default) is the
   value head alone. Ignored while rollout is set. */
void ag_nn_eval_set_mix(ag_nn_eval *e, double lambda);
/* Network evaluations (states) so far, and the forward calls they took (a batched
   evaluation of several leaves, mcts.h leaf_batch, is one call). */
long ag_nn_eval_calls(const ag_nn_eval *e);
long ag_nn_eval_batches(const ag_nn_eval *e);

#endif
