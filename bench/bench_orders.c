/* Orders on the machine (issue 17; not a test): for each kernel, the generated code of the
   orders forward, reverse, Markowitz, the mults-optimal (annealing under multiplications),
   the exec-optimal (annealing under the execution model) and the measured best (the
   objective `measured`: tune/measured.h), all compiled with the same flags and timed
   interleaved in this process, ns per element Jacobian (outputs and all entries), batched
   (FNAME_batch, n = 4104) and single element.

   Then, per kernel:
   - gain of the default order (search's default objective) over the best of forward and
     reverse, for both entry points; J/F: the default order's batch time over the outputs'
     alone (FNAME_primal_batch);
   - the models' quality: Spearman rank correlation between predicted cost (exec, mults) and
     measured score over >= 50 orders (baselines, random, annealed under each model for
     growing move counts).
   The final rows are timed in a run of their own, after the selection (the selection's
   minimum over noisy times is biased low).

   usage: bench_orders [--search S] [--quick] [--profile FILE] [--flags-ab "A" "B"] SOURCE...
     --search S  seconds of annealing for the mults- and exec-optimal orders (default 3)
     --quick     fewer orders for the correlation, short timings (a smoke run)
     --flags-ab  instead: compile forward, reverse and the exec-optimal order with the JIT
                 flags A and with B, time the six interleaved, print B's time over A's
                 (how code-generation changes are measured before they are kept)
   SOURCE: kernel.c[:function]; default: the paper kernels and the example kernels (run
   from the source tree or with AG_SOURCE_DIR). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/rng.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"
#include "jacobian/profile.h"
#include "kernel/source.h"
#include "mcts/search.h"
#include "tune/measured.h"
#include "tune/timing.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

static const char *const default_kernels[] = {"examples/paper/roeflux_1d.c",
                                              "examples/paper/robotarm_6dof.c",
                                              "examples/paper/human_heart_dipole.c",
                                              "examples/paper/propane_combustion.c",
                                              "examples/paper/g.c",
                                              "examples/cfd/sod_kernels.c:sod_roe",
                                              "examples/cfd/wedge_kernels.c:wedge_roe_y",
                                              "examples/robotics/arm_kernels.c:ik7_cell",
                                              "examples/robotics/arm_kernels.c:traj_cell",
                                              "bench/plugin/euler2d_kernels.c:euler2d_roe_x",
                                              "bench/kernels/euler2d_cell.c",
                                              "bench/kernels/chem_kinetics.c",
                                              "bench/kernels/robot_dynamics.c",
                                              "bench/kernels/neohookean_tet.c",
                                              NULL};

typedef struct {
  int *order;
  char label[32];
  long mults, exec;
  ag_jacprog *jp;
  ag_jit *jit;
} cand;

/* average ranks (ties share their mean rank) */
static void ranks(const double *v, int n, double *r) {
  int *idx = malloc((size_t)n * sizeof(int));
  for (int i = 0; i < n; i++)
    idx[i] = i;
  for (int i = 1; i < n; i++) /* insertion sort: n is ~50 */
    for (int j = i; j > 0 && v[idx[j - 1]] > v[idx[j]]; j--) {
      int t = idx[j];
      idx[j] = idx[j - 1], idx[j - 1] = t;
    }
  for (int i = 0; i < n;) {
    int j = i;
    while (j + 1 < n && v[idx[j + 1]] == v[idx[i]])
      j++;
    for (int k = i; k <= j; k++)
      r[idx[k]] = 0.5 * (i + j) + 1;
    i = j + 1;
  }
  free(idx);
}

static double spearman(const double *a, const double *b, int n) {
  double *ra = malloc((size_t)n * sizeof(double)), *rb = malloc((size_t)n * sizeof(double));
  ranks(a, n, ra);
  ranks(b, n, rb);
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; i++)
    ma += ra[i] / n, mb += rb[i] / n;
  for (int i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  free(ra);
  free(rb);
  return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

static int search_order(const ag_dag *d, const ag_exec_weights *w, double seconds, long moves,
                        uint64_t seed, int *order) {
  ag_dag dx = ag_dag_with_objective(d, w);
  ag_search_opts o;
  ag_search_opts_default(&o);
  o.time_limit = seconds;
  o.max_iterations = moves;
  o.seed = seed;
  ag_search_result r;
  ag_error err;
  if (ag_search(&dx, AG_SEARCH_ANNEAL, &o, &r, &err)) return -1;
  memcpy(order, r.order, (size_t)r.len * sizeof(int));
  ag_search_result_free(&r);
  return 0;
}

static int add_cand(cand *c, int *nc, const ag_graph *g, const int *order, const char *label,
                    const ag_exec_weights *w) {
  const ag_dag *d = &g->dag;
  ag_error err;
  cand *x = &c[*nc];
  memset(x, 0, sizeof *x);
  x->order = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  memcpy(x->order, order, (size_t)d->neliminable * sizeof(int));
  snprintf(x->label, sizeof x->label, "%s", label);
  ag_dag dx = ag_dag_with_objective(d, w);
  x->mults = ag_order_cost(d, order, d->neliminable, &err);
  x->exec = ag_order_cost(&dx, order, d->neliminable, &err);
  x->jp = ag_jacprog_build(g, order, d->neliminable, &err);
  x->jit = x->jp ? ag_jit_load(x->jp, NULL, &err) : NULL;
  if (!x->jit) {
    fprintf(stderr, "bench_orders: %s %s: %s\n", g->name, label, err.msg);
    ag_jacprog_free(x->jp);
    free(x->order);
    return -1;
  }
  (*nc)++;
  return 0;
}

static void free_cands(cand *c, int n) {
  for (int i = 0; i < n; i++) {
    ag_jit_free(c[i].jit);
    ag_jacprog_free(c[i].jp);
    free(c[i].order);
  }
}

/* ns per element of the outputs alone (FNAME_primal_batch), best of 7 */
static double primal_ns(const ag_jit *j, int n) {
  double *in = malloc(((size_t)n * j->ni + 1) * sizeof(double));
  double *p = malloc(((size_t)n * j->np + 1) * sizeof(double));
  double *out = malloc(((size_t)n * j->no + 1) * sizeof(double));
  for (size_t i = 0; i < (size_t)n * j->ni; i++)
    in[i] = 1 + 0.25 * sin(0.7 * (double)i);
  for (size_t i = 0; i < (size_t)n * j->np; i++)
    p[i] = 1 + 0.25 * cos(0.3 * (double)i);
  double best = INFINITY;
  j->primal_batch(n, in, p, out);
  double t1 = ag_now();
  j->primal_batch(n, in, p, out);
  double once = ag_now() - t1;
  int reps = once > 0 ? (int)(0.02 / once) + 1 : 1;
  for (int r = 0; r < 7; r++) {
    double t0 = ag_now();
    for (int k = 0; k < reps; k++)
      j->primal_batch(n, in, p, out);
    double s = (ag_now() - t0) / ((double)reps * n) * 1e9;
    if (s < best) best = s;
  }
  free(in);
  free(p);
  free(out);
  return best;
}

/* Flags A against flags B on three orders of g: B/A per entry point. */
static void flags_ab(const ag_graph *g, const ag_exec_weights *w, const char *fa, const char *fb,
                     double search_s, double *lgb, double *lgo, int *cnt) {
  const ag_dag *d = &g->dag;
  int *o = malloc((size_t)(d->neliminable + 1) * sizeof(int));
  ag_jit *j[6];
  ag_jacprog *jp[3];
  const char *names[3] = {"forward", "reverse", "exec-opt"};
  ag_error err;
  int n = 0;
  for (int k = 0; k < 3; k++) {
    if (k < 2)
      ag_order_baseline(d, k, o);
    else
      search_order(d, w, search_s, 0, 1, o);
    jp[k] = ag_jacprog_build(g, o, d->neliminable, &err);
    ag_jit_opts ja = {.cflags = fa}, jb = {.cflags = fb};
    j[2 * k] = ag_jit_load(jp[k], &ja, &err);
    j[2 * k + 1] = ag_jit_load(jp[k], &jb, &err);
    if (!j[2 * k] || !j[2 * k + 1]) {
      fprintf(stderr, "bench_orders: %s\n", err.msg);
      exit(1);
    }
    n += 2;
  }
  ag_tune_opts to;
  ag_tune_opts_default(&to);
  to.seconds = 3;
  to.rounds = 9;
  ag_tune_time t[6];
  ag_tune_time_all(j, n, &to, t, &err);
  for (int k = 0; k < 3; k++) {
    double rb = t[2 * k + 1].ns_batch / t[2 * k].ns_batch,
           ro = t[2 * k + 1].ns_one / t[2 * k].ns_one;
    printf("%-22.22s %-9s A %7.1f %7.1f | B %7.1f %7.1f | B/A batch %.3f one %.3f\n", g->name,
           names[k], t[2 * k].ns_batch, t[2 * k].ns_one, t[2 * k + 1].ns_batch, t[2 * k + 1].ns_one,
           rb, ro);
    *lgb += log(rb), *lgo += log(ro), (*cnt)++;
  }
  for (int k = 0; k < 6; k++)
    ag_jit_free(j[k]);
  for (int k = 0; k < 3; k++)
    ag_jacprog_free(jp[k]);
  free(o);
}

int main(int argc, char **argv) {
  double search_s = 3;
  int quick = 0;
  const char *profile = NULL, *fa = NULL, *fb = NULL;
  const char *srcs[64];
  int nsrc = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--search") && i + 1 < argc)
      search_s = atof(argv[++i]);
    else if (!strcmp(argv[i], "--quick"))
      quick = 1;
    else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
      profile = argv[++i];
    else if (!strcmp(argv[i], "--flags-ab") && i + 2 < argc)
      fa = argv[i + 1], fb = argv[i + 2], i += 2;
    else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: bench_orders [--search S] [--quick] [--profile FILE] SOURCE...\n");
      return 2;
    } else if (nsrc < 64)
      srcs[nsrc++] = argv[i];
  }
  const char *root = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : AG_DEFAULT_SOURCE_DIR;
  static char pathbuf[64][4096];
  if (!nsrc)
    for (int k = 0; default_kernels[k]; k++) {
      snprintf(pathbuf[nsrc], sizeof pathbuf[0], "%s/%s", root, default_kernels[k]);
      char file[4096];
      snprintf(file, sizeof file, "%s", pathbuf[nsrc]);
      char *colon = strrchr(file, ':');
      if (colon && colon > strrchr(file, '/')) *colon = 0;
      FILE *f = fopen(file, "r");
      if (!f) continue; /* a kernel set not present in this tree */
      fclose(f);
      srcs[nsrc] = pathbuf[nsrc];
      nsrc++;
    }
  ag_machine_profile prof;
  ag_error err;
  if (ag_profile_resolve(profile, &prof, &err)) {
    fprintf(stderr, "bench_orders: %s\n", err.msg);
    return 1;
  }
  const ag_exec_weights *w = &prof.w;
  if (fa) {
    double lgb = 0, lgo = 0;
    int cnt = 0;
    printf("bench_orders --flags-ab: ns per element, A = \"%s\", B = \"%s\"\n", fa, fb);
    for (int s = 0; s < nsrc; s++) {
      ag_graph *g = ag_load_source(srcs[s], NULL, &err);
      if (!g) continue;
      if (g->dag.neliminable >= 2) flags_ab(g, w, fa, fb, search_s, &lgb, &lgo, &cnt);
      ag_graph_free(g);
      fflush(stdout);
    }
    if (cnt)
      printf("geometric mean B/A over %d programs: batch %.3f, single %.3f\n", cnt, exp(lgb / cnt),
             exp(lgo / cnt));
    return 0;
  }
  printf("bench_orders: ns per element Jacobian (outputs + all entries); batch n = 4104 and "
         "single element; profile %s (mul %ld, add %ld, fma %ld ps)\n",
         prof.source, w->mul, w->add, w->fma);
  printf("%-22s %-10s %6s %8s | %9s %9s %9s\n", "kernel", "order", "mults", "exec", "ns batch",
         "ns one", "score");
  double lg_b = 0, lg_o = 0, lg_jf = 0, worst = INFINITY;
  int nk = 0;
  for (int s = 0; s < nsrc; s++) {
    ag_graph *g = ag_load_source(srcs[s], NULL, &err);
    if (!g) {
      fprintf(stderr, "bench_orders: %s\n", err.msg);
      continue;
    }
    const ag_dag *d = &g->dag;
    const int m = d->neliminable;
    if (m < 2) {
      ag_graph_free(g);
      continue;
    }
    enum { MAXC = 80 };
    cand *c = calloc(MAXC, sizeof(cand));
    int nc = 0, *o = malloc((size_t)(m + 1) * sizeof(int));
    char label[32];
    /* the named orders: 0 forward, 1 reverse, 2 Markowitz, 3 mults-optimal, 4 exec-optimal */
    for (int b = 0; b < AG_NBASELINES; b++) {
      ag_order_baseline(d, b, o);
      add_cand(c, &nc, g, o, ag_order_baseline_name(b), w);
    }
    if (search_order(d, NULL, search_s, 0, 1, o) == 0) add_cand(c, &nc, g, o, "mults-opt", w);
    if (search_order(d, w, search_s, 0, 1, o) == 0) add_cand(c, &nc, g, o, "exec-opt", w);
    const int nnamed = nc;
    /* the correlation set: random orders, annealing under each model for growing budgets */
    ag_rng rng;
    ag_rng_seed(&rng, 99);
    const int nrand = quick ? 4 : 15, nann = quick ? 3 : 8;
    for (int r = 0; r < nrand && nc < MAXC; r++) {
      ag_order_forward(d, o);
      for (int i = m - 1; i > 0; i--) {
        int j = ag_rng_below(&rng, i + 1), t = o[i];
        o[i] = o[j], o[j] = t;
      }
      snprintf(label, sizeof label, "random%d", r);
      add_cand(c, &nc, g, o, label, w);
    }
    for (int model = 0; model < 2; model++)
      for (int a = 0; a < 2 * nann && nc < MAXC; a++) {
        long moves = 20L << (a / 2);
        if (search_order(d, model ? w : NULL, 100, moves, 7 + a, o)) continue;
        snprintf(label, sizeof label, "%s-%ld", model ? "exec" : "mults", moves);
        add_cand(c, &nc, g, o, label, w);
      }
    ag_jit **jits = malloc((size_t)nc * sizeof *jits);
    ag_tune_time *t = malloc((size_t)nc * sizeof *t);
    for (int i = 0; i < nc; i++)
      jits[i] = c[i].jit;
    ag_tune_opts to;
    ag_tune_opts_default(&to);
    to.seconds = (quick ? 0.01 : 0.06) * nc;
    to.rounds = 5;
    if (ag_tune_time_all(jits, nc, &to, t, &err)) {
      fprintf(stderr, "bench_orders: %s\n", err.msg);
      return 1;
    }
    double *px = malloc((size_t)nc * sizeof(double)), *pm = malloc((size_t)nc * sizeof(double));
    double *ms = malloc((size_t)nc * sizeof(double));
    for (int i = 0; i < nc; i++)
      px[i] = (double)c[i].exec, pm[i] = (double)c[i].mults, ms[i] = t[i].score;
    double rho_x = spearman(px, ms, nc), rho_m = spearman(pm, ms, nc);
    /* the measured objective, as `alphagrad search --objective measured` runs it */
    ag_measure_opts mo;
    ag_measure_opts_default(&mo);
    mo.search_time = search_s;
    mo.weights = *w;
    if (quick) mo.timing.seconds = 0.2;
    ag_measure_result mr;
    int measured_ok = ag_measure_search(g, &mo, &mr, &err) == 0;
    if (!measured_ok) fprintf(stderr, "bench_orders: measured: %s\n", err.msg);
    int nfinal = nnamed;
    if (measured_ok && add_cand(c, &nc, g, mr.order, "measured", w) == 0) {
      /* move it right after the named orders for the final timing */
      cand tmp = c[nc - 1];
      c[nc - 1] = c[nnamed];
      c[nnamed] = tmp;
      nfinal = nnamed + 1;
    }
    /* the final rows, timed on their own */
    for (int i = 0; i < nfinal; i++)
      jits[i] = c[i].jit;
    to.seconds = quick ? 0.3 : 1.5;
    to.rounds = 7;
    ag_tune_time_all(jits, nfinal, &to, t, &err);
    for (int i = 0; i < nfinal; i++)
      printf("%-22.22s %-10s %6ld %8.1f | %9.1f %9.1f %9.1f\n", g->name, c[i].label, c[i].mults,
             c[i].exec / 100.0, t[i].ns_batch, t[i].ns_one, t[i].score);
    const int def = nfinal > nnamed ? nnamed : 4; /* the default objective's order */
    double bb = fmin(t[0].ns_batch, t[1].ns_batch), bo = fmin(t[0].ns_one, t[1].ns_one);
    double gb = bb / t[def].ns_batch, go = bo / t[def].ns_one;
    double jf = t[def].ns_batch / primal_ns(c[def].jit, to.n);
    printf("%-22.22s gain of %s over best(fwd,rev): batch %.2fx one %.2fx; J/F %.2f; "
           "spearman exec %.3f mults %.3f over %d orders%s%s\n",
           g->name, c[def].label, gb, go, jf, rho_x, rho_m, nc,
           measured_ok ? "; measured picked " : "", measured_ok ? mr.label : "");
    lg_b += log(gb), lg_o += log(go), lg_jf += log(jf);
    worst = fmin(worst, fmin(gb, go));
    nk++;
    if (measured_ok) ag_measure_result_free(&mr);
    free(px);
    free(pm);
    free(ms);
    free(jits);
    free(t);
    free_cands(c, nc);
    free(c);
    free(o);
    ag_graph_free(g);
    fflush(stdout);
  }
  if (nk)
    printf("summary over %d kernels: default order vs best(fwd,rev) geometric mean batch %.3fx, "
           "single %.3fx, worst %.3fx; J/F geometric mean %.2f\n",
           nk, exp(lg_b / nk), exp(lg_o / nk), worst, exp(lg_jf / nk));
  return 0;
}
