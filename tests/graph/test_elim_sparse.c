/* The sparse elimination state (graph/elim_sparse.h) against the bitset state
   (graph/eliminate.h) under both objectives: every step's cost, on random orders of the
   paper graphs, of the large generated kernels and of random corpus graphs; undo takes
   steps back exactly (the state continues as if they never happened, lists in the same
   order); the Markowitz degree; a commit bounds what can be undone. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph/elim_sparse.h"
#include "graph/eliminate.h"
#include "graph/exec_cost.h"
#include "paper.h"
#include "train/corpus.h"

static void shuffle(int *a, int n) {
  for (int i = n - 1; i > 0; i--) {
    int j = (int)check_rand((unsigned)i + 1), t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/* A random order that respects nothing: any permutation of the eliminable vertices. */
static int random_order(const ag_dag *d, int *o) {
  int m = 0;
  for (int v = d->ni; v < d->n; v++)
    if (!d->is_output[v]) o[m++] = v;
  shuffle(o, m);
  return m;
}

static int lists_equal(const ag_selim *a, const ag_selim *b) {
  for (int v = 0; v < a->n; v++) {
    if (a->fixed[v] != b->fixed[v]) return 0;
    if (a->fixed[v] && v >= a->ni) continue; /* eliminated: its lists are not read */
    const ag_selim_list *x[2] = {&a->pred[v], &a->succ[v]}, *y[2] = {&b->pred[v], &b->succ[v]};
    for (int k = 0; k < 2; k++) {
      if (x[k]->len != y[k]->len) return 0;
      if (x[k]->len == 0) continue; /* an empty list may have no array yet */
      if (memcmp(x[k]->v, y[k]->v, (size_t)x[k]->len * sizeof(int))) return 0;
      if (x[k]->cl && memcmp(x[k]->cl, y[k]->cl, (size_t)x[k]->len)) return 0;
    }
  }
  return a->cost == b->cost && a->mults == b->mults && a->nleft == b->nleft;
}

static long checks;

static void check_graph(const ag_dag *d0, const char *name, int trials) {
  ag_exec_weights w;
  ag_exec_weights_default(&w);
  for (int model = 0; model < 2; model++) {
    ag_dag d = ag_dag_with_objective(d0, model ? &w : NULL);
    int *o = malloc((size_t)(d.n + 1) * sizeof(int));
    ag_elim *dense = ag_elim_new(&d);
    ag_selim *s = ag_selim_new(&d), *t = ag_selim_new(&d);
    for (int trial = 0; trial < trials; trial++) {
      int m = random_order(&d, o);
      ag_elim_reset(dense, &d);
      ag_selim_reset(s, &d);
      for (int k = 0; k < m; k++) {
        long md = ag_selim_markowitz(s, o[k]);
        CHECK(md == ag_elim_markowitz(dense, o[k]), "%s: Markowitz degree at step %d", name, k);
        long cd = ag_elim_step(dense, o[k]), cs = ag_selim_step(s, o[k]);
        checks++;
        if (cd != cs) {
          CHECK(0, "%s (%s model): step %d of a random order costs %ld sparse, %ld dense", name,
                model ? "exec" : "mults", k, cs, cd);
          break;
        }
      }
      CHECK(s->cost == dense->cost && s->mults == dense->mults && s->nleft == 0,
            "%s: totals %ld/%ld against %ld/%ld", name, s->cost, s->mults, dense->cost,
            dense->mults);
      CHECK(ag_selim_order_cost(&d, o, m) == dense->cost, "%s: ag_selim_order_cost", name);
      /* undo: back to a random point, then a different continuation equals a fresh run */
      int back = (int)check_rand((unsigned)m + 1);
      for (int k = 0; k < back; k++)
        CHECK(ag_selim_undo(s) == o[m - 1 - k], "%s: undo returned another vertex", name);
      ag_selim_reset(t, &d);
      for (int k = 0; k < m - back; k++)
        ag_selim_step(t, o[k]);
      CHECK(lists_equal(s, t), "%s (%s model): %d steps undone differ from a fresh replay", name,
            model ? "exec" : "mults", back);
      shuffle(o + (m - back), back);
      for (int k = m - back; k < m; k++)
        ag_selim_step(s, o[k]), ag_selim_step(t, o[k]);
      CHECK(lists_equal(s, t) && s->nleft == 0, "%s: continuation after undo diverged", name);
      /* commit: nothing before it can be undone */
      ag_selim_commit(s);
      CHECK(ag_selim_logged(s) == 0, "%s: log not empty after commit", name);
    }
    ag_elim_free(dense);
    ag_selim_free(s);
    ag_selim_free(t);
    free(o);
  }
}

int main(void) {
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    ag_graph *g = paper_task_graph(t);
    CHECK(g != NULL, "paper graph %d", t);
    if (!g) continue;
    check_graph(&g->dag, g->name, 20);
    ag_graph_free(g);
  }
  for (int k = 0; k < 6; k++) {
    ag_graph *g = ag_corpus_random(100 + (uint64_t)k, 3 + k, 40 + 30 * k, 1 + k % 3);
    CHECK(g != NULL, "corpus graph %d", k);
    if (g) check_graph(&g->dag, g->name, 10);
    ag_graph_free(g);
  }
  ag_graph *big[3] = {ag_corpus_roe_stencil(12), ag_corpus_robot_chain(20, 3),
                      ag_corpus_spring_net(6, 5, 2)};
  for (int k = 0; k < 3; k++) {
    CHECK(big[k] != NULL, "large generator %d", k);
    if (big[k]) check_graph(&big[k]->dag, big[k]->name, 3);
    ag_graph_free(big[k]);
  }
  printf("%ld steps compared\n", checks);
  return check_report("test_elim_sparse");
}
