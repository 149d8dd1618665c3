/* Exact search and lower bounds (mcts/exact.c, mcts/bounds.c, docs/exact.md):
   (a) the exact optimum equals brute force over all permutations on random DAGs with up
       to 9 eliminable vertices, with a valid order of the claimed cost and optimal == 1;
   (b) admissibility: the path bound, the group bound and the root-built group tables never
       exceed the optimal cost-to-go (subset DP) at the root or at random intermediate
       states, and the search heuristic is consistent;
   (c) the paper graphs: PropaneCombustion 88, HumanHeartDipole 148, RobotArm_6DOF 221 and
       RoeFlux_1d 295 found from the Markowitz order and proven optimal; g bounded;
   (d) early stops (memory, time, iterations) never claim more than is proven;
       determinism; an invalid incumbent is refused. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "mcts/bounds.h"
#include "mcts/exact.h"
#include "paper.h"

#if defined(__SANITIZE_ADDRESS__)
#define AG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_SANITIZED 1
#endif
#endif
#ifndef AG_SANITIZED
#define AG_SANITIZED 0
#endif

/* Random DAG: 2-4 inputs (wide: up to 7), unary or binary ops on earlier nodes (recent ones
   preferred), some outputs in the middle, the last node an output. */
static ag_graph *random_dag(int nops, int wide) {
  ag_graph *g = ag_graph_new("random");
  int ni = 2 + (int)check_rand(wide ? 6 : 3), nodes[96], nn = 0;
  for (int k = 0; k < ni; k++)
    nodes[nn++] = ag_graph_input(g, k);
  for (int i = 0; i < nops; i++) {
    int reach = nn < 8 ? nn : 8;
    int a = check_rand(3) ? nodes[nn - 1 - (int)check_rand((unsigned)reach)]
                          : nodes[check_rand((unsigned)nn)];
    int x;
    if (check_rand(wide ? 6 : 3) == 0)
      x = ag_graph_op(g, AG_OP_SIN, a, -1);
    else
      x = ag_graph_op(g, AG_OP_MUL, a, nodes[check_rand((unsigned)nn)]);
    nodes[nn++] = x;
    if (i < nops - 1 && check_rand(5) == 0) ag_graph_output(g, x);
  }
  ag_graph_output(g, nodes[nn - 1]);
  if (check_rand(2)) ag_graph_output(g, nodes[nn - 2]);
  ag_error err;
  if (ag_graph_finalize(g, &err)) {
    fprintf(stderr, "finalize: %s\n", err.msg);
    ag_graph_free(g);
    return NULL;
  }
  return g;
}

/* ---- brute force over all permutations (depth-first, states copied per level) ---- */
typedef struct {
  const ag_dag *d;
  ag_elim **lv;
  int *el, k;
  unsigned char *used;
  long best;
} brute;

static void brute_rec(brute *b, int depth) {
  if (depth == b->k) {
    if (b->best < 0 || b->lv[depth]->cost < b->best) b->best = b->lv[depth]->cost;
    return;
  }
  for (int i = 0; i < b->k; i++) {
    if (b->used[i]) continue;
    ag_elim_copy(b->lv[depth + 1], b->lv[depth]);
    ag_elim_step(b->lv[depth + 1], b->el[i]);
    b->used[i] = 1;
    brute_rec(b, depth + 1);
    b->used[i] = 0;
  }
}

static long brute_force(const ag_dag *d) {
  brute b = {d, NULL, NULL, d->neliminable, NULL, -1};
  b.el = malloc((size_t)(b.k + 1) * sizeof(int));
  b.used = calloc((size_t)b.k + 1, 1);
  b.lv = malloc((size_t)(b.k + 1) * sizeof(ag_elim *));
  int m = 0;
  for (int v = d->ni; v < d->n; v++)
    if (!d->is_output[v]) b.el[m++] = v;
  for (int i = 0; i <= b.k; i++)
    b.lv[i] = ag_elim_new(d);
  brute_rec(&b, 0);
  for (int i = 0; i <= b.k; i++)
    ag_elim_free(b.lv[i]);
  free(b.lv);
  free(b.el);
  free(b.used);
  return b.best;
}

static void opts_init(ag_search_opts *o, double time_limit) {
  memset(o, 0, sizeof *o);
  o->time_limit = time_limit;
  o->seed = 1;
  o->share_interval = 1;
}

/* (a) */
static void test_brute(int ngraphs, int maxk) {
  int done = 0, tries = 0, bysize[10] = {0};
  while (done < ngraphs && tries < 100 * ngraphs) {
    tries++;
    ag_graph *g = random_dag(3 + (int)check_rand(12), 0);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    int k = d->neliminable;
    if (k == 0 || k > maxk || bysize[k] > ngraphs / 6) {
      ag_graph_free(g);
      continue;
    }
    bysize[k]++;
    long bf = brute_force(d);
    ag_search_opts o;
    opts_init(&o, 0); /* no time limit: the runs are exact and deterministic */
    ag_exact_params p;
    ag_exact_params_default(&p);
    p.max_memory = (size_t)16 << 20;
    int variant = done % 3;
    if (variant == 1) { /* path bound only, no annealing: the A* alone proves */
      p.max_group = 0;
      p.anneal_moves = 0;
    } else if (variant == 2) { /* small groups, annealing straight away */
      p.max_group = 3;
      p.first_expansions = 1;
      p.anneal_moves = 2000;
    }
    /* incumbent: Markowitz (NULL) or the forward order */
    int *fwd = malloc((size_t)(k + 1) * sizeof(int));
    ag_order_forward(d, fwd);
    ag_search_result r;
    ag_error err;
    int rc = ag_search_exact_ex(d, &o, &p, done & 1 ? fwd : NULL, done & 1 ? k : 0, 0, &r, &err);
    CHECK(rc == 0, "graph %d: %s", done, err.msg);
    if (rc == 0) {
      long c = ag_order_cost(d, r.order, r.len, &err);
      CHECK(r.len == k, "graph %d: order length %d != %d", done, r.len, k);
      CHECK(c == r.cost, "graph %d (k=%d, variant %d): order costs %ld, claimed %ld", done, k,
            variant, c, r.cost);
      CHECK(r.cost == bf, "graph %d (k=%d, variant %d): exact %ld != brute force %ld", done, k,
            variant, r.cost, bf);
      CHECK(r.optimal == 1 && r.lower_bound == r.cost,
            "graph %d (k=%d): optimal %d lower %ld cost %ld", done, k, r.optimal, r.lower_bound,
            r.cost);
      CHECK(!strcmp(r.method, "exact"), "method %s", r.method);
      ag_search_result_free(&r);
    }
    free(fwd);
    ag_graph_free(g);
    done++;
  }
  CHECK(done == ngraphs, "only %d random graphs", done);
  printf("brute force: %d graphs agree (sizes 1..%d:", done, maxk);
  for (int k = 1; k <= maxk; k++)
    printf(" %d", bysize[k]);
  printf(")\n");
}

/* (b) optimal cost-to-go of every subset by DP, then bounds at the root and at random
   states */
static void test_admissible(int ngraphs, int wide) {
  long checks = 0, tight_paths = 0, tight_groups = 0;
  int done = 0;
  while (done < ngraphs) {
    ag_graph *g = random_dag(3 + (int)check_rand(wide ? 16 : 13), wide);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    int k = d->neliminable;
    if (k == 0 || k > 13) {
      ag_graph_free(g);
      continue;
    }
    int el[64], m = 0;
    for (int v = d->ni; v < d->n; v++)
      if (!d->is_output[v]) el[m++] = v;
    size_t N = (size_t)1 << k;
    long *opt = malloc(N * sizeof(long));
    ag_elim *s0 = ag_elim_new(d), *s = ag_elim_new(d), *s2 = ag_elim_new(d);
    opt[N - 1] = 0;
    for (size_t b = N - 1; b-- > 0;) {
      ag_elim_copy(s, s0);
      for (int i = 0; i < k; i++)
        if (b >> i & 1) ag_elim_step(s, el[i]);
      long best = -1;
      for (int i = 0; i < k; i++)
        if (!(b >> i & 1)) {
          long c = ag_elim_markowitz(s, el[i]) + opt[b | (size_t)1 << i];
          if (best < 0 || c < best) best = c;
        }
      opt[b] = best;
    }
    ag_bound_ws *w = ag_bound_ws_new(d);
    long *pv = malloc((size_t)(d->n + 1) * sizeof(long)),
         *pv2 = malloc((size_t)(d->n + 1) * sizeof(long));
    int mg = 2 + (int)check_rand((unsigned)(k > 2 ? k - 1 : 1));
    ag_group_bound *gb = ag_group_bound_build(d, s0, mg, 0);
    long rp = ag_bound_paths(d, s0);
    CHECK(rp == gb->root_paths && rp <= gb->root_bound, "root paths %ld/%ld groups %ld", rp,
          gb->root_paths, gb->root_bound);
    CHECK(gb->root_bound <= opt[0], "graph %d: root group bound %ld > optimum %ld", done,
          gb->root_bound, opt[0]);
    tight_paths += rp == opt[0];
    tight_groups += gb->root_bound == opt[0];
    for (int t = 0; t < 12; t++) {
      size_t b = t == 0 ? 0 : (size_t)check_rand((unsigned)N);
      ag_elim_copy(s, s0);
      for (int i = 0; i < k; i++)
        if (b >> i & 1) ag_elim_step(s, el[i]);
      long p = ag_bound_paths_ws(w, s, pv);
      long ge = ag_group_bound_eval(gb, s, pv);
      long gf = ag_bound_groups(d, s, 1 + (int)check_rand(8));
      /* a random group of remaining vertices, solved exactly */
      int grp[64], gm = 0;
      long gsum = 0;
      for (int i = 0; i < k; i++)
        if (!(b >> i & 1) && check_rand(2)) grp[gm++] = el[i], gsum += pv[el[i]];
      long gx = gm ? ag_bound_group_exact(w, s, grp, gm) : 0;
      CHECK(gx >= gsum && gx - gsum + p <= opt[b],
            "graph %d state %zu: group of %d: %ld (members %ld, paths %ld, optimum %ld)", done, b,
            gm, gx, gsum, p, opt[b]);
      checks++;
      CHECK(p <= opt[b] && ge <= opt[b] && gf <= opt[b] && p <= ge && p <= gf,
            "graph %d state %zu: paths %ld, table %ld, fresh groups %ld, optimum %ld", done, b, p,
            ge, gf, opt[b]);
      for (int i = 0; i < k; i++) {
        if (b >> i & 1) continue;
        int v = el[i];
        int kin = ag_bound_kin(w, s, v), kout = ag_bound_kout(w, s, v);
        CHECK(kin <= ag_bits_count(s->pred + (size_t)v * s->w, s->w) &&
                  kout <= ag_bits_count(s->succ + (size_t)v * s->w, s->w),
              "cut larger than the neighbourhood");
        /* consistency: h(s) <= step + h(s + v), for both heuristics */
        ag_elim_copy(s2, s);
        long c = ag_elim_step(s2, v);
        long p2 = ag_bound_paths_ws(w, s2, pv2), ge2 = ag_group_bound_eval(gb, s2, pv2);
        CHECK(p <= c + p2 && ge <= c + ge2, "inconsistent: %ld > %ld + %ld or %ld > %ld + %ld", p,
              c, p2, ge, c, ge2);
      }
    }
    ag_group_bound_free(gb);
    ag_bound_ws_free(w);
    free(pv);
    free(pv2);
    ag_elim_free(s0);
    ag_elim_free(s);
    ag_elim_free(s2);
    free(opt);
    ag_graph_free(g);
    done++;
  }
  printf("admissibility (%s): %d graphs, %ld states; root tight: paths %ld, groups %ld\n",
         wide ? "wide" : "narrow", done, checks, tight_paths, tight_groups);
}

static ag_graph *paper_graph(const char *name) {
  char path[4096];
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_error err;
  ag_graph *g = ag_parse_dag_file(path, name, &err);
  CHECK(g != NULL, "%s: %s", name, err.msg);
  return g;
}

/* (c) */
static void test_paper(const char *name, long optimum, long path_bound, double cap) {
  ag_graph *g = paper_graph(name);
  if (!g) return;
  const ag_dag *d = &g->dag;
  /* the root bounds */
  ag_elim *s = ag_elim_new(d);
  long pb = ag_bound_paths(d, s);
  ag_elim_free(s);
  CHECK(pb == path_bound, "%s: path bound %ld, expected %ld", name, pb, path_bound);
  ag_search_opts o;
  /* no time limit: the proof must complete whatever the machine's speed or load (a sanitizer
     build on a busy machine takes several times longer); the time is printed, not asserted */
  (void)cap;
  opts_init(&o, 0);
  ag_search_result r;
  ag_error err;
  double t0 = ag_now();
  int rc = ag_search_exact(d, &o, NULL, 0, 0, &r, &err); /* Markowitz incumbent */
  double el = ag_now() - t0;
  CHECK(rc == 0, "%s: %s", name, err.msg);
  if (rc) {
    ag_graph_free(g);
    return;
  }
  long c = ag_order_cost(d, r.order, r.len, &err);
  CHECK(c == r.cost, "%s: order costs %ld, claimed %ld", name, c, r.cost);
  CHECK(r.cost == optimum && r.optimal && r.lower_bound == optimum,
        "%s: cost %ld lower %ld optimal %d, expected %ld proven", name, r.cost, r.lower_bound,
        r.optimal, optimum);
  printf("%-18s path bound %ld; from Markowitz: cost %ld, lower %ld, optimal %d, %ld expanded, "
         "%.2f s\n",
         name, pb, r.cost, r.lower_bound, r.optimal, r.iterations, el);
  ag_search_result_free(&r);
  /* from the published AlphaGrad order */
  char *text = paper_order_text(name, "AlphaGrad");
  int *ord = NULL, n = 0;
  if (text && !ag_order_parse(text, "paper_orders.txt", &ord, &n, &err)) {
    ag_exact_params p;
    ag_exact_params_default(&p);
    rc = ag_search_exact_ex(d, &o, &p, ord, n, 0, &r, &err);
    CHECK(rc == 0 && r.optimal && r.cost == optimum, "%s from AlphaGrad: cost %ld optimal %d", name,
          r.cost, r.optimal);
    if (rc == 0) ag_search_result_free(&r);
  }
  free(ord);
  free(text);
  ag_graph_free(g);
}

/* g: the optimum is open; the bound must be sound and at least the paper's */
static void test_g(long expansions) {
  ag_graph *g = paper_graph("g");
  if (!g) return;
  ag_search_opts o;
  /* an expansion budget, not a time limit: the same bound on any machine */
  opts_init(&o, 0);
  o.max_iterations = expansions;
  ag_search_result r;
  ag_error err;
  double t0 = ag_now();
  int rc = ag_search_exact(&g->dag, &o, NULL, 0, 0, &r, &err);
  double el = ag_now() - t0;
  CHECK(rc == 0, "g: %s", err.msg);
  if (rc == 0) {
    CHECK(r.lower_bound >= 388 && r.lower_bound <= 409 && r.cost <= 417 &&
              r.lower_bound <= r.cost && r.optimal == (r.lower_bound == r.cost),
          "g: cost %ld lower %ld optimal %d", r.cost, r.lower_bound, r.optimal);
    CHECK(ag_order_cost(&g->dag, r.order, r.len, &err) == r.cost, "g: order cost");
    printf("%-18s %ld expansions: cost %ld, lower bound %ld, %ld expanded, %.2f s\n", "g",
           expansions, r.cost, r.lower_bound, r.iterations, el);
    ag_search_result_free(&r);
  }
  ag_graph_free(g);
}

/* (d) */
static void test_limits(void) {
  ag_graph *g = paper_graph("RoeFlux_1d");
  if (!g) return;
  const ag_dag *d = &g->dag;
  ag_search_opts o;
  ag_exact_params p;
  ag_search_result r, r2;
  ag_error err;
  /* out of memory at once, path bound only: stops with a sound bound */
  opts_init(&o, 30);
  ag_exact_params_default(&p);
  p.max_group = 0;
  p.anneal_moves = 0;
  p.max_memory = 64 << 10;
  int rc = ag_search_exact_ex(d, &o, &p, NULL, 0, 0, &r, &err);
  CHECK(rc == 0 && !r.optimal && r.lower_bound >= 223 && r.lower_bound <= 295 && r.cost >= 295 &&
            r.cost <= 407,
        "memory stop: cost %ld lower %ld optimal %d", r.cost, r.lower_bound, r.optimal);
  CHECK(r.elapsed < 10, "memory stop took %.1f s", r.elapsed);
  if (rc == 0) ag_search_result_free(&r);
  /* iteration cap, no time limit: deterministic */
  opts_init(&o, 0);
  o.max_iterations = 300;
  ag_exact_params_default(&p);
  p.max_group = 8;
  p.anneal_moves = 20000;
  p.first_expansions = 100;
  rc = ag_search_exact_ex(d, &o, &p, NULL, 0, 0, &r, &err);
  int rc2 = ag_search_exact_ex(d, &o, &p, NULL, 0, 0, &r2, &err);
  CHECK(rc == 0 && rc2 == 0, "%s", err.msg);
  if (rc == 0 && rc2 == 0) {
    CHECK(r.cost == r2.cost && r.lower_bound == r2.lower_bound && r.iterations == r2.iterations &&
              !memcmp(r.order, r2.order, (size_t)r.len * sizeof(int)),
          "not deterministic: %ld/%ld %ld/%ld", r.cost, r2.cost, r.lower_bound, r2.lower_bound);
    CHECK(r.iterations <= 300 && r.lower_bound <= 295 && r.cost >= 295 &&
              ag_order_cost(d, r.order, r.len, &err) == r.cost,
          "iteration cap: %ld expanded, cost %ld lower %ld", r.iterations, r.cost, r.lower_bound);
    ag_search_result_free(&r);
    ag_search_result_free(&r2);
  }
  /* a short time limit */
  opts_init(&o, 0.3);
  double t0 = ag_now();
  rc = ag_search_exact(d, &o, NULL, 0, 0, &r, &err);
  double el = ag_now() - t0;
  CHECK(rc == 0 && el < 1.5 && r.lower_bound <= 295 && r.cost >= 295 && r.cost <= 407 &&
            r.optimal == (r.cost == r.lower_bound),
        "time limit: %.2f s, cost %ld lower %ld", el, r.cost, r.lower_bound);
  if (rc == 0) ag_search_result_free(&r);
  /* an invalid incumbent is refused */
  int bad[3] = {1, 1, 2};
  rc = ag_search_exact(d, &o, bad, 3, 0, &r, &err);
  CHECK(rc == -1 && err.msg[0], "invalid incumbent accepted");
  ag_graph_free(g);
}

int main(void) {
  double t0 = ag_now();
  test_brute(AG_SANITIZED ? 30 : 60, AG_SANITIZED ? 8 : 9);
  test_admissible(AG_SANITIZED ? 150 : 600, 0);
  test_admissible(AG_SANITIZED ? 150 : 600, 1);
  test_paper("PropaneCombustion", 88, 88, 20);
  test_paper("HumanHeartDipole", 148, 148, 20);
  test_paper("RobotArm_6DOF", 221, 221, 20);
  test_paper("RoeFlux_1d", 295, 223, 20);
  if (!AG_SANITIZED) test_g(20000);
  test_limits();
  printf("total %.1f s\n", ag_now() - t0);
  return check_report("test_exact");
}
