/* Data-parallel self-play training over MPI (see train_mpi.h for the design). */
#include "train/train_mpi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int ag_train_mpi_setup(ag_train_params *p, ag_nn *nn, ag_adam *opt, MPI_Comm comm,
                       ag_train_mpi *ctx, ag_error *err) {
  memset(ctx, 0, sizeof *ctx);
  ctx->comm = comm;
  MPI_Comm_rank(comm, &ctx->rank);
  MPI_Comm_size(comm, &ctx->size);
  /* same network size (and same optimiser presence) everywhere, else the collectives below
     would not match */
  long mine[2] = {(long)ag_nn_nparams(nn), opt ? (long)opt->n : -1}, lo[2], hi[2];
  MPI_Allreduce(mine, lo, 2, MPI_LONG, MPI_MIN, comm);
  MPI_Allreduce(mine, hi, 2, MPI_LONG, MPI_MAX, comm);
  if (lo[0] != hi[0])
    return ag_failc(err, AG_ERR_MISMATCH,
                    "MPI training: the ranks' networks differ in size (%ld to %ld parameters)",
                    lo[0], hi[0]);
  if (lo[1] != hi[1] || (opt && lo[1] != lo[0]))
    return ag_failc(err, AG_ERR_MISMATCH,
                    "MPI training: the ranks' optimiser states differ in size or do not match "
                    "the network (%ld to %ld, network %ld)",
                    lo[1], hi[1], lo[0]);
  size_t n = ag_nn_nparams(nn);
  /* counts of MPI calls are int: broadcast in chunks */
  const size_t chunk = (size_t)1 << 28;
  float *w = ag_nn_params(nn);
  for (size_t o = 0; o < n; o += chunk)
    MPI_Bcast(w + o, (int)(n - o < chunk ? n - o : chunk), MPI_FLOAT, 0, comm);
  ag_nn_sync(nn);
  if (opt) {
    long step = opt->step;
    MPI_Bcast(&step, 1, MPI_LONG, 0, comm);
    opt->step = step;
    float hyper[5] = {opt->lr, opt->beta1, opt->beta2, opt->eps, opt->weight_decay};
    MPI_Bcast(hyper, 5, MPI_FLOAT, 0, comm);
    opt->lr = hyper[0];
    opt->beta1 = hyper[1];
    opt->beta2 = hyper[2];
    opt->eps = hyper[3];
    opt->weight_decay = hyper[4];
    for (size_t o = 0; o < n; o += chunk) {
      int c = (int)(n - o < chunk ? n - o : chunk);
      MPI_Bcast(opt->m + o, c, MPI_FLOAT, 0, comm);
      MPI_Bcast(opt->v + o, c, MPI_FLOAT, 0, comm);
    }
  }
  p->grad_reduce = ag_train_mpi_grad_reduce;
  p->grad_reduce_ctx = ctx;
  p->seed += (uint64_t)ctx->rank;
  return 0;
}

void ag_train_mpi_grad_reduce(float *grad, size_t n, void *vctx) {
  ag_train_mpi *ctx = vctx;
  if (ctx->size <= 1) {
    ctx->reduces++;
    return;
  }
  double t0 = MPI_Wtime();
  const size_t chunk = (size_t)1 << 28;
  for (size_t o = 0; o < n; o += chunk)
    MPI_Allreduce(MPI_IN_PLACE, grad + o, (int)(n - o < chunk ? n - o : chunk), MPI_FLOAT, MPI_SUM,
                  ctx->comm);
  /* the same float operations on every rank: the replicas stay bit-identical as long as
     the sum is (MPI advises that all-reduce results be identical on every process, and
     Open MPI's and MPICH's algorithms for commutative operations deliver it; the test and
     ag_train_mpi_in_sync check it) */
  float inv = 1.0f / (float)ctx->size;
  if ((ctx->size & (ctx->size - 1)) == 0) {
    for (size_t i = 0; i < n; i++)
      grad[i] *= inv; /* exact for powers of two */
  } else {
    float s = (float)ctx->size;
    for (size_t i = 0; i < n; i++)
      grad[i] /= s;
  }
  ctx->reduces++;
  ctx->reduce_time += MPI_Wtime() - t0;
}

int ag_train_mpi_in_sync(ag_nn *nn, MPI_Comm comm, uint64_t *sum) {
  uint64_t h = ag_nn_checksum(nn);
  if (sum) *sum = h;
  unsigned long long mine = h, lo, hi;
  MPI_Allreduce(&mine, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm);
  MPI_Allreduce(&mine, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm);
  return lo == hi;
}

void ag_train_mpi_gather_best(ag_trainer *tr, const ag_dag *const *graphs, int ngraphs,
                              MPI_Comm comm, int root, ag_train_mpi_best *best) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  struct {
    long cost;
    int rank;
  } *loc = ag_malloc((size_t)(ngraphs + 1) * sizeof *loc),
    *glob = ag_malloc((size_t)(ngraphs + 1) * sizeof *glob);
  long *mine = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  for (int g = 0; g < ngraphs; g++) {
    mine[g] = ag_trainer_best(tr, g, NULL);
    loc[g].cost = mine[g] < 0 ? LONG_MAX : mine[g];
    loc[g].rank = rank;
  }
  /* MINLOC on (cost, rank): the lowest cost, ties to the lowest rank */
  MPI_Allreduce(loc, glob, ngraphs, MPI_LONG_INT, MPI_MINLOC, comm);
  long *all = rank == root ? ag_malloc((size_t)size * (size_t)(ngraphs + 1) * sizeof(long)) : NULL;
  MPI_Gather(mine, ngraphs, MPI_LONG, all, ngraphs, MPI_LONG, root, comm);
  for (int g = 0; g < ngraphs; g++) {
    ag_train_mpi_best *b = &best[g];
    memset(b, 0, sizeof *b);
    b->len = graphs[g]->neliminable;
    b->cost = glob[g].cost == LONG_MAX ? -1 : glob[g].cost;
    b->rank = b->cost < 0 ? -1 : glob[g].rank;
    if (b->cost >= 0) {
      b->order = ag_malloc((size_t)(b->len + 1) * sizeof(int));
      if (rank == b->rank) {
        const int *o;
        ag_trainer_best(tr, g, &o);
        memcpy(b->order, o, (size_t)b->len * sizeof(int));
      }
      MPI_Bcast(b->order, b->len, MPI_INT, b->rank, comm);
    }
    if (rank == root) {
      b->rank_costs = ag_malloc((size_t)size * sizeof(long));
      for (int r = 0; r < size; r++)
        b->rank_costs[r] = all[(size_t)r * (size_t)ngraphs + (size_t)g];
    }
  }
  free(all);
  free(mine);
  free(loc);
  free(glob);
}

void ag_train_mpi_best_free(ag_train_mpi_best *best, int ngraphs) {
  for (int g = 0; g < ngraphs; g++) {
    free(best[g].order);
    free(best[g].rank_costs);
    best[g].order = NULL;
    best[g].rank_costs = NULL;
  }
}
