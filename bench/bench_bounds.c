/* Lower bounds on the multiplications of any elimination order of a graph (mcts/bounds.h):
   the path bound and the group bound, with the time each took. For graphs too large for
   the exact search (issue 21: it skips A* above AG_EXACT_MAX_ASTAR vertices), this says
   how far below the baselines an order can possibly be.

   bench_bounds SOURCE [--name T] [--group G] [--seconds S]
     SOURCE  kernel.c[:function] or a reference DAG file (--name: its section)
     G       largest group of the group bound (default 8; at most AG_BOUND_MAX_GROUP)
     S       time limit of the grouping (default 60; the groups built so far count) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "kernel/source.h"
#include "mcts/bounds.h"

int main(int argc, char **argv) {
  const char *src = NULL, *name = NULL;
  int group = 8;
  double seconds = 60;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--name") && i + 1 < argc)
      name = argv[++i];
    else if (!strcmp(argv[i], "--group") && i + 1 < argc)
      group = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (!src && argv[i][0] != '-')
      src = argv[i];
    else {
      fprintf(stderr, "usage: bench_bounds SOURCE [--name T] [--group G] [--seconds S]\n");
      return 2;
    }
  }
  if (!src || group < 1 || group > AG_BOUND_MAX_GROUP || !(seconds > 0)) {
    fprintf(stderr, "usage: bench_bounds SOURCE [--name T] [--group 1..%d] [--seconds S>0]\n",
            AG_BOUND_MAX_GROUP);
    return 2;
  }
  ag_error err = {0};
  ag_graph *g = ag_load_source(src, name, &err);
  if (!g) {
    fprintf(stderr, "bench_bounds: %s\n", err.msg);
    return 1;
  }
  const ag_dag *d = &g->dag;
  long base[AG_NBASELINES];
  ag_order_baseline_costs(d, base);
  long best = base[0];
  for (int k = 1; k < AG_NBASELINES; k++)
    if (base[k] < best) best = base[k];
  ag_elim *s = ag_elim_new(d);
  double t0 = ag_now();
  long paths = ag_bound_paths(d, s);
  double t1 = ag_now();
  ag_group_bound *gb = ag_group_bound_build(d, s, group, seconds);
  double t2 = ag_now();
  printf("graph %s: %d vertices; forward %ld, reverse %ld, Markowitz %ld (mults)\n", g->name, d->nv,
         base[0], base[1], base[2]);
  printf("path bound %ld (%.2f s); group bound (groups <= %d, %d groups) %ld (%.2f s)\n", paths,
         t1 - t0, group, gb->ngroups, gb->root_bound, t2 - t1);
  printf("no order is more than %.1f %% below the best baseline %ld\n",
         100.0 * (double)(best - gb->root_bound) / (double)best, best);
  ag_group_bound_free(gb);
  ag_elim_free(s);
  ag_graph_free(g);
  return 0;
}
