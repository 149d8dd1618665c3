/*
 * Timing harness for CasADi-generated C code (bench/peers/bench_peers.py writes its input;
 * not part of the product). Build: cc -O2 -o harness harness.c -ldl
 *
 * Usage: harness CONFIG
 * CONFIG, one kernel per line:
 *   NAME SO FJ_SYMBOL F_SYMBOL NI NP NO NNZ N IN_FILE P_FILE
 * SO holds two CasADi functions (the CasADi codegen entry `int f(const double **arg,
 * double **res, long long *iw, double *w, int mem)` plus `f_work`): FJ (x, p) -> (y, dy/dx)
 * and F (x, p) -> y. IN_FILE / P_FILE: N*NI / N*NP raw doubles, element-major (element k
 * at in + k*NI). NNZ: structural non-zeros of CasADi's Jacobian output.
 * A line "# OPTION VALUE" sets min_time (seconds per repetition, default 0.2) or reps
 * (default 3).
 *
 * Modes per kernel:
 *   one    FJ on the same element over and over, outputs into the same buffers
 *   batch  FJ over the N elements, one call per element
 *   fbatch F over the N elements
 * Each (kernel, mode) is first calibrated (iterations doubled until one repetition takes
 * at least min_time), then the repetitions are interleaved: rep 1 of every kernel and
 * mode, rep 2 of every kernel and mode, ... The best repetition is reported as
 *   RESULT NAME MODE NS_PER_ELEMENT ITERATIONS
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef long long cint;
typedef int (*cfun)(const double **arg, double **res, cint *iw, double *w, int mem);
typedef int (*cwork)(cint *sz_arg, cint *sz_res, cint *sz_iw, cint *sz_w);

typedef struct {
  cfun f;
  const double **arg;
  double **res;
  cint *iw;
  double *w;
} cfn;

typedef struct {
  char name[256];
  int ni, np, no, nnz, n;
  double *in, *p, *out, *jac;
  cfn fj, f;
  long iters[3];
  double best[3];
} kern;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *msg, const char *arg) {
  fprintf(stderr, "harness: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  exit(1);
}

static void load_fn(void *so, const char *sym, cfn *out) {
  char wsym[512];
  out->f = (cfun)dlsym(so, sym);
  if (!out->f) die("missing symbol", sym);
  snprintf(wsym, sizeof wsym, "%s_work", sym);
  cwork wk = (cwork)dlsym(so, wsym);
  if (!wk) die("missing symbol", wsym);
  cint sa = 0, sr = 0, si = 0, sw = 0;
  if (wk(&sa, &sr, &si, &sw)) die("work query failed", sym);
  if (sa < 2) sa = 2;
  if (sr < 2) sr = 2;
  out->arg = calloc((size_t)sa, sizeof *out->arg);
  out->res = calloc((size_t)sr, sizeof *out->res);
  out->iw = calloc((size_t)si + 1, sizeof *out->iw);
  out->w = calloc((size_t)sw + 1, sizeof *out->w);
  if (!out->arg || !out->res || !out->iw || !out->w) die("out of memory", NULL);
}

static double *read_doubles(const char *path, size_t count) {
  double *b = malloc((count + 1) * sizeof *b);
  if (!b) die("out of memory", NULL);
  if (count == 0) return b;
  FILE *fp = fopen(path, "rb");
  if (!fp) die("cannot open", path);
  if (fread(b, sizeof *b, count, fp) != count) die("short file", path);
  fclose(fp);
  return b;
}

/* run `iters` iterations of mode m of kernel k; returns seconds */
static double run(kern *k, int m, long iters) {
  double t0 = now();
  if (m == 0) {
    cfn *c = &k->fj;
    c->arg[0] = k->in;
    c->arg[1] = k->p;
    c->res[0] = k->out;
    c->res[1] = k->jac;
    for (long it = 0; it < iters; it++)
      c->f(c->arg, c->res, c->iw, c->w, 0);
  } else {
    cfn *c = m == 1 ? &k->fj : &k->f;
    for (long it = 0; it < iters; it++)
      for (int e = 0; e < k->n; e++) {
        c->arg[0] = k->in + (size_t)e * k->ni;
        c->arg[1] = k->p + (size_t)e * k->np;
        c->res[0] = k->out + (size_t)e * k->no;
        c->res[1] = m == 1 ? k->jac + (size_t)e * k->nnz : NULL;
        c->f(c->arg, c->res, c->iw, c->w, 0);
      }
  }
  return now() - t0;
}

int main(int argc, char **argv) {
  if (argc != 2) die("usage: harness CONFIG", NULL);
  FILE *cf = fopen(argv[1], "r");
  if (!cf) die("cannot open", argv[1]);
  double min_time = 0.2;
  int reps = 3, nk = 0;
  kern *ks = NULL;
  char line[4096];
  while (fgets(line, sizeof line, cf)) {
    if (line[0] == '\n') continue;
    if (line[0] == '#') {
      char opt[64];
      double v;
      if (sscanf(line, "# %63s %lf", opt, &v) == 2) {
        if (!strcmp(opt, "min_time"))
          min_time = v;
        else if (!strcmp(opt, "reps"))
          reps = (int)v;
      }
      continue;
    }
    char name[256], so[1024], sfj[256], sf[256], fin[1024], fp[1024];
    int ni, np, no, nnz, n;
    if (sscanf(line, "%255s %1023s %255s %255s %d %d %d %d %d %1023s %1023s", name, so, sfj, sf,
               &ni, &np, &no, &nnz, &n, fin, fp) != 11)
      die("bad config line", line);
    ks = realloc(ks, (size_t)(nk + 1) * sizeof *ks);
    kern *k = &ks[nk++];
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", name);
    k->ni = ni, k->np = np, k->no = no, k->nnz = nnz, k->n = n;
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!h) die("dlopen failed", dlerror());
    load_fn(h, sfj, &k->fj);
    load_fn(h, sf, &k->f);
    k->in = read_doubles(fin, (size_t)n * ni);
    k->p = read_doubles(fp, (size_t)n * np);
    k->out = calloc((size_t)n * no + 1, sizeof(double));
    k->jac = calloc((size_t)n * nnz + 1, sizeof(double));
    if (!k->out || !k->jac) die("out of memory", NULL);
  }
  fclose(cf);
  static const char *mname[3] = {"one", "batch", "fbatch"};
  /* calibration */
  for (int i = 0; i < nk; i++)
    for (int m = 0; m < 3; m++) {
      long it = m == 0 ? 1024 : 1;
      run(&ks[i], m, it); /* warm-up */
      for (;;) {
        double t = run(&ks[i], m, it);
        if (t >= min_time) break;
        double f = t > 0 ? 1.2 * min_time / t : 16.0;
        if (f > 16.0) f = 16.0;
        if (f < 1.5) f = 1.5;
        it = (long)(it * f) + 1;
      }
      ks[i].iters[m] = it;
      ks[i].best[m] = 1e300;
    }
  /* interleaved repetitions */
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < nk; i++)
      for (int m = 0; m < 3; m++) {
        kern *k = &ks[i];
        double t = run(k, m, k->iters[m]);
        double per = t / (double)k->iters[m] / (m == 0 ? 1.0 : (double)k->n);
        if (per < k->best[m]) k->best[m] = per;
      }
  for (int i = 0; i < nk; i++)
    for (int m = 0; m < 3; m++)
      printf("RESULT %s %s %.6g %ld\n", ks[i].name, mname[m], 1e9 * ks[i].best[m], ks[i].iters[m]);
  /* keep the outputs observable */
  double sink = 0;
  for (int i = 0; i < nk; i++)
    sink += ks[i].out[0] + ks[i].jac[0];
  fprintf(stderr, "harness: checksum %g\n", sink);
  return 0;
}
