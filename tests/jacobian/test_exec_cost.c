/* The execution cost model (graph/exec_cost.h) against the code it describes: for every
   paper kernel and every example kernel, and the orders forward, reverse, Markowitz, the
   stored best order and random orders,
   - the operations of the generated derivative code (lines `const double t<k> = ...`),
     counted in the text, equal the program's counts by kind (MUL, ADD, FMA);
   - the incremental model (ag_elim on a DAG with weights, i.e. ag_order_cost) equals the
     program's weighted count, with weights that tell the kinds apart;
   - the state's multiplication count stays the scalar cost, whatever the objective;
   - folding (constants, +-1) leaves the Jacobian equal to the interpreter's (which multiplies
     everything) to 1e-13. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"
#include "jacobian/codegen_c.h"
#include "jacobian/jacobian.h"
#include "kernel/source.h"
#include "orderlib/orderlib.h"
#include "paper.h"

/* Counts '*' and binary '+'/'-' in the lines "const double t<k> = ..." of text. */
static void count_ops(const char *text, long *muls, long *adds) {
  *muls = *adds = 0;
  for (const char *l = strstr(text, "const double t"); l; l = strstr(l + 1, "const double t")) {
    const char *e = strchr(l, ';'), *eq = strchr(l, '=');
    for (const char *c = eq + 1; c < e; c++) {
      if (*c == '*') (*muls)++;
      /* binary: " + " or " - " (a sign is written "(-tK)" or "-0x..." inside a literal) */
      if ((*c == '+' || *c == '-') && c[-1] == ' ' && c[1] == ' ') (*adds)++;
    }
  }
}

static void check_order(const ag_graph *g, const int *order, int len, const char *what) {
  ag_error err = {0};
  ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
  CHECK(jp != NULL, "%s: build: %s", what, err.msg);
  if (!jp) return;
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  CHECK(ag_codegen_c(jp, "k", f, &err) == 0, "%s: codegen: %s", what, err.msg);
  fclose(f);
  /* the single-element function only (the batch copies repeat the body) */
  char *one = strstr(buf, "void k_one("), *end = one ? strstr(one, "\n}\n") : NULL;
  CHECK(one && end, "%s: no k_one in the generated code", what);
  if (one && end) {
    end[1] = 0;
    long muls, adds;
    count_ops(one, &muls, &adds);
    long xm = jp->xops[AG_XOP_MUL] + jp->xops_extra[AG_XOP_MUL] + jp->xops[AG_XOP_FMA] +
              jp->xops_extra[AG_XOP_FMA];
    long xa = jp->xops[AG_XOP_ADD] + jp->xops_extra[AG_XOP_ADD] + jp->xops[AG_XOP_FMA] +
              jp->xops_extra[AG_XOP_FMA];
    CHECK(muls == xm, "%s: %ld multiplications in the code, the model counts %ld", what, muls, xm);
    CHECK(adds == xa, "%s: %ld additions in the code, the model counts %ld", what, adds, xa);
  }
  free(buf);
  /* the incremental model: weights 3, 5, 11 tell MUL, ADD and FMA apart */
  ag_exec_weights w = {.mul = 3, .add = 5, .fma = 11};
  ag_dag dx = ag_dag_with_objective(&g->dag, &w);
  long inc = ag_order_cost(&dx, order, len, &err), prog = ag_jacprog_exec_cost(jp, &w, 0);
  CHECK(inc == prog, "%s: incremental exec cost %ld, program %ld", what, inc, prog);
  long mults = ag_order_cost(&g->dag, order, len, &err);
  CHECK(mults == jp->mults, "%s: scalar cost %ld, program %ld", what, mults, jp->mults);
  ag_elim *s = ag_elim_new(&dx);
  for (int i = 0; i < len; i++)
    ag_elim_step(s, ag_vertex_index(&g->dag, order[i]));
  CHECK(s->mults == mults && s->cost == inc, "%s: exec state counts %ld mults (want %ld)", what,
        s->mults, mults);
  ag_elim_free(s);
  /* an order costs less under the model than its multiplications suggest only through
     folding: every MUL/FMA is a multiplication of the scalar count */
  CHECK(jp->xops[AG_XOP_MUL] + jp->xops[AG_XOP_FMA] <= jp->mults, "%s: more products than mults",
        what);
  ag_jacprog_free(jp);
}

static void check_graph(const ag_graph *g, const char *label) {
  const ag_dag *d = &g->dag;
  int m = d->neliminable;
  int *o = malloc((size_t)(m + 1) * sizeof(int));
  char what[256];
  for (int b = 0; b < AG_NBASELINES; b++) {
    int len = ag_order_baseline(d, b, o);
    snprintf(what, sizeof what, "%s %s", label, ag_order_baseline_name(b));
    check_order(g, o, len, what);
  }
  ag_rng rng;
  ag_rng_seed(&rng, 17);
  for (int r = 0; r < 4; r++) {
    ag_order_forward(d, o);
    for (int i = m - 1; i > 0; i--) {
      int j = ag_rng_below(&rng, i + 1), t = o[i];
      o[i] = o[j], o[j] = t;
    }
    snprintf(what, sizeof what, "%s random %d", label, r);
    check_order(g, o, m, what);
  }
  free(o);
}

int main(void) {
  char path[4096];
  ag_error err = {0};
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    char rel[256];
    snprintf(rel, sizeof rel, "examples/paper/%s", paper_tasks[t].kernel);
    src_path(path, sizeof path, rel);
    ag_graph *g = ag_load_source(path, NULL, &err);
    CHECK(g != NULL, "%s: %s", path, err.msg);
    if (!g) continue;
    check_graph(g, paper_tasks[t].name);
    /* the stored best order */
    src_path(path, sizeof path, "hdf5-data/paper_orders.h5");
    ag_order_entry e;
    if (ag_orderlib_lookup(path, &g->dag, &e, &err) == 1) {
      char what[256];
      snprintf(what, sizeof what, "%s stored", paper_tasks[t].name);
      check_order(g, e.order, e.len, what);
      ag_order_entry_clear(&e);
    } else {
      CHECK(0, "%s: no stored order (%s)", paper_tasks[t].name, err.msg);
    }
    ag_graph_free(g);
  }
  /* the example kernels: parameters, helpers, outputs that feed outputs */
  static const char *const examples[] = {"examples/cfd/sod_kernels.c:sod_roe",
                                         "examples/cfd/sod_kernels.c:sod_time_ts",
                                         "examples/robotics/arm_kernels.c:ik7_cell",
                                         "examples/robotics/arm_kernels.c:traj_cell",
                                         "bench/plugin/euler2d_kernels.c:euler2d_roe_x",
                                         "tests/kernels/good/ops.c",
                                         "tests/kernels/good/params.c"};
  for (size_t k = 0; k < sizeof examples / sizeof *examples; k++) {
    src_path(path, sizeof path, examples[k]);
    ag_graph *g = ag_load_source(path, NULL, &err);
    CHECK(g != NULL, "%s: %s", path, err.msg);
    if (!g) continue;
    check_graph(g, examples[k]);
    ag_graph_free(g);
  }
  return check_report("test_exec_cost");
}
