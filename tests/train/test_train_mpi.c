/* Data-parallel self-play training over MPI (train/train_mpi.h), run under mpiexec -n 2
   (test_train_mpi_np2; alone it runs the single-rank subset): after setup the ranks' networks
   (created from different seeds) are identical; after a few episodes and training steps they
   are still bit-identical, moved from the start, the ranks played different episodes, the
   reduced gradient of a training step is exactly the mean of the ranks' gradients, the
   reduce hook averages known vectors, the Adam state is broadcast and stepped in lockstep,
   and the best orders gathered over the ranks are the lowest and valid. */
#include <math.h>
#include <stdlib.h>

#include "base/hash.h"
#include "check.h"
#include "graph/orders.h"
#include "nn/features.h"
#include "train/corpus.h"
#include "train/train_mpi.h"

typedef struct {
  ag_train_mpi *mpi;
  long calls, at; /* record the reduce of call number `at` */
  float *before, *after;
  size_t n;
} spy;

static void spy_reduce(float *grad, size_t n, void *ctx) {
  spy *s = ctx;
  int rec = s->calls++ == s->at;
  if (rec) {
    s->n = n;
    s->before = malloc(n * sizeof(float));
    memcpy(s->before, grad, n * sizeof(float));
  }
  ag_train_mpi_grad_reduce(grad, n, s->mpi);
  if (rec) {
    s->after = malloc(n * sizeof(float));
    memcpy(s->after, grad, n * sizeof(float));
  }
}

typedef struct {
  uint64_t h;
  int n;
} ep_hash;

#define mixh ag_hash_mix

static void on_progress(const ag_train_progress *pr, void *ctx) {
  ep_hash *e = ctx;
  e->h = mixh(e->h, (uint64_t)pr->episode_cost);
  e->n++;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1) printf("test_train_mpi: one rank (run under mpiexec -n 2 for the full test)\n");
  ag_error err;

  /* the reduce hook on known vectors: rank r holds g_i = 0.25 i (r + 1) + r */
  {
    ag_train_mpi m = {MPI_COMM_WORLD, rank, size, 0, 0};
    enum { N = 1000 };
    float g[N];
    int bad = 0;
    for (int i = 0; i < N; i++)
      g[i] = 0.25f * (float)i * (float)(rank + 1) + (float)rank;
    ag_train_mpi_grad_reduce(g, N, &m);
    for (int i = 0; i < N; i++) {
      double want = 0;
      for (int r = 0; r < size; r++)
        want += 0.25 * i * (r + 1) + r;
      want /= size;
      bad += fabs(g[i] - want) > 1e-6 * (fabs(want) + 1);
    }
    CHECK(bad == 0, "reduce of known vectors: %d entries off the mean", bad);
    CHECK_EQ_LONG(m.reduces, 1, "reduce count");
  }

  ag_graph *gs[2] = {ag_corpus_random(21, 5, 28, 3), ag_corpus_random(22, 6, 34, 4)};
  const ag_dag *ds[2] = {&gs[0]->dag, &gs[1]->dag};
  ag_nn_arch a = {AG_NN_NFEAT, 16, 2, 16};
  ag_nn *nn = ag_nn_new(&a, "cpu", 100 + (uint64_t)rank, &err); /* different on each rank */
  CHECK(nn != NULL, "ag_nn_new: %s", err.msg);
  size_t np = ag_nn_nparams(nn);
  if (size > 1)
    CHECK(!ag_train_mpi_in_sync(nn, MPI_COMM_WORLD, NULL), "networks differ before setup");

  ag_adam opt;
  ag_adam_init(&opt, np, 1e-3f);
  if (rank == 0) { /* rank 0's optimiser state, as if loaded from a file */
    opt.step = 5;
    opt.lr = 2e-3f;
    for (size_t i = 0; i < np; i++) {
      opt.m[i] = 1e-4f * (float)(i % 7);
      opt.v[i] = 1e-6f * (float)(i % 5 + 1);
    }
  }
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = 8;
  p.batch = 8;
  p.steps_per_episode = 3;
  p.seed = 40;
  ag_train_mpi m;
  int rc = ag_train_mpi_setup(&p, nn, &opt, MPI_COMM_WORLD, &m, &err);
  CHECK(rc == 0, "setup: %s", err.msg);
  CHECK(p.seed == 40 + (uint64_t)rank, "seed per rank: %llu", (unsigned long long)p.seed);
  CHECK(p.grad_reduce == ag_train_mpi_grad_reduce && p.grad_reduce_ctx == &m, "hook set");
  CHECK(ag_train_mpi_in_sync(nn, MPI_COMM_WORLD, NULL), "networks identical after setup");
  CHECK(opt.step == 5 && opt.lr == 2e-3f && opt.m[3] == 1e-4f * 3.0f && opt.v[2] == 1e-6f * 3.0f,
        "rank 0's optimiser state everywhere: step %ld lr %g", opt.step, (double)opt.lr);
  float *start = malloc(np * sizeof(float));
  memcpy(start, ag_nn_params(nn), np * sizeof(float));

  /* spy on the 5th reduce (second episode's second step) */
  spy sp = {&m, 0, 4, NULL, NULL, 0};
  p.grad_reduce = spy_reduce;
  p.grad_reduce_ctx = &sp;
  ep_hash eh = {0x1234, 0};
  p.progress = on_progress;
  p.progress_ctx = &eh;
  ag_trainer *tr = ag_trainer_new(nn, &opt, ds, 2, &p);
  ag_trainer_run(tr, 4);
  CHECK_EQ_LONG(eh.n, 4, "episodes");
  CHECK_EQ_LONG(m.reduces, 12, "all-reduces (4 episodes x 3 steps)");
  CHECK_EQ_LONG(sp.calls, 12, "reduce hook calls");
  CHECK_EQ_LONG(opt.step, 5 + 12, "Adam steps");

  uint64_t sum;
  CHECK(ag_train_mpi_in_sync(nn, MPI_COMM_WORLD, &sum), "parameters bit-identical after training");
  size_t moved = 0;
  for (size_t i = 0; i < np; i++)
    moved += ag_nn_params(nn)[i] != start[i];
  CHECK(moved > np / 2, "parameters moved: %zu of %zu", moved, np);
  long steps_lo, steps_hi, st = m.reduces;
  MPI_Allreduce(&st, &steps_lo, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&st, &steps_hi, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
  CHECK(steps_lo == steps_hi, "same number of reduces on every rank");

  /* different episodes: episode costs and best orders hashed per rank */
  for (int g = 0; g < 2; g++) {
    const int *o;
    long c = ag_trainer_best(tr, g, &o);
    eh.h = mixh(eh.h, (uint64_t)c);
    for (int i = 0; i < ds[g]->neliminable; i++)
      eh.h = mixh(eh.h, (uint64_t)o[i]);
  }
  unsigned long long mine = eh.h, *all = malloc((size_t)size * sizeof *all);
  MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
  for (int r = 1; r < size; r++)
    CHECK(all[r] != all[0], "rank %d played the same episodes as rank 0", r);
  free(all);

  /* the spied step: the reduced gradient is the mean of the ranks' gradients */
  CHECK(sp.before && sp.after, "spied reduce happened");
  if (sp.before && sp.after) {
    float *allg = rank == 0 ? malloc((size_t)size * np * sizeof(float)) : NULL;
    MPI_Gather(sp.before, (int)np, MPI_FLOAT, allg, (int)np, MPI_FLOAT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      size_t off = 0, differ = 0, nonzero = 0;
      double maxdev = 0;
      for (size_t i = 0; i < np; i++) {
        double mean = 0;
        for (int r = 0; r < size; r++)
          mean += allg[(size_t)r * np + i];
        mean /= size;
        if (size == 2) { /* exact in float: (a + b) * 0.5 */
          float f = (allg[i] + allg[np + i]) * 0.5f;
          off += memcmp(&f, &sp.after[i], sizeof f) != 0;
          differ += allg[i] != allg[np + i];
        }
        double dev = fabs(mean - sp.after[i]) / (fabs(mean) + 1e-6);
        if (dev > maxdev) maxdev = dev;
        nonzero += sp.after[i] != 0;
      }
      CHECK(off == 0, "%zu gradient entries are not the mean of the two ranks'", off);
      CHECK(maxdev < 1e-5, "reduced gradient off the mean by %g (relative)", maxdev);
      CHECK(nonzero > np / 4, "gradient nonzero: %zu of %zu", nonzero, np);
      if (size == 2)
        CHECK(differ > np / 4, "the ranks' gradients differ: %zu of %zu entries", differ, np);
      printf("step %ld: reduced gradient = mean of %d ranks' gradients (%zu parameters)\n",
             sp.at + 1, size, np);
    }
    free(allg);
  }

  /* best orders over the ranks */
  ag_train_mpi_best best[2];
  ag_train_mpi_gather_best(tr, ds, 2, MPI_COMM_WORLD, 0, best);
  for (int g = 0; g < 2; g++) {
    long c = ag_order_cost(ds[g], best[g].order, best[g].len, &err);
    CHECK(best[g].cost > 0 && c == best[g].cost, "graph %d: best %ld, its order costs %ld", g,
          best[g].cost, c);
    long lo;
    MPI_Allreduce(&best[g].cost, &lo, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
    CHECK(lo == best[g].cost, "same best on every rank");
    if (rank == 0) {
      long mn = -1;
      printf("graph %s: best %ld from rank %d; per rank:", gs[g]->name, best[g].cost, best[g].rank);
      for (int r = 0; r < size; r++) {
        printf(" %ld", best[g].rank_costs[r]);
        if (mn < 0 || best[g].rank_costs[r] < mn) mn = best[g].rank_costs[r];
      }
      printf("\n");
      CHECK(mn == best[g].cost && best[g].rank_costs[best[g].rank] == mn, "MINLOC");
    } else {
      CHECK(best[g].rank_costs == NULL, "rank costs on root only");
    }
  }
  ag_train_mpi_best_free(best, 2);

  /* size mismatch is an error on every rank, not a hang */
  if (size > 1) {
    ag_nn_arch b = {AG_NN_NFEAT, rank ? 8 : 16, 2, 16};
    ag_nn *n2 = ag_nn_new(&b, "cpu", 1, &err);
    ag_train_params q;
    ag_train_params_default(&q);
    ag_train_mpi m2;
    CHECK(ag_train_mpi_setup(&q, n2, NULL, MPI_COMM_WORLD, &m2, &err) != 0 &&
              strstr(err.msg, "differ"),
          "size mismatch detected");
    ag_nn_free(n2);
  }

  ag_trainer_free(tr);
  free(start);
  free(sp.before);
  free(sp.after);
  ag_adam_free(&opt);
  ag_nn_free(nn);
  ag_graph_free(gs[0]);
  ag_graph_free(gs[1]);
  int failed = check_failures, any;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  char name[64];
  snprintf(name, sizeof name, "test_train_mpi (rank %d of %d)", rank, size);
  int ret = check_report(name);
  MPI_Finalize();
  return ret || any;
}
