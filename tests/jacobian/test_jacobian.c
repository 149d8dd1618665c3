/* Exact Jacobians of the paper kernels: every order (forward, reverse, Markowitz, the
   published AlphaGrad order, random orders) gives the same Jacobian to 1e-12; it agrees
   with fourth-order central finite differences to 1e-6 and with a forward-mode tangent
   sweep over the graph (a second AD method that does no elimination). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_kernel.h"
#include "paper.h"

/* |a-b| relative to the larger magnitude, absolute below 1 */
static double rel(double a, double b) { return fabs(a - b) / fmax(1.0, fmax(fabs(a), fabs(b))); }

static void jacobian_for(const ag_graph *g, const int *o, int n, const double *x, double *J,
                         double *y) {
  ag_error err;
  ag_jacprog *jp = ag_jacprog_build(g, o, n, &err);
  CHECK(jp != NULL, "%s", err.msg);
  if (!jp) return;
  double *w = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double *vals = malloc((size_t)(jp->nentries + 1) * sizeof(double));
  ag_jacprog_eval(jp, x, NULL, y, vals, w);
  ag_jacprog_dense(jp, vals, J);
  free(w);
  free(vals);
  ag_jacprog_free(jp);
}

/* Forward-mode tangents, one input direction at a time. */
static void tangent_jacobian(const ag_graph *g, const double *x, double *J) {
  const ag_dag *d = &g->dag;
  double *val = malloc((size_t)g->nnodes * sizeof(double)),
         *dot = malloc((size_t)g->nnodes * sizeof(double));
  double *out = malloc((size_t)d->no * sizeof(double));
  ag_graph_eval(g, x, NULL, out, val);
  for (int i = 0; i < d->ni; i++) {
    for (int k = 0; k < g->nnodes; k++) {
      const ag_node *nd = &g->nodes[k];
      if (nd->op == AG_OP_INPUT)
        dot[k] = (int)nd->value == i;
      else if (nd->op == AG_OP_CONST || nd->op == AG_OP_PARAM)
        dot[k] = 0;
      else {
        double da, db;
        ag_op_partials(nd->op, val[nd->a], nd->b >= 0 ? val[nd->b] : 0, nd->value, val[k], &da,
                       &db);
        dot[k] = da * dot[nd->a] + (nd->b >= 0 ? db * dot[nd->b] : 0);
      }
    }
    for (int j = 0; j < d->no; j++)
      J[j * d->ni + i] = dot[g->outputs[j]];
  }
  free(val);
  free(dot);
  free(out);
}

int main(void) {
  char kpath[4096], rel_[256];
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const paper_task *pt = &paper_tasks[t];
    snprintf(rel_, sizeof rel_, "examples/paper/%s", pt->kernel);
    src_path(kpath, sizeof kpath, rel_);
    ag_error err;
    ag_graph *g = ag_parse_kernel_file(kpath, pt->name, &err);
    CHECK(g != NULL, "%s", err.msg);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    double x[64];
    CHECK(paper_test_point(kpath, x, 64) == d->ni, "%s: test point needs %d values", pt->kernel,
          d->ni);
    size_t nj = (size_t)d->no * d->ni;
    double *J0 = malloc(nj * sizeof(double)), *J = malloc(nj * sizeof(double));
    double *y0 = malloc((size_t)d->no * sizeof(double)),
           *y = malloc((size_t)d->no * sizeof(double));
    int *o = malloc((size_t)(d->nv + 1) * sizeof(int)), n = ag_order_reverse(d, o);
    jacobian_for(g, o, n, x, J0, y0);
    for (size_t k = 0; k < nj; k++)
      CHECK(isfinite(J0[k]), "%s: J[%zu] not finite", pt->kernel, k);

    double worst_order = 0;
    for (int s = 0; s < 13; s++) {
      if (s == 0)
        n = ag_order_forward(d, o);
      else if (s == 1)
        n = ag_order_markowitz(d, o);
      else if (s == 2) {
        char *txt = paper_order_text(pt->name, "AlphaGrad");
        int *po;
        CHECK(txt && ag_order_parse(txt, "paper_orders.txt", &po, &n, &err) == 0, "order");
        memcpy(o, po, (size_t)n * sizeof(int));
        free(po);
        free(txt);
      } else {
        n = ag_order_forward(d, o);
        for (int i = n - 1; i > 0; i--) {
          int j = (int)check_rand((unsigned)i + 1), tmp = o[i];
          o[i] = o[j];
          o[j] = tmp;
        }
      }
      jacobian_for(g, o, n, x, J, y);
      for (size_t k = 0; k < nj; k++)
        worst_order = fmax(worst_order, rel(J[k], J0[k]));
      for (int j = 0; j < d->no; j++)
        CHECK(y[j] == y0[j], "outputs do not depend on the order");
    }
    CHECK(worst_order < 1e-12, "%s: orders disagree by %.3g", pt->kernel, worst_order);

    /* fourth-order central differences */
    double worst_fd = 0, *xp = malloc((size_t)d->ni * sizeof(double)),
           *w = malloc((size_t)g->nnodes * sizeof(double));
    double *f[4];
    for (int q = 0; q < 4; q++)
      f[q] = malloc((size_t)d->no * sizeof(double));
    for (int i = 0; i < d->ni; i++) {
      double h = 1e-3 * fmax(fabs(x[i]), 1e-2);
      const double steps[4] = {2 * h, h, -h, -2 * h};
      for (int q = 0; q < 4; q++) {
        memcpy(xp, x, (size_t)d->ni * sizeof(double));
        xp[i] += steps[q];
        ag_graph_eval(g, xp, NULL, f[q], w);
      }
      for (int j = 0; j < d->no; j++) {
        double fd = (-f[0][j] + 8 * f[1][j] - 8 * f[2][j] + f[3][j]) / (12 * h);
        worst_fd = fmax(worst_fd, rel(fd, J0[j * d->ni + i]));
      }
    }
    CHECK(worst_fd < 1e-6, "%s: finite differences disagree by %.3g", pt->kernel, worst_fd);

    tangent_jacobian(g, x, J);
    double worst_tan = 0;
    for (size_t k = 0; k < nj; k++)
      worst_tan = fmax(worst_tan, rel(J[k], J0[k]));
    CHECK(worst_tan < 1e-12, "%s: tangent sweep disagrees by %.3g", pt->kernel, worst_tan);
    printf("%-24s orders agree to %.2g, finite differences to %.2g, tangents to %.2g\n", pt->kernel,
           worst_order, worst_fd, worst_tan);
    for (int q = 0; q < 4; q++)
      free(f[q]);
    free(xp);
    free(w);
    free(J0);
    free(J);
    free(y0);
    free(y);
    free(o);
    ag_graph_free(g);
  }
  return check_report("test_jacobian");
}
