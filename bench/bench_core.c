/* Core benchmark (not a test): for each paper task, eliminations per second of the
   incremental elimination state, the time to compute the minimal-Markowitz order, and
   interpreter Jacobian evaluations per second of the C kernel.
   Usage: bench_core [--seconds S] [--source-dir DIR]   (S per measurement, default 0.5) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_dag.h"
#include "kernel/parse_kernel.h"
#include "kernel/source.h"

static const struct {
  const char *name, *kernel;
} tasks[] = {{"RoeFlux_1d", "roeflux_1d.c"},
             {"RobotArm_6DOF", "robotarm_6dof.c"},
             {"HumanHeartDipole", "human_heart_dipole.c"},
             {"PropaneCombustion", "propane_combustion.c"},
             {"g", "g.c"}};

/* Baseline for the ratio: elimination on a dense adjacency matrix, written from the
   definition (what a first implementation does). */
static long naive_play(const ag_dag *d, const int *idx, int m, unsigned char *A) {
  int n = d->n;
  memset(A, 0, (size_t)n * n);
  for (int v = d->ni; v < n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
      A[d->pred[j] * n + v] = 1;
  long cost = 0;
  for (int k = 0; k < m; k++) {
    int v = idx[k];
    long np = 0, ns = 0;
    for (int i = 0; i < n; i++)
      np += A[i * n + v], ns += A[v * n + i];
    cost += np * ns;
    for (int p = 0; p < n; p++)
      if (A[p * n + v])
        for (int s = 0; s < n; s++)
          if (A[v * n + s]) A[p * n + s] = 1;
    for (int i = 0; i < n; i++)
      A[i * n + v] = A[v * n + i] = 0;
  }
  return cost;
}

int main(int argc, char **argv) {
  double secs = 0.5;
  const char *dir = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : ".";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      secs = atof(argv[++i]);
    else if (!strcmp(argv[i], "--source-dir") && i + 1 < argc)
      dir = argv[++i];
    else {
      fprintf(stderr, "usage: bench_core [--seconds S] [--source-dir DIR]\n");
      return 2;
    }
  }
  char gpath[4096];
  snprintf(gpath, sizeof gpath, "%s/tests/data/paper_graphs.txt", dir);
  printf("%-18s %4s %5s | %12s %12s %12s %7s | %12s | %12s %8s\n", "task", "NV", "edges",
         "elim/s mm", "elim/s rand", "naive rand", "ratio", "markowitz us", "jacobians/s",
         "ns/jac");
  int rc = 0;
  double target_rate = 0;
  for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++) {
    ag_error err;
    ag_graph *g = ag_parse_dag_file(gpath, tasks[t].name, &err);
    if (!g) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
    const ag_dag *d = &g->dag;
    int m = d->neliminable, *mm = malloc((size_t)m * sizeof(int)),
        *rnd = malloc((size_t)m * sizeof(int));
    ag_order_markowitz(d, mm);
    ag_order_forward(d, rnd);
    uint64_t r = 12345;
    for (int i = m - 1; i > 0; i--) {
      r = r * 6364136223846793005ULL + 1442695040888963407ULL;
      int j = (int)((r >> 33) % (uint64_t)(i + 1)), tmp = rnd[i];
      rnd[i] = rnd[j];
      rnd[j] = tmp;
    }
    /* eliminations: a pristine state is copied (as a search does) and the order played */
    double rate[2];
    for (int which = 0; which < 2; which++) {
      const int *o = which ? rnd : mm;
      int *idx = malloc((size_t)m * sizeof(int));
      for (int i = 0; i < m; i++)
        idx[i] = ag_vertex_index(d, o[i]);
      ag_elim *pristine = ag_elim_new(d), *s = ag_elim_new(d);
      long count = 0, sink = 0;
      double t0 = ag_now(), el;
      do {
        for (int rep = 0; rep < 100; rep++) {
          ag_elim_copy(s, pristine);
          for (int i = 0; i < m; i++)
            ag_elim_step(s, idx[i]);
          sink += s->cost;
          count += m;
        }
        el = ag_now() - t0;
      } while (el < secs);
      rate[which] = (double)count / el;
      if (sink < 0) puts("");
      free(idx);
      ag_elim_free(s);
      ag_elim_free(pristine);
    }
    double naive_rate;
    {
      int *idx = malloc((size_t)m * sizeof(int));
      unsigned char *A = malloc((size_t)d->n * d->n);
      for (int i = 0; i < m; i++)
        idx[i] = ag_vertex_index(d, rnd[i]);
      long count = 0, sink = 0;
      double t0 = ag_now(), el;
      do {
        sink += naive_play(d, idx, m, A);
        count += m;
        el = ag_now() - t0;
      } while (el < secs);
      naive_rate = (double)count / el;
      if (sink < 0) puts("");
      free(idx);
      free(A);
    }
    double t0 = ag_now(), el;
    long reps = 0;
    do {
      ag_order_markowitz(d, mm);
      reps++;
      el = ag_now() - t0;
    } while (el < secs);
    double mm_us = 1e6 * el / (double)reps;

    /* interpreter on the C kernel, best of fwd/rev/markowitz */
    char kpath[4096];
    snprintf(kpath, sizeof kpath, "%s/examples/paper/%s", dir, tasks[t].kernel);
    ag_graph *k = ag_parse_kernel_file(kpath, tasks[t].name, &err);
    double jps = 0;
    if (!k) {
      fprintf(stderr, "%s\n", err.msg);
      rc = 1;
    } else {
      double x[64];
      ag_source_test_point(kpath, x, 64);
      const char *specs[] = {"fwd", "rev", "markowitz"};
      int *best = NULL, bn = 0;
      long bc = -1;
      for (int s = 0; s < 3; s++) {
        int *o, n;
        ag_order_resolve(&k->dag, specs[s], &o, &n, &err);
        long c = ag_order_cost(&k->dag, o, n, &err);
        if (bc < 0 || c < bc) {
          free(best);
          best = o, bn = n, bc = c;
        } else {
          free(o);
        }
      }
      ag_jacprog *jp = ag_jacprog_build(k, best, bn, &err);
      double *w = malloc(ag_jacprog_work_size(jp) * sizeof(double));
      double *out = malloc((size_t)k->dag.no * sizeof(double)),
             *vals = malloc((size_t)(jp->nentries + 1) * sizeof(double));
      long evals = 0;
      t0 = ag_now();
      do {
        for (int rep = 0; rep < 1000; rep++) {
          ag_jacprog_eval(jp, x, NULL, out, vals, w);
          x[0] += 0.0 * vals[0]; /* keep the evaluation live */
        }
        evals += 1000;
        el = ag_now() - t0;
      } while (el < secs);
      jps = (double)evals / el;
      free(w);
      free(out);
      free(vals);
      free(best);
      ag_jacprog_free(jp);
      ag_graph_free(k);
    }
    printf("%-18s %4d %5d | %12.3g %12.3g %12.3g %6.0fx | %12.1f | %12.3g %8.0f\n", tasks[t].name,
           d->nv, d->pred_off[d->n], rate[0], rate[1], naive_rate, rate[1] / naive_rate, mm_us, jps,
           jps > 0 ? 1e9 / jps : 0);
    if (!strcmp(tasks[t].name, "RoeFlux_1d")) target_rate = rate[0] < rate[1] ? rate[0] : rate[1];
    free(mm);
    free(rnd);
    ag_graph_free(g);
  }
  printf("target: >= 2e6 eliminations/s on RoeFlux_1d-sized graphs: measured %.3g, %s\n",
         target_rate, target_rate >= 2e6 ? "met" : "NOT met");
  return rc;
}
