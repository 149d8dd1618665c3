/* The reference DAGs reproduce every published figure of the five scalar tasks:
   sizes, forward/reverse/minimal-Markowitz costs, the published Markowitz orders
   themselves, and the AlphaGrad orders' costs. Also: the DAG reader's error messages. */
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "paper.h"

static void bad_dag(const char *text, const char *expect) {
  ag_error err = {0};
  ag_graph *g = ag_parse_dag_text(text, "bad.txt", NULL, &err);
  CHECK(g == NULL, "accepted bad DAG text expecting '%s'", expect);
  CHECK(strstr(err.msg, expect) != NULL, "message '%s' lacks '%s'", err.msg, expect);
  CHECK(err.code == AG_ERR_FORMAT, "bad DAG text: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_graph_free(g);
}

int main(void) {
  char path[4096];
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const paper_task *pt = &paper_tasks[t];
    ag_error err;
    ag_graph *g = ag_parse_dag_file(path, pt->name, &err);
    CHECK(g != NULL, "%s: %s", pt->name, err.msg);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    CHECK_EQ_LONG(d->ni, pt->ni, pt->name);
    CHECK_EQ_LONG(d->nv, pt->nv, pt->name);
    CHECK_EQ_LONG(d->no, pt->no, pt->name);
    CHECK_EQ_LONG(d->neliminable, pt->nv - pt->no, pt->name);
    int *o = malloc((size_t)d->nv * sizeof(int)), n;
    n = ag_order_forward(d, o);
    CHECK_EQ_LONG(ag_order_cost(d, o, n, &err), pt->fwd, pt->name);
    n = ag_order_reverse(d, o);
    CHECK_EQ_LONG(ag_order_cost(d, o, n, &err), pt->rev, pt->name);
    n = ag_order_markowitz(d, o);
    CHECK_EQ_LONG(ag_order_cost(d, o, n, &err), pt->markowitz, pt->name);
    /* the greedy order itself equals the published one (ties to the lowest id) */
    char *txt = paper_order_text(pt->name, "minMarkowitz");
    int *po, pn;
    CHECK(txt && ag_order_parse(txt, "paper_orders.txt", &po, &pn, &err) == 0, "%s", pt->name);
    if (txt) {
      int same = pn == n;
      for (int i = 0; same && i < n; i++)
        same = po[i] == o[i];
      CHECK(same, "%s: Markowitz order differs from the published one", pt->name);
      free(po);
      free(txt);
    }
    txt = paper_order_text(pt->name, "AlphaGrad");
    CHECK(txt && ag_order_parse(txt, "paper_orders.txt", &po, &pn, &err) == 0, "%s", pt->name);
    if (txt) {
      CHECK_EQ_LONG(ag_order_cost(d, po, pn, &err), pt->alphagrad, pt->name);
      free(po);
      free(txt);
    }
    printf("%-18s NI %2d NV %3d NO %2d  fwd %ld rev %ld markowitz %ld alphagrad %ld\n", pt->name,
           d->ni, d->nv, d->no, pt->fwd, pt->rev, pt->markowitz, pt->alphagrad);
    free(o);
    ag_graph_free(g);
  }

  /* a file with several graphs needs a name, and an unknown name lists the ones present */
  ag_error err;
  ag_graph *g = ag_parse_dag_file(path, NULL, &err);
  CHECK(!g && strstr(err.msg, "choose one with --name") && strstr(err.msg, "RoeFlux_1d"), "%s",
        err.msg);
  CHECK(err.code == AG_ERR_INPUT, "no name: code %s (%s)", ag_status_name(err.code), err.msg);
  g = ag_parse_dag_file(path, "RoeFlux_2d", &err);
  CHECK(!g && strstr(err.msg, "no graph named 'RoeFlux_2d'") &&
            strstr(err.msg, "PropaneCombustion"),
        "%s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "unknown name: code %s (%s)", ag_status_name(err.code), err.msg);
  g = ag_parse_dag_file("/nonexistent/graphs.txt", "x", &err);
  CHECK(!g && strstr(err.msg, "/nonexistent/graphs.txt: cannot open"), "%s", err.msg);
  CHECK(err.code == AG_ERR_IO, "missing file: code %s (%s)", ag_status_name(err.code), err.msg);

  const char *hdr = "## T: inputs=2 vertices=2 outputs=1 output_vertices=[2]\n";
  char buf[512];
#define BAD(body, expect)                                                                          \
  snprintf(buf, sizeof buf, "%s%s", hdr, body);                                                    \
  bad_dag(buf, expect)
  BAD("v1 = add(x1, x2)\nv3 = mul(v1, x1)\n",
      "bad.txt:3:1: vertices must be numbered consecutively");
  BAD("v1 = frobnicate(x1, x2)\nv2 = mul(v1, x1)\n", "bad.txt:2:6: unknown operation 'frobnicate'");
  BAD("v1 = add(x1, v2)\nv2 = mul(v1, x1)\n", "operand is not an earlier vertex");
  BAD("v1 = add(x1, x3)\nv2 = mul(v1, x1)\n", "input out of range");
  BAD("v1 = sin(x1, x2)\nv2 = mul(v1, x1)\n", "sin takes 1 operand, got 2");
  BAD("v1 = add(c, c)\nv2 = mul(v1, x1)\n", "no variable operand");
  BAD("v1 = add(x1, x2)\n", "has 1 vertex lines but its header says vertices=2");
  BAD("v1 = add(x1 x2)\nv2 = mul(v1, x1)\n", "expected ',' or ')'");
  BAD("v1 = add(x1, y2)\nv2 = mul(v1, x1)\n", "expected an operand xI, vJ or c");
  BAD("v1 = add(x1, x2)\nv2 = mul(v1, x1)\nv3 = mul(v1, x1)\n",
      "more vertex lines than the header");
  bad_dag("## T: inputs=2 vertices=1 outputs=1 output_vertices=[5]\nv1 = add(x1, x2)\n",
          "output_vertices entry is not a vertex");
  bad_dag("## T: inputs=2 vertices=1 outputs=2 output_vertices=[1]\nv1 = add(x1, x2)\n",
          "lists 1 vertices but outputs=2");
  bad_dag("## T: inputs=2 vertices=1\nv1 = add(x1, x2)\n", "bad.txt:1:1: section header needs");
  bad_dag("## T: inputs=2 vertices=1 outputs=1 output_vertices=[1\nv1 = add(x1, x2)\n",
          "unterminated output_vertices");
  bad_dag("just text\n", "no graph sections");
  return check_report("test_paper_costs");
}
