/* Monte Carlo tree search over the elimination game, with a pluggable evaluator.

   The game: state = the set of eliminated vertices (the remaining graph depends on the set
   only), action = an eliminable vertex, reward = minus the multiplications of the step.
   Nodes live in a transposition table keyed by the eliminated set.

   Selection is PUCT (AlphaZero): argmax over actions of Q(s,a) + c P(s,a) sqrt(N(s))/(1+N(s,a)),
   with Q the negated cost-to-go normalised to [0,1] by the node's children (min-max, as
   MuZero does for unbounded rewards). We chose PUCT over Gumbel root selection because the
   elimination game is deterministic and single-player with a cheap exact simulator: the
   simulation budget per move is not tiny (hundreds to thousands), which is where Gumbel's
   guarantees matter most; PUCT with a value estimate that mixes the mean and the best
   cost seen below an edge is simple and works well with transpositions.

   The search plays episodes move by move: `sims_per_move` simulations from the current
   root, then the action with the best (lowest) cost-to-go found is committed; every
   simulation ends in a complete order (tree path + completion), so the best order seen is
   always kept. */
#ifndef AG_MCTS_H
#define AG_MCTS_H

#include "graph/eliminate.h"

/* Evaluator interface: fills prior[k] (need not be normalised; >= 0) for the actions and
   returns an estimate of the cost still to pay from s, or a negative number to ask for a
   rollout (greedy minimal-Markowitz completion, exact for the order it produces).
   evaluate_batch (optional, may be NULL) does the same for count states at once, each of
   its own graph: graphs[i], states[i], actions[i][0..n[i]-1], priors[i][0..n[i]-1],
   values[i]; it must give what count calls of evaluate would give. A search with
   leaf_batch > 1, and games played together (ag_mcts_episodes), use it: a network
   evaluates the leaves of several simulations and games in one pass, which a GPU needs. */
typedef struct {
  const char *name;
  double (*evaluate)(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                     float *prior);
  void *ctx;
  void (*evaluate_batch)(void *ctx, int count, const ag_dag *const *graphs,
                         const ag_elim *const *states, const int *const *actions, const int *n,
                         float *const *priors, double *values);
} ag_mcts_evaluator;

/* Uniform prior, rollout value. */
extern const ag_mcts_evaluator ag_mcts_uniform;
/* Prior softmax(-markowitz degree / temperature), rollout value. */
extern const ag_mcts_evaluator ag_mcts_heuristic;

/* Move hook: called at each committed move with the root state, its actions (elimination
   indices, increasing), their visit counts and the search's choice (an index into actions);
   returns the index to commit instead, or -1 to keep the choice. Self-play training reads
   the visit counts as the policy target here and may sample the move. */
typedef int (*ag_mcts_move_fn)(void *ctx, const ag_elim *root, const int *actions,
                               const int *visits, int n, int choice);

typedef struct {
  const ag_mcts_evaluator *evaluator; /* default: heuristic */
  int sims_per_move;                  /* default 200 */
  double c_puct;                      /* default 1.5 */
  double mean_weight;                 /* Q = w*mean + (1-w)*best, default 0.5 */
  size_t max_memory;                  /* bytes for the tree; default 512 MiB, then reset */
  ag_mcts_move_fn on_move;            /* default NULL */
  void *move_ctx;
  /* Leaves evaluated together (default 1: one simulation at a time). With B > 1 the
     search selects B paths before evaluating any leaf; each selected edge carries a
     virtual loss until its simulation is backed up (its exploration term counts it as a
     visit and its normalised value is pulled towards the worst), so that the B paths
     spread over different leaves; the new leaves go to evaluate_batch in one call. The
     simulation count is the same; the tree differs from B = 1 (less information per
     selection), so B trades search quality per simulation for batched evaluation. */
  int leaf_batch;
} ag_mcts_params;

void ag_mcts_params_default(ag_mcts_params *p);

/* One self-play episode on d from the untouched graph: sims_per_move simulations before
   each move (no doubling, no time limit, no early stop), a fresh tree. Fills order[0..
   neliminable-1] with the elimination indices played (may be NULL) and returns the order's
   cost. */
long ag_mcts_episode(const ag_dag *d, const ag_mcts_params *p, int *order);

/* count episodes played together, game i on graphs[i] with params[i] (as ag_mcts_episode
   would play it): in every round each unfinished game selects its next batch of
   simulations (leaf_batch of them), then the new leaves of all games whose params share
   an evaluator with evaluate_batch go to it in one call (about count x leaf_batch states:
   the batches a GPU needs), then every game backs up and commits its move when due.
   Game i's result equals ag_mcts_episode(graphs[i], params[i], ...) given the same
   evaluator answers (an evaluator with state, e.g. the move hook's RNG, sees the games'
   calls interleaved). orders[i] (orders or orders[i] may be NULL) gets the order played,
   costs[i] its cost. */
void ag_mcts_episodes(int count, const ag_dag *const *graphs, const ag_mcts_params *const *params,
                      int *const *orders, long *costs);

#endif
