/* Owns the measured objective: candidates, compilation, timing and the pick (measured.h). */
#include "tune/measured.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/orders.h"
#include "mcts/search.h"

void ag_measure_opts_default(ag_measure_opts *o) {
  memset(o, 0, sizeof *o);
  o->k = 8;
  o->search_time = 2;
  ag_exec_weights_default(&o->weights);
  ag_tune_opts_default(&o->timing);
  o->seed = 1;
  o->margin = 0.99;
}

typedef struct {
  int *order;
  char label[32];
  ag_jacprog *jp;
  ag_jit *jit;
} mcand;

/* Adds a candidate unless its program is one already there; 1 added, 0 duplicate, -1 error. */
static int add(mcand *c, int *n, const ag_graph *g, const int *order, const char *label,
               const ag_jit_opts *jo, ag_error *err) {
  const int m = g->dag.neliminable;
  ag_jacprog *jp = ag_jacprog_build(g, order, m, err);
  if (!jp) return -1;
  uint64_t key = ag_jit_key(jp, jo);
  for (int i = 0; i < *n; i++)
    if (c[i].jit->key == key) {
      ag_jacprog_free(jp);
      return 0;
    }
  ag_jit *j = ag_jit_load(jp, jo, err);
  if (!j) {
    ag_jacprog_free(jp);
    return -1;
  }
  mcand *x = &c[(*n)++];
  x->order = ag_malloc((size_t)(m + 1) * sizeof(int));
  memcpy(x->order, order, (size_t)m * sizeof(int));
  snprintf(x->label, sizeof x->label, "%s", label);
  x->jp = jp;
  x->jit = j;
  return 1;
}

static int anneal(const ag_dag *d, const ag_exec_weights *w, double seconds, uint64_t seed,
                  int *order, ag_error *err) {
  ag_dag dx = ag_dag_with_objective(d, w);
  ag_search_opts so;
  ag_search_opts_default(&so);
  so.time_limit = seconds > 0.01 ? seconds : 0.01;
  so.seed = seed;
  ag_search_result r;
  if (ag_search(&dx, AG_SEARCH_ANNEAL, &so, &r, err)) return -1;
  memcpy(order, r.order, (size_t)r.len * sizeof(int));
  ag_search_result_free(&r);
  return 0;
}

int ag_measure_search(const ag_graph *g, const ag_measure_opts *o, ag_measure_result *r,
                      ag_error *err) {
  ag_measure_opts def;
  if (!o) ag_measure_opts_default(&def), o = &def;
  memset(r, 0, sizeof *r);
  if (g->structure_only)
    return ag_failc(err, AG_ERR_UNSUPPORTED,
                    "graph '%s' has no values (reference DAG format): the objective 'measured' "
                    "needs a C kernel; use --objective exec",
                    g->name);
  const ag_dag *d = &g->dag;
  const int m = d->neliminable, kmax = o->k >= 3 ? o->k : 3;
  const ag_jit_opts *jo = &o->jit;
  mcand *c = ag_calloc((size_t)kmax + (size_t)o->nextra + 8, sizeof *c);
  int n = 0, rc = 0, *ord = ag_malloc((size_t)(m + 1) * sizeof(int));
  int fwd = -1, rev = -1;
  for (int b = 0; b < AG_NBASELINES && rc >= 0; b++) {
    ag_order_baseline(d, b, ord);
    rc = add(c, &n, g, ord, ag_order_baseline_name(b), jo, err);
    if (b == 0) fwd = 0;
    if (b == 1) rev = rc == 1 ? n - 1 : 0; /* the same code as forward: forward stands for both */
  }
  for (int i = 0; i < o->nextra && rc >= 0 && n < kmax; i++)
    rc = add(c, &n, g, o->extra[i], o->extra_labels ? o->extra_labels[i] : "given", jo, err);
  /* annealing: a quarter of the time under multiplications, the rest under the execution
     model with one seed per remaining candidate */
  int runs = kmax - n;
  double per = o->search_time / (runs > 0 ? runs : 1);
  if (rc >= 0 && n < kmax && anneal(d, NULL, per, o->seed, ord, err) == 0)
    rc = add(c, &n, g, ord, "mults", jo, err);
  for (int s = 0; rc >= 0 && n < kmax && s < 3 * kmax; s++) {
    char label[32];
    snprintf(label, sizeof label, "exec-%d", s + 1);
    if (anneal(d, &o->weights, per, o->seed + (uint64_t)s, ord, err)) {
      rc = -1;
      break;
    }
    rc = add(c, &n, g, ord, label, jo, err);
  }
  if (rc >= 0) {
    if (!o->quiet) fprintf(stderr, "[measured] timing %d compiled orders of %s\n", n, g->name);
    ag_jit **jits = ag_malloc((size_t)n * sizeof *jits);
    ag_tune_time *t = ag_malloc((size_t)n * sizeof *t);
    for (int i = 0; i < n; i++)
      jits[i] = c[i].jit;
    rc = ag_tune_time_all(jits, n, &o->timing, t, err);
    int w = 0;
    ag_tune_time tw, tf, tr;
    if (rc == 0) {
      const double margin = o->margin > 0 ? o->margin : 0.99;
      w = ag_tune_pick(t, n, fwd, rev, margin);
      tw = t[w];
      tf = t[fwd];
      tr = t[rev];
      if (w != fwd && w != rev) {
        /* Confirmation in a run of its own (the minimum over many noisy candidates is
           biased low): the winner against forward and reverse again. It stays only when
           its score is below margin x the better baseline's and neither entry point is
           slower than the better baseline's by more than 2 %; else that baseline. */
        ag_jit *three[3] = {c[w].jit, c[fwd].jit, c[rev].jit};
        ag_tune_time t3[3];
        rc = ag_tune_time_all(three, 3, &o->timing, t3, err);
        if (rc == 0) {
          double best = t3[1].score < t3[2].score ? t3[1].score : t3[2].score;
          double bb = t3[1].ns_batch < t3[2].ns_batch ? t3[1].ns_batch : t3[2].ns_batch;
          double bo = t3[1].ns_one < t3[2].ns_one ? t3[1].ns_one : t3[2].ns_one;
          tw = t3[0];
          tf = t3[1];
          tr = t3[2];
          if (!(t3[0].score < margin * best && t3[0].ns_batch <= 1.02 * bb &&
                t3[0].ns_one <= 1.02 * bo)) {
            w = t3[1].score <= t3[2].score ? fwd : rev;
            tw = w == fwd ? t3[1] : t3[2];
          }
        }
      }
    }
    if (rc == 0) {
      r->order = ag_malloc((size_t)(m + 1) * sizeof(int));
      memcpy(r->order, c[w].order, (size_t)m * sizeof(int));
      r->len = m;
      snprintf(r->label, sizeof r->label, "%s", c[w].label);
      r->t = tw;
      r->fwd = tf;
      r->rev = tr;
      r->ncand = n;
      r->mults = ag_order_cost(d, r->order, m, NULL);
      ag_dag dx = ag_dag_with_objective(d, &o->weights);
      r->exec = ag_order_cost(&dx, r->order, m, NULL);
    }
    free(jits);
    free(t);
  }
  for (int i = 0; i < n; i++) {
    ag_jit_free(c[i].jit);
    ag_jacprog_free(c[i].jp);
    free(c[i].order);
  }
  free(c);
  free(ord);
  return rc < 0 ? -1 : 0;
}

void ag_measure_result_free(ag_measure_result *r) {
  free(r->order);
  r->order = NULL;
}
