/* Search at scale (issue 21): on generated kernels of 3,700 and 10,500 vertices, every
   method returns a valid order whose cost ag_order_cost reproduces, under both objectives;
   annealing is deterministic for a seed and a move count and improves on the best
   baseline; the peak memory of the whole process stays under 2 GiB. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"
#include "mcts/search.h"
#include "train/corpus.h"

static long run(const ag_dag *d, ag_search_method m, const ag_search_opts *o, ag_search_result *r) {
  ag_error err = {0};
  if (ag_search(d, m, o, r, &err)) {
    CHECK(0, "%s: %s", ag_search_method_name(m), err.msg);
    return -1;
  }
  long c = ag_order_cost(d, r->order, r->len, &err);
  CHECK(c == r->cost, "%s reported %ld, the order costs %ld (%s)", ag_search_method_name(m),
        r->cost, c, err.msg);
  return r->cost;
}

int main(void) {
  ag_exec_weights w;
  ag_exec_weights_default(&w);
  ag_graph *mid = ag_corpus_roe_stencil(40), *big = ag_corpus_roe_stencil(110);
  CHECK(mid && big, "generators");
  if (!mid || !big) return check_report("test_search_scale");
  CHECK(big->dag.nv > 10000, "the large graph has %d vertices", big->dag.nv);

  for (int model = 0; model < 2; model++) {
    const ag_dag d = ag_dag_with_objective(&mid->dag, model ? &w : NULL);
    const long base = ag_order_best_baseline(&d, NULL, NULL);
    /* determinism, and an improvement over the best baseline within 300k moves */
    ag_search_opts o;
    ag_search_opts_default(&o);
    o.time_limit = 120;
    o.max_iterations = 300000;
    o.seed = 5;
    ag_search_result a, b;
    long ca = run(&d, AG_SEARCH_ANNEAL, &o, &a), cb = run(&d, AG_SEARCH_ANNEAL, &o, &b);
    CHECK(ca == cb && a.len == b.len && !memcmp(a.order, b.order, (size_t)a.len * sizeof(int)),
          "annealing is not deterministic for a seed and a move count (%ld, %ld)", ca, cb);
    CHECK(ca > 0 && ca < base, "%s: annealing %ld, best baseline %ld: no improvement",
          model ? "exec" : "mults", ca, base);
    printf("%s %s: best baseline %ld, annealing (300k moves) %ld (%.1f %%)\n", mid->name,
           model ? "exec" : "mults", base, ca, 100.0 * (double)(ca - base) / (double)base);
    ag_search_result_free(&a);
    ag_search_result_free(&b);

    /* every method on the 10,000-vertex graph, briefly */
    const ag_dag D = ag_dag_with_objective(&big->dag, model ? &w : NULL);
    for (int m = 0; m < 3; m++) {
      ag_search_opts_default(&o);
      o.time_limit = 1.0;
      ag_search_result r;
      long c = run(&D, (ag_search_method)m, &o, &r);
      CHECK(c > 0 && r.len == D.neliminable, "%s on %s", ag_search_method_name((ag_search_method)m),
            big->name);
      ag_search_result_free(&r);
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("peak resident memory %.0f MiB\n", (double)ru.ru_maxrss / 1024.0);
  CHECK(ru.ru_maxrss < 2L * 1024 * 1024, "peak memory %ld KiB, over 2 GiB", (long)ru.ru_maxrss);
  ag_graph_free(mid);
  ag_graph_free(big);
  return check_report("test_search_scale");
}
