/* Owns the C kernel tracer's branches on data: `if`/`else` and `?:` whose condition depends
   on the kernel's inputs or parameters, and `return` inside them.

   The graph must be the same for every input, so such a branch is traced both ways: the
   first side runs with every store journaled (old values kept), the journal is undone, the
   second side runs, it is undone too, and then every variable and array element that either
   side assigned gets select(cond, then-value, else-value). Values that cannot be selected
   are marked, and refused only if read later: an int or pointer set to different values on
   the two sides (it would depend on the data), a variable assigned on one side only.

   `return v` inside a branch on data is recorded with the condition of the branches it is
   in (path_cond, an AND of them); the function has then returned where ret_cond (the OR of
   the recorded conditions) holds. What runs after it runs for the other elements, so its
   stores into arrays the caller sees keep their old values where ret_cond holds; the
   function's value is select(c1, v1, select(c2, v2, ... v)) over the recorded returns in
   order (the first return taken wins, as in C) and the final value v. So minmod's
   `if (a*b <= 0) return 0; if (fabs(a) < fabs(b)) return a; return b;` is two selects.
   Loops whose trip count depends on data, and break/continue inside a branch on data,
   stay refused. */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

/* ---------------- the journal ---------------- */

static jentry *push(tracer *tr) {
  tr->jrn = ag_arena_grow(tr->A, tr->jrn, &tr->capjrn, tr->njrn, sizeof(jentry));
  jentry *e = &tr->jrn[tr->njrn++];
  memset(e, 0, sizeof *e);
  return e;
}

void kt_journal_var(tracer *tr, int vi) {
  if (!tr->jdepth) return;
  jentry *e = push(tr);
  e->idx = vi;
  e->old = tr->vars[vi];
}

static int elem_get(tracer *tr, int obj, long idx) {
  arrobj *o = &tr->objs[obj];
  return idx < o->cap ? o->elem[idx] : -1;
}

static void elem_put(tracer *tr, int obj, long idx, int node) {
  arrobj *o = &tr->objs[obj];
  if (idx >= o->cap) {
    int old = o->cap;
    o->elem = ag_arena_grow(tr->A, o->elem, &o->cap, (int)idx, sizeof(int));
    for (int i = old; i < o->cap; i++)
      o->elem[i] = -1;
  }
  o->elem[idx] = node;
}

void kt_journal_elem(tracer *tr, int obj, long idx) {
  if (!tr->jdepth) return;
  jentry *e = push(tr);
  e->is_elem = 1;
  e->idx = obj;
  e->eidx = idx;
  e->node = elem_get(tr, obj, idx);
}

/* Puts back what the stores since journal mark j0 changed in the variables and objects
   that existed before (nv0, no0). Objects made since then keep their contents: a value
   returned inside the branch lives in one. */
static void undo_to(tracer *tr, int j0, int nv0, int no0) {
  for (int k = tr->njrn - 1; k >= j0; k--) {
    const jentry *e = &tr->jrn[k];
    if (e->is_elem && e->idx < no0)
      elem_put(tr, e->idx, e->eidx, e->node);
    else if (!e->is_elem && e->idx < nv0)
      tr->vars[e->idx] = e->old;
  }
  tr->njrn = j0;
}

/* ---------------- conditions ---------------- */

int kt_cond_node(tracer *tr, xv v) {
  v = kt_rval(tr, v);
  int n = kt_to_node(tr, v);
  if (ag_op_is_cond(tr->g->nodes[n].op)) return n;
  return kt_mkop(tr, v.tok, AG_OP_NE, n, ag_graph_const(tr->g, 0.0));
}

static int cond_not(tracer *tr, const ag_token *at, int c) {
  return kt_mkop(tr, at, AG_OP_NOT, c, -1);
}

/* ---------------- both sides and the merge ---------------- */

/* A location either side assigned: a variable or an element that exists before the branch,
   with its value at the end of each side. */
typedef struct {
  int is_elem, idx;
  long eidx;
  var v[2];
  int node[2];
} loc;

typedef struct {
  loc *L;
  int n, cap;
  int nv0, no0; /* variables and objects that exist before the branch */
} locset;

static loc *find_loc(locset *S, const jentry *e) {
  for (int i = 0; i < S->n; i++)
    if (S->L[i].is_elem == e->is_elem && S->L[i].idx == e->idx &&
        (!e->is_elem || S->L[i].eidx == e->eidx))
      return &S->L[i];
  return NULL;
}

/* After side `side` ran from journal mark j0: note the values it left, then undo it. */
static void finish_side(tracer *tr, int j0, locset *S, int side) {
  for (int k = j0; k < tr->njrn; k++) {
    const jentry *e = &tr->jrn[k];
    if (e->is_elem ? e->idx >= S->no0 : e->idx >= S->nv0) continue; /* made inside */
    loc *l = find_loc(S, e);
    if (!l) { /* in the arena: an error longjmps out of here */
      S->L = ag_arena_grow(tr->A, S->L, &S->cap, S->n, sizeof *S->L);
      l = &S->L[S->n++];
      memset(l, 0, sizeof *l);
      l->is_elem = e->is_elem;
      l->idx = e->idx;
      l->eidx = e->eidx;
      /* the first side left it alone: its value there is the one before the branch,
         which this first entry of the second side holds */
      l->v[0] = e->old;
      l->node[0] = e->node;
      l->v[1] = e->old;
      l->node[1] = e->node;
    }
    if (l->is_elem)
      l->node[side] = elem_get(tr, l->idx, l->eidx);
    else
      l->v[side] = tr->vars[l->idx];
  }
  undo_to(tr, j0, S->nv0, S->no0);
}

static int sel_node(tracer *tr, int c, int a, int b) {
  if (a >= 0 && b >= 0) return ag_graph_select(tr->g, c, a, b);
  return a == b ? a : ELEM_MAYBE;
}

static int same_ptr(const ptrv *a, const ptrv *b) {
  return a->obj == b->obj && a->off == b->off && a->nd == b->nd && a->lim == b->lim &&
         a->ro == b->ro && !memcmp(a->dims, b->dims, sizeof a->dims);
}

/* Stores select(c, side 0, side 1) in every location of S. dead[s]: side s returned, so
   the function's own locals take the other side's values. */
static void merge(tracer *tr, int c, locset *S, const int dead[2], const ag_token *kw) {
  for (int i = 0; i < S->n; i++) {
    loc *l = &S->L[i];
    if (l->is_elem) {
      int local = l->idx >= tr->frame_obj_lo;
      int n = (local && dead[0])   ? l->node[1]
              : (local && dead[1]) ? l->node[0]
                                   : sel_node(tr, c, l->node[0], l->node[1]);
      if (n == elem_get(tr, l->idx, l->eidx)) continue;
      kt_journal_elem(tr, l->idx, l->eidx);
      elem_put(tr, l->idx, l->eidx, n);
      continue;
    }
    if (l->idx < tr->frame_lo) continue; /* a caller's variable: not reachable from here */
    var *a = &l->v[0], *b = &l->v[1], m = *a;
    if (dead[0])
      m = *b;
    else if (!dead[1]) {
      if (a->poison || b->poison)
        m.poison = a->poison ? a->poison : b->poison;
      else if (a->assigned != b->assigned) {
        m.assigned = 0;
        m.maybe = kw;
      } else if (a->assigned) {
        if (a->kind == K_DBL)
          m.node = ag_graph_select(tr->g, c, a->node, b->node);
        else if (a->kind == K_INT ? a->ival != b->ival : !same_ptr(&a->p, &b->p))
          m.poison = kw;
      } else if (!m.maybe) {
        m.maybe = b->maybe;
      }
    }
    const var *o = &tr->vars[l->idx];
    /* an int or pointer both sides changed alike is progress of a loop (kernel_stmt.c) */
    if (l->idx < tr->watch_vars && m.kind != K_DBL &&
        (m.poison != o->poison || m.assigned != o->assigned ||
         (m.kind == K_INT ? m.ival != o->ival : !same_ptr(&m.p, &o->p))))
      tr->progress++;
    kt_journal_var(tr, l->idx);
    tr->vars[l->idx] = m;
  }
}

static int cond_and(tracer *tr, const ag_token *at, int a, int b) {
  return a < 0 ? b : kt_mkop(tr, at, AG_OP_AND, a, b);
}
static int cond_or(tracer *tr, const ag_token *at, int a, int b) {
  return a < 0 ? b : kt_mkop(tr, at, AG_OP_OR, a, b);
}

static void push_return(tracer *tr, int cond, xv v) {
  tr->rp_cond = ag_arena_grow(tr->A, tr->rp_cond, &tr->caprp, tr->nrp, sizeof(int));
  tr->rp_val = ag_arena_grow(tr->A, tr->rp_val, &tr->caprpv, tr->nrp, sizeof(xv));
  tr->rp_cond[tr->nrp] = cond;
  tr->rp_val[tr->nrp++] = v;
}

/* The function's value: the recorded returns in order (the first whose condition holds
   wins), else x. */
static xv fold_returns(tracer *tr, xv x, const ag_token *at) {
  for (int i = tr->nrp - 1; i >= tr->rp_lo; i--) {
    if (x.kind == K_STRUCT)
      x = kt_struct_select(tr, tr->rp_cond[i], tr->rp_val[i], x, at);
    else if (x.kind == K_DBL)
      x = kt_mk_dbl(at, ag_graph_select(tr->g, tr->rp_cond[i], tr->rp_val[i].node, x.node));
  }
  return x;
}

int kt_return(tracer *tr, xv v, const ag_token *at) {
  if (tr->jdepth > tr->fn_jdepth) { /* inside a branch on data of this function */
    if (v.kind == K_INT)
      UNSUP(tr, at,
            "int function '%.*s' returns inside a branch on input-dependent data: its value "
            "would depend on the data (return a double)",
            TOKSTR(tr->cur_fn->name));
    push_return(tr, tr->path_cond, v);
    return S_RETURN;
  }
  tr->ret = fold_returns(tr, v, at);
  return S_RETURN;
}

int kt_exec_data_if(tracer *tr, int cond, const ag_token *kw) {
  locset S = {.nv0 = tr->nvars, .no0 = tr->nobjs};
  int rc0 = tr->ret_cond, path0 = tr->path_cond, np0 = tr->nrp;
  int st[2] = {S_NORMAL, S_NORMAL};
  int j0 = tr->njrn;
  tr->jdepth++;
  for (int side = 0; side < 2; side++) {
    if (side == 1 && !kt_accept(tr, "else")) break;
    int c = side ? cond_not(tr, kw, cond) : cond;
    tr->path_cond = cond_and(tr, kw, path0, c);
    tr->ret_cond = rc0;
    int start = tr->pos;
    st[side] = kt_exec_stmt(tr);
    if (st[side] == S_BREAK || st[side] == S_CONTINUE) /* refused where it is written */
      FAIL(tr, kw, "internal: break out of a branch on data");
    tr->pos = start; /* a return may have left the statement early */
    kt_skip_stmt(tr);
    finish_side(tr, j0, &S, side);
  }
  tr->jdepth--;
  tr->path_cond = path0;
  int dead[2] = {st[0] == S_RETURN, st[1] == S_RETURN};
  merge(tr, cond, &S, dead, kw);
  /* the function has returned where any recorded return's condition holds */
  tr->ret_cond = rc0;
  for (int i = np0; i < tr->nrp; i++)
    tr->ret_cond = cond_or(tr, kw, tr->ret_cond, tr->rp_cond[i]);
  if (!(dead[0] && dead[1])) return S_NORMAL;
  if (tr->jdepth == tr->fn_jdepth && tr->nrp > tr->rp_lo) {
    /* every path of the function has returned: the last recorded value is the default */
    xv last = tr->rp_val[--tr->nrp];
    tr->ret = fold_returns(tr, last, kw);
  }
  return S_RETURN;
}

xv kt_data_conditional(tracer *tr, int cond, const ag_token *q) {
  locset S = {.nv0 = tr->nvars, .no0 = tr->nobjs};
  int j0 = tr->njrn;
  xv r[2];
  tr->jdepth++;
  r[0] = kt_rval(tr, kt_expr(tr));
  finish_side(tr, j0, &S, 0);
  kt_expect(tr, ":");
  r[1] = kt_rval(tr, kt_conditional(tr));
  finish_side(tr, j0, &S, 1);
  tr->jdepth--;
  static const int live[2] = {0, 0};
  merge(tr, cond, &S, live, q);
  if (r[0].kind == K_STRUCT || r[1].kind == K_STRUCT)
    return kt_struct_select(tr, cond, r[0], r[1], q);
  if (r[0].kind == K_PTR || r[1].kind == K_PTR) {
    if (r[0].kind == K_PTR && r[1].kind == K_PTR && same_ptr(&r[0].p, &r[1].p)) return r[0];
    UNSUP(tr, q,
          "'?:' chooses between pointers on an input-dependent condition: the element read "
          "would depend on the data");
  }
  if (r[0].kind == K_VOID || r[1].kind == K_VOID) FAIL(tr, q, "a branch of '?:' has type void");
  int isint = (r[0].kind == K_INT || r[0].dint) && (r[1].kind == K_INT || r[1].dint);
  if (r[0].kind == K_INT && r[1].kind == K_INT && r[0].ival == r[1].ival) return r[0];
  xv v = kt_mk_dbl(q, ag_graph_select(tr->g, cond, kt_to_node(tr, r[0]), kt_to_node(tr, r[1])));
  v.dint = isint;
  return v;
}

int kt_guard_elem(tracer *tr, int obj, long idx, int node) {
  if (tr->ret_cond < 0 || obj >= tr->frame_obj_lo) return node;
  int old = elem_get(tr, obj, idx);
  return old >= 0 ? ag_graph_select(tr->g, tr->ret_cond, old, node) : ELEM_MAYBE;
}
