/* The shipped order library hdf5-data/paper_orders.h5 is readable, and for each paper task
   holds an order that fits the reference DAG and the C kernel alike, at the cost recorded,
   never worse than the published AlphaGrad order. */
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "kernel/parse_kernel.h"
#include "orderlib/orderlib.h"
#include "paper.h"

int main(void) {
  char lib[4096], gpath[4096], kpath[4096], rel[256];
  src_path(lib, sizeof lib, "hdf5-data/paper_orders.h5");
  src_path(gpath, sizeof gpath, "tests/data/paper_graphs.txt");
  static const long best_known[N_PAPER_TASKS] = {295, 221, 148, 88, 409};
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    ag_error err;
    snprintf(rel, sizeof rel, "examples/paper/%s", paper_tasks[t].kernel);
    src_path(kpath, sizeof kpath, rel);
    ag_graph *gs[2] = {ag_parse_dag_file(gpath, paper_tasks[t].name, &err),
                       ag_parse_kernel_file(kpath, paper_tasks[t].name, &err)};
    for (int k = 0; k < 2; k++) {
      CHECK(gs[k] != NULL, "%s", err.msg);
      if (!gs[k]) continue;
      ag_order_entry e;
      int found = ag_orderlib_lookup(lib, &gs[k]->dag, &e, &err);
      CHECK(found == 1, "%s: %s", paper_tasks[t].name, found < 0 ? err.msg : "not in the library");
      if (found != 1) continue;
      long c = ag_order_cost(&gs[k]->dag, e.order, e.len, &err);
      CHECK(c == e.cost, "%s: stored cost %ld, order costs %ld", paper_tasks[t].name, e.cost, c);
      CHECK(c <= paper_tasks[t].alphagrad, "%s: %ld worse than AlphaGrad", paper_tasks[t].name, c);
      CHECK(c == best_known[t], "%s: %ld, best known %ld", paper_tasks[t].name, c, best_known[t]);
      CHECK(e.lower_bound <= c, "bound");
      if (k == 0)
        printf("%-18s cost %ld lower bound %ld%s\n", paper_tasks[t].name, c, e.lower_bound,
               e.optimal ? " (optimal)" : "");
      ag_order_entry_clear(&e);
      ag_graph_free(gs[k]);
    }
  }
  return check_report("test_shipped_orders");
}
