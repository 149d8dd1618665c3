/* Jacobian evaluation benchmark (not a test): for each paper kernel, ns per element
   Jacobian (outputs + all entries) of the generated code at batch 1 (FNAME called per
   element) and batch 4096 (FNAME_batch, structure of arrays) for the orders forward,
   reverse, Markowitz and the best stored order (hdf5-data/paper_orders.h5); the compile
   time of each (ag_jit_load into an empty cache directory, best of 3); the interpreter; and ADOL-C
   (tape once, then jacobian() per element at a different point). ADOL-C's Jacobian is
   checked against alphagrad's to 1e-10 at the test point (taped at another point).
   The ADOL-C functions are the kernel files themselves, included with double -> adouble.
   ADOL-C/ag compares with the fastest alphagrad entry point (any order, batch or single).
   Usage: bench_jacobian [--seconds S] [--source-dir DIR] [--batch N]
   (S per repetition, best of 3; N elements of the batch measurement, default 4096) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <adolc/adolc.h>

extern "C" {
#include "base/clock.h"
#include "graph/orders.h"
#include "jacobian/codegen_c.h"
#include "jacobian/jacobian.h"
#include "jacobian/jit.h"
#include "kernel/parse_dag.h"
#include "kernel/parse_kernel.h"
#include "kernel/source.h"
#include "orderlib/orderlib.h"
}

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

/* ---- the kernels on adouble: the files of examples/paper with double -> adouble ---- */
/* ADOL-C declares atan2(const badouble&, const badouble&) only as a friend (found by ADL),
   so a double literal operand (atan2(1.0, x) in g.c) does not find it: the kernels' atan2
   is renamed to these. */
static adouble ag_ad_atan2(const badouble &a, const badouble &b) { return atan2(a, b); }
static adouble ag_ad_atan2(double a, const badouble &b) {
  adouble t = a;
  return atan2(static_cast<const badouble &>(t), b);
}
[[maybe_unused]] static adouble ag_ad_atan2(const badouble &a, double b) {
  adouble t = b;
  return atan2(a, static_cast<const badouble &>(t));
}
#define AG_ADOLC_HELPERS
#define atan2 ag_ad_atan2
#define double adouble
namespace ad_roe {
AG_ADOLC_HELPERS
#include "../examples/paper/roeflux_1d.c"
} // namespace ad_roe
namespace ad_robot {
AG_ADOLC_HELPERS
#include "../examples/paper/robotarm_6dof.c"
} // namespace ad_robot
namespace ad_heart {
AG_ADOLC_HELPERS
#include "../examples/paper/human_heart_dipole.c"
} // namespace ad_heart
namespace ad_propane {
AG_ADOLC_HELPERS
#include "../examples/paper/propane_combustion.c"
} // namespace ad_propane
namespace ad_g {
AG_ADOLC_HELPERS
#include "../examples/paper/g.c"
} // namespace ad_g
#undef double
#undef atan2

typedef void (*ad_kernel)(const adouble *in, adouble *out);

static const struct {
  const char *name, *kernel;
  ad_kernel ad;
} tasks[] = {{"RoeFlux_1d", "roeflux_1d.c", ad_roe::RoeFlux_1d},
             {"RobotArm_6DOF", "robotarm_6dof.c", ad_robot::RobotArm_6DOF},
             {"HumanHeartDipole", "human_heart_dipole.c", ad_heart::HumanHeartDipole},
             {"PropaneCombustion", "propane_combustion.c", ad_propane::PropaneCombustion},
             {"g", "g.c", ad_g::g}};

#define now ag_now

static int NB = 4096; /* --batch */
static double g_secs = 0.3;
static volatile double g_sink;

/* best of 3 repetitions, each >= g_secs; f(elements) runs one pass and returns elements done */
template <class F> static double best_ns(F f) {
  double best = 1e300;
  for (int rep = 0; rep < 3; rep++) {
    long elems = 0;
    double t0 = now(), el;
    do {
      elems += f();
      el = now() - t0;
    } while (el < g_secs);
    double ns = 1e9 * el / (double)elems;
    if (ns < best) best = ns;
  }
  return best;
}

static double rel_diff(double a, double b) {
  double s = fabs(a) > 1.0 ? fabs(a) : 1.0;
  return fabs(a - b) / s;
}

static double maxd(double a, double b) { return a > b ? a : b; }

int main(int argc, char **argv) {
  const char *dir = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : AG_DEFAULT_SOURCE_DIR;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      g_secs = atof(argv[++i]);
    else if (!strcmp(argv[i], "--source-dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc && atoi(argv[i + 1]) > 0)
      NB = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_jacobian [--seconds S] [--source-dir DIR] [--batch N]\n");
      return 2;
    }
  }
  char libpath[4096], gpath[4096];
  snprintf(libpath, sizeof libpath, "%s/hdf5-data/paper_orders.h5", dir);
  snprintf(gpath, sizeof gpath, "%s/tests/data/paper_graphs.txt", dir);
  printf("bench_jacobian: ns per element Jacobian (outputs + all entries); best of 3 x >= %.2f s; "
         "batch %d\n",
         g_secs, NB);
  char bcol[32];
  snprintf(bcol, sizeof bcol, "ns b=%d", NB);
  printf("%-18s %-9s %6s %5s | %9s %9s | %8s\n", "task", "order", "mults", "NE", "ns b=1", bcol,
         "compile");
  int rc = 0, all_checks = 1, target_order = 1, target_adolc = 1, target_compile = 1;
  struct {
    double speedup, adolc_ratio, max_compile, adolc_ns, best_ns;
    int best_b1;
  } sum[5];
  for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++) {
    ag_error err;
    char kpath[4096];
    snprintf(kpath, sizeof kpath, "%s/examples/paper/%s", dir, tasks[t].kernel);
    ag_graph *k = ag_parse_kernel_file(kpath, tasks[t].name, &err);
    if (!k) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
    const ag_dag *d = &k->dag;
    int ni = d->ni, no = d->no, np = k->nparams;
    double x0[64];
    if (ag_source_test_point(kpath, x0, 64) != ni) {
      fprintf(stderr, "%s: test point has not %d values\n", kpath, ni);
      return 1;
    }
    /* per-element inputs: the test point perturbed by up to +-0.1% per component */
    size_t nin = (size_t)(ni > 0 ? ni : 1);
    double *xa = (double *)malloc(sizeof(double) * NB * nin),
           *xs = (double *)malloc(sizeof(double) * NB * nin);
    uint64_t r = 0x9e3779b97f4a7c15ULL + t;
    for (int e = 0; e < NB; e++)
      for (int i = 0; i < ni; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(r >> 11) / 9007199254740992.0 - 0.5; /* [-0.5, 0.5) */
        xa[e * ni + i] = xs[i * NB + e] = x0[i] * (1.0 + 2e-3 * u);
      }
    double *params = np ? (double *)calloc((size_t)np, sizeof(double)) : NULL;

    /* orders */
    const char *onames[4] = {"forward", "reverse", "markowitz", "stored"};
    int *ord[4] = {0}, olen[4] = {0};
    const char *specs[3] = {"fwd", "rev", "markowitz"};
    for (int s = 0; s < 3; s++)
      if (ag_order_resolve(d, specs[s], &ord[s], &olen[s], &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
      }
    {
      ag_order_entry e;
      int found = ag_orderlib_lookup(libpath, d, &e, &err);
      if (found < 0) fprintf(stderr, "%s: %s\n", tasks[t].name, err.msg);
      if (found == 1) {
        ord[3] = (int *)malloc(sizeof(int) * (size_t)(e.len + 1));
        memcpy(ord[3], e.order, sizeof(int) * (size_t)e.len);
        olen[3] = e.len;
        ag_order_entry_clear(&e);
      } else {
        fprintf(stderr, "%s: no stored order in %s; using Markowitz as 'stored'\n", tasks[t].name,
                libpath);
        ord[3] = (int *)malloc(sizeof(int) * (size_t)(olen[2] + 1));
        memcpy(ord[3], ord[2], sizeof(int) * (size_t)olen[2]);
        olen[3] = olen[2];
      }
    }

    double b1[4], bn[4], ctime[4], interp_ns = 0;
    long mults[4];
    double *Jag = NULL, *outag = NULL; /* alphagrad dense Jacobian at the test point */
    for (int o = 0; o < 4; o++) {
      ag_jacprog *jp = ag_jacprog_build(k, ord[o], olen[o], &err);
      if (!jp) {
        fprintf(stderr, "%s %s: %s\n", tasks[t].name, onames[o], err.msg);
        return 1;
      }
      mults[o] = jp->mults + jp->extra_mults;
      int ne = jp->nentries;
      char tmpl[] = "/tmp/ag_bench_jit_XXXXXX";
      if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
      }
      ag_jit_opts opt;
      memset(&opt, 0, sizeof opt);
      opt.cache_dir = tmpl;
      /* compile time: best of 3 loads, each into an empty cache (the machine is shared) */
      ag_jit *j = NULL;
      ctime[o] = 1e300;
      for (int rep = 0; rep < 3; rep++) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'/*", tmpl);
        if (rep && system(cmd) != 0) fprintf(stderr, "could not empty %s\n", tmpl);
        ag_jit_free(j);
        double t0 = now();
        j = ag_jit_load(jp, &opt, &err);
        double el = now() - t0;
        if (!j) {
          fprintf(stderr, "%s %s: %s\n", tasks[t].name, onames[o], err.msg);
          return 1;
        }
        if (!j->compiled)
          fprintf(stderr, "warning: %s %s: cache not empty\n", tasks[t].name, onames[o]);
        if (el < ctime[o]) ctime[o] = el;
      }
      if (getenv("AG_BENCH_KEEP_SRC")) { /* analysis: write the generated C source */
        char sp[4300];
        snprintf(sp, sizeof sp, "%s/%s_%s.c", getenv("AG_BENCH_KEEP_SRC"), tasks[t].name,
                 onames[o]);
        FILE *sf = fopen(sp, "w");
        if (sf) {
          ag_codegen_c(jp, "kern", sf, &err);
          fclose(sf);
        }
      }
      if (!j->compiled)
        fprintf(stderr, "warning: %s %s was not compiled\n", tasks[t].name, onames[o]);
      double *out = (double *)malloc(sizeof(double) * (size_t)NB * no);
      double *jac = (double *)malloc(sizeof(double) * (size_t)NB * (ne + 1));
      b1[o] = best_ns([&]() -> long {
        double s = 0;
        for (int e = 0; e < NB; e++) {
          j->fn(xa + (size_t)e * ni, params, out, jac);
          s += out[0] + jac[ne - 1];
        }
        g_sink = g_sink + s;
        return NB;
      });
      bn[o] = best_ns([&]() -> long {
        j->batch(NB, xs, params, out, jac);
        double s = 0;
        for (int e = 0; e < NB; e++)
          s += out[e] + jac[(size_t)(ne - 1) * NB + e];
        g_sink = g_sink + s;
        return NB;
      });
      if (o == 3) {
        double *w = (double *)malloc(ag_jacprog_work_size(jp) * sizeof(double));
        interp_ns = best_ns([&]() -> long {
          double s = 0;
          for (int e = 0; e < NB; e++) {
            ag_jacprog_eval(jp, xa + (size_t)e * ni, params, out, jac, w);
            s += out[0] + jac[ne - 1];
          }
          g_sink = g_sink + s;
          return NB;
        });
        free(w);
        /* reference values at the test point */
        Jag = (double *)calloc((size_t)no * ni, sizeof(double));
        outag = (double *)malloc(sizeof(double) * (size_t)no);
        j->fn(x0, params, outag, jac);
        ag_jacprog_dense(jp, jac, Jag);
      }
      printf("%-18s %-9s %6ld %5d | %9.1f %9.1f | %6.0fms\n", tasks[t].name, onames[o], mults[o],
             ne, b1[o], bn[o], 1e3 * ctime[o]);
      free(out);
      free(jac);
      ag_jit_free(j);
      ag_jacprog_free(jp);
      /* remove the temporary cache */
      char cmd[4200];
      snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
      if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpl);
    }

    /* ADOL-C: tape at the first perturbed element, check at the test point, time per element */
    short tag = (short)(t + 1);
    {
      adouble *ax = new adouble[ni], *ay = new adouble[no];
      double *yv = (double *)malloc(sizeof(double) * no);
      trace_on(tag);
      for (int i = 0; i < ni; i++)
        ax[i] <<= xa[i];
      tasks[t].ad(ax, ay);
      for (int i = 0; i < no; i++)
        ay[i] >>= yv[i];
      trace_off();
      delete[] ax;
      delete[] ay;
      free(yv);
    }
    double **J = myalloc2(no, ni);
    double *yv = (double *)malloc(sizeof(double) * no);
    int jrc = jacobian(tag, no, ni, x0, J);
    function(tag, no, ni, x0, yv);
    double maxerr = 0;
    for (int a = 0; a < no; a++) {
      maxerr = maxd(maxerr, rel_diff(outag[a], yv[a]));
      for (int b = 0; b < ni; b++)
        maxerr = maxd(maxerr, rel_diff(Jag[a * ni + b], J[a][b]));
    }
    int ok = maxerr <= 1e-10 && jrc >= 0;
    all_checks &= ok;
    printf("%-18s ADOL-C check at the test point (taped elsewhere): max rel diff %.2e, rc %d: %s\n",
           tasks[t].name, maxerr, jrc, ok ? "ok" : "MISMATCH");
    int bad_rc = 0;
    double adolc_ns = best_ns([&]() -> long {
      double s = 0;
      for (int e = 0; e < NB; e++) {
        if (jacobian(tag, no, ni, xa + (size_t)e * ni, J) < 0) bad_rc++;
        s += J[0][0];
      }
      g_sink = g_sink + s;
      return NB;
    });
    if (bad_rc) printf("  ADOL-C: %d evaluations asked for retaping\n", bad_rc);
    myfree2(J);
    free(yv);

    /* against ADOL-C (one element per jacobian() call, its output in cache): the fastest
       alphagrad entry point over all orders, the batch one or the single-element one
       (which also writes into the same buffer every call) */
    double bestfr = bn[0] < bn[1] ? bn[0] : bn[1], bestall = 1e300;
    int best_b1 = 0;
    for (int o = 0; o < 4; o++) {
      if (bn[o] < bestall) bestall = bn[o], best_b1 = 0;
      if (b1[o] < bestall) bestall = b1[o], best_b1 = 1;
    }
    double maxc = 0;
    for (int o = 0; o < 4; o++)
      maxc = maxd(maxc, ctime[o]);
    printf("%-18s interpreter (stored order) %.1f ns; ADOL-C jacobian() %.1f ns\n", tasks[t].name,
           interp_ns, adolc_ns);
    sum[t].speedup = bestfr / bn[3];
    sum[t].adolc_ratio = adolc_ns / bestall;
    sum[t].max_compile = maxc;
    sum[t].adolc_ns = adolc_ns;
    sum[t].best_ns = bestall;
    sum[t].best_b1 = best_b1;
    if (t <= 1 && sum[t].speedup < 1.2) target_order = 0;
    if (sum[t].adolc_ratio < 10) target_adolc = 0;
    if (maxc >= 1.0) target_compile = 0;
    for (int o = 0; o < 4; o++)
      free(ord[o]);
    free(Jag);
    free(outag);
    free(xa);
    free(xs);
    free(params);
    ag_graph_free(k);
  }
  printf("\n%-18s | %14s | %13s %16s %9s | %12s\n", "task", "stored/best(f,r)", "ADOL-C ns",
         "best ag ns", "ADOL-C/ag", "max compile");
  for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++)
    printf("%-18s | %13.2fx | %13.1f %9.1f %-6s %8.1fx | %10.0fms\n", tasks[t].name, sum[t].speedup,
           sum[t].adolc_ns, sum[t].best_ns, sum[t].best_b1 ? "b=1" : "batch", sum[t].adolc_ratio,
           1e3 * sum[t].max_compile);
  printf("target: stored order >= 1.2x faster than best of forward/reverse at batch %d on "
         "RoeFlux_1d and RobotArm_6DOF: %s\n",
         NB, target_order ? "met" : "NOT met");
  printf("target: alphagrad (best order and entry point) >= 10x faster than ADOL-C: %s\n",
         target_adolc ? "met" : "NOT met");
  printf("target: compile time < 1 s per kernel and order: %s\n",
         target_compile ? "met" : "NOT met");
  printf("ADOL-C Jacobians equal alphagrad's to 1e-10: %s\n", all_checks ? "yes" : "NO");
  if (!all_checks) rc = 1;
  if (g_sink == 12345.678) puts("");
  return rc;
}
