/* Owns the Jacobian program of an order (symbolic elimination) and its interpreter. */
#include "jacobian/jacobian.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"

/* ---- edge -> slot map (open addressing) ---- */
typedef struct {
  uint64_t *keys; /* key+1, 0 = empty */
  int *vals;
  size_t cap, count;
} edgemap;

static size_t hash_key(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  return (size_t)(k ^ (k >> 33));
}

static int *edgemap_slot(edgemap *m, uint64_t key, int *created) {
  if (2 * (m->count + 1) > m->cap) {
    edgemap old = *m;
    m->cap = old.cap ? old.cap * 2 : 256;
    m->keys = ag_calloc(m->cap, sizeof(uint64_t));
    m->vals = ag_malloc(m->cap * sizeof(int));
    m->count = 0;
    for (size_t i = 0; i < old.cap; i++)
      if (old.keys[i]) {
        int c;
        *edgemap_slot(m, old.keys[i] - 1, &c) = old.vals[i];
      }
    free(old.keys);
    free(old.vals);
  }
  size_t i = hash_key(key) & (m->cap - 1);
  while (m->keys[i] && m->keys[i] != key + 1)
    i = (i + 1) & (m->cap - 1);
  *created = !m->keys[i];
  if (*created) {
    m->keys[i] = key + 1;
    m->count++;
  }
  return &m->vals[i];
}

/* ---- adjacency lists that allow removal ---- */
typedef struct {
  int n, cap;
  int *v;
} ilist;

static void ilist_add(ilist *l, int x) {
  ag_grow((void **)&l->v, &l->cap, l->n, sizeof(int));
  l->v[l->n++] = x;
}

static void ilist_remove(ilist *l, int x) {
  for (int i = 0; i < l->n; i++)
    if (l->v[i] == x) {
      l->v[i] = l->v[--l->n];
      return;
    }
}

typedef struct {
  edgemap map;
  ilist *pred, *succ;
  int n;
  ag_jacprog *jp;
  int opcap;
  unsigned char *cls;   /* current class of each slot */
  unsigned char *taint; /* slot's value may be a select's masked zero (ag_jop.sz) */
  unsigned char *nf;    /* slot's value may be infinite or NaN for finite inputs */
  int clscap;
  int extra; /* emitting the output propagation */
} builder;

static int edge_slot(builder *b, int p, int s, int *created) {
  int *slot = edgemap_slot(&b->map, (uint64_t)p * (uint64_t)b->n + (uint64_t)s, created);
  if (*created) {
    int cap = b->clscap;
    ag_grow((void **)&b->cls, &b->clscap, b->jp->nslots, 1);
    if (cap != b->clscap) {
      b->taint = ag_realloc(b->taint, (size_t)b->clscap);
      b->nf = ag_realloc(b->nf, (size_t)b->clscap);
    }
    b->cls[b->jp->nslots] = AG_EDGE_VAR;
    b->taint[b->jp->nslots] = 0;
    b->nf[b->jp->nslots] = 0;
    *slot = b->jp->nslots++;
    ilist_add(&b->pred[s], p);
    ilist_add(&b->succ[p], s);
  }
  return *slot;
}

static int find_slot(builder *b, int p, int s) {
  int created;
  int slot = *edgemap_slot(&b->map, (uint64_t)p * (uint64_t)b->n + (uint64_t)s, &created);
  return created ? -1 : slot; /* never created here: callers ask for existing edges */
}

static void emit(builder *b, int dst, int x, int y, int acc) {
  ag_jacprog *jp = b->jp;
  ag_grow((void **)&jp->ops, &b->opcap, jp->nops, sizeof(ag_jop));
  int kind = ag_exec_op_kind(b->cls[x], b->cls[y], acc, b->cls[dst]);
  int q = ag_edge_mul_class(b->cls[x], b->cls[y]);
  b->cls[dst] = (unsigned char)(acc ? ag_edge_add_class(b->cls[dst], q) : q);
  /* a factor that may be a masked zero needs the strong zero only when the other may be
     infinite or NaN */
  int sz = (b->taint[x] && b->nf[y] ? 1 : 0) | (b->taint[y] && b->nf[x] ? 2 : 0);
  b->taint[dst] = (unsigned char)(b->taint[x] | b->taint[y] | (acc ? b->taint[dst] : 0));
  b->nf[dst] = (unsigned char)(b->nf[x] | b->nf[y] | (acc ? b->nf[dst] : 0));
  (b->extra ? jp->xops_extra : jp->xops)[kind]++;
  jp->ops[jp->nops++] = (ag_jop){dst, x, y, acc, kind, sz};
}

/* ps += vs * pv for every predecessor p and successor s of v; then v leaves the graph. */
static void eliminate(builder *b, int v) {
  ilist *P = &b->pred[v], *S = &b->succ[v];
  for (int i = 0; i < P->n; i++) {
    int p = P->v[i], pv = find_slot(b, p, v);
    for (int j = 0; j < S->n; j++) {
      int s = S->v[j], vs = find_slot(b, v, s), created;
      int ps = edge_slot(b, p, s, &created);
      emit(b, ps, vs, pv, !created);
      b->jp->mults++;
    }
  }
  for (int i = 0; i < P->n; i++)
    ilist_remove(&b->succ[P->v[i]], v);
  for (int j = 0; j < S->n; j++)
    ilist_remove(&b->pred[S->v[j]], v);
  P->n = S->n = 0;
}

/* Ops whose value may be infinite or NaN for finite operands (a division by zero, a domain
   error, an overflow of exp...), and ops whose local partials may be (1/b, 0.5/sqrt(a), ...).
   Overflow of products and sums of finite values is not counted. */
static int value_may_be_nonfinite(int op) {
  switch (op) {
  case AG_OP_DIV:
  case AG_OP_SQRT:
  case AG_OP_LOG:
  case AG_OP_LOG10:
  case AG_OP_LOG2:
  case AG_OP_LOG1P:
  case AG_OP_POW:
  case AG_OP_IPOW:
  case AG_OP_EXP:
  case AG_OP_EXP2:
  case AG_OP_EXPM1:
  case AG_OP_SINH:
  case AG_OP_COSH:
  case AG_OP_TAN:
  case AG_OP_ASIN:
  case AG_OP_ACOS:
  case AG_OP_ACOSH:
  case AG_OP_ATANH:
  case AG_OP_FMOD: return 1;
  default: return 0;
  }
}
static int partial_may_be_nonfinite(int op) {
  switch (op) {
  case AG_OP_ADD:
  case AG_OP_SUB:
  case AG_OP_NEG:
  case AG_OP_MUL:
  case AG_OP_SQUARE:
  case AG_OP_FABS:
  case AG_OP_FMAX:
  case AG_OP_FMIN:
  case AG_OP_SELECT:
  case AG_OP_COPYSIGN:
  case AG_OP_FDIM:
  case AG_OP_SIN:
  case AG_OP_COS:
  case AG_OP_ATAN:
  case AG_OP_TANH:
  case AG_OP_ERF:
  case AG_OP_ERFC: return 0;
  default: return 1;
  }
}

static int cmp_entry_col(const void *x, const void *y) {
  const int *a = x, *b = y;
  return (a[0] > b[0]) - (a[0] < b[0]);
}

ag_jacprog *ag_jacprog_build(const ag_graph *g, const int *order, int len, ag_error *err) {
  if (!g->finalized) {
    ag_fail(err, "graph '%s' is not finalized", g->name);
    return NULL;
  }
  if (g->structure_only) {
    ag_failc(err, AG_ERR_UNSUPPORTED,
             "graph '%s' is structure only (reference DAG format, constants without "
             "values): it serves costs and search, not numeric evaluation; use a C kernel",
             g->name);
    return NULL;
  }
  const ag_dag *d = &g->dag;
  if (ag_order_validate(d, order, len, err)) return NULL;
  ag_jacprog *jp = ag_calloc(1, sizeof *jp);
  jp->g = g;
  builder b = {.n = d->n, .jp = jp};
  b.pred = ag_calloc((size_t)d->n, sizeof(ilist));
  b.succ = ag_calloc((size_t)d->n, sizeof(ilist));
  jp->partial_slot = ag_malloc((size_t)2 * d->nv * sizeof(int) + 1);
  jp->partial_cls = ag_calloc((size_t)2 * d->nv + 1, 1);
  jp->partial_val = ag_calloc((size_t)2 * d->nv + 1, sizeof(double));
  unsigned char *vnf = ag_calloc((size_t)g->nnodes + 1, 1); /* value may be non-finite */
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *x = &g->nodes[i];
    vnf[i] = (x->op == AG_OP_CONST && !isfinite(x->value)) || value_may_be_nonfinite(x->op) ||
             (x->a >= 0 && vnf[x->a]) || (x->b >= 0 && vnf[x->b]);
  }
  for (int v = d->ni; v < d->n; v++) {
    const ag_node *nd = &g->nodes[d->vert_node[v]];
    const int k = 2 * (v - d->ni);
    int *ps = &jp->partial_slot[k], created;
    ps[0] = ps[1] = -1;
    const int dm = ag_op_diff_mask((ag_op)nd->op);
    for (int w = 0; w < 2; w++) {
      int x = w ? nd->b : nd->a;
      if (x < 0 || !(dm & (1 << w)) || !g->node_active[x]) continue;
      ps[w] = edge_slot(&b, g->node_elim[x], v, &created);
      /* the local partial's class and, when known at generation, its value */
      int c = AG_EDGE_VAR;
      double val = 0;
      if (nd->op == AG_OP_ADD || nd->op == AG_OP_SUB || nd->op == AG_OP_NEG) {
        c = AG_EDGE_UNIT;
        val = (nd->op == AG_OP_NEG || (nd->op == AG_OP_SUB && w)) ? -1.0 : 1.0;
      } else if (nd->op == AG_OP_MUL || (nd->op == AG_OP_DIV && !w)) {
        int y = w ? nd->a : nd->b;
        if (y >= 0 && g->nodes[y].op == AG_OP_CONST) { /* passive constants are folded */
          c = AG_EDGE_CONST;
          val = nd->op == AG_OP_MUL ? g->nodes[y].value : 1 / g->nodes[y].value;
        }
      }
      jp->partial_cls[k + w] = (unsigned char)c;
      jp->partial_val[k + w] = val;
      /* a second partial into the same slot (x op x) adds to the first */
      b.cls[ps[w]] = (unsigned char)(created ? c : ag_edge_add_class(b.cls[ps[w]], c));
      if (!created && nd->op == AG_OP_MUL) b.cls[ps[w]] = AG_EDGE_VAR;
      if (nd->op == AG_OP_SELECT) b.taint[ps[w]] = 1;
      if (partial_may_be_nonfinite(nd->op) || vnf[d->vert_node[v]] || (nd->a >= 0 && vnf[nd->a]) ||
          (nd->b >= 0 && vnf[nd->b]))
        b.nf[ps[w]] = 1;
    }
  }
  /* the DAG's edge classes must say the same (graph.c classifies for the search) */
  for (int v = d->ni; v < d->n; v++)
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
      if (b.cls[find_slot(&b, d->pred[j], v)] != d->pred_cls[j]) {
        ag_fail(err, "internal: edge class of %d -> %d differs between graph and program",
                d->pred[j], v);
        b.extra = -1;
      }
  for (int i = 0; i < len && b.extra == 0; i++)
    eliminate(&b, ag_vertex_index(d, order[i]));
  b.extra = b.extra < 0 ? -1 : 1;
  /* Outputs that feed other outputs stay; fold their rows into their successors' rows,
     in topological (index) order so that each folded row holds inputs only. */
  for (int o = d->ni; o < d->n; o++) {
    if (!d->is_output[o]) continue;
    for (int i = 0; i < b.pred[o].n;) {
      int q = b.pred[o].v[i];
      if (q < d->ni) {
        i++;
        continue;
      }
      int qo = find_slot(&b, q, o);
      for (int k = 0; k < b.pred[q].n; k++) {
        int x = b.pred[q].v[k], created;
        int xo = edge_slot(&b, x, o, &created);
        emit(&b, xo, qo, find_slot(&b, x, q), !created);
        jp->extra_mults++;
      }
      ilist_remove(&b.pred[o], q); /* swaps the last pred into position i: do not advance */
    }
  }
  /* Jacobian entries, row-major with ascending columns */
  int cap = 0;
  int(*tmp)[2] = ag_malloc((size_t)(d->ni + 1) * sizeof *tmp);
  for (int j = 0; j < d->no; j++) {
    int o = d->out_index[j], m = 0;
    if (o >= 0 && o < d->ni) {
      tmp[m][0] = o;
      tmp[m++][1] = AG_SLOT_ONE;
    } else if (o >= d->ni) {
      for (int k = 0; k < b.pred[o].n; k++) {
        tmp[m][0] = b.pred[o].v[k];
        tmp[m++][1] = find_slot(&b, b.pred[o].v[k], o);
      }
    }
    qsort(tmp, (size_t)m, sizeof *tmp, cmp_entry_col);
    for (int k = 0; k < m; k++) {
      int cap0 = cap;
      ag_grow((void **)&jp->row, &cap, jp->nentries, sizeof(int));
      if (cap != cap0) {
        jp->col = ag_realloc(jp->col, (size_t)cap * sizeof(int));
        jp->slot = ag_realloc(jp->slot, (size_t)cap * sizeof(int));
      }
      jp->row[jp->nentries] = j;
      jp->col[jp->nentries] = tmp[k][0];
      jp->slot[jp->nentries++] = tmp[k][1];
    }
  }
  free(tmp);
  for (int v = 0; v < d->n; v++) {
    free(b.pred[v].v);
    free(b.succ[v].v);
  }
  free(b.pred);
  free(b.succ);
  free(b.map.keys);
  free(b.map.vals);
  free(b.cls);
  free(b.taint);
  free(b.nf);
  free(vnf);
  if (b.extra < 0) {
    ag_jacprog_free(jp);
    return NULL;
  }
  return jp;
}

long ag_jacprog_exec_cost(const ag_jacprog *jp, const ag_exec_weights *w, int with_extra) {
  long c = 0;
  for (int k = 0; k < 6; k++)
    c += ag_exec_op_weight(w, k) * (jp->xops[k] + (with_extra ? jp->xops_extra[k] : 0));
  return c;
}

void ag_jacprog_free(ag_jacprog *jp) {
  if (!jp) return;
  free(jp->partial_slot);
  free(jp->partial_cls);
  free(jp->partial_val);

  free(jp->ops);
  free(jp->row);
  free(jp->col);
  free(jp->slot);
  free(jp);
}

size_t ag_jacprog_work_size(const ag_jacprog *jp) {
  return (size_t)jp->g->nnodes + (size_t)jp->nslots;
}

static void primal(const ag_graph *g, const double *in, const double *params, double *val) {
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    switch (nd->op) {
    case AG_OP_INPUT: val[i] = in[(int)nd->value]; break;
    case AG_OP_PARAM: val[i] = params[(int)nd->value]; break;
    case AG_OP_CONST: val[i] = nd->value; break;
    default:
      val[i] = ag_op_eval(nd->op, val[nd->a], nd->b >= 0 ? val[nd->b] : 0,
                          nd->cond >= 0 ? val[nd->cond] : nd->value);
    }
  }
}

void ag_graph_eval(const ag_graph *g, const double *in, const double *params, double *out,
                   double *work) {
  primal(g, in, params, work);
  for (int j = 0; j < g->noutputs; j++)
    out[j] = work[g->outputs[j]];
}

void ag_jacprog_eval(const ag_jacprog *jp, const double *in, const double *params, double *out,
                     double *vals, double *work) {
  const ag_graph *g = jp->g;
  const ag_dag *d = &g->dag;
  double *val = work, *s = work + g->nnodes;
  primal(g, in, params, val);
  for (int j = 0; j < g->noutputs; j++)
    out[j] = val[g->outputs[j]];
  memset(s, 0, (size_t)jp->nslots * sizeof(double));
  for (int v = 0; v < d->nv; v++) {
    int node = d->vert_node[d->ni + v];
    const ag_node *nd = &g->nodes[node];
    double da, db;
    if (nd->op == AG_OP_DIV) { /* as the generated code (codegen_c.c): one division */
      da = 1 / val[nd->b];
      db = -val[node] * da;
    } else {
      ag_op_partials(nd->op, val[nd->a], nd->b >= 0 ? val[nd->b] : 0,
                     nd->cond >= 0 ? val[nd->cond] : nd->value, val[node], &da, &db);
    }
    const int *ps = &jp->partial_slot[2 * v];
    if (ps[0] >= 0) s[ps[0]] += da;
    if (ps[1] >= 0) s[ps[1]] += db;
  }
  for (int k = 0; k < jp->nops; k++) {
    const ag_jop *o = &jp->ops[k];
    double prod =
        (((o->sz & 1) && s[o->a] == 0) || ((o->sz & 2) && s[o->b] == 0)) ? 0.0 : s[o->a] * s[o->b];
    s[o->dst] = o->acc ? s[o->dst] + prod : prod;
  }
  for (int e = 0; e < jp->nentries; e++)
    vals[e] = jp->slot[e] == AG_SLOT_ONE ? 1.0 : s[jp->slot[e]];
}

void ag_jacprog_dense(const ag_jacprog *jp, const double *vals, double *J) {
  const ag_dag *d = &jp->g->dag;
  memset(J, 0, (size_t)d->no * d->ni * sizeof(double));
  for (int e = 0; e < jp->nentries; e++)
    J[jp->row[e] * d->ni + jp->col[e]] = vals[e];
}
