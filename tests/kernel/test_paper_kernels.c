/* The C kernels of examples/paper give the reference DAGs' structure: the same structural
   hash (hence NI/NV/NO and numbering), the published forward/reverse/Markowitz costs, and
   the published AlphaGrad orders apply with their published costs. The Jacobian program of
   every order performs exactly the order's cost in multiply-adds. */
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_dag.h"
#include "kernel/parse_kernel.h"
#include "paper.h"

int main(void) {
  char gpath[4096], kpath[4096], rel[256];
  src_path(gpath, sizeof gpath, "tests/data/paper_graphs.txt");
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const paper_task *pt = &paper_tasks[t];
    snprintf(rel, sizeof rel, "examples/paper/%s", pt->kernel);
    src_path(kpath, sizeof kpath, rel);
    ag_error err;
    ag_graph *ref = ag_parse_dag_file(gpath, pt->name, &err);
    ag_graph *k = ag_parse_kernel_file(kpath, pt->name, &err);
    CHECK(ref && k, "%s: %s", pt->name, err.msg);
    if (!ref || !k) {
      ag_graph_free(ref);
      ag_graph_free(k);
      continue;
    }
    const ag_dag *d = &k->dag;
    CHECK_EQ_LONG(d->ni, pt->ni, pt->kernel);
    CHECK_EQ_LONG(d->nv, pt->nv, pt->kernel);
    CHECK_EQ_LONG(d->no, pt->no, pt->kernel);
    CHECK(d->hash == ref->dag.hash, "%s: kernel structure differs from the reference DAG",
          pt->kernel);
    /* vertex by vertex: same predecessors */
    int same = d->n == ref->dag.n;
    for (int v = 0; same && v <= d->n; v++)
      same = d->pred_off[v] == ref->dag.pred_off[v];
    for (int j = 0; same && j < d->pred_off[d->n]; j++)
      same = d->pred[j] == ref->dag.pred[j];
    CHECK(same, "%s: predecessor lists differ from the reference", pt->kernel);

    const char *specs[] = {"fwd", "rev", "markowitz"};
    const long want[] = {pt->fwd, pt->rev, pt->markowitz};
    for (int s = 0; s < 4; s++) {
      int *o, n;
      if (s < 3) {
        CHECK(ag_order_resolve(d, specs[s], &o, &n, &err) == 0, "%s", err.msg);
      } else {
        char *txt = paper_order_text(pt->name, "AlphaGrad");
        CHECK(txt && ag_order_parse(txt, "paper_orders.txt", &o, &n, &err) == 0, "%s", pt->name);
        free(txt);
      }
      long c = ag_order_cost(d, o, n, &err);
      long expect = s < 3 ? want[s] : pt->alphagrad;
      CHECK(c == expect, "%s %s: cost %ld, published %ld", pt->kernel,
            s < 3 ? specs[s] : "AlphaGrad", c, expect);
      ag_jacprog *jp = ag_jacprog_build(k, o, n, &err);
      CHECK(jp && jp->mults == c, "%s: program multiply-adds %ld != cost %ld", pt->kernel,
            jp ? jp->mults : -1, c);
      ag_jacprog_free(jp);
      free(o);
    }
    printf("%-24s hash %016llx  NI %d NV %d NO %d  fwd %ld rev %ld markowitz %ld alphagrad %ld\n",
           pt->kernel, (unsigned long long)d->hash, d->ni, d->nv, d->no, pt->fwd, pt->rev,
           pt->markowitz, pt->alphagrad);
    ag_graph_free(ref);
    ag_graph_free(k);
  }
  return check_report("test_paper_kernels");
}
