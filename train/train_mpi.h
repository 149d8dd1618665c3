/* Data-parallel self-play training over MPI.

   Every rank of comm holds a full replica of the network and of the Adam state, plays its
   own self-play episodes (seed p->seed + rank) into its own replay buffer, and computes
   minibatch gradients on its own buffer; before each Adam step the gradients are averaged
   over the ranks with one MPI_Allreduce (the trainer's grad_reduce hook), so every rank
   takes the same step and the replicas stay identical (bit for bit: same start, same
   averaged gradient, same deterministic Adam).

   Why all-reduce rather than a central learner (actors sending states to a rank that trains
   and broadcasts weights):
   - self-play is the expensive part here (every MCTS simulation is a network forward pass)
     and scales with the ranks either way; but the learner would be one rank doing all the
     backward passes of a global batch while the others wait for weights (or play with stale
     ones), whereas with the all-reduce every rank does 1/size of the backward work;
   - the only message is the gradient (ag_nn_nparams floats, some 10^4-10^5: tens to
     hundreds of kB, microseconds to a millisecond on a node's interconnect), against
     replay states (variable-size prefixes and policy targets) that would have to be
     serialised to the learner;
   - it needs no extra process role, no asynchronous messaging and no staleness policy:
     every rank runs the ordinary ag_trainer_run, and the effective batch is
     size * p->batch with a learning rate that needs no change for the mean gradient.
   The costs: the ranks step in lockstep (a slow episode on one rank holds the others at
   the next all-reduce), and each rank's buffer holds only its own episodes (the union is
   sampled uniformly in expectation, since every rank samples its own buffer equally).

   Requirements for the all-reduces to match up: every rank runs the same number of
   episodes with the same p->steps_per_episode and p->batch, and every training graph has
   at least one eliminable vertex (an empty episode adds no state, and a rank with an empty
   buffer skips its training steps). */
#ifndef AG_TRAIN_MPI_H
#define AG_TRAIN_MPI_H

#include <mpi.h>

#include "train/train.h"

typedef struct {
  MPI_Comm comm; /* borrowed */
  int rank, size;
  long reduces;       /* all-reduces done */
  double reduce_time; /* seconds spent in them */
} ag_train_mpi;

/* Collective over comm. Checks that every rank's network has the same size, broadcasts the
   rank-0 parameters (then ag_nn_sync) and, when opt is non-NULL, rank 0's Adam state (step,
   moments); sets p->grad_reduce / p->grad_reduce_ctx to ag_train_mpi_grad_reduce with ctx
   (which must outlive the trainer) and p->seed to p->seed + rank. Returns 0, or -1 with err
   set on every rank. */
int ag_train_mpi_setup(ag_train_params *p, ag_nn *nn, ag_adam *opt, MPI_Comm comm,
                       ag_train_mpi *ctx, ag_error *err);

/* The grad_reduce hook: grad <- (sum over the ranks of grad) / size, by MPI_Allreduce on
   ctx (an ag_train_mpi *). Collective. */
void ag_train_mpi_grad_reduce(float *grad, size_t n, void *ctx);

/* A checksum of the network's parameters (FNV-1a over their bytes) and whether it is the
   same on every rank (collective): 1 yes, 0 no. *sum (may be NULL) gets the local one. */
int ag_train_mpi_in_sync(ag_nn *nn, MPI_Comm comm, uint64_t *sum);

/* Best episode per graph over the ranks. */
typedef struct {
  long cost;        /* the lowest cost over the ranks, -1 when no rank played the graph */
  int rank;         /* the lowest rank holding it */
  int len;          /* neliminable of the graph */
  int *order;       /* its order, 1-based vertex ids (malloc'ed; NULL when cost is -1) */
  long *rank_costs; /* size entries: each rank's best (-1: none); malloc'ed */
} ag_train_mpi_best;

/* Collective: reduces ag_trainer_best over the ranks for each of the ngraphs graphs (the
   trainer's, in its order) with MPI_MINLOC on (cost, rank), then the winning rank
   broadcasts its order. On root every entry of best[ngraphs] is filled; on the other ranks
   cost, rank and order too, rank_costs only on root (NULL elsewhere). Free with
   ag_train_mpi_best_free. */
void ag_train_mpi_gather_best(ag_trainer *tr, const ag_dag *const *graphs, int ngraphs,
                              MPI_Comm comm, int root, ag_train_mpi_best *best);
void ag_train_mpi_best_free(ag_train_mpi_best *best, int ngraphs);

#endif
