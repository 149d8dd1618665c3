/* Owns the C kernel tracer's values: conversions, array elements, stores. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

/* ---------------- values ---------------- */

int kt_mkop(tracer *tr, const ag_token *tok, ag_op op, int a, int b) {
  if (tr->g->nnodes > MAX_NODES)
    LIMIT(tr, tok, "kernel too large: more than %d operations after unrolling", MAX_NODES);
  return ag_graph_op(tr->g, op, a, b);
}

int kt_is_known(tracer *tr, xv v) {
  return v.kind == K_INT || (v.kind == K_DBL && tr->g->nodes[v.node].op == AG_OP_CONST);
}
double kt_known_val(tracer *tr, xv v) {
  return v.kind == K_INT ? (double)v.ival : tr->g->nodes[v.node].value;
}
int kt_is_traced(tracer *tr, xv v) {
  /* depends on an input (or on a run-time parameter: unknown while tracing) */
  return v.kind == K_DBL && tr->g->nodes[v.node].op != AG_OP_CONST;
}

int kt_to_node(tracer *tr, xv v) {
  v = kt_rval(tr, v);
  if (v.kind == K_INT) return ag_graph_const(tr->g, (double)v.ival);
  if (v.kind == K_DBL) return v.node;
  FAIL(tr, v.tok,
       v.kind == K_PTR      ? "a pointer or array is used where a number is expected"
       : v.kind == K_STRUCT ? "a struct is used where a number is expected (select a member)"
                            : "a void value is used where a number is expected");
}

long kt_to_int(tracer *tr, xv v, const char *what) {
  v = kt_rval(tr, v);
  if (v.kind == K_INT) return v.ival;
  if (v.kind == K_DBL && kt_is_known(tr, v)) {
    double d = kt_known_val(tr, v);
    if (!(d > -9.2e18 && d < 9.2e18))
      FAIL(tr, v.tok, "%s %g is out of the range of integer types", what, d);
    return (long)d;
  }
  if (v.kind == K_DBL)
    UNSUP(tr, v.tok, "%s depends on the kernel's inputs or parameters; it must be a constant",
          what);
  FAIL(tr, v.tok, "%s must be an integer", what);
}

int kt_truth(tracer *tr, xv v, const char *what) {
  v = kt_rval(tr, v);
  if (kt_is_known(tr, v)) return kt_known_val(tr, v) != 0;
  if (v.kind == K_DBL)
    UNSUP(tr, v.tok,
          "%s depends on the kernel's inputs or parameters: a loop whose trip count depends on "
          "data is not supported (the graph must be the same for every input; loop to a constant "
          "bound and branch inside the loop)",
          what);
  FAIL(tr, v.tok, "%s must be a number", what);
}

static int elem_node(tracer *tr, int obj, long idx, const ag_token *tok) {
  arrobj *o = &tr->objs[obj];
  if (idx < 0) FAIL(tr, tok, "negative index %ld into '%s'", idx, o->name);
  if (o->len >= 0 && idx >= o->len)
    FAIL(tr, tok, "index %ld is out of bounds of '%s' (%ld elements)", idx, o->name, o->len);
  if (idx > MAX_INDEX) LIMIT(tr, tok, "index %ld into '%s' is too large", idx, o->name);
  switch (o->kind) {
  case A_IN: return ag_graph_input(tr->g, (int)idx);
  case A_PARAM: return ag_graph_param(tr->g, (int)idx);
  default:
    if (idx < o->cap && o->elem[idx] == ELEM_MAYBE)
      FAIL(tr, tok,
           "element %ld of '%s' is assigned on only some paths through a branch on "
           "input-dependent data (one side of an if, or after a return inside one), and read here",
           idx, o->name);
    if (idx >= o->cap || o->elem[idx] < 0) {
      if (o->kind == A_OUT) FAIL(tr, tok, "'%s[%ld]' is read before it is assigned", o->name, idx);
      if (o->sp) {
        char m[256] = "";
        kt_member_name(tr, o->sp, idx, m, sizeof m);
        FAIL(tr, tok, "member '%s' of '%s' is used before it is assigned", m, o->name);
      }
      FAIL(tr, tok, "element %ld of '%s' is used before it is assigned", idx, o->name);
    }
    return o->elem[idx];
  }
}

/* Whether two values agree on what the tracer knows of them (loop progress): both
   input-dependent (no condition can read them), or the same constant. */
static int same_node(tracer *tr, int a, int b) {
  if (a < 0 || b < 0) return 0;
  int ca = tr->g->nodes[a].op == AG_OP_CONST, cb = tr->g->nodes[b].op == AG_OP_CONST;
  if (!ca && !cb) return 1;
  return ca && cb && tr->g->nodes[a].value == tr->g->nodes[b].value;
}

static int same_known(tracer *tr, const var *a, const var *b) {
  if (!a->assigned) return 0;
  if (a->kind == K_INT) return a->ival == b->ival;
  if (a->kind == K_PTR)
    return a->p.obj == b->p.obj && a->p.off == b->p.off && a->p.nd == b->p.nd &&
           a->p.lim == b->p.lim && a->p.ro == b->p.ro;
  return same_node(tr, a->node, b->node);
}

void kt_set_elem(tracer *tr, int obj, long idx, int node, int ro, const ag_token *tok) {
  arrobj *o = &tr->objs[obj];
  if (o->kind == A_IN || o->kind == A_PARAM)
    FAIL(tr, tok, "assignment to the kernel's read-only argument '%s'", o->name);
  if (o->ro) FAIL(tr, tok, "assignment to an element of const array '%s'", o->name);
  if (ro) FAIL(tr, tok, "assignment through a pointer to const");
  if (idx < 0) FAIL(tr, tok, "negative index %ld into '%s'", idx, o->name);
  if (o->len >= 0 && idx >= o->len)
    FAIL(tr, tok, "index %ld is out of bounds of '%s' (%ld elements)", idx, o->name, o->len);
  if (idx > MAX_INDEX) LIMIT(tr, tok, "index %ld into '%s' is too large", idx, o->name);
  if (idx >= o->cap) {
    int old = o->cap;
    o->elem = ag_arena_grow(tr->A, o->elem, &o->cap, (int)idx, sizeof(int));
    for (int i = old; i < o->cap; i++)
      o->elem[i] = -1;
  }
  node = kt_guard_elem(tr, obj, idx, node);
  if (obj < tr->watch_objs && !same_node(tr, o->elem[idx], node)) tr->progress++;
  kt_journal_elem(tr, obj, idx);
  o->elem[idx] = node;
}

xv kt_rval(tracer *tr, xv v) {
  if (v.lv == LV_VAR) {
    var *x = &tr->vars[v.var];
    if (x->bad_global) UNSUP(tr, v.tok, "%s", x->bad_global);
    if (x->poison)
      UNSUP(tr, v.tok,
            "'%.*s' is set to different values on the two sides of the branch at line %d, "
            "whose condition depends on the kernel's inputs: as an %s its value would depend on "
            "the data (make it a double, or branch on constants)",
            x->len, x->name, x->poison->line, x->kind == K_INT ? "int" : "pointer");
    if (!x->assigned && x->maybe)
      FAIL(tr, v.tok,
           "variable '%.*s' is assigned on only one side of the branch at line %d (a condition "
           "on input-dependent data) and read here: assign it on both sides or before",
           x->len, x->name, x->maybe->line);
    if (!x->assigned)
      FAIL(tr, v.tok, "variable '%.*s' is used before it is assigned", x->len, x->name);
    v.kind = x->kind;
    v.node = x->node;
    v.ival = x->ival;
    v.uns = x->kind == K_INT && x->is_unsigned;
    v.wide = x->kind == K_INT && x->bits == 64;
    v.p = x->p;
  } else if (v.lv == LV_ELEM) {
    v.kind = K_DBL;
    v.node = elem_node(tr, v.obj, v.idx, v.tok);
  }
  v.lv = LV_NONE;
  return v;
}

int kt_int_fits(long x, int bits, int is_unsigned) {
  if (bits >= 64) return !is_unsigned || x >= 0;
  long hi = is_unsigned ? (1L << bits) - 1 : (1L << (bits - 1)) - 1;
  long lo = is_unsigned ? 0 : -(1L << (bits - 1));
  return x >= lo && x <= hi;
}

void kt_check_int_range(tracer *tr, const ag_token *at, long x, int bits, int is_unsigned,
                        const char *what) {
  if (kt_int_fits(x, bits, is_unsigned)) return;
  const char *ty = bits == 16   ? (is_unsigned ? "unsigned short" : "short")
                   : bits == 32 ? (is_unsigned ? "unsigned int" : "int")
                                : "unsigned long";
  UNSUP(tr, at,
        "%ld does not fit in %s (the type of %s): C would store another value; use a wider "
        "type",
        x, ty, what);
}

xv kt_mk_int(const ag_token *tok, long i) {
  xv v = {.kind = K_INT, .ival = i, .tok = tok};
  return v;
}
xv kt_mk_dbl(const ag_token *tok, int node) {
  xv v = {.kind = K_DBL, .node = node, .tok = tok};
  return v;
}

void kt_store(tracer *tr, xv lhs, xv rhs, const ag_token *op) {
  if (lhs.kind == K_STRUCT || (lhs.lv == LV_VAR && tr->vars[lhs.var].kind == K_STRUCT)) {
    xv d = kt_struct_val(tr, lhs, "the left side");
    kt_struct_copy(tr, d, kt_struct_val(tr, rhs, "the right side"), op);
    return;
  }
  if (lhs.lv == LV_VAR) {
    var *x = &tr->vars[lhs.var];
    if (x->bad_global) UNSUP(tr, lhs.tok, "%s", x->bad_global);
    if (x->is_array) FAIL(tr, op, "cannot assign to array '%.*s'", x->len, x->name);
    if (x->is_const && x->assigned)
      FAIL(tr, op, "assignment to const variable '%.*s'", x->len, x->name);
    kt_journal_var(tr, lhs.var);
    var old = *x;
    x->poison = NULL;
    x->maybe = NULL;
    if (x->kind == K_DBL) {
      x->node = kt_to_node(tr, rhs);
    } else if (x->kind == K_INT) {
      rhs = kt_rval(tr, rhs);
      if (rhs.dint && !kt_is_known(tr, rhs))
        UNSUP(tr, op,
              "a condition on input-dependent data is stored in int variable '%.*s': its value "
              "would depend on the data (store it in a double, or use the condition in an if "
              "or '?:')",
              x->len, x->name);
      if (rhs.kind == K_DBL && !kt_is_known(tr, rhs))
        UNSUP(tr, op,
              "an input-dependent value is stored in int variable '%.*s' (conversion to int is "
              "not differentiable)",
              x->len, x->name);
      x->ival = kt_to_int(tr, rhs, "value");
      if (x->is_bool)
        x->ival = x->ival != 0; /* C: any nonzero value converts to 1 */
      else if (x->is_unsigned && x->ival < 0)
        UNSUP(tr, op,
              "negative value %ld stored in unsigned variable '%.*s' (it wraps around in C)",
              x->ival, x->len, x->name);
      else {
        char what[160];
        snprintf(what, sizeof what, "variable '%.*s'", x->len, x->name);
        kt_check_int_range(tr, op, x->ival, x->bits ? x->bits : 32, x->is_unsigned, what);
      }
    } else {
      rhs = kt_rval(tr, rhs);
      if (rhs.kind != K_PTR)
        FAIL(tr, op, "pointer '%.*s' must be assigned a pointer or array", x->len, x->name);
      if (rhs.p.sp != x->p.sp)
        FAIL(tr, op, "pointer '%.*s' is assigned a pointer to another type", x->len, x->name);
      x->p = rhs.p;
      x->p.ro |= x->ro_target;
    }
    x->assigned = 1;
    if (lhs.var < tr->watch_vars && !same_known(tr, &old, x)) tr->progress++;
  } else if (lhs.lv == LV_ELEM) {
    kt_set_elem(tr, lhs.obj, lhs.idx, kt_to_node(tr, rhs), lhs.p.ro, op);
  } else {
    FAIL(tr, op, "the left side of '%.*s' is not assignable", TOKSTR(op));
  }
}
