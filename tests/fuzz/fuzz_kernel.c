/* Fuzz target of the kernel front end (issue 19): any bytes as a kernel file must give a graph
   or an error, never a crash, a sanitizer report, a hang or unbounded memory (the front
   end's limits, docs/kernels.md). An accepted kernel is also differentiated (reverse order)
   and its Jacobian evaluated at a point, so the graph the tracer built is exercised too.

   Built two ways (tests/fuzz/README.md):
   - with libFuzzer (clang, -DAG_FUZZ=ON): `fuzz_kernel`, for long runs;
   - with fuzz_driver.c (any compiler): `test_fuzz_smoke`, a deterministic mutation run over
     the test corpus that CI runs (under ASan+UBSan in the sanitizer build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[256];
  if (!path[0]) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/ag_fuzz_%d.c", dir && *dir ? dir : "/tmp", (int)getpid());
  }
  if (size > 1 << 16) return 0; /* kernels are small; larger inputs only slow the search */
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  ag_error err;
  ag_graph *g = ag_parse_kernel_file(path, NULL, &err);
  if (g) {
    const ag_dag *d = &g->dag;
    int *order = malloc(((size_t)d->neliminable + 1) * sizeof(int));
    int len = ag_order_reverse(d, order);
    ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
    if (jp) {
      double *in = calloc((size_t)d->ni + 1, sizeof(double));
      double *p = calloc((size_t)g->nparams + 1, sizeof(double));
      double *out = malloc(((size_t)d->no + 1) * sizeof(double));
      double *vals = malloc(((size_t)jp->nentries + 1) * sizeof(double));
      double *work = malloc((ag_jacprog_work_size(jp) + 1) * sizeof(double));
      for (int i = 0; i < d->ni; i++)
        in[i] = 0.5 + 0.25 * i;
      for (int i = 0; i < g->nparams; i++)
        p[i] = 1.0 + i;
      ag_jacprog_eval(jp, in, p, out, vals, work);
      free(in), free(p), free(out), free(vals), free(work);
      ag_jacprog_free(jp);
    }
    free(order);
    ag_graph_free(g);
  }
  unlink(path);
  return 0;
}
