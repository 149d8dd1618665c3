/* Orders: validation and parsing errors; the incremental elimination state against a
   naive dense re-implementation on random orders; state copies; order independence of
   the graph that remains after eliminating a set. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "paper.h"

static void shuffle(int *a, int n) {
  for (int i = n - 1; i > 0; i--) {
    int j = (int)check_rand((unsigned)i + 1), t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/* Dense adjacency elimination, written from the definition: the reference. */
static long naive_cost(const ag_dag *d, const int *order, int len) {
  int n = d->n;
  unsigned char *A = calloc((size_t)n * n, 1); /* A[p*n+s]: edge p->s */
  for (int v = d->ni; v < n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
      A[d->pred[j] * n + v] = 1;
  long cost = 0;
  for (int k = 0; k < len; k++) {
    int v = ag_vertex_index(d, order[k]);
    long np = 0, ns = 0;
    for (int i = 0; i < n; i++)
      np += A[i * n + v], ns += A[v * n + i];
    cost += np * ns;
    for (int p = 0; p < n; p++)
      if (A[p * n + v])
        for (int s = 0; s < n; s++)
          if (A[v * n + s]) A[p * n + s] = 1;
    for (int i = 0; i < n; i++)
      A[i * n + v] = A[v * n + i] = 0;
  }
  free(A);
  return cost;
}

static void expect_invalid(const ag_dag *d, const int *o, int n, const char *want) {
  ag_error err = {0};
  CHECK(ag_order_validate(d, o, n, &err) != 0, "accepted, expected '%s'", want);
  CHECK(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
  CHECK(err.code == (strstr(err.msg, "another graph") ? AG_ERR_MISMATCH : AG_ERR_INPUT),
        "invalid order: code %s (%s)", ag_status_name(err.code), err.msg);
  CHECK(ag_order_cost(d, o, n, &err) == -1, "cost of an invalid order");
}

int main(void) {
  char path[4096];
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_error err;
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    ag_graph *g = ag_parse_dag_file(path, paper_tasks[t].name, &err);
    CHECK(g != NULL, "%s", err.msg);
    if (!g) continue;
    const ag_dag *d = &g->dag;
    int m = d->neliminable, *o = malloc((size_t)(m + 2) * sizeof(int));
    ag_order_forward(d, o);
    for (int trial = 0; trial < 50; trial++) {
      shuffle(o, m);
      long c = ag_order_cost(d, o, m, &err);
      CHECK(c == naive_cost(d, o, m), "%s: random order cost %ld != naive", g->name, c);
    }
    /* copy mid-way; both continue identically */
    ag_elim *s = ag_elim_new(d), *s2 = ag_elim_new(d);
    for (int i = 0; i < m / 2; i++)
      ag_elim_step(s, ag_vertex_index(d, o[i]));
    ag_elim_copy(s2, s);
    for (int i = m / 2; i < m; i++) {
      ag_elim_step(s, ag_vertex_index(d, o[i]));
      ag_elim_step(s2, ag_vertex_index(d, o[i]));
    }
    CHECK(s->cost == s2->cost && s->nleft == 0 && s2->nleft == 0, "copy diverged");
    CHECK(s->cost == naive_cost(d, o, m), "%s", g->name);
    /* the same set eliminated in two orders leaves the same graph */
    ag_elim_reset(s, d);
    ag_elim_reset(s2, d);
    int half = m / 2, *o2 = malloc((size_t)m * sizeof(int));
    memcpy(o2, o, (size_t)m * sizeof(int));
    shuffle(o2, half);
    for (int i = 0; i < half; i++) {
      ag_elim_step(s, ag_vertex_index(d, o[i]));
      ag_elim_step(s2, ag_vertex_index(d, o2[i]));
    }
    CHECK(!memcmp(s->pred, s2->pred, s->nwords * sizeof(uint64_t)),
          "%s: remaining graph depends on the order within the eliminated set", g->name);
    /* Markowitz degree is the step's cost */
    for (int v = d->ni; v < d->n; v++)
      if (ag_elim_eliminable(s, v)) {
        long before = s->cost, md = ag_elim_markowitz(s, v);
        CHECK(ag_elim_step(s, v) == md && s->cost == before + md, "markowitz degree");
        break;
      }
    free(o2);
    ag_elim_free(s);
    ag_elim_free(s2);

    /* the Markowitz order (cached degrees) equals the greedy rule with every degree
       recounted at every step, ties to the lowest index */
    {
      int *mo = malloc((size_t)(m + 1) * sizeof(int)), *ro = malloc((size_t)(m + 1) * sizeof(int));
      int ml = ag_order_markowitz(d, mo), rl = 0;
      ag_elim *r = ag_elim_new(d);
      while (r->nleft > 0) {
        int best = -1;
        long bc = 0;
        for (int v = d->ni; v < d->n; v++)
          if (ag_elim_eliminable(r, v) && (best < 0 || ag_elim_markowitz(r, v) < bc))
            best = v, bc = ag_elim_markowitz(r, v);
        ag_elim_step(r, best);
        ro[rl++] = ag_vertex_id(d, best);
      }
      CHECK(ml == rl && !memcmp(mo, ro, (size_t)ml * sizeof(int)),
            "%s: Markowitz order differs from the recounting greedy rule", g->name);
      ag_elim_free(r);
      free(mo);
      free(ro);
    }

    /* validation errors */
    ag_order_forward(d, o);
    int out_id = 0;
    for (int v = d->ni; v < d->n && !out_id; v++)
      if (d->is_output[v]) out_id = ag_vertex_id(d, v);
    int save = o[0];
    o[0] = out_id;
    expect_invalid(d, o, m, "is an output and cannot be eliminated");
    o[0] = o[1];
    expect_invalid(d, o, m, "appears twice");
    o[0] = d->nv + 1;
    expect_invalid(d, o, m, "does not exist");
    o[0] = 0;
    expect_invalid(d, o, m, "does not exist");
    o[0] = save;
    expect_invalid(d, o, m - 1, "is missing");
    CHECK(ag_order_validate(d, o, m, &err) == 0, "forward order valid: %s", err.msg);
    free(o);
    ag_graph_free(g);
  }

  /* order text */
  int *o, n;
  CHECK(ag_order_parse("[3, 1 2]\n# comment\n 4,5", "t", &o, &n, &err) == 0 && n == 5 &&
            o[0] == 3 && o[4] == 5,
        "parse: %s", err.msg);
  free(o);
  CHECK(ag_order_parse("1, 2\n3, x4", "f.txt", &o, &n, &err) != 0 &&
            strstr(err.msg, "f.txt:2:4: unexpected character 'x'"),
        "%s", err.msg);
  CHECK(err.code == AG_ERR_FORMAT, "bad character: code %s (%s)", ag_status_name(err.code),
        err.msg);
  CHECK(ag_order_parse(" # nothing\n ", "f.txt", &o, &n, &err) != 0 && strstr(err.msg, "empty"),
        "%s", err.msg);
  CHECK(err.code == AG_ERR_FORMAT, "empty order: code %s (%s)", ag_status_name(err.code), err.msg);
  /* "[]": the order of a graph with nothing to eliminate; for any other graph it is invalid */
  CHECK(ag_order_parse(" [ ] ", "f.txt", &o, &n, &err) == 0 && n == 0, "[]: %s", err.msg);
  {
    ag_graph *pg = ag_parse_dag_file(path, "PropaneCombustion", &err);
    CHECK(pg && ag_order_validate(&pg->dag, o, 0, &err) != 0 && err.code == AG_ERR_MISMATCH,
          "[] for a graph with eliminable vertices: %s (%s)", err.msg, ag_status_name(err.code));
    ag_graph_free(pg);
  }
  free(o);
  CHECK(ag_order_parse("1 -2", "f.txt", &o, &n, &err) != 0 && strstr(err.msg, "f.txt:1:3"), "%s",
        err.msg);
  CHECK(err.code == AG_ERR_FORMAT, "negative id: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_graph *g = ag_parse_dag_file(path, "PropaneCombustion", &err);
  CHECK(ag_order_resolve(&g->dag, "sideways", &o, &n, &err) != 0 &&
            strstr(err.msg, "unknown order 'sideways'"),
        "%s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "unknown order: code %s (%s)", ag_status_name(err.code), err.msg);
  CHECK(ag_order_resolve(&g->dag, "@/nonexistent/order.txt", &o, &n, &err) != 0 &&
            strstr(err.msg, "/nonexistent/order.txt: cannot open"),
        "%s", err.msg);
  CHECK(err.code == AG_ERR_IO, "missing order file: code %s (%s)", ag_status_name(err.code),
        err.msg);
  /* an order of another graph is refused, naming the file */
  char opath[] = "/tmp/ag_test_order_XXXXXX";
  int fd = mkstemp(opath);
  char *txt = paper_order_text("HumanHeartDipole", "AlphaGrad");
  CHECK(fd >= 0 && txt, "temp file");
  FILE *f = fdopen(fd, "w");
  fputs(txt, f);
  fclose(f);
  char spec[4200];
  snprintf(spec, sizeof spec, "@%s", opath);
  CHECK(ag_order_resolve(&g->dag, spec, &o, &n, &err) != 0 && strstr(err.msg, opath) &&
            (strstr(err.msg, "does not exist") || strstr(err.msg, "output") ||
             strstr(err.msg, "another graph")),
        "%s", err.msg);
  CHECK(err.code == (strstr(err.msg, "another graph") ? AG_ERR_MISMATCH : AG_ERR_INPUT),
        "order of another graph: code %s (%s)", ag_status_name(err.code), err.msg);
  remove(opath);
  free(txt);
  ag_graph_free(g);
  return check_report("test_orders");
}
