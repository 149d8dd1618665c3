/* The AlphaGrad sparse-tensor cost model (tensor/): the tables against the reference's data
   file, the specification's worked example and single products, forward / reverse /
   Markowitz of the five tensor tasks against the reference vertex game's figures, the
   stored orders' costs, the reference's Markowitz order vertex for vertex, the order
   dependence of the state, searches (annealing and MCTS) with recomputed costs, order
   libraries that keep tensor and scalar entries apart, and malformed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "orderlib/orderlib.h"
#include "paper.h"
#include "tensor/tensor_read.h"
#include "tensor/tensor_search.h"

static const char *tasks[5] = {"RoeFlux_3d", "f", "MLP", "Encoder", "BlackScholes_Jacobian"};
/* the reference vertex game's forward / reverse / minimal Markowitz
   (shared/reference/tensor/README.md) and the paper's best AlphaGrad figure */
static const long want_fwd[5] = {1556, 17728, 10930, 135010, 545};
static const long want_rev[5] = {979, 9333, 392, 4688, 572};
static const long want_mm[5] = {956, 12257, 4796, 51896, 350};
static const long paper_best[5] = {784, 5884, 389, 4656, 307};

static ag_tgraph *load(const char *name) {
  char path[4096];
  src_path(path, sizeof path, "tests/data/tensor_graphs.txt");
  ag_error err;
  ag_tgraph *g = ag_tgraph_read_file(path, name, &err);
  CHECK(g != NULL, "loading %s: %s", name, err.msg);
  return g;
}

/* the tables against tests/data/tensor_sparsity_tables.txt */
static void test_tables(void) {
  char path[4096], line[1024];
  src_path(path, sizeof path, "tests/data/tensor_sparsity_tables.txt");
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "open %s", path);
  if (!f) return;
  int table = -1, rows = 0, bad = 0; /* 0 MUL, 1 ADD, 2..7 CONTRACTION 0..5 */
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || !strncmp(line, "TYPES", 5) || line[0] == '\n') continue;
    if (!strncmp(line, "MUL", 3)) {
      table = 0;
      continue;
    }
    if (!strncmp(line, "ADD", 3)) {
      table = 1;
      continue;
    }
    if (!strncmp(line, "CONTRACTION", 11)) {
      table = 2 + atoi(line + 12);
      continue;
    }
    char *p = strchr(line, ':');
    int r = atoi(line);
    for (int c = 0; c < AG_TTYPES && p; c++) {
      long v = strtol(p + 1, &p, 10);
      int have = table == 0   ? ag_tmul[r + 10][c]
                 : table == 1 ? ag_tadd[r + 10][c]
                              : ag_tcontraction[table - 2][r + 10][c];
      if (have != v) bad++;
    }
    rows++;
  }
  fclose(f);
  CHECK_EQ_LONG(rows, 8 * AG_TTYPES, "table rows read");
  CHECK_EQ_LONG(bad, 0, "table entries differing from the reference's data");
}

/* cost_model.md section 9 */
static void test_worked_example(void) {
  static const char *text = "## Ex: inputs=2 vertices=3 outputs=2 output_vertices=[2, 3]\n"
                            "x1 shape=[4,4] ag=[4,4]\n"
                            "x2 shape=[4,4] ag=[4,4]\n"
                            "v1 = exp(x1) shape=[4,4] ag=[4,4]\n"
                            "  x1 -> v1 type=6 jac=[4,4,4,4]\n"
                            "v2 = dot_general(x2, v1) shape=[4,4] ag=[4,4]\n"
                            "  x2 -> v2 type=-2 jac=[4,4,4,4]\n"
                            "  v1 -> v2 type=-3 jac=[4,4,4,4]\n"
                            "v3 = mul(v1, x1) shape=[4,4] ag=[4,4]\n"
                            "  x1 -> v3 type=6 jac=[4,4,4,4]\n"
                            "  v1 -> v3 type=6 jac=[4,4,4,4]\n";
  ag_error err;
  ag_tgraph *g = ag_tgraph_read_text(text, "example", NULL, &err);
  CHECK(g != NULL, "%s", err.msg);
  if (!g) return;
  ag_tstate *s = ag_tstate_new(g);
  CHECK_EQ_LONG(ag_tstate_markowitz_degree(s, 0), 5, "Markowitz degree of v1");
  CHECK_EQ_LONG(ag_tstate_step_cost(s, 0), 80, "step cost of v1");
  CHECK_EQ_LONG(ag_tstate_eliminate(s, 0), 80, "eliminating v1");
  const ag_tedge *x1v2 = &s->E[0 * g->nv + 1], *x1v3 = &s->E[0 * g->nv + 2];
  CHECK_EQ_LONG(x1v2->t, 3, "x1 -> v2 after eliminating v1");
  CHECK_EQ_LONG(x1v3->t, 6, "x1 -> v3 after eliminating v1");
  CHECK_EQ_LONG(s->E[(2 + 0) * g->nv + 1].t, 0, "v1 -> v2 deleted");
  ag_tstate_free(s);
  ag_tgraph_free(g);
  /* single products of the table in section 9: (t1, dims1, t2, dims2, cost, type) */
  static const struct {
    int t1, d1[4], t2, d2[4];
    long cost;
    int type;
  } pr[] = {
      {1, {4, 4, 4, 4}, 1, {4, 4, 4, 4}, 4096, 1},  {6, {4, 4, 4, 4}, 6, {4, 4, 4, 4}, 16, 6},
      {-3, {4, 4, 4, 4}, -3, {4, 4, 4, 4}, 64, -3}, {-2, {4, 4, 4, 4}, 6, {4, 4, 4, 4}, 64, 2},
      {6, {4, 4, 4, 4}, -2, {4, 1, 4, 4}, 16, 2},   {-6, {4, 1, 4, 1}, 2, {4, 4, 4, 1}, 0, 2},
      {-7, {4, 4, 4, 4}, 6, {4, 4, 4, 4}, 0, 7},    {10, {4, 4, 4, 4}, 10, {4, 4, 4, 4}, 1, 10},
      {-3, {1, 3, 1, 3}, 3, {1, 3, 1, 3}, 3, 3},    {1, {1, 3, 1, 1}, 3, {1, 3, 1, 3}, 3, 1},
  };
  for (size_t i = 0; i < sizeof pr / sizeof pr[0]; i++) {
    ag_tedge e1 = {(int16_t)pr[i].t1, (int16_t)pr[i].d1[0], (int16_t)pr[i].d1[1],
                   (int16_t)pr[i].d1[2], (int16_t)pr[i].d1[3]};
    ag_tedge e2 = {(int16_t)pr[i].t2, (int16_t)pr[i].d2[0], (int16_t)pr[i].d2[1],
                   (int16_t)pr[i].d2[2], (int16_t)pr[i].d2[3]};
    int t;
    long c = ag_tproduct_cost(&e1, &e2, &t);
    CHECK(c == pr[i].cost && t == pr[i].type, "product %d x %d: cost %ld type %d, expected %ld %d",
          pr[i].t1, pr[i].t2, c, t, pr[i].cost, pr[i].type);
  }
}

static void test_baselines(void) {
  for (int i = 0; i < 5; i++) {
    ag_tgraph *g = load(tasks[i]);
    if (!g) continue;
    int *ids = malloc((size_t)g->nv * sizeof(int));
    char what[128];
    snprintf(what, sizeof what, "%s forward", tasks[i]);
    CHECK_EQ_LONG(ag_torder_forward(g, ids), want_fwd[i], what);
    snprintf(what, sizeof what, "%s reverse", tasks[i]);
    CHECK_EQ_LONG(ag_torder_reverse(g, ids), want_rev[i], what);
    snprintf(what, sizeof what, "%s Markowitz", tasks[i]);
    CHECK_EQ_LONG(ag_torder_markowitz(g, ids), want_mm[i], what);
    /* the header's figures are the reference's too */
    CHECK(g->ref_fwd == want_fwd[i] && g->ref_rev == want_rev[i] && g->ref_markowitz == want_mm[i],
          "%s: header %ld/%ld/%ld", tasks[i], g->ref_fwd, g->ref_rev, g->ref_markowitz);
    free(ids);
    ag_tgraph_free(g);
  }
}

/* every order of tensor_orders.txt costs its alphagrad_cost; the minMarkowitz orders equal
   ours vertex for vertex */
static void test_stored_orders(void) {
  char path[4096], hdr[4096] = "";
  src_path(path, sizeof path, "tests/data/tensor_orders.txt");
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "open %s", path);
  if (!f) return;
  size_t cap = 1 << 16;
  char *line = malloc(cap);
  int n = 0, named = 0, mm = 0;
  while (fgets(line, (int)cap, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    if (line[0] != '[') {
      snprintf(hdr, sizeof hdr, "%s", line);
      continue;
    }
    char task[64], label[64];
    sscanf(hdr, "%63s %63s", task, label);
    long want = atol(strstr(hdr, "alphagrad_cost=") + 15);
    ag_tgraph *g = load(task);
    if (!g) continue;
    int *ids, len;
    ag_error err;
    CHECK(ag_order_parse(line, "tensor_orders.txt", &ids, &len, &err) == 0, "%s", err.msg);
    long c = ag_torder_cost(g, ids, len, &err);
    CHECK(c == want, "%s %s: cost %ld, expected %ld (%s)", task, label, c, want,
          c < 0 ? err.msg : "");
    n++;
    if (!strcmp(label, "AlphaGrad")) { /* the five the issue names */
      static const long stored[5] = {811, 6374, 389, 4656, 312};
      for (int i = 0; i < 5; i++)
        if (!strcmp(task, tasks[i])) {
          CHECK_EQ_LONG(c, stored[i], task);
          named++;
        }
    }
    if (!strcmp(label, "minMarkowitz")) {
      int *mo = malloc((size_t)g->nv * sizeof(int));
      ag_torder_markowitz(g, mo);
      CHECK(len == g->neliminable && !memcmp(mo, ids, (size_t)len * sizeof(int)),
            "%s: our Markowitz order differs from the reference's", task);
      free(mo);
      mm++;
    }
    free(ids);
    ag_tgraph_free(g);
  }
  free(line);
  fclose(f);
  CHECK_EQ_LONG(n, 12, "stored orders checked");
  CHECK_EQ_LONG(named, 5, "the five AlphaGrad orders");
  CHECK_EQ_LONG(mm, 5, "Markowitz orders compared");
}

/* the state depends on the order of eliminations, not only on the set (f: 43/200 random
   pairs in the reference's own trials) */
static void test_order_dependence(void) {
  ag_tgraph *g = load("f");
  if (!g) return;
  ag_tstate *a = ag_tstate_new(g), *b = ag_tstate_new(g);
  int m = g->neliminable, *ids = malloc((size_t)m * sizeof(int)),
      *p = malloc((size_t)m * sizeof(int));
  ag_torder_forward(g, ids);
  check_seed(7);
  int differ = 0;
  for (int trial = 0; trial < 200; trial++) {
    int k = 2 + (int)check_rand((unsigned)m - 2);
    memcpy(p, ids, (size_t)m * sizeof(int));
    for (int i = m - 1; i > 0; i--) { /* a random order; its first k form the set */
      int j = (int)check_rand((unsigned)i + 1), t = p[i];
      p[i] = p[j], p[j] = t;
    }
    ag_tstate_reset(a);
    ag_tstate_reset(b);
    for (int i = 0; i < k; i++)
      ag_tstate_eliminate(a, p[i] - 1);
    for (int i = k - 1; i >= 0; i--) /* the same set, the other way round */
      ag_tstate_eliminate(b, p[i] - 1);
    if (memcmp(a->E, b->E, (size_t)g->nvar * g->nv * sizeof(ag_tedge))) differ++;
  }
  CHECK(differ > 0, "f: no pair of orders over one set gave different states (%d/200)", differ);
  printf("f: %d/200 pairs of orders over the same set leave different states\n", differ);
  free(ids);
  free(p);
  ag_tstate_free(a);
  ag_tstate_free(b);
  ag_tgraph_free(g);
}

/* deterministic searches: annealing below the paper's best; MCTS valid and no worse than
   its seeds; every reported cost recomputed */
static void test_search(void) {
  static const long moves[5] = {150000, 150000, 300000, 100000, 100000};
  for (int i = 0; i < 5; i++) {
    ag_tgraph *g = load(tasks[i]);
    if (!g) continue;
    ag_tsearch_opts o;
    ag_tsearch_opts_default(&o);
    o.time_limit = 0;
    o.max_moves = moves[i];
    o.seed = 1;
    ag_tsearch_result r;
    ag_error err;
    double t0 = ag_now();
    CHECK(ag_tsearch(g, AG_TSEARCH_ANNEAL, &o, &r, &err) == 0, "%s", err.msg);
    double el = ag_now() - t0;
    long c = ag_torder_cost(g, r.order, r.len, &err);
    CHECK_EQ_LONG(c, r.cost, "annealing's reported cost recomputed");
    /* strictly below the paper's best for RoeFlux_3d, f and BlackScholes_Jacobian; at most
       the paper's for MLP and Encoder (the acceptance, here on a move budget) */
    int strict = i != 2 && i != 3;
    CHECK(strict ? r.cost < paper_best[i] : r.cost <= paper_best[i],
          "%s: annealing %ld after %ld moves, paper %ld", tasks[i], r.cost, r.iterations,
          paper_best[i]);
    printf("%-22s anneal %ld moves (%.1f s): %ld (paper's AlphaGrad %ld, reverse %ld)\n", tasks[i],
           r.iterations, el, r.cost, paper_best[i], r.rev);
    ag_tsearch_result_free(&r);

    o.max_moves = 300;
    CHECK(ag_tsearch(g, AG_TSEARCH_MCTS, &o, &r, &err) == 0, "%s", err.msg);
    c = ag_torder_cost(g, r.order, r.len, &err);
    CHECK_EQ_LONG(c, r.cost, "MCTS's reported cost recomputed");
    long seed_best = r.fwd;
    long sc[3] = {r.rev, r.markowitz, r.greedy};
    for (int k = 0; k < 3; k++)
      if (sc[k] < seed_best) seed_best = sc[k];
    CHECK(r.cost <= seed_best, "%s: MCTS %ld worse than its seeds %ld", tasks[i], r.cost,
          seed_best);
    ag_tsearch_result_free(&r);
    ag_tgraph_free(g);
  }
}

static long dag_cost(const void *g, const int *o, int n, ag_error *e) {
  return ag_torder_cost(g, o, n, e);
}

/* tensor entries live beside scalar ones and never answer for the other model */
static void test_orderlib(void) {
  char lib[64];
  snprintf(lib, sizeof lib, "/tmp/ag_tensor_lib_%d.h5", (int)getpid());
  unlink(lib);
  ag_tgraph *g = load("MLP");
  if (!g) return;
  ag_orderlib_graph tg = {g->hash, g->ni, g->nv, g->no, g->neliminable, "tensor", dag_cost, g};
  int *ids = malloc((size_t)g->nv * sizeof(int));
  long c = ag_torder_reverse(g, ids);
  ag_order_entry e;
  memset(&e, 0, sizeof e);
  e.hash = g->hash, e.ni = g->ni, e.nv = g->nv, e.no = g->no, e.neliminable = g->neliminable;
  e.name = g->name, e.order = ids, e.len = g->neliminable, e.cost = c, e.lower_bound = -1;
  e.method = "test";
  ag_error err;
  /* without the model it is refused (a scalar entry for a tensor graph) */
  CHECK(ag_orderlib_store_g(lib, &tg, &e, &err) < 0 && err.code == AG_ERR_MISMATCH,
        "a scalar entry for a tensor graph stored");
  e.model = "tensor";
  e.cost = c + 1;
  CHECK(ag_orderlib_store_g(lib, &tg, &e, &err) < 0, "a wrong cost stored");
  e.cost = c;
  CHECK(ag_orderlib_store_g(lib, &tg, &e, &err) == 1, "store: %s", err.msg);
  /* a scalar graph in the same library */
  char path[4096];
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_graph *sg = ag_parse_dag_file(path, "g", &err);
  CHECK(sg != NULL, "%s", err.msg);
  int *so = malloc((size_t)sg->dag.nv * sizeof(int));
  int sl = ag_order_reverse(&sg->dag, so);
  ag_order_entry se;
  ag_order_entry_init(&se, &sg->dag, "g", so, sl, ag_order_cost(&sg->dag, so, sl, &err));
  CHECK(ag_orderlib_store(lib, &sg->dag, &se, &err) == 1, "scalar store: %s", err.msg);
  /* each finds its own */
  ag_order_entry back;
  CHECK(ag_orderlib_lookup_g(lib, &tg, NULL, &back, &err) == 1, "tensor lookup: %s", err.msg);
  CHECK(back.cost == c && back.len == g->neliminable &&
            !memcmp(back.order, ids, (size_t)back.len * sizeof(int)) &&
            ag_order_entry_model_is(&back, "tensor"),
        "tensor entry read back");
  ag_order_entry_clear(&back);
  CHECK(ag_orderlib_lookup(lib, &sg->dag, &back, &err) == 1 &&
            !ag_order_entry_model_is(&back, "tensor"),
        "scalar lookup");
  ag_order_entry_clear(&back);
  /* a scalar graph with the tensor graph's key finds nothing (the models never mix) */
  ag_dag fake = sg->dag;
  fake.hash = g->hash;
  CHECK(ag_orderlib_lookup(lib, &fake, &back, &err) == 0, "a scalar lookup found a tensor entry");
  ag_order_entry_clear(&back);
  /* a cheaper order replaces it; a dearer one does not */
  e.cost = ag_torder_greedy(g, ids);
  CHECK(ag_orderlib_store_g(lib, &tg, &e, &err) == 0, "a dearer order (greedy) replaced reverse");
  ag_order_entry *es;
  int n;
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "%s", err.msg);
  CHECK_EQ_LONG(n, 2, "entries in the library");
  ag_order_entries_free(es, n);
  unlink(lib);
  free(so);
  ag_graph_free(sg);
  free(ids);
  ag_tgraph_free(g);
}

/* malformed files: "where:line: message" */
static void test_bad_files(void) {
  static const struct {
    const char *text, *want;
  } cases[] = {
      {"x1 ag=[1,1]\n", "no graph sections"},
      {"## A: inputs=1 vertices=1 outputs=1\nx1\n", "'output_vertices=[...]' is missing"},
      {"## A: inputs=1 vertices=2 outputs=1 output_vertices=[3]\n", "output vertex 3"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=12 jac=[1,1,1,1]\n",
       "t:4: edge: 'type=T'"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=1 jac=[1,1,1]\n",
       "t:4: edge: 'jac=[o1,o2,p1,p2]'"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=1 jac=[1,1,0,1]\n",
       "t:4: edge: dimension 0"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x2 -> v1 type=1 jac=[1,1,1,1]\n",
       "t:4: edge from x2: no such input"},
      {"## A: inputs=1 vertices=2 outputs=1 output_vertices=[2]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v2 type=1 jac=[1,1,1,1]\nv2 = neg(v1)\n",
       "t:4: edge into v2 is not under the line of v2"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=1 jac=[1,1,1,1]\n  x1 -> v1 type=6 jac=[1,1,1,1]\n",
       "t:5: edge x1 -> v1 is listed twice"},
      {"## A: inputs=1 vertices=2 outputs=1 output_vertices=[2]\nx1\nv2 = neg(x1)\n",
       "t:3: vertex v2 out of sequence"},
      {"## A: inputs=1 vertices=2 outputs=1 output_vertices=[2]\nx1\nv1 = neg(x1)\n",
       "t:1: section 'A' declares inputs=1 vertices=2 but lists 1 inputs and 1 vertices"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1] edges=2\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=1 jac=[1,1,1,1]\n",
       "t:1: section 'A' declares edges=2 but lists 1"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg x1\n",
       "t:3: vertex v1: expected '= primitive(operands)'"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "x1 -> v1 type=1 jac=[1,1,1,1]\n",
       "t:4: an edge line must be indented"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n"
       "  x1 -> v1 type=1 jac=[1,1,1,99999]\n",
       "dimension 99999"},
      {"## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\n## B: inputs=1 vertices=1 "
       "outputs=1 output_vertices=[1]\n",
       "holds 2 graphs (A, B); choose one with --name"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ag_error err;
    err.msg[0] = 0;
    ag_tgraph *g = ag_tgraph_read_text(cases[i].text, "t", NULL, &err);
    CHECK(g == NULL && strstr(err.msg, cases[i].want), "case %zu: got '%s', expected '%s'", i,
          g ? "(a graph)" : err.msg, cases[i].want);
    ag_tgraph_free(g);
  }
  ag_error err;
  ag_tgraph *g = load("MLP");
  int *ids = malloc((size_t)g->nv * sizeof(int));
  ag_torder_forward(g, ids);
  ids[3] = ids[2];
  CHECK(ag_torder_cost(g, ids, g->neliminable, &err) < 0 && strstr(err.msg, "repeated"),
        "a repeated vertex: %s", err.msg);
  ids[3] = g->outputs[0];
  CHECK(ag_torder_cost(g, ids, g->neliminable, &err) < 0 && strstr(err.msg, "is an output"),
        "an output in an order: %s", err.msg);
  CHECK(ag_torder_cost(g, ids, g->neliminable - 1, &err) < 0 && strstr(err.msg, "38 eliminable"),
        "a short order: %s", err.msg);
  free(ids);
  ag_tgraph_free(g);
  char path[4096];
  src_path(path, sizeof path, "tests/data/tensor_graphs.txt");
  CHECK(ag_tgraph_read_file(path, "Nope", &err) == NULL && strstr(err.msg, "no graph 'Nope'") &&
            strstr(err.msg, "RoeFlux_3d, f, MLP, Encoder, BlackScholes_Jacobian"),
        "unknown name: %s", err.msg);
  CHECK(ag_tgraph_file_is_tensor(path) == 1, "the tensor file is recognised");
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  CHECK(ag_tgraph_file_is_tensor(path) == 0, "a scalar DAG file is not a tensor file");
}

int main(void) {
  test_tables();
  test_worked_example();
  test_baselines();
  test_stored_orders();
  test_order_dependence();
  test_bad_files();
  test_orderlib();
  test_search();
  return check_report("test_tensor_model");
}
