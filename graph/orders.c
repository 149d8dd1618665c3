/* Owns orders (orders.h): baselines, validation, scalar cost, parsing and resolving order specs. */
#include "graph/orders.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/readfile.h"
#include "graph/elim_sparse.h"
#include "graph/eliminate.h"

int ag_order_forward(const ag_dag *d, int *order) {
  int m = 0;
  for (int v = d->ni; v < d->n; v++)
    if (!d->is_output[v]) order[m++] = ag_vertex_id(d, v);
  return m;
}

int ag_order_reverse(const ag_dag *d, int *order) {
  int m = 0;
  for (int v = d->n - 1; v >= d->ni; v--)
    if (!d->is_output[v]) order[m++] = ag_vertex_id(d, v);
  return m;
}

/* The degrees are cached: eliminating v changes the predecessor and successor sets of v's
   neighbours only, so only theirs are recomputed. A step is then a scan of the cached
   degrees (ties to the lowest index, as before) plus O(neighbours x words): 20,000
   vertices take well under a second (they took minutes when every degree was recounted). */
long ag_order_markowitz_complete(ag_elim *s, int *order, int *len) {
  long before = s->cost;
  const int n = s->n, w = s->w;
  long *deg = ag_malloc((size_t)(n > 0 ? n : 1) * sizeof(long));
  int *nb = ag_malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
  for (int v = 0; v < n; v++)
    deg[v] = ag_elim_eliminable(s, v) ? ag_elim_markowitz(s, v) : LONG_MAX;
  while (s->nleft > 0) {
    int best = -1;
    long bc = LONG_MAX;
    for (int v = s->ni; v < n; v++)
      if (deg[v] < bc) best = v, bc = deg[v];
    if (best < 0) break; /* cannot happen: nleft counts the eliminable vertices */
    int nn = 0;
    const uint64_t *pv = s->pred + (size_t)best * w, *sv = s->succ + (size_t)best * w;
    for (int i = 0; i < w; i++)
      for (uint64_t b = pv[i] | sv[i]; b; b &= b - 1)
        nb[nn++] = i * 64 + __builtin_ctzll(b);
    ag_elim_step(s, best);
    order[(*len)++] = best;
    deg[best] = LONG_MAX;
    for (int k = 0; k < nn; k++)
      deg[nb[k]] = ag_elim_eliminable(s, nb[k]) ? ag_elim_markowitz(s, nb[k]) : LONG_MAX;
  }
  free(deg);
  free(nb);
  return s->cost - before;
}

/* The baseline runs on the sparse state: the same rule and ties as
   ag_order_markowitz_complete, with steps that cost the local change (a 10,000-vertex graph
   would spend most of its time in the bitsets' words otherwise). */
int ag_order_markowitz(const ag_dag *d, int *order) {
  ag_selim *s = ag_selim_new(d);
  const int n = d->n;
  long *deg = ag_malloc((size_t)(n > 0 ? n : 1) * sizeof(long));
  for (int v = 0; v < n; v++)
    deg[v] = ag_selim_eliminable(s, v) ? ag_selim_markowitz(s, v) : LONG_MAX;
  int m = 0;
  while (s->nleft > 0) {
    int best = -1;
    long bc = LONG_MAX;
    for (int v = d->ni; v < n; v++)
      if (deg[v] < bc) best = v, bc = deg[v];
    if (best < 0) break;
    ag_selim_step(s, best);
    ag_selim_commit(s);
    order[m++] = ag_vertex_id(d, best);
    deg[best] = LONG_MAX;
    /* best's own lists are kept: its old neighbours are the ones whose degrees changed */
    const ag_selim_list *nb[2] = {&s->pred[best], &s->succ[best]};
    for (int k = 0; k < 2; k++)
      for (int j = 0; j < nb[k]->len; j++) {
        int u = nb[k]->v[j];
        deg[u] = ag_selim_eliminable(s, u) ? ag_selim_markowitz(s, u) : LONG_MAX;
      }
  }
  free(deg);
  ag_selim_free(s);
  return m;
}

int ag_order_baseline(const ag_dag *d, int which, int *order) {
  return which == 0   ? ag_order_forward(d, order)
         : which == 1 ? ag_order_reverse(d, order)
                      : ag_order_markowitz(d, order);
}

const char *ag_order_baseline_name(int which) {
  static const char *names[AG_NBASELINES] = {"forward", "reverse", "markowitz"};
  return which >= 0 && which < AG_NBASELINES ? names[which] : "?";
}

void ag_order_baseline_costs(const ag_dag *d, long cost[AG_NBASELINES]) {
  int *o = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  for (int w = 0; w < AG_NBASELINES; w++)
    cost[w] = ag_order_cost(d, o, ag_order_baseline(d, w, o), NULL);
  free(o);
}

long ag_order_best_baseline(const ag_dag *d, int *order, int *which) {
  int *o = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  long best = -1;
  for (int w = 0; w < AG_NBASELINES; w++) {
    int len = ag_order_baseline(d, w, o);
    long c = ag_order_cost(d, o, len, NULL);
    if (c >= 0 && (best < 0 || c < best)) {
      best = c;
      if (order) memcpy(order, o, (size_t)len * sizeof(int));
      if (which) *which = w;
    }
  }
  free(o);
  return best;
}

int ag_order_validate(const ag_dag *d, const int *order, int len, ag_error *err) {
  unsigned char *seen = ag_calloc((size_t)d->n, 1);
  int rc = 0;
  for (int i = 0; i < len && rc == 0; i++) {
    int id = order[i];
    if (id < 1 || id > d->nv)
      rc = ag_fail(err, "order position %d: vertex %d does not exist (graph has vertices 1..%d)",
                   i + 1, id, d->nv);
    else if (d->is_output[ag_vertex_index(d, id)])
      rc = ag_fail(err, "order position %d: vertex %d is an output and cannot be eliminated", i + 1,
                   id);
    else if (seen[ag_vertex_index(d, id)])
      rc = ag_fail(err, "order position %d: vertex %d appears twice", i + 1, id);
    else
      seen[ag_vertex_index(d, id)] = 1;
  }
  if (rc == 0 && len != d->neliminable) {
    int missing = 0;
    for (int v = d->ni; v < d->n && !missing; v++)
      if (!d->is_output[v] && !seen[v]) missing = ag_vertex_id(d, v);
    rc = ag_failc(err, AG_ERR_MISMATCH,
                  "order has %d vertices but the graph has %d eliminable vertices (vertex %d is "
                  "missing); is the order for another graph?",
                  len, d->neliminable, missing);
  }
  free(seen);
  return rc;
}

long ag_order_cost(const ag_dag *d, const int *order, int len, ag_error *err) {
  if (ag_order_validate(d, order, len, err)) return -1;
  int *idx = ag_malloc((size_t)(len > 0 ? len : 1) * sizeof(int));
  for (int i = 0; i < len; i++)
    idx[i] = ag_vertex_index(d, order[i]);
  long c = ag_selim_order_cost(d, idx, len);
  free(idx);
  return c;
}

int ag_order_parse(const char *text, const char *where, int **order, int *len, ag_error *err) {
  int cap = 0, m = 0, line = 1, bracket = 0;
  int *o = NULL;
  const char *bol = text;
  for (const char *p = text; *p;) {
    if (*p == '\n') {
      line++;
      bol = ++p;
    } else if (*p == '#') { /* comment to end of line */
      while (*p && *p != '\n')
        p++;
    } else if (isspace((unsigned char)*p) || *p == ',' || *p == '[' || *p == ']') {
      bracket |= *p == '[';
      p++;
    } else if (isdigit((unsigned char)*p)) {
      errno = 0;
      char *end;
      long v = strtol(p, &end, 10);
      if (errno || v > 100000000) {
        free(o);
        return ag_failc(err, AG_ERR_FORMAT, "%s:%d:%d: vertex id out of range", where, line,
                        (int)(p - bol) + 1);
      }
      ag_grow((void **)&o, &cap, m, sizeof(int));
      o[m++] = (int)v;
      p = end;
    } else {
      free(o);
      return ag_failc(err, AG_ERR_FORMAT,
                      "%s:%d:%d: unexpected character '%c' in order (expected vertex ids "
                      "separated by commas, spaces or brackets)",
                      where, line, (int)(p - bol) + 1, *p);
    }
  }
  if (m == 0 && !bracket) { /* "[]" is the order of a graph with nothing to eliminate */
    free(o);
    return ag_failc(err, AG_ERR_FORMAT,
                    "%s: the order is empty (write [] for a graph with no eliminable vertex)",
                    where);
  }
  if (!o) o = ag_malloc(sizeof(int));
  *order = o;
  *len = m;
  return 0;
}

int ag_order_resolve(const ag_dag *d, const char *spec, int **order, int *len, ag_error *err) {
  if (spec[0] == '@') {
    char *text = ag_read_file(spec + 1, err);
    if (!text) return -1;
    int rc = ag_order_parse(text, spec + 1, order, len, err);
    free(text);
    if (rc) return rc;
    if (ag_order_validate(d, *order, *len, err)) {
      char msg[sizeof err->msg];
      memcpy(msg, err->msg, sizeof msg);
      ag_failc(err, err->code, "%.200s: %.800s", spec + 1, msg);
      free(*order);
      *order = NULL;
      return -1;
    }
    return 0;
  }
  int *o = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  if (!strcmp(spec, "fwd") || !strcmp(spec, "forward"))
    *len = ag_order_forward(d, o);
  else if (!strcmp(spec, "rev") || !strcmp(spec, "reverse"))
    *len = ag_order_reverse(d, o);
  else if (!strcmp(spec, "markowitz") || !strcmp(spec, "mm"))
    *len = ag_order_markowitz(d, o);
  else {
    free(o);
    return ag_fail(err, "unknown order '%s' (expected fwd, rev, markowitz or @FILE)", spec);
  }
  *order = o;
  return 0;
}
