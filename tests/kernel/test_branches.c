/* Kernels with branches on data, piecewise functions, structs and enums (issue 18), every
   file of tests/kernels/branches against the same file compiled by the C compiler:
   - outputs of the traced graph equal the compiled C's bit for bit at 1,000 random points
     (plus points on the switches: inputs 0, equal inputs);
   - the Jacobians of forward, reverse and Markowitz orders agree (1e-12 relative), those of
     the generated code (JIT, one element and the batch entry point) agree with the
     interpreter, and are finite wherever the outputs are (a select masks the untaken side's
     infinite partials);
   - away from switches (no condition, floor/round/..., fabs/fmax/copysign kink changes
     between x - h and x + h) every column equals central finite differences of the compiled
     C function to 1e-6 relative (scale max(1, |J|));
   - at a switch, the Jacobian is the derivative of the branch C takes.
   Needs a C compiler (as the JIT does). */
#include <dirent.h>
#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "graph/graph.h"
#include "graph/orders.h"
#include "jacobian/jacobian.h"
#include "jacobian/jit.h"
#include "kernel/parse_kernel.h"

#ifndef AG_TEST_KERNEL_CFLAGS
#define AG_TEST_KERNEL_CFLAGS ""
#endif

typedef void (*kern2)(const double *, double *);
typedef void (*kern3)(const double *, double *, const double *);

typedef struct {
  void *so;
  kern2 f2;
  kern3 f3;
  int np;
} cfun;

static char tmpdir[256];

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void call_c(const cfun *c, const double *x, const double *p, double *out) {
  if (c->np)
    c->f3(x, out, p);
  else
    c->f2(x, out);
}

/* Compiles path with cc into a shared object and finds function name. */
static int compile_c(const char *path, const char *name, int np, cfun *c) {
  char so[512], cmd[2048];
  snprintf(so, sizeof so, "%s/%s.so", tmpdir, name);
  snprintf(cmd, sizeof cmd,
           "%s -O2 -ffp-contract=off -fno-fast-math -fPIC -shared %s -o %s %s -lm 2>%s/cc.log",
           getenv("AG_CC") ? getenv("AG_CC") : "cc", AG_TEST_KERNEL_CFLAGS, so, path, tmpdir);
  if (system(cmd) != 0) {
    snprintf(cmd, sizeof cmd, "cat %s/cc.log >&2", tmpdir);
    if (system(cmd)) {
    }
    return -1;
  }
  c->so = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!c->so) return -1;
  void *f = dlsym(c->so, name);
  if (!f) return -1;
  c->np = np;
  if (np)
    c->f3 = (kern3)f;
  else
    c->f2 = (kern2)f;
  return 0;
}

/* What decides which side of every switch a point is on: the values of conditions and
   piecewise constant nodes, and the side of every kink (fabs, fmax/fmin, copysign, fdim,
   fmod). work: the node values (ag_graph_eval). */
static void switch_state(const ag_graph *g, const double *val, double *st) {
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    double a = nd->a >= 0 ? val[nd->a] : 0, b = nd->b >= 0 ? val[nd->b] : 0;
    switch (nd->op) {
    case AG_OP_FLOOR:
    case AG_OP_CEIL:
    case AG_OP_ROUND:
    case AG_OP_TRUNC: st[i] = val[i]; break;
    case AG_OP_FABS: st[i] = a > 0 ? 1 : a < 0 ? -1 : 0; break;
    case AG_OP_FMAX:
    case AG_OP_FMIN:
    case AG_OP_FDIM: st[i] = a > b ? 1 : a < b ? -1 : 0; break;
    case AG_OP_COPYSIGN: st[i] = 2 * (double)signbit(a) + (double)signbit(b); break;
    case AG_OP_FMOD: st[i] = trunc(a / b); break;
    default: st[i] = ag_op_is_cond(nd->op) ? val[i] : 0;
    }
  }
}

static int close_rel(double a, double b, double tol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static int same_bits(double a, double b) {
  if (!isfinite(a) || !isfinite(b)) return !isfinite(a) && !isfinite(b);
  return a == b;
}

static void read_range(const char *path, double *lo, double *hi) {
  *lo = -2;
  *hi = 2;
  FILE *f = fopen(path, "r");
  char line[256];
  if (f && fgets(line, sizeof line, f)) {
    double a, b;
    if (sscanf(line, "// range: %lf %lf", &a, &b) == 2) *lo = a, *hi = b;
  }
  if (f) fclose(f);
}

static void check_file(const char *path, const char *base) {
  ag_error err = {0};
  ag_graph *g = ag_parse_kernel_file(path, NULL, &err);
  CHECK(g != NULL, "%s: %s", base, err.msg);
  if (!g) return;
  const ag_dag *d = &g->dag;
  int ni = g->ninputs, np = g->nparams, no = g->noutputs;
  cfun c = {0};
  if (compile_c(path, g->name, np, &c)) {
    CHECK(0, "%s: cc or dlopen failed (%s)", base, dlerror() ? dlerror() : "compile");
    ag_graph_free(g);
    return;
  }
  /* three orders, their programs, the generated code of Markowitz's */
  int *ord = malloc(sizeof(int) * (size_t)(d->nv + 1));
  ag_jacprog *jp[3];
  for (int k = 0; k < 3; k++) {
    int n = k == 0   ? ag_order_forward(d, ord)
            : k == 1 ? ag_order_reverse(d, ord)
                     : ag_order_markowitz(d, ord);
    jp[k] = ag_jacprog_build(g, ord, n, &err);
    CHECK(jp[k] != NULL, "%s: program %d: %s", base, k, err.msg);
  }
  free(ord);
  ag_jit_opts jo = {.cache_dir = tmpdir};
  ag_jit *jit = ag_jit_load(jp[2], &jo, &err);
  CHECK(jit != NULL, "%s: jit: %s", base, err.msg);
  int ne = jp[0]->nentries;
  for (int k = 1; k < 3; k++)
    CHECK(jp[k]->nentries == ne, "%s: entries differ between orders", base);
  double lo, hi;
  read_range(path, &lo, &hi);

  enum { NPTS = 1000 };
  const int npts = NPTS + 2 + ni;
  size_t W = ag_jacprog_work_size(jp[0]) + (size_t)g->nnodes;
  double *x = calloc((size_t)ni * npts, sizeof(double)),
         *p = calloc((size_t)(np + 1) * npts, sizeof(double));
  double *work = malloc(W * sizeof(double)), *val = malloc((size_t)g->nnodes * sizeof(double));
  double *st0 = malloc((size_t)g->nnodes * sizeof(double)),
         *st1 = malloc((size_t)g->nnodes * sizeof(double));
  double *oc = malloc(sizeof(double) * (size_t)(no + 1)),
         *oi = malloc(sizeof(double) * (size_t)(no + 1));
  double *op = malloc(sizeof(double) * (size_t)(no + 1)),
         *om = malloc(sizeof(double) * (size_t)(no + 1));
  double *J[3], *Jj = malloc(sizeof(double) * (size_t)(ne + 1));
  for (int k = 0; k < 3; k++)
    J[k] = malloc(sizeof(double) * (size_t)(ne + 1));
  double *allJ = malloc(sizeof(double) * (size_t)(ne + 1) * npts);
  double *dense = malloc(sizeof(double) * (size_t)(no * ni + 1));
  double *xp = malloc(sizeof(double) * (size_t)ni), *xm = malloc(sizeof(double) * (size_t)ni);
  check_seed(0x18181818u + (uint64_t)strlen(base));
  for (int t = 0; t < npts; t++) {
    double *xt = &x[(size_t)t * ni], *pt = &p[(size_t)t * (np + 1)];
    for (int i = 0; i < ni; i++)
      xt[i] = lo + (hi - lo) * check_unit();
    for (int i = 0; i < np; i++)
      pt[i] = lo + (hi - lo) * check_unit();
    if (t == NPTS) /* on the switches: all inputs 0 (and the parameters' signs 0), then each 0 */
      for (int i = 0; i < ni; i++)
        xt[i] = lo <= 0 && hi >= 0 ? 0.0 : 1.0;
    if (t > NPTS && t - NPTS - 1 < ni) xt[t - NPTS - 1] = lo <= 0 && hi >= 0 ? 0.0 : 1.0;
    if (t == NPTS + 1 + ni) /* equal inputs: ties of comparisons */
      for (int i = 1; i < ni; i++)
        xt[i] = xt[0];
  }
  long bad_out = 0, bad_orders = 0, bad_jit = 0, nonfinite = 0, fd_checked = 0, fd_skipped = 0,
       bad_fd = 0;
  for (int t = 0; t < npts; t++) {
    const double *xt = &x[(size_t)t * ni], *pt = &p[(size_t)t * (np + 1)];
    call_c(&c, xt, pt, oc);
    for (int k = 0; k < 3; k++)
      ag_jacprog_eval(jp[k], xt, pt, k ? om : oi, J[k], work);
    int outs_finite = 1;
    for (int j = 0; j < no; j++) {
      outs_finite &= isfinite(oc[j]);
      if (!same_bits(oc[j], oi[j]) && bad_out++ < 3)
        CHECK(0, "%s: point %d output %d: C %.17g, traced %.17g", base, t, j, oc[j], oi[j]);
    }
    for (int k = 1; k < 3; k++)
      for (int e = 0; e < ne; e++)
        if (!close_rel(J[0][e], J[k][e], 1e-12) && bad_orders++ < 3)
          CHECK(0, "%s: point %d entry %d: forward %.17g, order %d %.17g", base, t, e, J[0][e], k,
                J[k][e]);
    if (outs_finite)
      for (int e = 0; e < ne; e++)
        if (!isfinite(J[2][e]) && nonfinite++ < 3)
          CHECK(0, "%s: point %d entry (%d,%d) is %g where every output is finite", base, t,
                jp[2]->row[e], jp[2]->col[e], J[2][e]);
    if (jit) {
      jit->fn(xt, pt, op, Jj);
      for (int e = 0; e < ne; e++)
        if (!close_rel(Jj[e], J[2][e], 1e-12) && bad_jit++ < 3)
          CHECK(0, "%s: point %d entry %d: generated %.17g, interpreter %.17g", base, t, e, Jj[e],
                J[2][e]);
    }
    memcpy(&allJ[(size_t)t * ne], J[2], sizeof(double) * (size_t)ne);
    /* central differences of the compiled C, away from switches */
    ag_jacprog_dense(jp[2], J[2], dense);
    ag_graph_eval(g, xt, pt, oi, val);
    switch_state(g, val, st0);
    for (int i = 0; i < ni; i++) {
      double h = 1e-6 * fmax(1.0, fabs(xt[i]));
      memcpy(xp, xt, sizeof(double) * (size_t)ni);
      memcpy(xm, xt, sizeof(double) * (size_t)ni);
      xp[i] += h;
      xm[i] -= h;
      int same = 1;
      ag_graph_eval(g, xp, pt, oi, val);
      switch_state(g, val, st1);
      same &= !memcmp(st0, st1, sizeof(double) * (size_t)g->nnodes);
      ag_graph_eval(g, xm, pt, oi, val);
      switch_state(g, val, st1);
      same &= !memcmp(st0, st1, sizeof(double) * (size_t)g->nnodes);
      if (!same || !outs_finite) {
        fd_skipped++;
        continue;
      }
      fd_checked++;
      call_c(&c, xp, pt, op);
      call_c(&c, xm, pt, om);
      for (int j = 0; j < no; j++) {
        double fd = (op[j] - om[j]) / (xp[i] - xm[i]), an = dense[j * ni + i];
        if (!(fabs(fd - an) <= 1e-6 * fmax(1.0, fabs(an))) && bad_fd++ < 3)
          CHECK(0, "%s: point %d d out[%d]/d in[%d]: exact %.10g, finite differences %.10g", base,
                t, j, i, an, fd);
      }
    }
  }
  /* the batch entry point (vectorised where the kernel allows) gives the same values */
  if (jit) {
    double *xs = malloc(sizeof(double) * (size_t)ni * npts),
           *ps = malloc(sizeof(double) * (size_t)(np + 1) * npts);
    double *os = malloc(sizeof(double) * (size_t)no * npts),
           *js = malloc(sizeof(double) * (size_t)(ne + 1) * npts);
    for (int t = 0; t < npts; t++) {
      for (int i = 0; i < ni; i++)
        xs[(size_t)i * npts + t] = x[(size_t)t * ni + i];
      for (int i = 0; i < np; i++)
        ps[(size_t)i * npts + t] = p[(size_t)t * (np + 1) + i];
    }
    jit->batch(npts, xs, np ? ps : NULL, os, js);
    long bad_batch = 0;
    for (int t = 0; t < npts; t++)
      for (int e = 0; e < ne; e++)
        if (!close_rel(js[(size_t)e * npts + t], allJ[(size_t)t * ne + e], 1e-12) &&
            bad_batch++ < 3)
          CHECK(0, "%s: batch point %d entry %d: %.17g, one element %.17g", base, t, e,
                js[(size_t)e * npts + t], allJ[(size_t)t * ne + e]);
    free(xs), free(ps), free(os), free(js);
  }
  CHECK(fd_checked >= (fd_checked + fd_skipped) * 6 / 10,
        "%s: finite differences checked only %ld of %ld columns (too many switches)", base,
        fd_checked, fd_checked + fd_skipped);
  printf("%-18s ok   inputs %d outputs %d vertices %d: %d points, outputs = cc bit for bit, "
         "%ld FD columns checked (%ld near switches skipped)\n",
         base, ni, no, d->nv, npts, fd_checked, fd_skipped);
  free(x), free(p), free(work), free(val), free(st0), free(st1), free(oc), free(oi), free(op),
      free(om), free(Jj), free(allJ), free(dense), free(xp), free(xm);
  for (int k = 0; k < 3; k++)
    free(J[k]), ag_jacprog_free(jp[k]);
  ag_jit_free(jit);
  dlclose(c.so);
  ag_graph_free(g);
}

/* At a switch the Jacobian is the derivative of the side C takes. */
static void check_at_switch(void) {
  static const struct {
    const char *src;
    double x, dfdx;
  } cases[] = {
      /* u > 0 is false at 0: the else side, d(2u + 1) = 2 */
      {"void k(const double *in, double *out) { double u = in[0];\n"
       "  if (u > 0) out[0] = 3 * u * u + u; else out[0] = 2 * u + 1; }\n",
       0.0, 2.0},
      /* u >= 0 is true at 0: d(3u^2 + u) = 1 */
      {"void k(const double *in, double *out) { double u = in[0];\n"
       "  out[0] = u >= 0 ? 3 * u * u + u : 2 * u + 1; }\n",
       0.0, 1.0},
      /* minmod at a == b: fabs(a) < fabs(b) is false, b is returned: d/da = 0 */
      {"static double mm(double a, double b) { if (a * b <= 0) return 0; if (fabs(a) < fabs(b))\n"
       " return a; return b; }\nvoid k(const double *in, double *out) { out[0] = mm(in[0], 0.5); "
       "}\n",
       0.5, 0.0},
      /* a return inside a branch: the value after it where the branch is not taken */
      {"static double f(double x) { if (x > 1) return x * x; double y = 3 * x; return y; }\n"
       "void k(const double *in, double *out) { out[0] = f(in[0]); }\n",
       1.0, 3.0},
      /* floor: 0 everywhere, also at its jumps */
      {"void k(const double *in, double *out) { out[0] = floor(in[0]) + 0.5 * in[0]; }\n", 2.0,
       0.5},
      /* copysign(x, y) at x = 0 (+0): the sign bits say +1 */
      {"void k(const double *in, double *out) { out[0] = copysign(in[0], 1.0); }\n", 0.0, 1.0},
  };
  char path[512];
  snprintf(path, sizeof path, "%s/switch.c", tmpdir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    FILE *f = fopen(path, "w");
    fputs("#include <math.h>\n", f);
    fputs(cases[i].src, f);
    fclose(f);
    ag_error err = {0};
    ag_graph *g = ag_parse_kernel_file(path, NULL, &err);
    CHECK(g != NULL, "switch case %zu: %s", i, err.msg);
    if (!g) continue;
    for (int k = 0; k < 2; k++) {
      int ord[256];
      int n = k ? ag_order_reverse(&g->dag, ord) : ag_order_forward(&g->dag, ord);
      ag_jacprog *jp = ag_jacprog_build(g, ord, n, &err);
      double work[1024], out[4], J[4] = {0}, dense[4] = {0};
      ag_jacprog_eval(jp, &cases[i].x, NULL, out, J, work);
      ag_jacprog_dense(jp, J, dense);
      CHECK(dense[0] == cases[i].dfdx, "switch case %zu (%s): d/dx at %g = %g, expected %g", i,
            k ? "reverse" : "forward", cases[i].x, dense[0], cases[i].dfdx);
      ag_jacprog_free(jp);
    }
    ag_graph_free(g);
  }
  printf("switches: the derivative of the side C takes, %zu cases\n",
         sizeof cases / sizeof cases[0]);
}

int main(void) {
  const char *root = getenv("AG_SOURCE_DIR");
  CHECK(root != NULL, "AG_SOURCE_DIR is not set");
  if (!root) return check_report("test_branches");
  snprintf(tmpdir, sizeof tmpdir, "/tmp/ag_test_branches.XXXXXX");
  if (!mkdtemp(tmpdir)) return 1;
  char dir[512];
  snprintf(dir, sizeof dir, "%s/tests/kernels/branches", root);
  DIR *D = opendir(dir);
  CHECK(D != NULL, "cannot open %s", dir);
  if (!D) return check_report("test_branches");
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(D)) && n < 256) {
    size_t l = strlen(e->d_name);
    if (l > 2 && !strcmp(e->d_name + l - 2, ".c")) names[n++] = strdup(e->d_name);
  }
  closedir(D);
  qsort(names, (size_t)n, sizeof *names, cmp_str);
  CHECK(n >= 8, "only %d kernels in %s", n, dir);
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    check_file(path, names[i]);
    free(names[i]);
  }
  check_at_switch();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
  if (system(cmd)) {
  }
  return check_report("test_branches");
}
