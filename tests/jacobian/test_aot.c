/* Ahead-of-time path: RoeFlux_1d's Jacobian code generated at build time by the CMake
   function alphagrad_codegen (optimal order from hdf5-data/paper_orders.h5), compiled into
   this program, agrees with the interpreter (1e-13) and with finite differences (1e-6). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_kernel.h"
#include "orderlib/orderlib.h"
#include "paper.h"

void roeflux_aot(const double *in, const double *p, double *out, double *jac);
void roeflux_aot_batch(int n, const double *in, const double *p, double *out, double *jac);
extern const int roeflux_aot_nentries, roeflux_aot_rows[], roeflux_aot_cols[];

int main(void) {
  char kpath[4096], lib[4096];
  src_path(kpath, sizeof kpath, "examples/paper/roeflux_1d.c");
  src_path(lib, sizeof lib, "hdf5-data/paper_orders.h5");
  ag_error err;
  ag_graph *g = ag_parse_kernel_file(kpath, NULL, &err);
  CHECK(g != NULL, "%s", err.msg);
  ag_order_entry e;
  CHECK(ag_orderlib_lookup(lib, &g->dag, &e, &err) == 1, "lookup: %s", err.msg);
  ag_jacprog *jp = ag_jacprog_build(g, e.order, e.len, &err);
  CHECK(jp && jp->nentries == roeflux_aot_nentries, "entries");
  double x[6], out[3], out2[3], vals[64], jac[64];
  CHECK(paper_test_point(kpath, x, 6) == 6, "test point");
  double *w = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  ag_jacprog_eval(jp, x, NULL, out, vals, w);
  roeflux_aot(x, NULL, out2, jac);
  for (int k = 0; k < jp->nentries; k++) {
    CHECK(roeflux_aot_rows[k] == jp->row[k] && roeflux_aot_cols[k] == jp->col[k], "pattern %d", k);
    CHECK(fabs(jac[k] - vals[k]) <= 1e-13 * fmax(1.0, fabs(vals[k])), "entry %d: %g vs %g", k,
          jac[k], vals[k]);
  }
  for (int j = 0; j < 3; j++)
    CHECK(fabs(out[j] - out2[j]) <= 1e-15 * fmax(1, fabs(out[j])), "output %d", j);
  /* finite differences on the compiled code itself */
  for (int i = 0; i < 6; i++) {
    double xp[6], xm[6], fp[3], fm[3], jj[64], h = 1e-6 * fmax(fabs(x[i]), 1e-3);
    for (int k = 0; k < 6; k++)
      xp[k] = xm[k] = x[k];
    xp[i] += h;
    xm[i] -= h;
    roeflux_aot(xp, NULL, fp, jj);
    roeflux_aot(xm, NULL, fm, jj);
    for (int k = 0; k < roeflux_aot_nentries; k++)
      if (roeflux_aot_cols[k] == i) {
        int r = roeflux_aot_rows[k];
        double fd = (fp[r] - fm[r]) / (2 * h);
        CHECK(fabs(fd - jac[k]) <= 1e-6 * fmax(1.0, fabs(jac[k])), "FD row %d col %d: %g vs %g", r,
              i, fd, jac[k]);
      }
  }
  /* a batch of 3 identical elements equals the single call */
  double bin[18], bout[9], bjac[3 * 64];
  for (int i = 0; i < 6; i++)
    for (int k = 0; k < 3; k++)
      bin[i * 3 + k] = x[i];
  roeflux_aot_batch(3, bin, NULL, bout, bjac);
  for (int k = 0; k < roeflux_aot_nentries; k++)
    for (int m = 0; m < 3; m++)
      CHECK(bjac[k * 3 + m] == jac[k], "batch entry %d element %d", k, m);
  free(w);
  ag_jacprog_free(jp);
  ag_order_entry_clear(&e);
  ag_graph_free(g);
  return check_report("test_aot");
}
