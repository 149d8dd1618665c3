/* Generated C code and its run-time compilation (jacobian/codegen_c.h, jacobian/jit.h):
   for every paper kernel and the orders forward, reverse, Markowitz and the stored best
   order, the compiled code equals the interpreter; the batched entry point equals the
   single one element by element; the cache hits, detects corrupt entries, survives two
   processes building the same entry; without a compiler the interpreter takes over. */
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "graph/orders.h"
#include "jacobian/codegen_c.h"
#include "jacobian/jit.h"
#include "kernel/parse_kernel.h"
#include "orderlib/orderlib.h"
#include "paper.h"

static char cache_root[256];

static int close_to(double a, double b, double tol) {
  if (a == b) return 1;
  if (isnan(a) && isnan(b)) return 1;
  double m = fmax(fabs(a), fabs(b));
  return fabs(a - b) <= tol * m;
}

/* largest relative difference between two vectors (0 when equal) */
static int same_vec(const double *a, const double *b, int n, double tol, int *where) {
  for (int i = 0; i < n; i++)
    if (!close_to(a[i], b[i], tol)) {
      *where = i;
      return 0;
    }
  return 1;
}

static void perturbed(const double *x, int ni, int k, double *y) {
  for (int i = 0; i < ni; i++)
    y[i] = x[i] * (1 + 1e-3 * sin(1.7 * k + 0.9 * i)) + 1e-4 * cos(0.3 * k + i);
}

/* compiled vs interpreter at x, and batch vs single at n perturbed points */
static void check_program(const ag_jacprog *jp, const ag_jit *j, const double *x,
                          const char *what) {
  const ag_graph *g = jp->g;
  int ni = g->ninputs, no = g->noutputs, ne = jp->nentries, w;
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double *o1 = calloc((size_t)no + 1, sizeof(double)), *o2 = calloc((size_t)no + 1, sizeof(double));
  double *j1 = calloc((size_t)ne + 1, sizeof(double)), *j2 = calloc((size_t)ne + 1, sizeof(double));
  ag_jacprog_eval(jp, x, NULL, o1, j1, work);
  j->fn(x, NULL, o2, j2);
  CHECK(same_vec(o1, o2, no, 1e-13, &w), "%s: output %d: %.17g vs %.17g", what, w, o1[w], o2[w]);
  CHECK(same_vec(j1, j2, ne, 1e-13, &w), "%s: entry %d: %.17g vs %.17g", what, w, j1[w], j2[w]);
  int finite = 1;
  for (int e = 0; e < ne; e++)
    finite &= isfinite(j1[e]);
  CHECK(finite, "%s: non-finite Jacobian at the test point", what);
  /* below one block, a remainder that overlaps the block before, whole blocks */
  static const int ns[4] = {1, 7, 37, 64};
  for (int t = 0; t < 4; t++) {
    int n = ns[t];
    double *in = malloc((size_t)ni * n * sizeof(double) + 8);
    double *out = malloc((size_t)no * n * sizeof(double) + 8);
    double *jac = malloc((size_t)ne * n * sizeof(double) + 8);
    double *y = malloc((size_t)ni * sizeof(double) + 8);
    for (int k = 0; k < n; k++) {
      perturbed(x, ni, k, y);
      for (int i = 0; i < ni; i++)
        in[i * n + k] = y[i];
    }
    j->batch(n, in, NULL, out, jac);
    double *pout = malloc((size_t)no * n * sizeof(double) + 8);
    j->primal_batch(n, in, NULL, pout);
    int pok = 1;
    for (int q = 0; q < no * n && pok; q++)
      pok = pout[q] == out[q];
    CHECK(pok, "%s: primal batch n=%d differs from the batch outputs", what, n);
    free(pout);
    int ok = 1;
    for (int k = 0; k < n && ok; k++) {
      perturbed(x, ni, k, y);
      j->fn(y, NULL, o2, j2);
      ag_jacprog_eval(jp, y, NULL, o1, j1, work);
      for (int o = 0; o < no && ok; o++)
        ok = close_to(out[o * n + k], o2[o], 1e-13) && close_to(o1[o], o2[o], 1e-13);
      for (int e = 0; e < ne && ok; e++)
        ok = close_to(jac[e * n + k], j2[e], 1e-13) && close_to(j1[e], j2[e], 1e-13);
      CHECK(ok, "%s: batch n=%d element %d differs", what, n, k);
    }
    free(in);
    free(out);
    free(jac);
    free(y);
  }
  free(work);
  free(o1);
  free(o2);
  free(j1);
  free(j2);
}

static ag_graph *load_task(int t, double *x) {
  char kpath[4096], rel[256];
  ag_error err;
  snprintf(rel, sizeof rel, "examples/paper/%s", paper_tasks[t].kernel);
  src_path(kpath, sizeof kpath, rel);
  ag_graph *g = ag_parse_kernel_file(kpath, paper_tasks[t].name, &err);
  CHECK(g != NULL, "%s", err.msg);
  int n = paper_test_point(kpath, x, 64);
  CHECK(g && n == g->ninputs, "%s: test point has %d values", paper_tasks[t].kernel, n);
  return g;
}

static void test_paper(void) {
  char lib[4096], dir[512];
  src_path(lib, sizeof lib, "hdf5-data/paper_orders.h5");
  snprintf(dir, sizeof dir, "%s/paper", cache_root);
  ag_jit_opts opt = {.cache_dir = dir};
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    double x[64];
    ag_graph *g = load_task(t, x);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    for (int s = 0; s < 4; s++) {
      static const char *names[4] = {"fwd", "rev", "markowitz", "stored best"};
      int *o = malloc(((size_t)d->neliminable + 1) * sizeof(int)), n = 0;
      ag_order_entry e;
      ag_error err;
      if (s == 0) n = ag_order_forward(d, o);
      if (s == 1) n = ag_order_reverse(d, o);
      if (s == 2) n = ag_order_markowitz(d, o);
      if (s == 3) {
        int found = ag_orderlib_lookup(lib, d, &e, &err);
        CHECK(found == 1, "%s: no stored order", paper_tasks[t].name);
        if (found != 1) {
          free(o);
          continue;
        }
        memcpy(o, e.order, (size_t)e.len * sizeof(int));
        n = e.len;
        ag_order_entry_clear(&e);
      }
      char what[256];
      snprintf(what, sizeof what, "%s %s", paper_tasks[t].name, names[s]);
      ag_jacprog *jp = ag_jacprog_build(g, o, n, &err);
      CHECK(jp != NULL, "%s: %s", what, err.msg);
      free(o);
      if (!jp) continue;
      /* the generated source itself */
      char *buf = NULL;
      size_t len = 0;
      FILE *mf = open_memstream(&buf, &len);
      CHECK(ag_codegen_c(jp, "kern", mf, &err) == 0, "%s", err.msg);
      fclose(mf);
      CHECK(buf && strstr(buf,
                          "void kern(const double *in, const double *p, double *out, double *jac)"),
            "%s: no entry point", what);
      CHECK(buf && strstr(buf, "void kern_batch(int n,"), "%s: no batch entry point", what);
      CHECK(buf && strstr(buf, "const int kern_rows[") && strstr(buf, "const int kern_cols[") &&
                strstr(buf, "const int kern_nentries"),
            "%s: no sparsity pattern", what);
      free(buf);
      CHECK(ag_codegen_c(jp, "9bad name", stdout, &err) == -1, "bad name accepted");
      ag_jit *j = ag_jit_load(jp, &opt, &err);
      CHECK(j != NULL, "%s: %s", what, err.msg);
      if (j) {
        const int *rows = dlsym(j->handle, "ag_jit_kernel_rows");
        const int *cols = dlsym(j->handle, "ag_jit_kernel_cols");
        const int *ne = dlsym(j->handle, "ag_jit_kernel_nentries");
        int same = rows && cols && ne && *ne == jp->nentries;
        for (int e = 0; same && e < jp->nentries; e++)
          same = rows[e] == jp->row[e] && cols[e] == jp->col[e];
        CHECK(same, "%s: exported sparsity pattern differs", what);
        check_program(jp, j, x, what);
      }
      ag_jit_free(j);
      ag_jacprog_free(jp);
    }
    ag_graph_free(g);
  }
}

static long mtime_ns(const char *path) {
  struct stat st;
  if (stat(path, &st)) return -1;
  return (long)st.st_mtim.tv_sec * 1000000000L + st.st_mtim.tv_nsec;
}

static void corrupt(const char *path, int mode) {
  if (mode == 0) {
    struct stat st;
    if (stat(path, &st) == 0) CHECK(truncate(path, st.st_size / 2) == 0, "truncate");
    return;
  }
  int fd = open(path, O_WRONLY);
  CHECK(fd >= 0, "open %s", path);
  if (fd < 0) return;
  static const char junk[16] = "garbage-garbage";
  off_t at = mode == 1 ? 0 : 4096; /* ELF header, or inside the object */
  CHECK(pwrite(fd, junk, sizeof junk, at) == (ssize_t)sizeof junk, "pwrite");
  close(fd);
}

/* Replaces path by body (the first len bytes of src minus its 64-byte trailer, or garbage)
   with a trailer that is valid for key: the check before dlopen passes, so this exercises
   dlopen failures and the exported key. Mirrors the format in jacobian/jit.c. */
static void forge(const char *path, const char *src, uint64_t key, int garbage) {
  FILE *f = fopen(src, "rb");
  CHECK(f != NULL, "open %s", src);
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long size = ftell(f) - 64;
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)size + 64);
  CHECK(size > 0 && fread(b, 1, (size_t)size, f) == (size_t)size, "read %s", src);
  fclose(f);
  if (garbage)
    for (long i = 0; i < size; i++)
      b[i] = (unsigned char)(i * 7 + 3);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (long i = 0; i < size; i++) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  char tr[65];
  memset(tr, ' ', 64);
  int m = snprintf(tr, sizeof tr, "AGJIT1 %016llx %016llx %016llx", (unsigned long long)key,
                   (unsigned long long)size, (unsigned long long)h);
  tr[m] = ' ';
  tr[63] = '\n';
  memcpy(b + size, tr, 64);
  f = fopen(path, "wb");
  CHECK(f && fwrite(b, 1, (size_t)size + 64, f) == (size_t)size + 64, "write %s", path);
  if (f) fclose(f);
  free(b);
}

/* One small program: PropaneCombustion under Markowitz. */
static ag_jacprog *small_program(ag_graph **gp, double *x) {
  ag_graph *g = load_task(3, x);
  *gp = g;
  if (!g) return NULL;
  int *o = malloc(((size_t)g->dag.neliminable + 1) * sizeof(int));
  int n = ag_order_markowitz(&g->dag, o);
  ag_error err;
  ag_jacprog *jp = ag_jacprog_build(g, o, n, &err);
  free(o);
  CHECK(jp != NULL, "%s", err.msg);
  return jp;
}

static void test_cache(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/cache/sub", cache_root); /* created on demand, two levels */
  ag_jit_opts opt = {.cache_dir = dir};
  double x[64];
  ag_graph *g;
  ag_jacprog *jp = small_program(&g, x);
  if (!jp) return;
  ag_error err;
  long c0 = ag_jit_compile_count();
  ag_jit *j = ag_jit_load(jp, &opt, &err);
  CHECK(j && j->compiled && !j->rebuilt, "miss: %s", j ? "not compiled" : err.msg);
  CHECK_EQ_LONG(ag_jit_compile_count(), c0 + 1, "compiler runs after a miss");
  if (!j) return;
  char path[1024];
  snprintf(path, sizeof path, "%s", j->path);
  CHECK(j->key == ag_jit_key(jp, &opt), "key");
  ag_jit_free(j);
  long t0 = mtime_ns(path);
  j = ag_jit_load(jp, &opt, &err);
  CHECK(j && !j->compiled, "hit: %s", j ? "compiled again" : err.msg);
  CHECK_EQ_LONG(ag_jit_compile_count(), c0 + 1, "compiler runs after a hit");
  CHECK(mtime_ns(path) == t0, "cache entry rewritten on a hit");
  if (j) check_program(jp, j, x, "cache hit");
  ag_jit_free(j);
  /* different flags: a different entry */
  ag_jit_opts opt2 = {.cache_dir = dir, .cflags = "-O1 -fPIC -shared"};
  CHECK(ag_jit_key(jp, &opt2) != ag_jit_key(jp, &opt), "flags are part of the key");
  static const char *modes[3] = {"truncated", "header overwritten", "bytes overwritten"};
  for (int m = 0; m < 3; m++) {
    corrupt(path, m);
    long c1 = ag_jit_compile_count();
    j = ag_jit_load(jp, &opt, &err);
    CHECK(j && j->compiled && j->rebuilt, "%s entry: %s", modes[m], j ? "not rebuilt" : err.msg);
    CHECK(j && strstr(j->why, "corrupt"), "%s: rebuilt because: %s", modes[m], j ? j->why : "");
    CHECK_EQ_LONG(ag_jit_compile_count(), c1 + 1, modes[m]);
    if (j) check_program(jp, j, x, modes[m]);
    ag_jit_free(j);
  }
  /* an object of another program (other flags) under this key, with a trailer that fits:
     the exported key does not match; then garbage with a fitting trailer: dlopen fails */
  j = ag_jit_load(jp, &opt2, &err);
  CHECK(j != NULL, "%s", err.msg);
  if (j) {
    char other[1024];
    snprintf(other, sizeof other, "%s", j->path);
    ag_jit_free(j);
    for (int m = 0; m < 2; m++) {
      forge(path, other, ag_jit_key(jp, &opt), m);
      long c1 = ag_jit_compile_count();
      j = ag_jit_load(jp, &opt, &err);
      CHECK(j && j->compiled && j->rebuilt, "%s: %s", m ? "garbage" : "foreign key",
            j ? "not rebuilt" : err.msg);
      CHECK(j && strstr(j->why, m ? "dlopen" : "key"), "rebuilt because: %s", j ? j->why : "");
      CHECK_EQ_LONG(ag_jit_compile_count(), c1 + 1, "rebuild of a forged entry");
      if (j) check_program(jp, j, x, m ? "garbage rebuilt" : "foreign key rebuilt");
      ag_jit_free(j);
    }
  }
  /* no temporary files left behind */
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep -v '\\.so$')\"", dir);
  CHECK(system(cmd) == 0, "temporary files left in %s", dir);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

/* Two processes build the same entry in an empty cache directory at once. */
static void test_concurrent(void) {
  char dir[512], res[2][600];
  snprintf(dir, sizeof dir, "%s/concurrent", cache_root);
  double x[64];
  ag_graph *g;
  ag_jacprog *jp = small_program(&g, x);
  if (!jp) return;
  int ne = jp->nentries, no = g->noutputs;
  pid_t pids[2];
  for (int c = 0; c < 2; c++) {
    snprintf(res[c], sizeof res[c], "%s/result-%d", cache_root, c);
    pids[c] = fork();
    if (pids[c] == 0) {
      ag_jit_opts opt = {.cache_dir = dir};
      ag_error err;
      ag_jit *j = ag_jit_load(jp, &opt, &err);
      if (!j) {
        fprintf(stderr, "child %d: %s\n", c, err.msg);
        _exit(2);
      }
      double out[64], jac[4096];
      j->fn(x, NULL, out, jac);
      FILE *f = fopen(res[c], "wb");
      int ok = f && fwrite(out, sizeof(double), (size_t)no, f) == (size_t)no &&
               fwrite(jac, sizeof(double), (size_t)ne, f) == (size_t)ne;
      if (f) fclose(f);
      _exit(ok ? 0 : 3);
    }
  }
  for (int c = 0; c < 2; c++) {
    int st = -1;
    waitpid(pids[c], &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "concurrent build: child %d status %d", c, st);
  }
  double a[2][4096 + 64];
  for (int c = 0; c < 2; c++) {
    FILE *f = fopen(res[c], "rb");
    size_t n = f ? fread(a[c], sizeof(double), (size_t)(no + ne), f) : 0;
    if (f) fclose(f);
    CHECK(n == (size_t)(no + ne), "child %d result missing", c);
  }
  CHECK(!memcmp(a[0], a[1], (size_t)(no + ne) * sizeof(double)), "children differ");
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double ref[4096 + 64];
  ag_jacprog_eval(jp, x, NULL, ref, ref + no, work);
  int w;
  CHECK(same_vec(ref, a[0], no + ne, 1e-13, &w), "concurrent result differs at %d", w);
  free(work);
  /* the entry left behind is valid: a hit */
  ag_jit_opts opt = {.cache_dir = dir};
  ag_error err;
  ag_jit *j = ag_jit_load(jp, &opt, &err);
  CHECK(j && !j->compiled, "after concurrent builds: %s", j ? "miss" : err.msg);
  ag_jit_free(j);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

/* issue 19 item 13: a cache directory others can write to is refused (its objects would run
   in this process); a compiler that hangs is killed after AG_CC_TIMEOUT seconds */
static void test_jit_trust(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/shared", cache_root);
  mkdir(dir, 0777);
  chmod(dir, 0777);
  double x[64];
  ag_graph *g;
  ag_jacprog *jp = small_program(&g, x);
  if (!jp) return;
  ag_jit_opts opt = {.cache_dir = dir};
  ag_error err;
  ag_jit *j = ag_jit_load(jp, &opt, &err);
  CHECK(j == NULL && strstr(err.msg, "writable by group or others (mode 0777)") &&
            strstr(err.msg, dir),
        "a world-writable cache was used: %s", j ? "(loaded)" : err.msg);
  ag_jit_free(j);
  chmod(dir, 0755);
  const char *cc0 = getenv("AG_CC");
  char *saved_cc = cc0 ? strdup(cc0) : NULL;
  setenv("AG_CC", "sleep 30; cc", 1);
  setenv("AG_CC_TIMEOUT", "1", 1);
  double t0 = ag_now();
  j = ag_jit_load(jp, &opt, &err);
  double el = ag_now() - t0;
  CHECK(j == NULL && err.code == AG_ERR_LIMIT && strstr(err.msg, "did not finish within 1 s"),
        "a hanging compiler: %s", j ? "(loaded)" : err.msg);
  CHECK(el < 10, "the hanging compiler was waited for %.1f s", el);
  ag_jit_free(j);
  unsetenv("AG_CC_TIMEOUT");
  if (saved_cc)
    setenv("AG_CC", saved_cc, 1);
  else
    unsetenv("AG_CC");
  free(saved_cc);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

static void test_no_compiler(void) {
  char dir[512], log[600];
  snprintf(dir, sizeof dir, "%s/nocc", cache_root);
  snprintf(log, sizeof log, "%s/stderr.txt", cache_root);
  double x[64];
  ag_graph *g;
  ag_jacprog *jp = small_program(&g, x);
  if (!jp) return;
  const char *cc0 = getenv("AG_CC");
  char *saved_cc = cc0 ? strdup(cc0) : NULL;
  setenv("AG_CC", "/nonexistent", 1);
  ag_jit_opts opt = {.cache_dir = dir};
  ag_error err;
  ag_jit *j = ag_jit_load(jp, &opt, &err);
  CHECK(j == NULL, "loaded without a compiler");
  CHECK(strstr(err.msg, "/nonexistent") != NULL, "message does not name the compiler: %s", err.msg);
  CHECK(err.code == AG_ERR_BACKEND, "no compiler: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_jit_free(j);
  /* the fallback warns once on stderr */
  fflush(stderr);
  int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 2);
  close(fd);
  ag_evaluator *ev = ag_jit_or_interp(jp, &opt);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  if (saved_cc)
    setenv("AG_CC", saved_cc, 1);
  else
    unsetenv("AG_CC");
  free(saved_cc);
  CHECK(ev->jit == NULL, "fallback has compiled code");
  FILE *f = fopen(log, "r");
  char line[2048] = "";
  int lines = 0;
  if (f) {
    char tmp[2048];
    while (fgets(tmp, sizeof tmp, f)) {
      if (!lines) snprintf(line, sizeof line, "%s", tmp);
      lines++;
    }
    fclose(f);
  }
  CHECK(lines == 1 && strstr(line, "warning") && strstr(line, "interpreter"),
        "warning: %d lines: %s", lines, line);
  int no = g->noutputs, ne = jp->nentries, w;
  double out[64], jac[4096], ref[64], rjac[4096];
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  ag_evaluator_eval(ev, x, NULL, out, jac);
  ag_jacprog_eval(jp, x, NULL, ref, rjac, work);
  CHECK(same_vec(ref, out, no, 0, &w) && same_vec(rjac, jac, ne, 0, &w), "fallback differs");
  /* batch through the interpreter */
  int n = 7, ni = g->ninputs;
  double *in = malloc((size_t)ni * n * sizeof(double)), y[64];
  double *bo = malloc((size_t)no * n * sizeof(double)),
         *bj = malloc((size_t)ne * n * sizeof(double));
  for (int k = 0; k < n; k++) {
    perturbed(x, ni, k, y);
    for (int i = 0; i < ni; i++)
      in[i * n + k] = y[i];
  }
  ag_evaluator_eval_batch(ev, n, in, NULL, bo, bj);
  int ok = 1;
  for (int k = 0; k < n; k++) {
    perturbed(x, ni, k, y);
    ag_jacprog_eval(jp, y, NULL, ref, rjac, work);
    for (int e = 0; e < ne; e++)
      ok &= bj[e * n + k] == rjac[e];
    for (int o = 0; o < no; o++)
      ok &= bo[o * n + k] == ref[o];
  }
  CHECK(ok, "interpreted batch differs");
  free(in);
  free(bo);
  free(bj);
  free(work);
  ag_evaluator_free(ev);
  /* with a compiler the evaluator compiles */
  snprintf(dir, sizeof dir, "%s/evaluator", cache_root);
  ev = ag_jit_or_interp(jp, &opt);
  CHECK(ev->jit != NULL, "evaluator did not compile");
  ag_evaluator_free(ev);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

/* Every operation, parameters, constants and the special cases of the partials (pow at a
   zero base or exponent, fabs at 0, fmax/fmin ties), compiled vs interpreted. */
static void test_all_ops(void) {
  ag_graph *g = ag_graph_new("all_ops");
  int x = ag_graph_input(g, 0), y = ag_graph_input(g, 1), z = ag_graph_input(g, 2);
  int p0 = ag_graph_param(g, 0), p1 = ag_graph_param(g, 1);
  int c = ag_graph_const(g, 0.1), cn = ag_graph_const(g, -3.25);
  int passive = ag_graph_op(g, AG_OP_MUL, p0, c); /* parameters only: no vertex */
  int small = ag_graph_op(g, AG_OP_MUL, x, ag_graph_const(g, 0.25)); /* in (-1, 1) */
  int pos = ag_graph_op(g, AG_OP_ADD, ag_graph_op(g, AG_OP_MUL, x, x), ag_graph_const(g, 1.5));
  for (int op = AG_OP_ADD; op < AG_OP_COUNT; op++) {
    int a = (op == AG_OP_ASIN || op == AG_OP_ACOS || op == AG_OP_ATANH) ? small
            : (op == AG_OP_LOG || op == AG_OP_SQRT || op == AG_OP_LOG10 || op == AG_OP_LOG2 ||
               op == AG_OP_LOG1P || op == AG_OP_ACOSH)
                ? pos
                : x;
    int r;
    if (op == AG_OP_SELECT) { /* on a condition of the data; both sides, and a tie */
      int cnd = ag_graph_op(g, AG_OP_LT, x, y);
      r = ag_graph_select(g, cnd, ag_graph_op(g, AG_OP_MUL, x, z), y);
      ag_graph_output(g, ag_graph_select(g, ag_graph_op(g, AG_OP_GE, z, y), z, x));
    } else if (op == AG_OP_IPOW) {
      r = ag_graph_ipow(g, a, 3);
      ag_graph_output(g, ag_graph_ipow(g, z, 0));
      ag_graph_output(g, ag_graph_ipow(g, y, -2));
    } else if (ag_op_arity((ag_op)op) == 2) {
      r = ag_graph_op(g, (ag_op)op, a, y);
      ag_graph_output(g, ag_graph_op(g, (ag_op)op, z, y)); /* ties, zero base */
      ag_graph_output(g, ag_graph_op(g, (ag_op)op, x, x)); /* same operand twice */
    } else {
      r = ag_graph_op(g, (ag_op)op, a, -1);
      if (op == AG_OP_FABS) ag_graph_output(g, ag_graph_op(g, AG_OP_FABS, z, -1));
    }
    ag_graph_output(g, r);
  }
  ag_graph_output(g, ag_graph_op(g, AG_OP_MUL, ag_graph_op(g, AG_OP_ADD, x, passive), cn));
  ag_graph_output(g, ag_graph_op(g, AG_OP_SUB, y, p1));
  ag_graph_output(g, p0); /* passive output */
  ag_graph_output(g, y);  /* an input as output */
  ag_graph_output(g, ag_graph_op(g, AG_OP_SUB, ag_graph_op(g, AG_OP_POW, z, y), cn));
  ag_error err;
  CHECK(ag_graph_finalize(g, &err) == 0, "%s", err.msg);
  int *o = malloc(((size_t)g->dag.neliminable + 1) * sizeof(int));
  int n = ag_order_reverse(&g->dag, o);
  ag_jacprog *jp = ag_jacprog_build(g, o, n, &err);
  free(o);
  CHECK(jp != NULL, "%s", err.msg);
  char dir[512];
  snprintf(dir, sizeof dir, "%s/ops", cache_root);
  ag_jit_opts opt = {.cache_dir = dir};
  ag_jit *j = jp ? ag_jit_load(jp, &opt, &err) : NULL;
  CHECK(j != NULL, "%s", err.msg);
  if (j) {
    static const double pts[][3] = {{0.7, 0.7, 0}, {-0.4, 1.3, 0}, {0.6, 2, 0.5}, {0.3, -0.3, -2}};
    double par[2] = {0.37, -1.5};
    int no = g->noutputs, ne = jp->nentries, w;
    double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
    double *o1 = malloc((size_t)no * sizeof(double)), *o2 = malloc((size_t)no * sizeof(double));
    double *j1 = malloc((size_t)ne * sizeof(double)), *j2 = malloc((size_t)ne * sizeof(double));
    for (int t = 0; t < 4; t++) {
      ag_jacprog_eval(jp, pts[t], par, o1, j1, work);
      j->fn(pts[t], par, o2, j2);
      CHECK(same_vec(o1, o2, no, 1e-13, &w), "ops point %d output %d: %.17g vs %.17g", t, w, o1[w],
            o2[w]);
      CHECK(same_vec(j1, j2, ne, 1e-13, &w),
            "ops point %d entry %d (row %d col %d): %.17g vs %.17g", t, w, jp->row[w], jp->col[w],
            j1[w], j2[w]);
      /* batch with n = 1 and shared parameters */
      j->batch(1, pts[t], par, o2, j2);
      CHECK(same_vec(o1, o2, no, 1e-13, &w) && same_vec(j1, j2, ne, 1e-13, &w),
            "ops point %d: batch differs at %d", t, w);
    }
    /* parameters are per element in a batch: 4 elements, each its own point and p */
    {
      double bin[3 * 4], bp[2 * 4];
      double *bout = malloc(sizeof(double) * 4 * no), *bpo = malloc(sizeof(double) * 4 * no);
      double *bjac = malloc(sizeof(double) * 4 * ne);
      for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 3; i++)
          bin[i * 4 + k] = pts[k][i];
        bp[0 * 4 + k] = par[0] + 0.1 * k;
        bp[1 * 4 + k] = par[1] - 0.2 * k;
      }
      {
        j->batch(4, bin, bp, bout, bjac);
        j->primal_batch(4, bin, bp, bpo);
        for (int k = 0; k < 4; k++) {
          double pk[2] = {par[0] + 0.1 * k, par[1] - 0.2 * k};
          ag_jacprog_eval(jp, pts[k], pk, o1, j1, work);
          int ok = 1;
          for (int q = 0; q < no; q++)
            ok &= close_to(bout[q * 4 + k], o1[q], 1e-13) && close_to(bpo[q * 4 + k], o1[q], 1e-13);
          for (int q = 0; q < ne; q++)
            ok &= close_to(bjac[q * 4 + k], j1[q], 1e-13);
          CHECK(ok, "ops: per-element parameters, element %d differs", k);
        }
      }
      free(bout);
      free(bpo);
      free(bjac);
    }
    free(work);
    free(o1);
    free(o2);
    free(j1);
    free(j2);
  }
  ag_jit_free(j);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

int main(void) {
  snprintf(cache_root, sizeof cache_root, "/tmp/ag-test-codegen-%ld", (long)getpid());
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache_root);
  if (system(cmd)) return 1;
  test_cache();
  test_concurrent();
  test_no_compiler();
  test_jit_trust();
  test_all_ops();
  test_paper();
  int rc = check_report("test_codegen");
  if (!rc && system(cmd)) return 1;
  return rc;
}
