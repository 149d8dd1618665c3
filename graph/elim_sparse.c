/* Owns the sparse elimination state with its undo log (elim_sparse.h).

   A step removes v from succ(p) of each predecessor p and from pred(q) of each successor
   q (swap with the last entry), then appends the new edges. The log keeps, per list
   touched, where v stood and the list's old length, and under the execution model the old
   classes of the edges that an accumulation changed: undoing puts v back where it stood
   and truncates, which restores each list exactly, entry order included. */
#include "graph/elim_sparse.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/exec_cost.h"

typedef struct {
  int owner, side;  /* side 0: pred(owner), 1: succ(owner) */
  int k, oldlen;    /* where v stood; the length before the step */
  unsigned char cl; /* pred side, execution model: class of the removed edge v->owner */
} rec_list;

typedef struct {
  int q, idx; /* pred(q).cl[idx] had class old */
  unsigned char old;
} rec_class;

typedef struct {
  int v, l0, c0; /* first list and class records of the step */
  long cost, mults;
} rec_step;

struct ag_selim_log {
  rec_step *st;
  rec_list *ls;
  rec_class *cs;
  int nst, cst, nls, cls, ncs, ccs;
};

static void list_push(ag_selim_list *l, int v, unsigned char cl, int with_class) {
  if (l->len == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 4;
    l->v = ag_realloc(l->v, (size_t)l->cap * sizeof(int));
    if (with_class) l->cl = ag_realloc(l->cl, (size_t)l->cap);
  }
  if (with_class) l->cl[l->len] = cl;
  l->v[l->len++] = v;
}

#define GROW(arr, n, cap)                                                                          \
  do {                                                                                             \
    if ((n) == (cap)) {                                                                            \
      (cap) = (cap) ? 2 * (cap) : 64;                                                              \
      (arr) = ag_realloc((arr), (size_t)(cap) * sizeof *(arr));                                    \
    }                                                                                              \
  } while (0)

ag_selim *ag_selim_new(const ag_dag *d) {
  ag_selim *s = ag_calloc(1, sizeof *s);
  s->n = d->n;
  s->ni = d->ni;
  s->exec = d->exec;
  const size_t n = (size_t)(d->n > 0 ? d->n : 1);
  s->pred = ag_calloc(n, sizeof *s->pred);
  s->succ = ag_calloc(n, sizeof *s->succ);
  s->fixed = ag_calloc(n, 1);
  s->mp = ag_calloc(n, sizeof *s->mp);
  s->log = ag_calloc(1, sizeof *s->log);
  ag_selim_reset(s, d);
  return s;
}

void ag_selim_free(ag_selim *s) {
  if (!s) return;
  for (int v = 0; v < s->n; v++) {
    free(s->pred[v].v);
    free(s->pred[v].cl);
    free(s->succ[v].v);
  }
  free(s->pred);
  free(s->succ);
  free(s->fixed);
  free(s->mp);
  free(s->log->st);
  free(s->log->ls);
  free(s->log->cs);
  free(s->log);
  free(s);
}

void ag_selim_reset(ag_selim *s, const ag_dag *d) {
  const int ex = s->exec != NULL;
  for (int v = 0; v < s->n; v++) {
    s->pred[v].len = 0;
    s->succ[v].len = 0;
    s->fixed[v] = v < d->ni || d->is_output[v];
  }
  for (int v = d->ni; v < d->n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++) {
      int p = d->pred[j];
      list_push(&s->pred[v], p, d->pred_cls[j], ex);
      list_push(&s->succ[p], v, 0, 0);
    }
  s->cost = 0;
  s->mults = 0;
  s->nleft = d->neliminable;
  s->log->nst = s->log->nls = s->log->ncs = 0;
}

/* Steps with at most FEW successors (predecessors) look each one up in the lists of the
   predecessors (successors) by a scan; more are marked first (a stamp per vertex). On the
   scalarised f, chains make most steps small: the scans made annealing 7 % (f) to 20-28 %
   (Encoder, muscl3d_cell) faster. */
#define FEW 4

static inline int find(const int *a, int n, int x) {
  for (int i = 0; i < n; i++)
    if (a[i] == x) return i;
  return -1;
}

/* A fresh stamp for s->mp (wraps by clearing the marks). */
static unsigned next_stamp(ag_selim *s) {
  if (++s->stamp == 0) {
    for (int v = 0; v < s->n; v++)
      s->mp[v].st = 0;
    s->stamp = 1;
  }
  return s->stamp;
}

/* Removes v from list l (swap with the last entry) and logs it; returns the class of the
   removed edge (predecessor lists under the execution model; else 0). */
static int list_remove(ag_selim *s, ag_selim_list *l, int v, int owner, int side) {
  int k = 0;
  while (l->v[k] != v)
    k++;
  ag_selim_log *g = s->log;
  GROW(g->ls, g->nls, g->cls);
  const unsigned char cl = l->cl && side == 0 ? l->cl[k] : 0;
  g->ls[g->nls++] = (rec_list){owner, side, k, l->len, cl};
  l->len--;
  l->v[k] = l->v[l->len];
  if (l->cl && side == 0) l->cl[k] = l->cl[l->len];
  return cl;
}

long ag_selim_step(ag_selim *s, int v) {
  ag_selim_log *g = s->log;
  GROW(g->st, g->nst, g->cst);
  rec_step *r = &g->st[g->nst++];
  r->v = v;
  r->l0 = g->nls;
  r->c0 = g->ncs;
  const ag_selim_list *P = &s->pred[v], *S = &s->succ[v];
  const int np = P->len, ns = S->len, ex = s->exec != NULL;
  long xcost = 0;
  /* each predecessor p loses p->v and gains p->q for every successor q */
  for (int a = 0; a < np; a++) {
    int p = P->v[a];
    ag_selim_list *l = &s->succ[p];
    list_remove(s, l, v, p, 1);
    const int len0 = l->len;
    if (ns <= FEW) { /* a few lookups: scan, no scattered marks */
      for (int b = 0; b < ns; b++)
        if (find(l->v, len0, S->v[b]) < 0) list_push(l, S->v[b], 0, 0);
      continue;
    }
    unsigned st = next_stamp(s);
    for (int k = 0; k < len0; k++)
      s->mp[l->v[k]].st = st;
    for (int b = 0; b < ns; b++)
      if (s->mp[S->v[b]].st != st) list_push(l, S->v[b], 0, 0);
  }
  /* each successor q loses v->q and gains p->q for every predecessor p; under the execution
     model the classes of the new and accumulated edges, and the cost of each slot */
  for (int b = 0; b < ns; b++) {
    int q = S->v[b];
    ag_selim_list *l = &s->pred[q];
    const int cvq = list_remove(s, l, v, q, 0);
    const int len0 = l->len, few = np <= FEW;
    unsigned st = few ? 0 : next_stamp(s);
    for (int j = 0; j < (few ? 0 : len0); j++)
      s->mp[l->v[j]] = (ag_selim_mark){st, j};
    for (int a = 0; a < np; a++) {
      const int p = P->v[a];
      const int idx = few ? find(l->v, len0, p) : s->mp[p].st == st ? s->mp[p].pos : -1;
      if (!ex) {
        if (idx < 0) list_push(l, p, 0, 0);
        continue;
      }
      const int cpv = P->cl[a];
      if (idx >= 0) {
        const int cold = l->cl[idx];
        xcost += ag_exec_op_weight(s->exec, ag_exec_op_kind(cvq, cpv, 1, cold));
        const int cnew = ag_edge_add_class(cold, ag_edge_mul_class(cvq, cpv));
        if (cnew != cold) {
          GROW(g->cs, g->ncs, g->ccs);
          g->cs[g->ncs++] = (rec_class){q, idx, (unsigned char)cold};
          l->cl[idx] = (unsigned char)cnew;
        }
      } else {
        xcost += ag_exec_op_weight(s->exec, ag_exec_op_kind(cvq, cpv, 0, AG_EDGE_VAR));
        list_push(l, p, (unsigned char)ag_edge_mul_class(cvq, cpv), 1);
      }
    }
  }
  s->fixed[v] = 1;
  s->nleft--;
  r->mults = (long)np * ns;
  r->cost = ex ? xcost : r->mults;
  s->mults += r->mults;
  s->cost += r->cost;
  return r->cost;
}

int ag_selim_undo(ag_selim *s) {
  ag_selim_log *g = s->log;
  const rec_step *r = &g->st[--g->nst];
  const int v = r->v;
  while (g->ncs > r->c0) {
    const rec_class *c = &g->cs[--g->ncs];
    s->pred[c->q].cl[c->idx] = c->old;
  }
  while (g->nls > r->l0) {
    const rec_list *c = &g->ls[--g->nls];
    ag_selim_list *l = c->side ? &s->succ[c->owner] : &s->pred[c->owner];
    const int last = c->oldlen - 1;
    l->v[last] = l->v[c->k];
    l->v[c->k] = v;
    if (!c->side && l->cl) {
      l->cl[last] = l->cl[c->k];
      l->cl[c->k] = c->cl;
    }
    l->len = c->oldlen;
  }
  s->fixed[v] = 0;
  s->nleft++;
  s->cost -= r->cost;
  s->mults -= r->mults;
  return v;
}

int ag_selim_logged(const ag_selim *s) { return s->log->nst; }

void ag_selim_commit(ag_selim *s) { s->log->nst = s->log->nls = s->log->ncs = 0; }

long ag_selim_order_cost(const ag_dag *d, const int *idx, int len) {
  ag_selim *s = ag_selim_new(d);
  for (int i = 0; i < len; i++) {
    ag_selim_step(s, idx[i]);
    if ((i & 1023) == 1023) ag_selim_commit(s); /* keep the log small */
  }
  long c = s->cost;
  ag_selim_free(s);
  return c;
}
