#include "kernel/parse_kernel.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_lex.h"

enum { K_VOID, K_DBL, K_INT, K_PTR, K_BAD };
enum { A_IN, A_OUT, A_PARAM, A_LOCAL };
enum { LV_NONE, LV_VAR, LV_ELEM };
enum { S_NORMAL, S_BREAK, S_CONTINUE, S_RETURN };

#define MAX_DIMS 4
#define MAX_NODES 20000000
#define MAX_STEPS 100000000L
#define MAX_LOOP 10000000L
#define MAX_INDEX 1000000L
#define MAX_NEST  1000 /* nesting of expressions and statements (the C stack) */

typedef struct {
  int obj;
  long off;
  int nd;               /* dimensions below the element the pointer steps over */
  long dims[MAX_DIMS];  /* their sizes */
  long lim;             /* bound of the next index, -1 if unknown */
  int ro;               /* points to const data */
} ptrv;

typedef struct {
  int kind;
  int node;
  long ival;
  int uns; /* an int value of unsigned type */
  ptrv p;
  int lv, var, obj;
  long idx;
  const ag_token *tok;
} xv;

typedef struct {
  const char *name;
  int len;
  int kind;
  int is_const, is_array, assigned;
  int ro_target; /* pointer to const: stays read-only when reassigned */
  int is_unsigned;
  const char *bad_global; /* non-NULL: a file-scope variable the kernel may not use */
  int node;
  long ival;
  ptrv p;
} var;

typedef struct {
  int kind;
  long len; /* -1: unbounded (kernel arguments) */
  int *elem;
  int cap;
  int ro;
  const char *name;
} arrobj;

typedef struct {
  const ag_token *name;
  int ret;        /* K_VOID, K_DBL, K_INT or K_BAD */
  int params_pos; /* index of '(' */
  int body_pos;   /* index of '{' */
  int is_static;  /* helpers are static; a kernel is not */
} func;

typedef struct {
  const ag_token *name;
  int kind; /* K_DBL, K_INT or K_BAD */
} tdef;

typedef struct {
  int kind;
  int is_const, is_static, is_unsigned;
  const ag_token *tok;
} typeinfo;

typedef struct {
  ag_lexer lx;
  ag_arena *A;
  ag_token *t;
  int pos;
  ag_graph *g;
  var *vars;
  int nvars, capvars, frame_lo, nglobals;
  arrobj *objs;
  int nobjs, capobjs;
  func *funcs;
  int nfuncs, capfuncs;
  tdef *tdefs;
  int ntdefs, captdefs;
  int depth;
  xv ret;
  long steps;
  int loops;
  const func *cur_fn;
  int nest;                   /* recursion depth of the parser (bounded: the C stack) */
  long progress;              /* changes of known values in watched variables and arrays */
  int watch_vars, watch_objs; /* those that exist when the innermost loop starts */
} tracer;

#define FAIL(tr, tok, ...) ag_lex_error(&(tr)->lx, (tok), __VA_ARGS__)
#define CUR(tr) (&(tr)->t[(tr)->pos])
#define TOKSTR(tok) (tok)->len, (tok)->s

static int is(tracer *tr, const char *s) { return ag_tok_is(CUR(tr), s); }
static int accept(tracer *tr, const char *s) {
  if (!is(tr, s)) return 0;
  tr->pos++;
  return 1;
}
static const ag_token *expect(tracer *tr, const char *s) {
  const ag_token *t = CUR(tr);
  if (!ag_tok_is(t, s)) {
    if (t->kind == TK_EOF) FAIL(tr, t, "expected '%s' before end of file", s);
    FAIL(tr, t, "expected '%s' before '%.*s'", s, TOKSTR(t));
  }
  tr->pos++;
  return t;
}
/* Bounds the parser's recursion: deeply nested input must not overflow the C stack. */
static void enter(tracer *tr) {
  if (++tr->nest > MAX_NEST)
    FAIL(tr, CUR(tr), "expressions or statements nested too deeply (more than %d levels)",
         MAX_NEST);
}
static int name_eq(const ag_token *t, const char *name, int len) {
  return t->kind == TK_IDENT && t->len == len && !strncmp(t->s, name, (size_t)len);
}

/* ---------------- skipping (untaken branches, function bodies) ---------------- */

static void skip_balanced(tracer *tr) {
  const ag_token *open = CUR(tr);
  int depth = 0;
  for (;; tr->pos++) {
    const ag_token *t = CUR(tr);
    if (t->kind == TK_EOF) FAIL(tr, open, "unbalanced '%.*s'", TOKSTR(open));
    if (is(tr, "(") || is(tr, "[") || is(tr, "{")) depth++;
    if (is(tr, ")") || is(tr, "]") || is(tr, "}")) {
      if (--depth == 0) {
        tr->pos++;
        return;
      }
    }
  }
}

/* Skips an expression up to (not including) a ',' ';' ')' ']' '}' at depth 0, or ':' when
   stop_colon (nested ?: pairs are balanced). */
static void skip_expr(tracer *tr, int stop_colon) {
  int q = 0;
  for (;;) {
    const ag_token *t = CUR(tr);
    if (t->kind == TK_EOF) FAIL(tr, t, "unexpected end of file in expression");
    if (is(tr, "(") || is(tr, "[") || is(tr, "{")) {
      skip_balanced(tr);
      continue;
    }
    if (is(tr, ",") || is(tr, ";") || is(tr, ")") || is(tr, "]") || is(tr, "}")) return;
    if (is(tr, "?")) q++;
    if (is(tr, ":")) {
      if (q == 0 && stop_colon) return;
      if (q == 0) return;
      q--;
    }
    tr->pos++;
  }
}

static void skip_stmt(tracer *tr);

static void skip_stmt1(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (t->kind == TK_EOF) FAIL(tr, t, "expected a statement before end of file");
  if (is(tr, "{")) {
    skip_balanced(tr);
  } else if (accept(tr, "if")) {
    if (!is(tr, "(")) FAIL(tr, CUR(tr), "expected '(' after 'if'");
    skip_balanced(tr);
    skip_stmt(tr);
    if (accept(tr, "else")) skip_stmt(tr);
  } else if (accept(tr, "for") || accept(tr, "while") || accept(tr, "switch")) {
    if (!is(tr, "(")) FAIL(tr, CUR(tr), "expected '('");
    skip_balanced(tr);
    skip_stmt(tr);
  } else if (accept(tr, "do")) {
    skip_stmt(tr);
    expect(tr, "while");
    skip_balanced(tr);
    expect(tr, ";");
  } else {
    while (!is(tr, ";")) {
      if (CUR(tr)->kind == TK_EOF || is(tr, "}")) FAIL(tr, t, "expected ';' after statement");
      if (is(tr, "(") || is(tr, "[") || is(tr, "{")) skip_balanced(tr);
      else tr->pos++;
    }
    tr->pos++;
  }
}

static void skip_stmt(tracer *tr) {
  enter(tr);
  skip_stmt1(tr);
  tr->nest--;
}

/* ---------------- symbols ---------------- */

static tdef *find_tdef(tracer *tr, const ag_token *t) {
  for (int i = tr->ntdefs - 1; i >= 0; i--)
    if (name_eq(t, tr->tdefs[i].name->s, tr->tdefs[i].name->len)) return &tr->tdefs[i];
  return NULL;
}

static var *find_var(tracer *tr, const ag_token *t) {
  for (int i = tr->nvars - 1; i >= tr->frame_lo; i--)
    if (name_eq(t, tr->vars[i].name, tr->vars[i].len)) return &tr->vars[i];
  for (int i = tr->nglobals - 1; i >= 0; i--)
    if (name_eq(t, tr->vars[i].name, tr->vars[i].len)) return &tr->vars[i];
  return NULL;
}

static func *find_func(tracer *tr, const ag_token *t) {
  for (int i = 0; i < tr->nfuncs; i++)
    if (name_eq(t, tr->funcs[i].name->s, tr->funcs[i].name->len)) return &tr->funcs[i];
  return NULL;
}

static var *declare(tracer *tr, const ag_token *name, int kind) {
  for (int i = tr->nvars - 1; i >= tr->frame_lo; i--) {
    if (name_eq(name, tr->vars[i].name, tr->vars[i].len) && i >= tr->frame_lo)
      break; /* shadowing across blocks is legal C; same-block redefinition is caught by cc */
  }
  tr->vars = ag_arena_grow(tr->A, tr->vars, &tr->capvars, tr->nvars, sizeof(var));
  var *v = &tr->vars[tr->nvars++];
  memset(v, 0, sizeof *v);
  v->name = name->s;
  v->len = name->len;
  v->kind = kind;
  v->node = -1;
  return v;
}

static int new_obj(tracer *tr, int kind, long len, const char *name) {
  tr->objs = ag_arena_grow(tr->A, tr->objs, &tr->capobjs, tr->nobjs, sizeof(arrobj));
  arrobj *o = &tr->objs[tr->nobjs];
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->len = len;
  o->name = name;
  if (len > 0) {
    o->elem = ag_arena_alloc(tr->A, (size_t)len * sizeof(int));
    for (long i = 0; i < len; i++) o->elem[i] = -1;
    o->cap = (int)len;
  }
  return tr->nobjs++;
}

/* ---------------- types ---------------- */

static int is_qualifier(const ag_token *t) {
  static const char *q[] = {"const", "static", "inline", "register", "extern", "volatile",
                            "restrict", "__restrict", "__restrict__", "__inline", "__inline__",
                            "auto", NULL};
  for (int i = 0; q[i]; i++)
    if (ag_tok_is(t, q[i])) return 1;
  return 0;
}

static int base_kind(tracer *tr, const ag_token *t) {
  static const char *dbl[] = {"double", "PetscScalar", "PetscReal", NULL};
  static const char *in[] = {"int", "long", "short", "unsigned", "signed", "size_t", "PetscInt",
                             "PetscMPIInt", "PetscBLASInt", "PetscBool", "_Bool", "bool",
                             "ptrdiff_t", "PetscErrorCode", NULL};
  if (t->kind != TK_IDENT) return -1;
  for (int i = 0; dbl[i]; i++)
    if (ag_tok_is(t, dbl[i])) return K_DBL;
  for (int i = 0; in[i]; i++)
    if (ag_tok_is(t, in[i])) return K_INT;
  if (ag_tok_is(t, "void")) return K_VOID;
  if (ag_tok_is(t, "float") || ag_tok_is(t, "char") || ag_tok_is(t, "struct") ||
      ag_tok_is(t, "union") || ag_tok_is(t, "enum") || ag_tok_is(t, "_Complex") ||
      ag_tok_is(t, "complex") || ag_tok_is(t, "PetscComplex"))
    return K_BAD;
  tdef *td = find_tdef(tr, t);
  return td ? td->kind : -1;
}

static int is_type_start(tracer *tr) {
  return is_qualifier(CUR(tr)) || base_kind(tr, CUR(tr)) >= 0;
}

static const char *bad_type_msg(const ag_token *t) {
  if (ag_tok_is(t, "float")) return "type 'float' is not supported: kernels compute in double";
  if (ag_tok_is(t, "char")) return "type 'char' is not supported in kernels";
  if (ag_tok_is(t, "struct") || ag_tok_is(t, "union"))
    return "struct and union types are not supported; use arrays of double";
  if (ag_tok_is(t, "enum")) return "enum types are not supported; use int constants";
  if (ag_tok_is(t, "_Complex") || ag_tok_is(t, "complex") || ag_tok_is(t, "PetscComplex"))
    return "complex numbers are not supported";
  return "this type is not supported in kernels (only double-like and int-like scalars)";
}

/* Parses qualifiers and one base type (multi-word integer types allowed). */
static typeinfo parse_type(tracer *tr) {
  typeinfo ti = {.kind = -1, .tok = CUR(tr)};
  for (;;) {
    const ag_token *t = CUR(tr);
    if (is_qualifier(t)) {
      if (ag_tok_is(t, "const")) ti.is_const = 1;
      if (ag_tok_is(t, "static")) ti.is_static = 1;
      tr->pos++;
      continue;
    }
    int k = base_kind(tr, t);
    if (k < 0) break;
    if (k == K_BAD) {
      tdef *td = find_tdef(tr, t);
      FAIL(tr, t, "%s", td ? "this typedef names a type that is not supported in kernels"
                            : bad_type_msg(t));
    }
    if (ti.kind >= 0 && !(ti.kind == K_INT && k == K_INT) && !(ti.kind == K_INT && k == K_DBL && 0))
      FAIL(tr, t, "unexpected type name '%.*s'", TOKSTR(t));
    if (ti.kind == K_INT && ag_tok_is(t, "double"))
      FAIL(tr, t, "type 'long double' is not supported");
    ti.kind = k;
    ti.is_unsigned |= ag_tok_is(t, "unsigned") || ag_tok_is(t, "size_t");
    if (!ti.tok || ti.tok->kind != TK_IDENT) ti.tok = t;
    tr->pos++;
  }
  if (ti.kind < 0) FAIL(tr, CUR(tr), "expected a type before '%.*s'", TOKSTR(CUR(tr)));
  return ti;
}

/* ---------------- values ---------------- */

static int mkop(tracer *tr, const ag_token *tok, ag_op op, int a, int b) {
  if (tr->g->nnodes > MAX_NODES)
    FAIL(tr, tok, "kernel too large: more than %d operations after unrolling", MAX_NODES);
  return ag_graph_op(tr->g, op, a, b);
}

static int is_known(tracer *tr, xv v) {
  return v.kind == K_INT || (v.kind == K_DBL && tr->g->nodes[v.node].op == AG_OP_CONST);
}
static double known_val(tracer *tr, xv v) {
  return v.kind == K_INT ? (double)v.ival : tr->g->nodes[v.node].value;
}
static int is_traced(tracer *tr, xv v) {
  /* depends on an input (or on a run-time parameter: unknown while tracing) */
  return v.kind == K_DBL && tr->g->nodes[v.node].op != AG_OP_CONST;
}

static xv rval(tracer *tr, xv v);

static int to_node(tracer *tr, xv v) {
  v = rval(tr, v);
  if (v.kind == K_INT) return ag_graph_const(tr->g, (double)v.ival);
  if (v.kind == K_DBL) return v.node;
  FAIL(tr, v.tok, v.kind == K_PTR ? "a pointer or array is used where a number is expected"
                                  : "a void value is used where a number is expected");
}

static long to_int(tracer *tr, xv v, const char *what) {
  v = rval(tr, v);
  if (v.kind == K_INT) return v.ival;
  if (v.kind == K_DBL && is_known(tr, v)) {
    double d = known_val(tr, v);
    if (!(d > -9.2e18 && d < 9.2e18))
      FAIL(tr, v.tok, "%s %g is out of the range of integer types", what, d);
    return (long)d;
  }
  if (v.kind == K_DBL)
    FAIL(tr, v.tok, "%s depends on the kernel's inputs or parameters; it must be a constant", what);
  FAIL(tr, v.tok, "%s must be an integer", what);
}

static int truth(tracer *tr, xv v, const char *what) {
  v = rval(tr, v);
  if (is_known(tr, v)) return known_val(tr, v) != 0;
  if (v.kind == K_DBL)
    FAIL(tr, v.tok,
         "%s depends on the kernel's inputs or parameters: branching on data is not supported "
         "(the graph must be the same for every input)",
         what);
  FAIL(tr, v.tok, "%s must be a number", what);
}

static int elem_node(tracer *tr, int obj, long idx, const ag_token *tok) {
  arrobj *o = &tr->objs[obj];
  if (idx < 0) FAIL(tr, tok, "negative index %ld into '%s'", idx, o->name);
  if (o->len >= 0 && idx >= o->len)
    FAIL(tr, tok, "index %ld is out of bounds of '%s' (%ld elements)", idx, o->name, o->len);
  if (idx > MAX_INDEX) FAIL(tr, tok, "index %ld into '%s' is too large", idx, o->name);
  switch (o->kind) {
  case A_IN: return ag_graph_input(tr->g, (int)idx);
  case A_PARAM: return ag_graph_param(tr->g, (int)idx);
  default:
    if (idx >= o->cap || o->elem[idx] < 0) {
      if (o->kind == A_OUT)
        FAIL(tr, tok, "'%s[%ld]' is read before it is assigned", o->name, idx);
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

static void set_elem(tracer *tr, int obj, long idx, int node, int ro, const ag_token *tok) {
  arrobj *o = &tr->objs[obj];
  if (o->kind == A_IN || o->kind == A_PARAM)
    FAIL(tr, tok, "assignment to the kernel's read-only argument '%s'", o->name);
  if (o->ro) FAIL(tr, tok, "assignment to an element of const array '%s'", o->name);
  if (ro) FAIL(tr, tok, "assignment through a pointer to const");
  if (idx < 0) FAIL(tr, tok, "negative index %ld into '%s'", idx, o->name);
  if (o->len >= 0 && idx >= o->len)
    FAIL(tr, tok, "index %ld is out of bounds of '%s' (%ld elements)", idx, o->name, o->len);
  if (idx > MAX_INDEX) FAIL(tr, tok, "index %ld into '%s' is too large", idx, o->name);
  if (idx >= o->cap) {
    int old = o->cap;
    o->elem = ag_arena_grow(tr->A, o->elem, &o->cap, (int)idx, sizeof(int));
    for (int i = old; i < o->cap; i++) o->elem[i] = -1;
  }
  if (obj < tr->watch_objs && !same_node(tr, o->elem[idx], node)) tr->progress++;
  o->elem[idx] = node;
}

static xv rval(tracer *tr, xv v) {
  if (v.lv == LV_VAR) {
    var *x = &tr->vars[v.var];
    if (x->bad_global) FAIL(tr, v.tok, "%s", x->bad_global);
    if (!x->assigned) FAIL(tr, v.tok, "variable '%.*s' is used before it is assigned", x->len, x->name);
    v.kind = x->kind;
    v.node = x->node;
    v.ival = x->ival;
    v.uns = x->kind == K_INT && x->is_unsigned;
    v.p = x->p;
  } else if (v.lv == LV_ELEM) {
    v.kind = K_DBL;
    v.node = elem_node(tr, v.obj, v.idx, v.tok);
  }
  v.lv = LV_NONE;
  return v;
}

static xv mk_int(const ag_token *tok, long i) {
  xv v = {.kind = K_INT, .ival = i, .tok = tok};
  return v;
}
static xv mk_dbl(const ag_token *tok, int node) {
  xv v = {.kind = K_DBL, .node = node, .tok = tok};
  return v;
}

static void store(tracer *tr, xv lhs, xv rhs, const ag_token *op) {
  if (lhs.lv == LV_VAR) {
    var *x = &tr->vars[lhs.var];
    if (x->bad_global) FAIL(tr, lhs.tok, "%s", x->bad_global);
    if (x->is_array) FAIL(tr, op, "cannot assign to array '%.*s'", x->len, x->name);
    if (x->is_const && x->assigned)
      FAIL(tr, op, "assignment to const variable '%.*s'", x->len, x->name);
    var old = *x;
    if (x->kind == K_DBL) {
      x->node = to_node(tr, rhs);
    } else if (x->kind == K_INT) {
      rhs = rval(tr, rhs);
      if (rhs.kind == K_DBL && !is_known(tr, rhs))
        FAIL(tr, op,
             "an input-dependent value is stored in int variable '%.*s' (conversion to int is "
             "not differentiable)",
             x->len, x->name);
      x->ival = to_int(tr, rhs, "value");
      if (x->is_unsigned && x->ival < 0)
        FAIL(tr, op, "negative value %ld stored in unsigned variable '%.*s' (it wraps around in C)",
             x->ival, x->len, x->name);
    } else {
      rhs = rval(tr, rhs);
      if (rhs.kind != K_PTR) FAIL(tr, op, "pointer '%.*s' must be assigned a pointer or array", x->len, x->name);
      x->p = rhs.p;
      x->p.ro |= x->ro_target;
    }
    x->assigned = 1;
    if (lhs.var < tr->watch_vars && !same_known(tr, &old, x)) tr->progress++;
  } else if (lhs.lv == LV_ELEM) {
    set_elem(tr, lhs.obj, lhs.idx, to_node(tr, rhs), lhs.p.ro, op);
  } else {
    FAIL(tr, op, "the left side of '%.*s' is not assignable", TOKSTR(op));
  }
}

/* ---------------- expressions ---------------- */

static xv expr(tracer *tr);
static xv assign_expr(tracer *tr);
static xv unary(tracer *tr);
static int exec_block(tracer *tr);

/* Integer arithmetic of the traced program; overflow (undefined in C) is an error. */
static long int_op(tracer *tr, const ag_token *op, char c, long x, long y) {
  long r = 0;
  int ovf = 0;
  switch (c) {
  case '+': ovf = __builtin_add_overflow(x, y, &r); break;
  case '-': ovf = __builtin_sub_overflow(x, y, &r); break;
  case '*': ovf = __builtin_mul_overflow(x, y, &r); break;
  case '/':
  case '%':
    if (y == 0) FAIL(tr, op, "integer division by zero");
    if (x == LONG_MIN && y == -1)
      ovf = 1;
    else
      r = c == '/' ? x / y : x % y;
    break;
  }
  if (ovf) FAIL(tr, op, "integer overflow in '%.*s'", TOKSTR(op));
  return r;
}

/* Unsigned values are traced as signed: a result that would wrap around is an error. */
static xv check_uns(tracer *tr, const ag_token *op, xv r) {
  if (r.uns && (r.ival < 0 || r.ival > 4294967295L))
    FAIL(tr, op,
         "unsigned arithmetic in '%.*s' wraps around or leaves the 32-bit range (result %ld); use "
         "a signed type",
         TOKSTR(op), r.ival);
  return r;
}

static xv arith(tracer *tr, const ag_token *op, char c, xv a, xv b) {
  a = rval(tr, a);
  b = rval(tr, b);
  if (a.kind == K_PTR || b.kind == K_PTR) {
    if (a.kind == K_PTR && b.kind == K_INT && (c == '+' || c == '-')) {
      long stride = 1;
      for (int i = 0; i < a.p.nd; i++) stride *= a.p.dims[i];
      if (b.ival < -MAX_INDEX || b.ival > MAX_INDEX)
        FAIL(tr, op, "pointer offset %ld is out of range", b.ival);
      a.p.off += (c == '+' ? b.ival : -b.ival) * stride;
      if (a.p.off < -MAX_INDEX || a.p.off > MAX_INDEX)
        FAIL(tr, op, "pointer offset is out of range");
      a.p.lim = -1;
      return a;
    }
    if (b.kind == K_PTR && a.kind == K_INT && c == '+') return arith(tr, op, c, b, a);
    FAIL(tr, op, "pointer arithmetic other than pointer + integer is not supported");
  }
  if (a.kind == K_VOID || b.kind == K_VOID) FAIL(tr, op, "operand of '%c' has type void", c);
  if (a.kind == K_INT && b.kind == K_INT) {
    xv r = mk_int(a.tok, int_op(tr, op, c, a.ival, b.ival));
    r.uns = a.uns || b.uns;
    return check_uns(tr, op, r);
  }
  if (c == '%') FAIL(tr, op, "'%%' needs integer operands (fmod is not supported)");
  ag_op o = c == '+' ? AG_OP_ADD : c == '-' ? AG_OP_SUB : c == '*' ? AG_OP_MUL : AG_OP_DIV;
  return mk_dbl(a.tok, mkop(tr, op, o, to_node(tr, a), to_node(tr, b)));
}

static xv compare(tracer *tr, const ag_token *op, xv a, xv b) {
  a = rval(tr, a);
  b = rval(tr, b);
  if (a.kind == K_PTR || b.kind == K_PTR) FAIL(tr, op, "comparison of pointers is not supported");
  if ((a.uns && b.kind == K_INT && b.ival < 0) || (b.uns && a.kind == K_INT && a.ival < 0))
    FAIL(tr, op,
         "comparison of a negative value with an unsigned value (C converts it to a large "
         "unsigned number); use signed types");
  if (!is_known(tr, a) || !is_known(tr, b))
    FAIL(tr, op,
         "comparison '%.*s' of input-dependent values: branching on data is not supported "
         "(use fmax, fmin or fabs)",
         TOKSTR(op));
  if (a.kind == K_INT && b.kind == K_INT) { /* exactly, not through double */
    long x = a.ival, y = b.ival;
    int r = ag_tok_is(op, "<")    ? x < y
            : ag_tok_is(op, ">")  ? x > y
            : ag_tok_is(op, "<=") ? x <= y
            : ag_tok_is(op, ">=") ? x >= y
            : ag_tok_is(op, "==") ? x == y
                                  : x != y;
    return mk_int(a.tok, r);
  }
  double x = known_val(tr, a), y = known_val(tr, b);
  int r = ag_tok_is(op, "<")    ? x < y
          : ag_tok_is(op, ">")  ? x > y
          : ag_tok_is(op, "<=") ? x <= y
          : ag_tok_is(op, ">=") ? x >= y
          : ag_tok_is(op, "==") ? x == y
                                : x != y;
  return mk_int(a.tok, r);
}

static xv index_ptr(tracer *tr, xv base, xv idx, const ag_token *br) {
  base = rval(tr, base);
  if (base.kind != K_PTR) FAIL(tr, br, "subscripted value is not an array or pointer");
  idx = rval(tr, idx);
  if (idx.kind == K_DBL && is_known(tr, idx))
    FAIL(tr, br, "array index has type double; it must be an integer");
  long k = to_int(tr, idx, "array index");
  if (k < -MAX_INDEX || k > MAX_INDEX) FAIL(tr, br, "index %ld is out of bounds", k);
  if (base.p.lim >= 0 && (k < 0 || k >= base.p.lim))
    FAIL(tr, br, "index %ld is out of bounds (dimension has %ld elements)", k, base.p.lim);
  if (base.p.nd == 0) {
    xv v = {.kind = K_DBL, .lv = LV_ELEM, .obj = base.p.obj, .idx = base.p.off + k,
            .tok = base.tok, .p = base.p};
    return v;
  }
  long stride = 1;
  for (int i = 0; i < base.p.nd; i++) stride *= base.p.dims[i];
  xv v = base;
  v.p.off += k * stride;
  v.p.lim = base.p.dims[0];
  for (int i = 0; i + 1 < base.p.nd; i++) v.p.dims[i] = base.p.dims[i + 1];
  v.p.nd--;
  return v;
}

static int c_math_op(const ag_token *t) {
  int op = ag_op_from_name(t->s, t->len);
  if (op < AG_OP_SQRT || op == AG_OP_IPOW || op == AG_OP_SQUARE) return -1;
  const char *nm = ag_op_name(op);
  return ((int)strlen(nm) == t->len && !strncmp(nm, t->s, (size_t)t->len)) ? op : -1;
}

static xv call_user(tracer *tr, func *f, xv *args, int nargs, const ag_token *at);

/* not inlined: its argument array would enlarge every recursive expression frame */
__attribute__((noinline)) static xv call(tracer *tr, const ag_token *name) {
  expect(tr, "(");
  xv args[16];
  int nargs = 0;
  if (!accept(tr, ")")) {
    for (;;) {
      if (nargs == 16) FAIL(tr, CUR(tr), "too many arguments (at most 16)");
      args[nargs++] = rval(tr, assign_expr(tr));
      if (accept(tr, ")")) break;
      expect(tr, ",");
    }
  }
  int op = c_math_op(name);
  if (op >= 0) {
    int ar = ag_op_arity(op);
    if (nargs != ar)
      FAIL(tr, name, "%.*s expects %d argument%s, got %d", TOKSTR(name), ar, ar == 1 ? "" : "s", nargs);
    int a = to_node(tr, args[0]), b = ar == 2 ? to_node(tr, args[1]) : -1;
    return mk_dbl(name, mkop(tr, name, op, a, b));
  }
  if (ag_tok_is(name, "abs") || ag_tok_is(name, "labs")) {
    if (nargs != 1) FAIL(tr, name, "abs expects 1 argument");
    if (args[0].kind != K_INT)
      FAIL(tr, name, "abs() converts its argument to int; use fabs() for double values");
    if (args[0].ival == LONG_MIN) FAIL(tr, name, "integer overflow in abs()");
    return mk_int(name, labs(args[0].ival));
  }
  func *f = find_func(tr, name);
  if (f) return call_user(tr, f, args, nargs, name);
  static const char *nondiff[] = {"floor", "ceil", "round", "trunc", "fmod", "rint", "lround",
                                  "nearbyint", "remainder", "copysign", "modf", "frexp", NULL};
  for (int i = 0; nondiff[i]; i++)
    if (ag_tok_is(name, nondiff[i]))
      FAIL(tr, name, "'%.*s' is not supported: it is piecewise constant or not differentiable",
           TOKSTR(name));
  if (name->len > 1 && (name->s[name->len - 1] == 'f' || name->s[name->len - 1] == 'l')) {
    ag_token t2 = *name;
    t2.len--;
    if (c_math_op(&t2) >= 0)
      FAIL(tr, name, "'%.*s' is the float/long double variant; use '%.*s'", TOKSTR(name), TOKSTR(&t2));
  }
  FAIL(tr, name,
       "call to unknown function '%.*s': only math.h functions and functions defined in the "
       "kernel's file can be called",
       TOKSTR(name));
}

static xv primary(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (t->kind == TK_NUM) {
    tr->pos++;
    if (!t->is_int) return mk_dbl(t, ag_graph_const(tr->g, t->num));
    xv v = mk_int(t, t->ival);
    v.uns = memchr(t->s, 'u', (size_t)t->len) || memchr(t->s, 'U', (size_t)t->len);
    return v;
  }
  if (t->kind == TK_IDENT) {
    if (ag_tok_is(t, "sizeof")) FAIL(tr, t, "'sizeof' is not supported in kernels");
    if (is_type_start(tr)) FAIL(tr, t, "unexpected type name '%.*s' in expression", TOKSTR(t));
    static const char *kw[] = {"if", "else", "for", "while", "do", "switch", "case", "default",
                               "return", "break", "continue", "goto", "typedef", NULL};
    for (int i = 0; kw[i]; i++)
      if (ag_tok_is(t, kw[i])) FAIL(tr, t, "expected an expression before '%s'", kw[i]);
    tr->pos++;
    if (is(tr, "(")) return call(tr, t);
    var *v = find_var(tr, t);
    if (!v) {
      if (find_func(tr, t)) FAIL(tr, t, "function '%.*s' used as a value", TOKSTR(t));
      FAIL(tr, t, "use of undeclared identifier '%.*s'", TOKSTR(t));
    }
    xv x = {.kind = v->kind, .lv = LV_VAR, .var = (int)(v - tr->vars), .tok = t};
    if (v->is_array) x = rval(tr, x); /* arrays decay to pointers */
    return x;
  }
  if (accept(tr, "(")) {
    xv v = expr(tr);
    expect(tr, ")");
    return v;
  }
  if (t->kind == TK_STR) FAIL(tr, t, "string literals are not supported in kernels");
  if (t->kind == TK_CHAR) FAIL(tr, t, "character literals are not supported in kernels");
  if (t->kind == TK_EOF) FAIL(tr, t, "expected an expression before end of file");
  FAIL(tr, t, "expected an expression before '%.*s'", TOKSTR(t));
}

static xv incdec(tracer *tr, xv lv, const ag_token *op, int post) {
  if (lv.lv == LV_NONE) FAIL(tr, op, "operand of '%.*s' is not assignable", TOKSTR(op));
  xv old = rval(tr, lv);
  xv one = mk_int(op, 1);
  xv nv = arith(tr, op, ag_tok_is(op, "++") ? '+' : '-', old, one);
  store(tr, lv, nv, op);
  return post ? old : nv;
}

static xv postfix(tracer *tr) {
  xv v = primary(tr);
  for (;;) {
    const ag_token *t = CUR(tr);
    if (accept(tr, "[")) {
      xv i = expr(tr);
      expect(tr, "]");
      v = index_ptr(tr, v, i, t);
    } else if (accept(tr, "++") || accept(tr, "--")) {
      v = incdec(tr, v, t, 1);
    } else if (is(tr, ".") || is(tr, "->")) {
      FAIL(tr, t, "member access '%.*s' is not supported (no structs in kernels)", TOKSTR(t));
    } else if (is(tr, "(")) {
      FAIL(tr, t, "called object is not a function");
    } else {
      return v;
    }
  }
}

static xv unary1(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (accept(tr, "-")) {
    xv a = rval(tr, unary(tr));
    if (a.kind == K_INT) {
      xv r = mk_int(t, int_op(tr, t, '-', 0, a.ival));
      r.uns = a.uns;
      return check_uns(tr, t, r);
    }
    return mk_dbl(t, mkop(tr, t, AG_OP_NEG, to_node(tr, a), -1));
  }
  if (accept(tr, "+")) return rval(tr, unary(tr));
  if (accept(tr, "!")) return mk_int(t, !truth(tr, unary(tr), "operand of '!'"));
  if (accept(tr, "~")) {
    xv a = rval(tr, unary(tr));
    if (a.kind != K_INT) FAIL(tr, t, "'~' needs an integer operand");
    if (a.uns) FAIL(tr, t, "'~' on an unsigned value is not supported");
    return mk_int(t, ~a.ival);
  }
  if (accept(tr, "++") || accept(tr, "--")) return incdec(tr, unary(tr), t, 0);
  if (accept(tr, "*")) {
    xv p = rval(tr, unary(tr));
    return index_ptr(tr, p, mk_int(t, 0), t);
  }
  if (accept(tr, "&")) {
    xv e = unary(tr);
    if (e.lv == LV_ELEM) {
      xv p = {.kind = K_PTR, .tok = t};
      p.p.obj = e.obj;
      p.p.off = e.idx;
      p.p.lim = -1;
      p.p.ro = e.p.ro;
      return p;
    }
    if (e.lv == LV_NONE && e.kind == K_PTR) return e;
    FAIL(tr, t, "taking the address of a scalar variable is not supported (use an array)");
  }
  if (is(tr, "(")) { /* cast? */
    int save = tr->pos;
    tr->pos++;
    if (is_type_start(tr)) {
      typeinfo ti = parse_type(tr);
      if (is(tr, "*")) FAIL(tr, CUR(tr), "pointer casts are not supported");
      expect(tr, ")");
      if (ti.kind == K_VOID) { /* (void)x: evaluated and discarded */
        unary(tr);
        return (xv){.kind = K_VOID, .tok = t};
      }
      xv a = rval(tr, unary(tr));
      if (ti.kind == K_DBL) return mk_dbl(t, to_node(tr, a));
      if (ti.kind == K_INT) {
        if (is_traced(tr, a))
          FAIL(tr, t, "cast of an input-dependent value to an integer type is not differentiable");
        return mk_int(t, to_int(tr, a, "operand"));
      }
      FAIL(tr, t, "cast to this type is not supported");
    }
    tr->pos = save;
  }
  return postfix(tr);
}

static xv unary(tracer *tr) {
  enter(tr);
  xv v = unary1(tr);
  tr->nest--;
  return v;
}

static int binprec(const ag_token *t) {
  static const struct {
    const char *op;
    int prec;
  } ops[] = {{"||", 1}, {"&&", 2}, {"|", 3},  {"^", 4},  {"&", 5},  {"==", 6}, {"!=", 6},
             {"<", 7},  {">", 7},  {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8}, {"+", 9},
             {"-", 9},  {"*", 10}, {"/", 10}, {"%", 10}, {NULL, 0}};
  if (t->kind != TK_PUNCT) return 0;
  for (int i = 0; ops[i].op; i++)
    if (ag_tok_is(t, ops[i].op)) return ops[i].prec;
  return 0;
}

static int is_assign_op(const ag_token *t);

/* Skips the right operand of a short-circuited && or || (C does not evaluate it). */
static void skip_operand(tracer *tr, int prec) {
  for (;;) {
    const ag_token *t = CUR(tr);
    if (t->kind == TK_EOF) FAIL(tr, t, "unexpected end of file in expression");
    if (is(tr, "(") || is(tr, "[") || is(tr, "{")) {
      skip_balanced(tr);
      continue;
    }
    int p = binprec(t);
    if ((p && p <= prec) || is(tr, ",") || is(tr, ";") || is(tr, ")") || is(tr, "]") ||
        is(tr, "}") || is(tr, "?") || is(tr, ":") || is_assign_op(t))
      return;
    tr->pos++;
  }
}

static xv binary(tracer *tr, int minprec) {
  xv a = unary(tr);
  for (;;) {
    const ag_token *op = CUR(tr);
    int p = binprec(op);
    if (!p || p < minprec) return a;
    tr->pos++;
    if (p <= 2) { /* && and || */
      int x = truth(tr, a, "operand of a logical operator");
      if (p == 1 ? x : !x) {
        skip_operand(tr, p);
        a = mk_int(op, x);
      } else {
        a = mk_int(op, truth(tr, binary(tr, p + 1), "operand of a logical operator"));
      }
      continue;
    }
    xv b = binary(tr, p + 1);
    if (p >= 9) {
      a = arith(tr, op, op->s[0], a, b);
    } else if (p >= 6 && p <= 7) {
      a = compare(tr, op, a, b);
    } else if (p == 8 || (p >= 3 && p <= 5)) {
      a = rval(tr, a);
      b = rval(tr, b);
      if (a.kind != K_INT || b.kind != K_INT)
        FAIL(tr, op, "'%.*s' needs integer operands", TOKSTR(op));
      long x = a.ival, y = b.ival;
      if (p == 8 && (y < 0 || y >= 64)) FAIL(tr, op, "shift count %ld is out of range", y);
      if (ag_tok_is(op, "<<") && (x < 0 || x > (LONG_MAX >> y)))
        FAIL(tr, op, "'<<' of a negative value or overflow");
      int uns = a.uns || b.uns;
      long r = ag_tok_is(op, "<<") ? x << y
               : ag_tok_is(op, ">>") ? x >> y
               : ag_tok_is(op, "&")  ? (x & y)
               : ag_tok_is(op, "|")  ? (x | y)
                                     : (x ^ y);
      a = mk_int(op, r);
      a.uns = uns;
      a = check_uns(tr, op, a);
    }
  }
}

static xv conditional(tracer *tr);

/* ---- the type of the untaken branch of ?: (C converts an int result to double when the
   other branch is double). A read-only parse: K_INT, K_DBL, TY_PTR + number of subscripts
   that reach a double, or -1 when unknown. ---- */

#define TY_PTR 100

static int is_assign_op(const ag_token *t) {
  static const char *aops[] = {
      "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=", NULL};
  for (int i = 0; aops[i]; i++)
    if (ag_tok_is(t, aops[i])) return 1;
  return 0;
}

static int ty_merge(int a, int b) {
  if (a < 0 || b < 0 || a == K_VOID || b == K_VOID) return -1;
  if (a > TY_PTR || b > TY_PTR) return a > TY_PTR ? a : b;
  return a == K_DBL || b == K_DBL ? K_DBL : K_INT;
}
static int ty_deref(int a) { return a == TY_PTR + 1 ? K_DBL : a > TY_PTR + 1 ? a - 1 : -1; }

static int ty_expr(tracer *tr);
static int ty_cond(tracer *tr);
static int ty_unary(tracer *tr);

static int ty_postfix(tracer *tr) {
  const ag_token *t = CUR(tr);
  int k = -1;
  if (t->kind == TK_NUM) {
    tr->pos++;
    k = t->is_int ? K_INT : K_DBL;
  } else if (accept(tr, "(")) {
    k = ty_expr(tr);
    if (!accept(tr, ")")) return -1;
  } else if (t->kind == TK_IDENT) {
    tr->pos++;
    if (is(tr, "(")) {
      skip_balanced(tr);
      func *f = find_func(tr, t);
      k = c_math_op(t) >= 0                             ? K_DBL
          : ag_tok_is(t, "abs") || ag_tok_is(t, "labs") ? K_INT
          : f && (f->ret == K_DBL || f->ret == K_INT)   ? f->ret
                                                        : -1;
    } else {
      var *v = find_var(tr, t);
      k = !v ? -1 : v->kind == K_PTR ? TY_PTR + v->p.nd + 1 : v->kind;
    }
  }
  for (;;) {
    if (is(tr, "[")) {
      skip_balanced(tr);
      k = ty_deref(k);
    } else if (is(tr, "++") || is(tr, "--")) {
      tr->pos++;
    } else {
      return k;
    }
  }
}

static int ty_unary1(tracer *tr) {
  if (accept(tr, "-") || accept(tr, "+") || accept(tr, "++") || accept(tr, "--"))
    return ty_unary(tr);
  if (accept(tr, "!") || accept(tr, "~")) return ty_unary(tr), K_INT;
  if (accept(tr, "*")) return ty_deref(ty_unary(tr));
  if (accept(tr, "&")) {
    int k = ty_unary(tr);
    return k == K_DBL ? TY_PTR + 1 : k > TY_PTR ? k : -1;
  }
  if (is(tr, "(")) { /* cast? */
    int save = tr->pos, k = -1;
    tr->pos++;
    if (is_type_start(tr)) {
      for (; is_type_start(tr); tr->pos++)
        if (!is_qualifier(CUR(tr))) k = base_kind(tr, CUR(tr));
      if (is(tr, "*") || !accept(tr, ")")) return -1;
      ty_unary(tr);
      return k == K_DBL || k == K_INT ? k : -1;
    }
    tr->pos = save;
  }
  return ty_postfix(tr);
}

static int ty_unary(tracer *tr) {
  enter(tr);
  int k = ty_unary1(tr);
  tr->nest--;
  return k;
}

static int ty_binary(tracer *tr, int minprec) {
  int a = ty_unary(tr);
  for (;;) {
    int p = binprec(CUR(tr));
    if (!p || p < minprec) return a;
    tr->pos++;
    int b = ty_binary(tr, p + 1);
    a = p >= 9 ? ty_merge(a, b) : K_INT; /* comparisons, logical and bitwise give int */
  }
}

static int ty_cond(tracer *tr) {
  enter(tr);
  int k = ty_binary(tr, 1);
  if (accept(tr, "?")) {
    int a = ty_expr(tr);
    k = accept(tr, ":") ? ty_merge(a, ty_cond(tr)) : -1;
  }
  tr->nest--;
  return k;
}

static int ty_assign(tracer *tr) {
  enter(tr);
  int k = ty_cond(tr);
  if (is_assign_op(CUR(tr))) {
    tr->pos++;
    ty_assign(tr);
  }
  tr->nest--;
  return k;
}

static int ty_expr(tracer *tr) {
  int k = ty_assign(tr);
  while (accept(tr, ","))
    k = ty_assign(tr);
  return k;
}

/* Skips the untaken branch of ?: as skip_expr does; returns its type (-1: unknown). */
static int skip_branch(tracer *tr, int stop_colon) {
  int start = tr->pos;
  int k = stop_colon ? ty_expr(tr) : ty_cond(tr);
  int end = tr->pos;
  tr->pos = start;
  skip_expr(tr, stop_colon);
  return end == tr->pos ? k : -1;
}

static xv conditional1(tracer *tr) {
  xv c = binary(tr, 1);
  const ag_token *q = CUR(tr);
  if (!accept(tr, "?")) return c;
  int take = truth(tr, c, "condition of '?:'");
  xv r;
  int other;
  if (take) {
    r = rval(tr, expr(tr));
    expect(tr, ":");
    other = skip_branch(tr, 0);
  } else {
    other = skip_branch(tr, 1);
    expect(tr, ":");
    r = rval(tr, conditional(tr));
  }
  if (r.kind == K_INT && other == K_DBL) /* the usual arithmetic conversions */
    r = mk_dbl(r.tok, ag_graph_const(tr->g, (double)r.ival));
  (void)q;
  return r;
}

static xv conditional(tracer *tr) {
  enter(tr);
  xv v = conditional1(tr);
  tr->nest--;
  return v;
}

static xv assign_expr1(tracer *tr) {
  xv lhs = conditional(tr);
  const ag_token *op = CUR(tr);
  static const char *aops[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=", NULL};
  int k = -1;
  for (int i = 0; aops[i]; i++)
    if (ag_tok_is(op, aops[i])) k = i;
  if (k < 0) return lhs;
  tr->pos++;
  if (lhs.lv == LV_NONE) FAIL(tr, op, "the left side of '%.*s' is not assignable", TOKSTR(op));
  xv rhs = assign_expr(tr);
  if (k == 0) {
    store(tr, lhs, rhs, op);
  } else if (k <= 5) {
    store(tr, lhs, arith(tr, op, op->s[0], lhs, rhs), op);
  } else {
    FAIL(tr, op, "bitwise compound assignment '%.*s' is not supported", TOKSTR(op));
  }
  return rval(tr, lhs);
}

static xv assign_expr(tracer *tr) {
  enter(tr);
  xv v = assign_expr1(tr);
  tr->nest--;
  return v;
}

static xv expr(tracer *tr) {
  xv v = assign_expr(tr);
  while (accept(tr, ",")) v = assign_expr(tr);
  return v;
}

/* ---------------- declarations ---------------- */

static int count_init(tracer *tr, int obj, long *at, long len, const ag_token *decl) {
  /* nested braces flatten in order; returns number of elements seen */
  expect(tr, "{");
  int n = 0;
  while (!accept(tr, "}")) {
    if (is(tr, "{")) {
      enter(tr);
      n += count_init(tr, obj, at, len, decl);
      tr->nest--;
    } else {
      const ag_token *t = CUR(tr);
      int node = to_node(tr, assign_expr(tr));
      if (len >= 0 && *at >= len) FAIL(tr, t, "too many initializers for array of %ld elements", len);
      set_elem(tr, obj, (*at)++, node, 0, t);
      n++;
    }
    if (!accept(tr, ",")) {
      expect(tr, "}");
      break;
    }
  }
  (void)decl;
  return n;
}

static void exec_decl(tracer *tr, int global) {
  typeinfo ti = parse_type(tr);
  if (ti.kind == K_VOID && !is(tr, "*")) FAIL(tr, ti.tok, "variable of type void");
  if (ti.is_static && !ti.is_const && !global)
    FAIL(tr, ti.tok, "non-const static local variables keep state between calls; not supported");
  for (;;) {
    int ptr = 0, ptr_const = 0;
    while (accept(tr, "*")) {
      ptr++;
      while (is_qualifier(CUR(tr))) ptr_const |= accept(tr, "const") || (tr->pos++, 0);
    }
    if (ptr > 1) FAIL(tr, CUR(tr), "pointers to pointers are not supported");
    if (is(tr, "(")) FAIL(tr, CUR(tr), "function pointers are not supported");
    const ag_token *name = CUR(tr);
    if (name->kind != TK_IDENT) FAIL(tr, name, "expected a variable name before '%.*s'", TOKSTR(name));
    if (ti.kind == K_VOID && !ptr) FAIL(tr, name, "variable of type void");
    tr->pos++;
    long dims[MAX_DIMS];
    int nd = 0, open = 0;
    while (is(tr, "[")) {
      const ag_token *br = CUR(tr);
      tr->pos++;
      if (nd == MAX_DIMS) FAIL(tr, br, "arrays of more than %d dimensions are not supported", MAX_DIMS);
      if (is(tr, "]") && nd == 0) {
        open = 1;
        dims[nd++] = -1;
      } else {
        xv sz = rval(tr, conditional(tr));
        if (sz.kind == K_DBL && is_known(tr, sz))
          FAIL(tr, br, "array size has type double; it must be an integer");
        long d = to_int(tr, sz, "array size");
        if (d <= 0 || d > MAX_INDEX) FAIL(tr, br, "array size %ld is not in 1..%ld", d, MAX_INDEX);
        dims[nd++] = d;
      }
      expect(tr, "]");
    }
    if (ptr && nd) FAIL(tr, name, "arrays of pointers are not supported");
    var *v;
    if (nd) {
      if (ti.kind != K_DBL)
        FAIL(tr, name, "only arrays of double are supported (for constant integer tables use enum-free int scalars)");
      long len = 1;
      for (int i = open; i < nd; i++) {
        len *= dims[i];
        if (len > MAX_INDEX) FAIL(tr, name, "array too large");
      }
      int obj;
      if (open) {
        if (!is(tr, "=")) FAIL(tr, name, "array '%.*s' needs a size or an initializer", TOKSTR(name));
        obj = new_obj(tr, A_LOCAL, -1, ag_arena_strndup(tr->A, name->s, (size_t)name->len));
      } else {
        obj = new_obj(tr, A_LOCAL, len, ag_arena_strndup(tr->A, name->s, (size_t)name->len));
      }
      if (accept(tr, "=")) {
        if (!is(tr, "{")) FAIL(tr, CUR(tr), "array initializer must be a brace-enclosed list");
        long at = 0;
        count_init(tr, obj, &at, open ? -1 : len, name);
        arrobj *o = &tr->objs[obj];
        if (open) {
          if (at == 0) FAIL(tr, name, "empty initializer for array of unknown size");
          dims[0] = (at + len - 1) / len;
          o->len = dims[0] * len;
          len = o->len;
        }
        int zero = -1;
        for (long i = 0; i < o->len; i++)
          if (i >= o->cap || o->elem[i] < 0) { /* C zero-fills the rest */
            if (zero < 0) zero = ag_graph_const(tr->g, 0.0);
            set_elem(tr, obj, i, zero, 0, name);
          }
      } else if (ti.is_const) {
        FAIL(tr, name, "const array '%.*s' needs an initializer", TOKSTR(name));
      }
      tr->objs[obj].ro = ti.is_const;
      v = declare(tr, name, K_PTR);
      v->is_array = 1;
      v->assigned = 1;
      v->is_const = 1;
      v->p = (ptrv){.obj = obj, .off = 0, .nd = nd - 1, .lim = dims[0], .ro = ti.is_const};
      for (int i = 1; i < nd; i++) v->p.dims[i - 1] = dims[i];
    } else {
      v = declare(tr, name, ptr ? K_PTR : ti.kind);
      v->is_const = ptr ? ptr_const : ti.is_const;
      v->ro_target = ptr && ti.is_const;
      v->is_unsigned = !ptr && ti.is_unsigned;
      if (accept(tr, "=")) {
        const ag_token *eq = &tr->t[tr->pos - 1];
        if (is(tr, "{")) FAIL(tr, CUR(tr), "brace initializer for a scalar");
        xv init = assign_expr(tr);
        if (ptr) {
          init = rval(tr, init);
          if (init.kind != K_PTR) FAIL(tr, eq, "pointer '%.*s' must be initialised with an array or pointer", TOKSTR(name));
          v = &tr->vars[tr->nvars - 1];
          v->p = init.p;
          v->p.ro |= ti.is_const;
          v->assigned = 1;
        } else {
          int vi = tr->nvars - 1;
          xv lhs = {.lv = LV_VAR, .var = vi, .tok = name};
          store(tr, lhs, init, eq);
        }
      } else if (v->is_const) {
        FAIL(tr, name, "const variable '%.*s' needs an initializer", TOKSTR(name));
      }
    }
    if (accept(tr, ",")) continue;
    expect(tr, ";");
    return;
  }
}

/* ---------------- statements ---------------- */

static int exec_stmt(tracer *tr);

static void count_step(tracer *tr, const ag_token *t) {
  if (++tr->steps > MAX_STEPS) FAIL(tr, t, "kernel too large to unroll (more than %ld statements executed)", MAX_STEPS);
}

static int exec_for(tracer *tr, const ag_token *kw) {
  expect(tr, "(");
  int mark = tr->nvars;
  if (!accept(tr, ";")) {
    if (is_type_start(tr)) exec_decl(tr, 0);
    else {
      expr(tr);
      expect(tr, ";");
    }
  }
  int cond_pos = tr->pos, has_cond = !is(tr, ";");
  skip_expr(tr, 0);
  expect(tr, ";");
  int inc_pos = tr->pos, has_inc = !is(tr, ")");
  while (!is(tr, ")")) {
    skip_expr(tr, 0);
    if (!accept(tr, ",") && !is(tr, ")")) FAIL(tr, CUR(tr), "expected ')' in for");
  }
  expect(tr, ")");
  int body_pos = tr->pos;
  skip_stmt(tr);
  int body_end = tr->pos;
  if (!has_cond) FAIL(tr, kw, "for loop without a condition: loops must have constant bounds");
  tr->loops++;
  /* an iteration that changes no known value of the variables and arrays that exist
     before the loop leaves its condition as it was: the loop never ends */
  int save_wv = tr->watch_vars, save_wo = tr->watch_objs;
  tr->watch_vars = tr->nvars;
  tr->watch_objs = tr->nobjs;
  long last = -1;
  for (long it = 0;; it++) {
    if (it > MAX_LOOP) FAIL(tr, kw, "loop does not end after %ld iterations", MAX_LOOP);
    long now = tr->progress;
    tr->pos = cond_pos;
    xv c = expr(tr);
    if (!truth(tr, c, "loop condition")) break;
    if (now == last)
      FAIL(tr, kw,
           "loop does not terminate: an iteration changes nothing its condition depends on");
    last = now;
    tr->pos = body_pos;
    int st = exec_stmt(tr);
    if (st == S_RETURN) {
      tr->loops--;
      tr->nvars = mark;
      tr->watch_vars = save_wv;
      tr->watch_objs = save_wo;
      return st;
    }
    if (st == S_BREAK) break;
    if (has_inc) {
      tr->pos = inc_pos;
      expr(tr);
    }
  }
  tr->loops--;
  tr->pos = body_end;
  tr->nvars = mark;
  tr->watch_vars = save_wv;
  tr->watch_objs = save_wo;
  return S_NORMAL;
}

static int exec_stmt1(tracer *tr) {
  const ag_token *t = CUR(tr);
  count_step(tr, t);
  if (is(tr, "{")) return exec_block(tr);
  if (accept(tr, ";")) return S_NORMAL;
  if (accept(tr, "if")) {
    expect(tr, "(");
    int c = truth(tr, expr(tr), "condition of 'if'");
    expect(tr, ")");
    if (c) {
      int st = exec_stmt(tr);
      if (st != S_NORMAL) return st;
      if (accept(tr, "else")) skip_stmt(tr);
    } else {
      skip_stmt(tr);
      if (accept(tr, "else")) return exec_stmt(tr);
    }
    return S_NORMAL;
  }
  if (accept(tr, "for")) return exec_for(tr, t);
  if (is(tr, "while") || is(tr, "do"))
    FAIL(tr, t, "'%.*s' loops are not supported: use a for loop with constant bounds", TOKSTR(t));
  if (is(tr, "switch")) FAIL(tr, t, "'switch' is not supported: use if with constant conditions");
  if (is(tr, "goto")) FAIL(tr, t, "'goto' is not supported");
  if (is(tr, "case") || is(tr, "default")) FAIL(tr, t, "'%.*s' outside switch", TOKSTR(t));
  if (is(tr, "typedef")) FAIL(tr, t, "typedef inside a function is not supported; move it to file scope");
  if (accept(tr, "break") || accept(tr, "continue")) {
    if (!tr->loops) FAIL(tr, t, "'%.*s' outside a loop", TOKSTR(t));
    expect(tr, ";");
    return ag_tok_is(t, "break") ? S_BREAK : S_CONTINUE;
  }
  if (accept(tr, "return")) {
    int want = tr->cur_fn ? tr->cur_fn->ret : K_VOID;
    if (accept(tr, ";")) {
      if (want != K_VOID) FAIL(tr, t, "'return' without a value in a function returning a value");
      return S_RETURN;
    }
    if (want == K_VOID) FAIL(tr, t, "'return' with a value in a void function");
    xv v = rval(tr, expr(tr));
    expect(tr, ";");
    if (want == K_DBL) tr->ret = mk_dbl(t, to_node(tr, v));
    else tr->ret = mk_int(t, to_int(tr, v, "returned value"));
    return S_RETURN;
  }
  if (t->kind == TK_IDENT && ag_tok_is(&tr->t[tr->pos + 1], ":") && !is_type_start(tr))
    FAIL(tr, t, "labels are not supported");
  if (is_type_start(tr)) {
    exec_decl(tr, 0);
    return S_NORMAL;
  }
  expr(tr);
  expect(tr, ";");
  return S_NORMAL;
}

static int exec_stmt(tracer *tr) {
  enter(tr);
  int st = exec_stmt1(tr);
  tr->nest--;
  return st;
}

static int exec_block(tracer *tr) {
  expect(tr, "{");
  int mark = tr->nvars;
  while (!accept(tr, "}")) {
    if (CUR(tr)->kind == TK_EOF) FAIL(tr, CUR(tr), "expected '}' before end of file");
    int st = exec_stmt(tr);
    if (st != S_NORMAL) {
      tr->nvars = mark;
      return st;
    }
  }
  tr->nvars = mark;
  return S_NORMAL;
}

/* ---------------- functions ---------------- */

typedef struct {
  const ag_token *name;
  int kind; /* K_DBL, K_INT (by value) or K_PTR */
  int base;  /* for K_PTR: pointee kind */
  int is_const, is_unsigned;
  long decl_len; /* `double in[21]`: 21; -1 when not declared */
} param;

static int parse_params(tracer *tr, const func *f, param *ps, int max) {
  tr->pos = f->params_pos;
  expect(tr, "(");
  int n = 0;
  if (is(tr, "void") && ag_tok_is(&tr->t[tr->pos + 1], ")")) tr->pos++;
  while (!accept(tr, ")")) {
    if (n == max) FAIL(tr, CUR(tr), "too many parameters");
    if (is(tr, "...")) FAIL(tr, CUR(tr), "variadic functions are not supported");
    typeinfo ti = parse_type(tr);
    param p = {.kind = ti.kind,
               .base = ti.kind,
               .is_const = ti.is_const,
               .is_unsigned = ti.is_unsigned,
               .decl_len = -1};
    int ptr = 0;
    while (accept(tr, "*")) {
      ptr++;
      while (is_qualifier(CUR(tr))) tr->pos++;
    }
    if (ptr > 1) FAIL(tr, CUR(tr), "pointers to pointers are not supported");
    if (CUR(tr)->kind != TK_IDENT) FAIL(tr, CUR(tr), "parameters must be named");
    p.name = CUR(tr);
    tr->pos++;
    if (is(tr, "[")) {
      /* a declared size (an integer literal, possibly from a macro) fixes the number of the
         kernel's inputs, outputs or parameters: `const double in[21]` */
      const ag_token *sz = &tr->t[tr->pos + 1];
      if (sz->kind == TK_NUM && sz->is_int && ag_tok_is(&tr->t[tr->pos + 2], "]")) {
        if (sz->num < 1 || sz->num > MAX_INDEX) FAIL(tr, sz, "array size %g is not in 1..%ld", sz->num, MAX_INDEX);
        p.decl_len = (long)sz->num;
      }
      skip_balanced(tr);
      ptr = 1;
      if (is(tr, "[")) FAIL(tr, CUR(tr), "multi-dimensional array parameters are not supported");
    }
    if (ptr) p.kind = K_PTR;
    if (p.base == K_VOID) FAIL(tr, p.name, "parameter of type void");
    if (ptr && p.base != K_DBL) FAIL(tr, p.name, "pointer parameters must point to double");
    ps[n++] = p;
    if (!is(tr, ")")) expect(tr, ",");
  }
  return n;
}

static xv call_user(tracer *tr, func *f, xv *args, int nargs, const ag_token *at) {
  if (f->ret == K_BAD) FAIL(tr, at, "function '%.*s' returns a type that is not supported", TOKSTR(f->name));
  if (tr->depth >= 64) FAIL(tr, at, "calls nested more than 64 deep (recursion is not supported)");
  int save_pos = tr->pos, save_lo = tr->frame_lo, save_n = tr->nvars, save_loops = tr->loops;
  const func *save_fn = tr->cur_fn;
  param ps[16];
  int np = parse_params(tr, f, ps, 16);
  if (np != nargs)
    FAIL(tr, at, "function '%.*s' takes %d argument%s, got %d", TOKSTR(f->name), np, np == 1 ? "" : "s", nargs);
  tr->frame_lo = tr->nvars;
  for (int i = 0; i < np; i++) {
    var *v = declare(tr, ps[i].name, ps[i].kind);
    if (ps[i].kind == K_PTR) {
      if (args[i].kind != K_PTR)
        FAIL(tr, args[i].tok, "argument %d of '%.*s' must be an array or pointer", i + 1, TOKSTR(f->name));
      v->p = args[i].p;
      v->p.ro |= ps[i].is_const;
      v->ro_target = ps[i].is_const;
      v->assigned = 1;
    } else {
      xv lhs = {.lv = LV_VAR, .var = tr->nvars - 1, .tok = ps[i].name};
      v->is_unsigned = ps[i].is_unsigned;
      if (args[i].kind == K_PTR)
        FAIL(tr, args[i].tok, "argument %d of '%.*s' is an array but a number is expected", i + 1, TOKSTR(f->name));
      store(tr, lhs, args[i], at);
      v->is_const = ps[i].is_const;
    }
  }
  tr->depth++;
  tr->loops = 0;
  tr->cur_fn = f;
  tr->pos = f->body_pos;
  int st = exec_block(tr);
  tr->depth--;
  xv r = {.kind = K_VOID, .tok = at};
  if (f->ret != K_VOID) {
    if (st != S_RETURN) FAIL(tr, f->name, "function '%.*s' ends without returning a value", TOKSTR(f->name));
    r = tr->ret;
    r.tok = at;
  }
  tr->pos = save_pos;
  tr->frame_lo = save_lo;
  tr->nvars = save_n;
  tr->loops = save_loops;
  tr->cur_fn = save_fn;
  return r;
}

/* ---------------- file scope ---------------- */

static void scan_file(tracer *tr) {
  tr->pos = 0;
  while (CUR(tr)->kind != TK_EOF) {
    int start = tr->pos;
    if (accept(tr, ";")) continue;
    /* find the item's extent; a '{' right after ')' at depth 0 opens a function body */
    int fn_paren = -1, body = -1, depth = 0;
    for (;;) {
      const ag_token *t = CUR(tr);
      if (t->kind == TK_EOF) FAIL(tr, &tr->t[start], "unexpected end of file in this declaration");
      if (depth == 0 && is(tr, "(") && fn_paren < 0) fn_paren = tr->pos;
      if (depth == 0 && is(tr, "{") && tr->pos > start && ag_tok_is(&tr->t[tr->pos - 1], ")")) {
        body = tr->pos;
        skip_balanced(tr);
        break;
      }
      if (is(tr, "(") || is(tr, "[") || is(tr, "{")) {
        skip_balanced(tr);
        continue;
      }
      if (is(tr, ")") || is(tr, "]") || is(tr, "}")) FAIL(tr, t, "unbalanced '%.*s'", TOKSTR(t));
      if (depth == 0 && is(tr, ";")) {
        tr->pos++;
        break;
      }
      tr->pos++;
    }
    int end = tr->pos;
    const ag_token *first = &tr->t[start];
    if (ag_tok_is(first, "typedef")) {
      /* typedef <type> NAME; */
      const ag_token *name = &tr->t[end - 2];
      if (name->kind != TK_IDENT || body >= 0) continue;
      int kind = K_BAD;
      tr->pos = start + 1;
      int ok = 1, k = -1;
      for (; tr->pos < end - 2; tr->pos++) {
        const ag_token *t = CUR(tr);
        if (is_qualifier(t)) continue;
        int b = base_kind(tr, t);
        if (b == K_DBL || b == K_INT) {
          if (k >= 0 && !(k == K_INT && b == K_INT)) ok = 0;
          k = b;
        } else {
          ok = 0;
        }
      }
      if (ok && k >= 0) kind = k;
      tr->tdefs = ag_arena_grow(tr->A, tr->tdefs, &tr->captdefs, tr->ntdefs, sizeof(tdef));
      tr->tdefs[tr->ntdefs++] = (tdef){name, kind};
      tr->pos = end;
      continue;
    }
    if (body >= 0) { /* function definition */
      const ag_token *name = fn_paren > start ? &tr->t[fn_paren - 1] : NULL;
      if (!name || name->kind != TK_IDENT) FAIL(tr, first, "cannot find the function name");
      int ret = K_BAD;
      tr->pos = start;
      int k = -1, ok = 1, st = 0;
      for (; tr->pos < fn_paren - 1; tr->pos++) {
        const ag_token *t = CUR(tr);
        st |= ag_tok_is(t, "static");
        if (is_qualifier(t)) continue;
        int b = base_kind(tr, t);
        if (b == K_DBL || b == K_INT || b == K_VOID) k = b;
        else ok = 0; /* pointer returns, unknown types */
      }
      if (ok && k >= 0) ret = k;
      tr->funcs = ag_arena_grow(tr->A, tr->funcs, &tr->capfuncs, tr->nfuncs, sizeof(func));
      tr->funcs[tr->nfuncs++] = (func){name, ret, fn_paren, body, st};
      tr->pos = end;
      continue;
    }
    if (fn_paren >= 0) { /* prototype (or something else with parentheses) */
      int has_eq = 0;
      for (int i = start; i < fn_paren; i++) has_eq |= ag_tok_is(&tr->t[i], "=");
      if (!has_eq) {
        tr->pos = end;
        continue;
      }
    }
    /* file-scope variable: const double/int scalars and arrays are usable constants */
    tr->pos = start;
    int known = 1, is_const = 0;
    for (int i = start; i < end; i++) {
      const ag_token *t = &tr->t[i];
      if (is_qualifier(t)) {
        is_const |= ag_tok_is(t, "const");
        continue;
      }
      int b = base_kind(tr, t);
      if (b == K_DBL || b == K_INT) break;
      known = 0;
      break;
    }
    if (!known) {
      tr->pos = end; /* other types (structs, ...) are not the kernel's concern */
      continue;
    }
    int n0 = tr->nvars;
    exec_decl(tr, 1);
    if (!is_const)
      for (int i = n0; i < tr->nvars; i++) {
        char *msg = ag_arena_alloc(tr->A, 200);
        snprintf(msg, 200, "file-scope variable '%.*s' is not const: kernels may only read constants", tr->vars[i].len, tr->vars[i].name);
        tr->vars[i].bad_global = msg;
      }
    tr->nglobals = tr->nvars;
    tr->frame_lo = tr->nvars;
    tr->pos = end;
  }
}

static int kernel_like(tracer *tr, func *f, param *ps, int *np) {
  if (f->ret != K_VOID) return 0;
  jmp_buf *save = tr->lx.fail, jb;
  tr->lx.fail = &jb;
  ag_error *save_err = tr->lx.err, dummy;
  tr->lx.err = &dummy;
  volatile int ok = 0;
  if (!setjmp(jb)) {
    *np = parse_params(tr, f, ps, 16);
    ok = (*np == 2 || *np == 3);
    for (int i = 0; ok && i < *np; i++) ok = ps[i].kind == K_PTR;
  }
  tr->lx.fail = save;
  tr->lx.err = save_err;
  return ok;
}

static void trace_kernel(tracer *tr, const char *function) {
  func *kf = NULL;
  param ps[16];
  int np = 0;
  if (function) {
    for (int i = 0; i < tr->nfuncs; i++)
      if ((int)strlen(function) == tr->funcs[i].name->len &&
          !strncmp(function, tr->funcs[i].name->s, strlen(function)))
        kf = &tr->funcs[i];
    if (!kf) {
      char list[512] = "";
      for (int i = 0; i < tr->nfuncs; i++) {
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, "%s%.*s", i ? ", " : "", TOKSTR(tr->funcs[i].name));
      }
      ag_fail(tr->lx.err, "%s: no function '%s' defined in this file (functions: %s)",
              tr->lx.files[1], function, *list ? list : "none");
      longjmp(*tr->lx.fail, 1);
    }
    np = parse_params(tr, kf, ps, 16);
    if (kf->ret != K_VOID || np < 2 || np > 3)
      FAIL(tr, kf->name,
           "kernel '%s' must be 'void %s(const double *in, double *out[, const double *p])'",
           function, function);
  } else {
    int n = 0, nonstatic = 0;
    char list[512] = "";
    for (int i = 0; i < tr->nfuncs; i++) {
      param tmp[16];
      int tn;
      nonstatic += !tr->funcs[i].is_static && kernel_like(tr, &tr->funcs[i], tmp, &tn);
    }
    for (int i = 0; i < tr->nfuncs; i++) {
      param tmp[16];
      int tn;
      /* static functions are helpers unless the file has no other candidate */
      if ((nonstatic && tr->funcs[i].is_static) || !kernel_like(tr, &tr->funcs[i], tmp, &tn))
        continue;
      size_t u = strlen(list);
      snprintf(list + u, sizeof list - u, "%s%.*s", n ? ", " : "", TOKSTR(tr->funcs[i].name));
      if (n++ == 0) {
        kf = &tr->funcs[i];
        memcpy(ps, tmp, sizeof tmp);
        np = tn;
      }
    }
    int cand = -1, ncand = 0;
    for (int i = 0; n == 0 && i < tr->nfuncs; i++)
      if (!tr->funcs[i].is_static) cand = i, ncand++;
    if (n == 0 && ncand == 0 && tr->nfuncs == 1) cand = 0, ncand = 1;
    if (n == 0 && ncand == 1) { /* the one candidate has the wrong signature: say where */
      kf = &tr->funcs[cand];
      parse_params(tr, kf, ps, 16);
      FAIL(tr, kf->name,
           "'%.*s' is not a kernel: a kernel is 'void %.*s(const double *in, double *out[, const "
           "double *p])'",
           TOKSTR(kf->name), TOKSTR(kf->name));
    }
    if (n == 0) {
      ag_fail(tr->lx.err,
              "%s: no kernel found: expected a function 'void name(const double *in, double "
              "*out[, const double *p])'",
              tr->lx.files[1]);
      longjmp(*tr->lx.fail, 1);
    }
    if (n > 1) {
      ag_fail(tr->lx.err, "%s: %d kernels in this file (%s): choose one with FILE:function",
              tr->lx.files[1], n, list);
      longjmp(*tr->lx.fail, 1);
    }
  }
  static const int kinds[3] = {A_IN, A_OUT, A_PARAM};
  int objs[3];
  for (int i = 0; i < np; i++) {
    if (ps[i].kind != K_PTR || ps[i].base != K_DBL)
      FAIL(tr, ps[i].name, "kernel parameter '%.*s' must be a pointer to double", TOKSTR(ps[i].name));
    if (i == 1 && ps[i].is_const)
      FAIL(tr, ps[i].name, "the output parameter '%.*s' must not be const", TOKSTR(ps[i].name));
    objs[i] = new_obj(tr, kinds[i], ps[i].decl_len, ag_arena_strndup(tr->A, ps[i].name->s, (size_t)ps[i].name->len));
    var *v = declare(tr, ps[i].name, K_PTR);
    v->assigned = 1;
    v->ro_target = ps[i].is_const;
    v->p = (ptrv){.obj = objs[i], .lim = -1, .ro = i != 1};
  }
  tr->cur_fn = kf;
  tr->frame_lo = tr->nglobals;
  tr->pos = kf->body_pos;
  exec_block(tr);
  arrobj *out = &tr->objs[objs[1]];
  int no = 0;
  for (int i = 0; i < out->cap; i++)
    if (out->elem[i] >= 0) no = i + 1;
  /* declared sizes: that many inputs and parameters even when the last are never read, and
     every declared output must be assigned */
  if (np > 1 && ps[1].decl_len > 0) no = (int)ps[1].decl_len;
  if (ps[0].decl_len > 0) ag_graph_input(tr->g, (int)ps[0].decl_len - 1);
  if (np > 2 && ps[2].decl_len > 0) ag_graph_param(tr->g, (int)ps[2].decl_len - 1);
  if (no == 0) FAIL(tr, kf->name, "kernel '%.*s' never assigns its output '%s'", TOKSTR(kf->name), out->name);
  for (int i = 0; i < no; i++)
    if (out->elem[i] < 0) {
      if (np > 1 && ps[1].decl_len > 0)
        FAIL(tr, kf->name, "'%s[%d]' is never assigned (declared 'double %s[%ld]')", out->name, i,
             out->name, ps[1].decl_len);
      FAIL(tr, kf->name, "'%s[%d]' is never assigned (the kernel assigns %s[0..%d] otherwise)",
           out->name, i, out->name, no - 1);
    }
  if (tr->g->ninputs == 0)
    FAIL(tr, kf->name, "kernel '%.*s' never reads its input '%s'", TOKSTR(kf->name), tr->objs[objs[0]].name);
  for (int i = 0; i < no; i++) ag_graph_output(tr->g, out->elem[i]);
}

ag_graph *ag_parse_kernel_file(const char *path, const char *function, ag_error *err) {
  tracer *tr = ag_calloc(1, sizeof *tr);
  ag_graph *g = NULL;
  jmp_buf jb;
  if (ag_lex_file(&tr->lx, path, err)) goto fail;
  tr->A = &tr->lx.arena;
  tr->t = tr->lx.toks;
  tr->lx.err = err;
  tr->lx.fail = &jb;
  if (setjmp(jb)) goto fail;
  tr->g = ag_graph_new(function ? function : "kernel");
  scan_file(tr);
  trace_kernel(tr, function);
  free(tr->g->name);
  tr->g->name = ag_arena_strndup(tr->A, tr->cur_fn->name->s, (size_t)tr->cur_fn->name->len);
  tr->g->name = ag_strdup(tr->g->name);
  if (ag_graph_finalize(tr->g, err)) goto fail;
  g = tr->g;
  tr->g = NULL;
fail:
  ag_graph_free(tr->g);
  ag_lex_free(&tr->lx);
  free(tr);
  return g;
}
