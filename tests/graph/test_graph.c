/* Builder API, constant folding, derived elimination structure and the two hashes. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "graph/graph.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"

/* y0 = sin(x0 * x1) + c ; y1 = x1 * x1 ; y2 = x0 (an input as output) */
static ag_graph *build(double c, int swap) {
  ag_graph *g = ag_graph_new("small");
  int x0 = ag_graph_input(g, 0), x1 = ag_graph_input(g, 1);
  int m = ag_graph_op(g, AG_OP_MUL, swap ? x1 : x0, swap ? x0 : x1);
  int s = ag_graph_op(g, AG_OP_SIN, m, -1);
  int k = ag_graph_op(g, AG_OP_MUL, ag_graph_const(g, c), ag_graph_const(g, 2.0)); /* folds */
  int y0 = ag_graph_op(g, AG_OP_ADD, s, k);
  int y1 = ag_graph_op(g, AG_OP_MUL, x1, x1);
  ag_graph_output(g, y0);
  ag_graph_output(g, y1);
  ag_graph_output(g, x0);
  ag_error err;
  CHECK(ag_graph_finalize(g, &err) == 0, "finalize: %s", err.msg);
  return g;
}

int main(void) {
  ag_graph *a = build(3.0, 0), *b = build(5.0, 0), *c = build(3.0, 1);
  const ag_dag *d = &a->dag;
  CHECK_EQ_LONG(d->ni, 2, "inputs");
  CHECK_EQ_LONG(d->nv, 4, "vertices (constant product folded)");
  CHECK_EQ_LONG(d->no, 3, "outputs");
  CHECK_EQ_LONG(d->neliminable, 2, "eliminable");
  CHECK_EQ_LONG(d->pred_off[d->n], 5, "edges: x*x makes one edge");
  CHECK(a->nodes[a->nodes[a->dag.vert_node[d->ni + 2]].b].op == AG_OP_CONST, "folded constant");
  CHECK(a->nodes[a->nodes[a->dag.vert_node[d->ni + 2]].b].value == 6.0, "folded value");
  CHECK(a->dag.hash == b->dag.hash, "structural hash ignores constant values");
  CHECK(ag_graph_hash_full(a) != ag_graph_hash_full(b), "full hash sees constant values");
  CHECK(a->dag.hash == c->dag.hash, "operand order of mul does not change the structure");

  /* different wiring, different hash */
  ag_graph *e = ag_graph_new("other");
  int x0 = ag_graph_input(e, 0), x1 = ag_graph_input(e, 1);
  int m = ag_graph_op(e, AG_OP_MUL, x0, x1);
  int s = ag_graph_op(e, AG_OP_SIN, m, -1);
  int y0 = ag_graph_op(e, AG_OP_ADD, s, x1);
  ag_graph_output(e, y0);
  ag_graph_output(e, ag_graph_op(e, AG_OP_MUL, x1, x1));
  ag_graph_output(e, x0);
  ag_error err;
  CHECK(ag_graph_finalize(e, &err) == 0, "%s", err.msg);
  CHECK(e->dag.hash != a->dag.hash, "an extra edge changes the hash");

  /* Jacobian of the small graph against the analytic one */
  int order[8], len = ag_order_forward(d, order);
  ag_jacprog *jp = ag_jacprog_build(a, order, len, &err);
  CHECK(jp != NULL, "%s", err.msg);
  double x[2] = {0.3, -1.7}, out[3], vals[16], J[6];
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  ag_jacprog_eval(jp, x, NULL, out, vals, work);
  ag_jacprog_dense(jp, vals, J);
  double cs = cos(x[0] * x[1]);
  CHECK(fabs(out[0] - (sin(x[0] * x[1]) + 6)) < 1e-15, "y0");
  CHECK(fabs(J[0] - cs * x[1]) < 1e-15 && fabs(J[1] - cs * x[0]) < 1e-15, "row 0: %g %g", J[0],
        J[1]);
  CHECK(J[2] == 0 && fabs(J[3] - 2 * x[1]) < 1e-15, "row 1: %g %g", J[2], J[3]);
  CHECK(J[4] == 1 && J[5] == 0, "row 2 (input as output): %g %g", J[4], J[5]);
  CHECK_EQ_LONG(jp->nentries, 4, "structural non-zeros");
  free(work);
  ag_jacprog_free(jp);

  /* an output that feeds another output keeps its row and contributes to the other's */
  ag_graph *f = ag_graph_new("chain");
  int u = ag_graph_input(f, 0);
  int t = ag_graph_op(f, AG_OP_EXP, u, -1);
  int y = ag_graph_op(f, AG_OP_MUL, t, ag_graph_op(f, AG_OP_SIN, u, -1));
  ag_graph_output(f, t);
  ag_graph_output(f, y);
  CHECK(ag_graph_finalize(f, &err) == 0, "%s", err.msg);
  len = ag_order_reverse(&f->dag, order);
  CHECK_EQ_LONG(len, 1, "only sin is eliminable");
  jp = ag_jacprog_build(f, order, len, &err);
  work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double xu = 0.4, o2[2], v2[4], J2[2];
  ag_jacprog_eval(jp, &xu, NULL, o2, v2, work);
  ag_jacprog_dense(jp, v2, J2);
  CHECK(fabs(J2[0] - exp(xu)) < 1e-15, "d exp");
  CHECK(fabs(J2[1] - exp(xu) * (sin(xu) + cos(xu))) < 1e-14, "d exp*sin: %g", J2[1]);
  CHECK_EQ_LONG(jp->mults, 1, "elimination mults");
  CHECK_EQ_LONG(jp->extra_mults, 1, "output-through-output mults");
  free(work);
  ag_jacprog_free(jp);

  /* errors */
  ag_graph *empty = ag_graph_new("empty");
  CHECK(ag_graph_finalize(empty, &err) != 0 && strstr(err.msg, "no inputs"), "%s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "no inputs: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_graph_input(empty, 0);
  CHECK(ag_graph_finalize(empty, &err) != 0 && strstr(err.msg, "no outputs"), "%s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "no outputs: code %s (%s)", ag_status_name(err.code), err.msg);

  ag_graph_free(a);
  ag_graph_free(b);
  ag_graph_free(c);
  ag_graph_free(e);
  ag_graph_free(f);
  ag_graph_free(empty);
  return check_report("test_graph");
}
