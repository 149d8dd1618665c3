/*
 * Timing harness for alphagrad's and CasADi's generated C code (bench/peers/bench_peers.py
 * writes its input; not part of the product). Build: cc -O2 -o harness harness.c -ldl
 *
 * Usage: harness CONFIG
 * CONFIG, one kernel per line, either
 *   casadi NAME SO FJ_SYMBOL F_SYMBOL NI NP NO NNZ N IN_FILE P_FILE
 *     SO holds two CasADi functions (the CasADi codegen entry `int f(const double **arg,
 *     double **res, long long *iw, double *w, int mem)` plus `f_work`): FJ (x, p) ->
 *     (y, dy/dx) and F (x, p) -> y. NNZ: structural non-zeros of the Jacobian output.
 * or
 *   alphagrad NAME SO FNAME NI NP NO NNZ N IN_FILE P_FILE
 *     SO holds alphagrad's generated entry points (docs/codegen.md): FNAME(in, p, out, jac),
 *     FNAME_batch(n, in, p, out, jac) and FNAME_primal_batch(n, in, p, out), the batch ones
 *     on structure-of-arrays data (the harness transposes the input files).
 * IN_FILE / P_FILE: N*NI / N*NP raw doubles, element-major (element k at in + k*NI).
 * A line "# OPTION VALUE" sets min_time (seconds per repetition, default 0.2) or reps
 * (default 3).
 *
 * Modes per kernel:
 *   one    the Jacobian function on the same element over and over, same output buffers
 *   loop   the single-element Jacobian function over the N elements (element-major), one
 *          call per element (this is CasADi's batch)
 *   batch  alphagrad: FNAME_batch over the N elements (structure of arrays); CasADi: = loop
 *   fbatch outputs only over the N elements (CasADi: F called per element; alphagrad:
 *          FNAME_primal_batch)
 * Each (kernel, mode) is first calibrated (iterations grown until one repetition takes
 * at least min_time), then the repetitions are interleaved: rep 1 of every kernel and
 * mode, rep 2 of every kernel and mode, ... The best repetition is reported as
 *   RESULT TOOL NAME MODE NS_PER_ELEMENT ITERATIONS
 * With a second argument "dump DIR" the harness instead runs every mode once and writes
 * DIR/TOOL_NAME_MODE_{out,jac}.bin (element-major) for checking.
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
typedef void (*agfun)(const double *in, const double *p, double *out, double *jac);
typedef void (*agbatch)(int n, const double *in, const double *p, double *out, double *jac);
typedef void (*agprimal)(int n, const double *in, const double *p, double *out);

typedef struct {
  cfun f;
  const double **arg;
  double **res;
  cint *iw;
  double *w;
} cfn;

enum { M_ONE, M_LOOP, M_BATCH, M_FBATCH, NMODE };
static const char *mname[NMODE] = {"one", "loop", "batch", "fbatch"};

typedef struct {
  int ag; /* 1: alphagrad, 0: casadi */
  char name[256];
  int ni, np, no, nnz, n;
  double *in, *p, *out, *jac;         /* element-major */
  double *in_s, *p_s, *out_s, *jac_s; /* structure of arrays (alphagrad batch) */
  cfn fj, f;
  agfun agf;
  agbatch agb;
  agprimal agp;
  long iters[NMODE];
  double best[NMODE];
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

static void *xcalloc(size_t n, size_t s) {
  void *b = calloc(n + 1, s);
  if (!b) die("out of memory", NULL);
  return b;
}

static void *sym(void *so, const char *name) {
  void *f = dlsym(so, name);
  if (!f) die("missing symbol", name);
  return f;
}

static void load_fn(void *so, const char *name, cfn *out) {
  char wsym[512];
  out->f = (cfun)sym(so, name);
  snprintf(wsym, sizeof wsym, "%s_work", name);
  cwork wk = (cwork)sym(so, wsym);
  cint sa = 0, sr = 0, si = 0, sw = 0;
  if (wk(&sa, &sr, &si, &sw)) die("work query failed", name);
  if (sa < 2) sa = 2;
  if (sr < 2) sr = 2;
  out->arg = xcalloc((size_t)sa, sizeof *out->arg);
  out->res = xcalloc((size_t)sr, sizeof *out->res);
  out->iw = xcalloc((size_t)si, sizeof *out->iw);
  out->w = xcalloc((size_t)sw, sizeof *out->w);
}

static double *read_doubles(const char *path, size_t count) {
  double *b = xcalloc(count, sizeof *b);
  if (count == 0) return b;
  FILE *fp = fopen(path, "rb");
  if (!fp) die("cannot open", path);
  if (fread(b, sizeof *b, count, fp) != count) die("short file", path);
  fclose(fp);
  return b;
}

/* element-major a[k*m + i] <-> structure of arrays s[i*n + k] */
static void to_soa(const double *a, double *s, int n, int m) {
  for (int k = 0; k < n; k++)
    for (int i = 0; i < m; i++)
      s[(size_t)i * n + k] = a[(size_t)k * m + i];
}
static void from_soa(const double *s, double *a, int n, int m) {
  for (int k = 0; k < n; k++)
    for (int i = 0; i < m; i++)
      a[(size_t)k * m + i] = s[(size_t)i * n + k];
}

static void casadi_call(cfn *c, const double *x, const double *p, double *y, double *j) {
  c->arg[0] = x;
  c->arg[1] = p;
  c->res[0] = y;
  c->res[1] = j;
  c->f(c->arg, c->res, c->iw, c->w, 0);
}

/* run `iters` iterations of mode m of kernel k; returns seconds */
static double run(kern *k, int m, long iters) {
  double t0 = now();
  if (k->ag) {
    switch (m) {
    case M_ONE:
      for (long it = 0; it < iters; it++)
        k->agf(k->in, k->p, k->out, k->jac);
      break;
    case M_LOOP:
      for (long it = 0; it < iters; it++)
        for (int e = 0; e < k->n; e++)
          k->agf(k->in + (size_t)e * k->ni, k->p + (size_t)e * k->np, k->out + (size_t)e * k->no,
                 k->jac + (size_t)e * k->nnz);
      break;
    case M_BATCH:
      for (long it = 0; it < iters; it++)
        k->agb(k->n, k->in_s, k->p_s, k->out_s, k->jac_s);
      break;
    default:
      for (long it = 0; it < iters; it++)
        k->agp(k->n, k->in_s, k->p_s, k->out_s);
      break;
    }
  } else if (m == M_ONE) {
    for (long it = 0; it < iters; it++)
      casadi_call(&k->fj, k->in, k->p, k->out, k->jac);
  } else {
    cfn *c = m == M_FBATCH ? &k->f : &k->fj;
    for (long it = 0; it < iters; it++)
      for (int e = 0; e < k->n; e++)
        casadi_call(c, k->in + (size_t)e * k->ni, k->p + (size_t)e * k->np,
                    k->out + (size_t)e * k->no, m == M_FBATCH ? NULL : k->jac + (size_t)e * k->nnz);
  }
  return now() - t0;
}

static int has_mode(const kern *k, int m) { return k->ag || m != M_BATCH; }

static void dump(kern *ks, int nk, const char *dir) {
  for (int i = 0; i < nk; i++) {
    kern *k = &ks[i];
    for (int m = M_LOOP; m < NMODE; m++) {
      if (!has_mode(k, m)) continue;
      memset(k->out, 0, (size_t)k->n * k->no * sizeof(double));
      memset(k->jac, 0, (size_t)k->n * k->nnz * sizeof(double));
      run(k, m, 1);
      if (k->ag && m != M_LOOP) {
        from_soa(k->out_s, k->out, k->n, k->no);
        if (m == M_BATCH) from_soa(k->jac_s, k->jac, k->n, k->nnz);
      }
      for (int w = 0; w < 2; w++) {
        if (w == 1 && m == M_FBATCH) continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s_%s_%s_%s.bin", dir, k->ag ? "alphagrad" : "casadi",
                 k->name, mname[m], w ? "jac" : "out");
        FILE *fp = fopen(path, "wb");
        if (!fp) die("cannot write", path);
        size_t cnt = (size_t)k->n * (w ? k->nnz : k->no);
        if (fwrite(w ? k->jac : k->out, sizeof(double), cnt, fp) != cnt) die("write", path);
        fclose(fp);
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "dump")))
    die("usage: harness CONFIG [dump DIR]", NULL);
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
    char tool[32], name[256], so[1024], s1[256], s2[256], fin[1024], fp[1024];
    int ni, np, no, nnz, n, ag;
    if (sscanf(line, "%31s", tool) != 1) die("bad config line", line);
    ag = !strcmp(tool, "alphagrad");
    if (ag) {
      if (sscanf(line, "%31s %255s %1023s %255s %d %d %d %d %d %1023s %1023s", tool, name, so, s1,
                 &ni, &np, &no, &nnz, &n, fin, fp) != 11)
        die("bad config line", line);
    } else if (!strcmp(tool, "casadi")) {
      if (sscanf(line, "%31s %255s %1023s %255s %255s %d %d %d %d %d %1023s %1023s", tool, name, so,
                 s1, s2, &ni, &np, &no, &nnz, &n, fin, fp) != 12)
        die("bad config line", line);
    } else
      die("unknown tool", tool);
    ks = realloc(ks, (size_t)(nk + 1) * sizeof *ks);
    if (!ks) die("out of memory", NULL);
    kern *k = &ks[nk++];
    memset(k, 0, sizeof *k);
    k->ag = ag;
    snprintf(k->name, sizeof k->name, "%s", name);
    k->ni = ni, k->np = np, k->no = no, k->nnz = nnz, k->n = n;
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!h) die("dlopen failed", dlerror());
    if (ag) {
      char b[512];
      k->agf = (agfun)sym(h, s1);
      snprintf(b, sizeof b, "%s_batch", s1);
      k->agb = (agbatch)sym(h, b);
      snprintf(b, sizeof b, "%s_primal_batch", s1);
      k->agp = (agprimal)sym(h, b);
    } else {
      load_fn(h, s1, &k->fj);
      load_fn(h, s2, &k->f);
    }
    k->in = read_doubles(fin, (size_t)n * ni);
    k->p = read_doubles(fp, (size_t)n * np);
    k->out = xcalloc((size_t)n * no, sizeof(double));
    k->jac = xcalloc((size_t)n * nnz, sizeof(double));
    if (ag) {
      k->in_s = xcalloc((size_t)n * ni, sizeof(double));
      k->p_s = xcalloc((size_t)n * np, sizeof(double));
      k->out_s = xcalloc((size_t)n * no, sizeof(double));
      k->jac_s = xcalloc((size_t)n * nnz, sizeof(double));
      to_soa(k->in, k->in_s, n, ni);
      to_soa(k->p, k->p_s, n, np);
    }
  }
  fclose(cf);
  if (argc == 4) {
    dump(ks, nk, argv[3]);
    return 0;
  }
  /* calibration */
  for (int i = 0; i < nk; i++)
    for (int m = 0; m < NMODE; m++) {
      if (!has_mode(&ks[i], m)) continue;
      long it = m == M_ONE ? 1024 : 1;
      run(&ks[i], m, it); /* warm-up */
      for (;;) {
        double t = run(&ks[i], m, it);
        if (t >= min_time) break;
        double f = t > 0 ? 1.2 * min_time / t : 16.0;
        if (f > 16.0) f = 16.0;
        if (f < 1.5) f = 1.5;
        it = (long)((double)it * f) + 1;
      }
      ks[i].iters[m] = it;
      ks[i].best[m] = 1e300;
    }
  /* interleaved repetitions: per repetition every kernel, tool and mode once */
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < nk; i++)
      for (int m = 0; m < NMODE; m++) {
        kern *k = &ks[i];
        if (!has_mode(k, m)) continue;
        double t = run(k, m, k->iters[m]);
        double per = t / (double)k->iters[m] / (m == M_ONE ? 1.0 : (double)k->n);
        if (per < k->best[m]) k->best[m] = per;
      }
  for (int i = 0; i < nk; i++)
    for (int m = 0; m < NMODE; m++)
      if (has_mode(&ks[i], m))
        printf("RESULT %s %s %s %.6g %ld\n", ks[i].ag ? "alphagrad" : "casadi", ks[i].name,
               mname[m], 1e9 * ks[i].best[m], ks[i].iters[m]);
  /* keep the outputs observable */
  double sink = 0;
  for (int i = 0; i < nk; i++) {
    sink += ks[i].out[0] + ks[i].jac[0];
    if (ks[i].ag) sink += ks[i].out_s[0] + ks[i].jac_s[0];
  }
  fprintf(stderr, "harness: checksum %g\n", sink);
  return 0;
}
