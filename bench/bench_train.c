/* Data-parallel self-play training throughput (train/train_mpi.h): every rank plays
   --episodes self-play episodes (round-robin over the graphs, --steps all-reduced training
   steps after each); prints the aggregate episodes per second for the number of ranks it
   runs on. bench/bench_train.sh runs it under mpiexec -n 1 and -n 2 and prints the scaling
   ratio.

   usage: bench_train [--episodes E] [--sims S] [--steps K] [--batch B] [--width W]
                      [--corpus N] [--graph SPEC:SECTION]...
   Default graphs: PropaneCombustion and HumanHeartDipole of tests/data/paper_graphs.txt
   (under $AG_SOURCE_DIR, else the source tree this was built from); --corpus N uses N
   random corpus kernels (train/corpus.h, 8 inputs, 60 vertices, 6 outputs) instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/source.h"
#include "nn/features.h"
#include "train/corpus.h"
#include "train/train_mpi.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long episodes = 8;
  int sims = 32, steps = 8, batch = 32, width = 32, corpus = 0, ngraphs = 0;
  const char *specs[16];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      if (rank == 0) fprintf(stderr, "bench_train: %s needs a value\n", a);
      MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (!strcmp(a, "--episodes"))
      episodes = atol(v);
    else if (!strcmp(a, "--sims"))
      sims = atoi(v);
    else if (!strcmp(a, "--steps"))
      steps = atoi(v);
    else if (!strcmp(a, "--batch"))
      batch = atoi(v);
    else if (!strcmp(a, "--width"))
      width = atoi(v);
    else if (!strcmp(a, "--corpus"))
      corpus = atoi(v);
    else if (!strcmp(a, "--graph") && ngraphs < 16)
      specs[ngraphs++] = v;
    else {
      if (rank == 0) fprintf(stderr, "bench_train: unknown option %s\n", a);
      MPI_Abort(MPI_COMM_WORLD, 2);
    }
    i++;
  }
  const char *src = getenv("AG_SOURCE_DIR");
  if (!src) src = AG_DEFAULT_SOURCE_DIR;
  char paper[4096];
  snprintf(paper, sizeof paper, "%s/tests/data/paper_graphs.txt", src);
  ag_graph *gs[64];
  int n = 0;
  ag_error err;
  if (corpus > 0) {
    for (int k = 0; k < corpus && k < 64; k++)
      gs[n++] = ag_corpus_random(1000 + (uint64_t)k, 8, 60, 6);
  } else if (ngraphs > 0) {
    for (int k = 0; k < ngraphs; k++) {
      char spec[4096];
      snprintf(spec, sizeof spec, "%s", specs[k]);
      char *colon = strrchr(spec, ':');
      if (colon) *colon++ = 0;
      gs[n] = ag_load_source(spec, colon, &err);
      if (!gs[n]) {
        if (rank == 0) fprintf(stderr, "bench_train: %s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      n++;
    }
  } else {
    const char *names[] = {"PropaneCombustion", "HumanHeartDipole"};
    for (int k = 0; k < 2; k++) {
      gs[n] = ag_load_source(paper, names[k], &err);
      if (!gs[n]) {
        if (rank == 0) fprintf(stderr, "bench_train: %s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      n++;
    }
  }
  const ag_dag *ds[64];
  for (int k = 0; k < n; k++)
    ds[k] = &gs[k]->dag;

  ag_nn_arch a = {AG_NN_NFEAT, width, 2, width};
  ag_nn *nn = ag_nn_new(&a, "cpu", 1, &err);
  if (!nn) {
    fprintf(stderr, "bench_train: %s\n", err.msg);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = sims;
  p.steps_per_episode = steps;
  p.batch = batch;
  p.seed = 7;
  ag_train_mpi m;
  if (ag_train_mpi_setup(&p, nn, NULL, MPI_COMM_WORLD, &m, &err)) {
    fprintf(stderr, "bench_train: %s\n", err.msg);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  ag_trainer *tr = ag_trainer_new(nn, NULL, ds, n, &p);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  ag_trainer_run(tr, episodes);
  MPI_Barrier(MPI_COMM_WORLD);
  double t = MPI_Wtime() - t0;
  double rt = m.reduce_time, rtmax;
  MPI_Reduce(&rt, &rtmax, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  int sync = ag_train_mpi_in_sync(nn, MPI_COMM_WORLD, NULL);
  ag_train_mpi_best *best = malloc((size_t)n * sizeof *best);
  ag_train_mpi_gather_best(tr, ds, n, MPI_COMM_WORLD, 0, best);
  if (rank == 0) {
    printf("bench_train: ranks %d, graphs %d (", size, n);
    for (int k = 0; k < n && k < 4; k++)
      printf("%s%s", k ? ", " : "", gs[k]->name);
    printf(
        "%s), %ld episodes per rank, sims %d, steps/episode %d, batch %d, width %d, %zu params\n",
        n > 4 ? ", ..." : "", episodes, sims, steps, batch, width, ag_nn_nparams(nn));
    printf("bench_train: ranks %d: %ld episodes in %.2f s: %.3f episodes/s, %ld all-reduces "
           "(%.3f s in them, max over ranks), replicas %s\n",
           size, episodes * size, t, (double)(episodes * size) / t, m.reduces, rtmax,
           sync ? "identical" : "DIFFER");
    printf("bench_train: best:");
    for (int k = 0; k < n && k < 8; k++)
      printf(" %s %ld", gs[k]->name, best[k].cost);
    printf("\n");
    printf("EPISODES_PER_S %d %.4f\n", size, (double)(episodes * size) / t);
  }
  ag_train_mpi_best_free(best, n);
  free(best);
  ag_trainer_free(tr);
  ag_nn_free(nn);
  for (int k = 0; k < n; k++)
    ag_graph_free(gs[k]);
  MPI_Finalize();
  return sync ? 0 : 1;
}
