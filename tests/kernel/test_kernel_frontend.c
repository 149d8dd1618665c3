/* Positive tests of the C kernel front end: each kernel in tests/kernels/good exercises a
   part of the supported subset (see kernel/parse_kernel.h). For each kernel the test checks
   the graph's input, vertex, output and parameter counts, that the Jacobian of the forward
   elimination order matches a hand-written derivative (where given) and central finite
   differences of ag_graph_eval, and that the file is ordinary C: compiled with `cc -std=c11`
   and run, the kernel computes the outputs the graph computes (skipped without cc). */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "graph/graph.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "kernel/parse_kernel.h"

#define MAXI 8
#define MAXO 8

/* Hand-written Jacobians, row-major no x ni. */
typedef void (*jac_fn)(const double *x, const double *p, double *J);

static void jac_macros(const double *x, const double *p, double *J) {
  (void)p;
  double r = sqrt(x[0] * x[0] + x[1] * x[1]);
  double j[] = {x[0] / r, x[1] / r, 0, 0, 0, 0.5 * exp(x[2]), 3 * x[0] * x[0], 0, 0};
  memcpy(J, j, sizeof j);
}

static void jac_types(const double *x, const double *p, double *J) {
  (void)p;
  double e = exp(x[0] - x[1]);
  double j[] = {0.5 * x[1], 0.5 * (x[0] + x[2]),
                0.5 * x[1], /* 0.5 * dot */
                2 * x[0],   0.5 / sqrt(x[1]),
                0, /* x^2 + sqrt(y) */
                2 * e,      -2 * e + (x[1] > 0 ? 1 : -1),
                0}; /* 2 exp(x-y) + |y| */
  memcpy(J, j, sizeof j);
}

static void jac_helpers(const double *x, const double *p, double *J) {
  (void)p;
  double c = cos(0.5), s = sin(0.5);
  double j[] = {c, 1 - s, 0, s, c, 0, 3 * x[0] * x[0], 0, 2 * x[2], 0, 0, 1};
  memcpy(J, j, sizeof j);
}

static void jac_arrays(const double *x, const double *p, double *J) {
  (void)p;
  double j[] = {1, 0, 3, -1 + 2 * x[0], 2 * x[1], 0.25, 0, 0, 0.75};
  memcpy(J, j, sizeof j);
}

static void jac_ops(const double *x, const double *p, double *J) {
  (void)p;
  double j[] = {x[1] / 2, (x[0] + 1) / 2 + 2, 0, 0, 0, -1, 0, 0, 29, 2, 1, 0};
  memcpy(J, j, sizeof j);
}

static void jac_params(const double *x, const double *p, double *J) {
  double j[18] = {x[3], x[4], x[5], x[0], x[1], x[2]};
  j[6 + 1] = p[1];
  j[6 + 5] = p[0];
  j[12 + 4] = p[2] / (1 + p[0] * p[0]);
  memcpy(J, j, sizeof j);
}

static void jac_first(const double *x, const double *p, double *J) {
  (void)p;
  J[0] = x[1];
  J[1] = x[0];
}

static void jac_second(const double *x, const double *p, double *J) {
  (void)p;
  double j[] = {1 / x[1], -x[0] / (x[1] * x[1]), -1, 1};
  memcpy(J, j, sizeof j);
}

static void jac_declared(const double *x, const double *p, double *J) {
  (void)p;
  double j[] = {x[1], x[0], 0, 0, -1, 0, 1, 0};
  memcpy(J, j, sizeof j);
}

static void jac_conversions(const double *x, const double *p, double *J) {
  (void)p;
  double j[] = {4, 0, 0, 8, -3, -1, x[1], x[0], 1, 1};
  memcpy(J, j, sizeof j);
}

typedef struct {
  const char *file, *function; /* function NULL: the file's only kernel */
  const char *name;            /* expected graph name */
  int ni, nv, no, np;
  double x[MAXI], p[4];
  jac_fn jac; /* NULL: finite differences only */
} kcase;

static const kcase cases[] = {
    {"macros.c", NULL, "macros", 3, 9, 3, 0, {0.3, 0.4, 0.5}, {0}, jac_macros},
    {"types.c", NULL, "types", 3, 13, 3, 0, {0.7, 0.4, 0.2}, {0}, jac_types},
    {"helpers.c", NULL, "helpers", 3, 12, 4, 0, {0.6, -0.3, 0.8}, {0}, jac_helpers},
    {"arrays.c", NULL, "arrays", 3, 14, 3, 0, {0.9, -0.4, 1.3}, {0}, jac_arrays},
    {"ops.c", NULL, "ops", 3, 11, 4, 0, {0.5, 1.5, -0.7}, {0}, jac_ops},
    {"params.c",
     NULL,
     "params",
     6,
     10,
     3,
     3,
     {0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
     {0.5, 2.0, -1.5},
     jac_params},
    {"mathfns.c", NULL, "mathfns", 2, 50, 8, 0, {0.3, 0.6}, {0}, NULL},
    {"declared.c", NULL, "declared", 4, 3, 2, 2, {0.3, 0.6, 0.9, 1.2}, {0.5, 7}, jac_declared},
    {"conversions.c", NULL, "conversions", 2, 8, 5, 0, {0.7, 1.3}, {0}, jac_conversions},
    {"two.c", "first", "first", 2, 1, 1, 0, {1.5, 0.5}, {0}, jac_first},
    {"two.c", "second", "second", 2, 2, 2, 0, {1.5, 0.5}, {0}, jac_second},
};

static int close_to(double a, double b, double rel) {
  return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-9;
}

static char tmpdir[64];

static int have_cc(void) { return system("cc --version >/dev/null 2>&1") == 0; }

/* Compiles the kernel with a small driver, runs it at (x, p) and reads its outputs.
   Returns 0 on success. */
static int run_as_c(const char *path, const kcase *c, const char *fn, double *out) {
  char drv[128], exe[128], cmd[8192];
  snprintf(drv, sizeof drv, "%s/driver_%s.c", tmpdir, fn);
  snprintf(exe, sizeof exe, "%s/kernel_%s", tmpdir, fn);
  FILE *f = fopen(drv, "w");
  if (!f) return -1;
  fprintf(f,
          "#include <stdio.h>\n#include <stdlib.h>\n"
          "void %s(const double *in, double *out%s);\n"
          "int main(int argc, char **argv) {\n"
          "  double in[%d], p[%d], out[%d];\n"
          "  if (argc != %d) return 2;\n"
          "  for (int i = 0; i < %d; i++) in[i] = strtod(argv[1 + i], NULL);\n"
          "  for (int i = 0; i < %d; i++) p[i] = strtod(argv[1 + %d + i], NULL);\n"
          "  %s(in, out%s);\n"
          "  (void)p;\n"
          "  for (int i = 0; i < %d; i++) printf(\"%%.17g\\n\", out[i]);\n"
          "  return 0;\n}\n",
          fn, c->np ? ", const double *p" : "", c->ni, c->np ? c->np : 1, c->no, 1 + c->ni + c->np,
          c->ni, c->np, c->ni, fn, c->np ? ", p" : "", c->no);
  fclose(f);
  snprintf(cmd, sizeof cmd, "cc -std=c11 -Wall -o %s %s %s -lm", exe, path, drv);
  int rc = system(cmd);
  CHECK(rc == 0, "%s: does not compile as C: %s", path, cmd);
  remove(drv);
  if (rc) return -1;
  int k = snprintf(cmd, sizeof cmd, "%s", exe);
  for (int i = 0; i < c->ni; i++)
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " %.17g", c->x[i]);
  for (int i = 0; i < c->np; i++)
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " %.17g", c->p[i]);
  FILE *pp = popen(cmd, "r");
  int got = 0;
  if (pp) {
    while (got < c->no && fscanf(pp, "%lf", &out[got]) == 1)
      got++;
    rc = pclose(pp);
  }
  remove(exe);
  CHECK(pp && rc == 0 && got == c->no, "%s: compiled kernel failed (%d of %d outputs)", path, got,
        c->no);
  return pp && rc == 0 && got == c->no ? 0 : -1;
}

static void test_kernel(const char *root, const kcase *c, int cc) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/good/%s", root, c->file);
  int fails = check_failures;
  ag_error err;
  err.msg[0] = 0;
  ag_graph *g = ag_parse_kernel_file(path, c->function, &err);
  CHECK(g != NULL, "%s: %s", path, err.msg);
  if (!g) {
    printf("%-14s %-11s FAIL  %s\n", c->file, c->name, err.msg);
    return;
  }
  const ag_dag *d = &g->dag;
  CHECK(!strcmp(g->name, c->name), "%s: graph name '%s', expected '%s'", path, g->name, c->name);
  CHECK_EQ_LONG(d->ni, c->ni, "inputs");
  CHECK_EQ_LONG(d->nv, c->nv, "vertices");
  CHECK_EQ_LONG(d->no, c->no, "outputs");
  CHECK_EQ_LONG(g->nparams, c->np, "parameters");
  if (d->ni != c->ni || d->no != c->no || c->ni > MAXI || c->no > MAXO) {
    ag_graph_free(g);
    printf("%-14s %-11s FAIL  wrong shape\n", c->file, c->name);
    return;
  }

  int *order = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  int len = ag_order_forward(d, order);
  ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
  free(order);
  CHECK(jp != NULL, "%s: %s", path, err.msg);
  if (!jp) {
    ag_graph_free(g);
    return;
  }
  const double *p = c->np ? c->p : NULL;
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double *vals = malloc((size_t)(jp->nentries + 1) * sizeof(double));
  double out[MAXO], out2[MAXO], J[MAXO * MAXI], A[MAXO * MAXI];
  ag_jacprog_eval(jp, c->x, p, out, vals, work);
  ag_jacprog_dense(jp, vals, J);
  ag_graph_eval(g, c->x, p, out2, work);
  for (int j = 0; j < c->no; j++)
    CHECK(close_to(out[j], out2[j], 1e-15), "%s: out[%d] %.17g vs primal %.17g", path, j, out[j],
          out2[j]);

  /* central finite differences of the primal */
  for (int k = 0; k < c->ni; k++) {
    double xp[MAXI], xm[MAXI], op[MAXO], om[MAXO];
    double h = 1e-6 * fmax(1.0, fabs(c->x[k]));
    memcpy(xp, c->x, sizeof xp);
    memcpy(xm, c->x, sizeof xm);
    xp[k] += h;
    xm[k] -= h;
    ag_graph_eval(g, xp, p, op, work);
    ag_graph_eval(g, xm, p, om, work);
    for (int j = 0; j < c->no; j++) {
      double fd = (op[j] - om[j]) / (xp[k] - xm[k]);
      CHECK(close_to(J[j * c->ni + k], fd, 1e-6), "%s: J[%d][%d] = %.12g, finite differences %.12g",
            path, j, k, J[j * c->ni + k], fd);
    }
  }
  if (c->jac) {
    c->jac(c->x, c->p, A);
    for (int j = 0; j < c->no; j++)
      for (int k = 0; k < c->ni; k++)
        CHECK(close_to(J[j * c->ni + k], A[j * c->ni + k], 1e-12),
              "%s: J[%d][%d] = %.15g, analytic %.15g", path, j, k, J[j * c->ni + k],
              A[j * c->ni + k]);
  }
  if (cc) {
    double cout[MAXO];
    if (run_as_c(path, c, c->name, cout) == 0)
      for (int j = 0; j < c->no; j++)
        CHECK(close_to(cout[j], out[j], 1e-13), "%s: compiled C out[%d] = %.17g, graph %.17g", path,
              j, cout[j], out[j]);
  }
  printf("%-14s %-11s %s  inputs %d vertices %d outputs %d params %d%s\n", c->file, c->name,
         check_failures == fails ? "ok  " : "FAIL", d->ni, d->nv, d->no, g->nparams,
         c->jac ? ", analytic and FD Jacobian" : ", FD Jacobian");
  free(work);
  free(vals);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

/* Selecting a kernel: by name, none given in a file with two, a name that is not there. */
static void test_selection(const char *root) {
  char path[4096];
  ag_error err;
  int fails = check_failures;
  snprintf(path, sizeof path, "%s/tests/kernels/good/two.c", root);
  ag_graph *g = ag_parse_kernel_file(path, NULL, &err);
  CHECK(g == NULL && strstr(err.msg, path) &&
            strstr(err.msg, "2 kernels in this file (first, second)"),
        "two kernels, none chosen: %s", g ? "accepted" : err.msg);
  CHECK(err.code == AG_ERR_INPUT, "two kernels: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_graph_free(g);
  g = ag_parse_kernel_file(path, "third", &err);
  CHECK(g == NULL && strstr(err.msg, "no function 'third'") && strstr(err.msg, "first, second"),
        "unknown function: %s", g ? "accepted" : err.msg);
  CHECK(err.code == AG_ERR_INPUT, "unknown function: code %s (%s)", ag_status_name(err.code),
        err.msg);
  ag_graph_free(g);
  g = ag_parse_kernel_file(path, "fir", &err); /* a prefix of a name is not the name */
  CHECK(g == NULL, "prefix of a function name accepted");
  ag_graph_free(g);
  snprintf(path, sizeof path, "%s/tests/kernels/good/no_such_file.c", root);
  g = ag_parse_kernel_file(path, NULL, &err);
  CHECK(g == NULL && strstr(err.msg, path) && strstr(err.msg, "cannot open"), "missing file: %s",
        g ? "accepted" : err.msg);
  CHECK(err.code == AG_ERR_IO, "missing file: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_graph_free(g);
  printf("selection: %s\n", check_failures == fails ? "ok" : "FAIL");
}

int main(void) {
  const char *root = getenv("AG_SOURCE_DIR");
  CHECK(root != NULL, "AG_SOURCE_DIR is not set");
  if (!root) return check_report("test_kernel_frontend");
  int cc = have_cc();
  if (cc) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ag_frontend_XXXXXX");
    if (!mkdtemp(tmpdir)) cc = 0;
  }
  if (!cc)
    printf(
        "note: no working 'cc' (or no temporary directory): the compile-as-C checks are skipped\n");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    test_kernel(root, &cases[i], cc);
  test_selection(root);
  if (cc) rmdir(tmpdir);
  return check_report("test_kernel_frontend");
}
