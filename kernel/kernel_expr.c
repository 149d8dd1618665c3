/* Owns the C kernel tracer's expressions: arithmetic, calls, operators, ?: and assignment. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

/* ---------------- expressions ---------------- */

static xv unary(tracer *tr);

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
    UNSUP(tr, op,
          "unsigned arithmetic in '%.*s' wraps around or leaves the 32-bit range (result %ld); use "
          "a signed type",
          TOKSTR(op), r.ival);
  return r;
}

/* int arithmetic (neither operand long) overflows when the result leaves 32 bits: undefined
   in C, so refused rather than computed in 64 bits */
static xv check_int(tracer *tr, const ag_token *op, xv r) {
  if (!r.wide && !r.uns && (r.ival < INT_MIN || r.ival > INT_MAX))
    FAIL(tr, op,
         "integer overflow in '%.*s': %ld does not fit in int (undefined in C); use long "
         "operands",
         TOKSTR(op), r.ival);
  return r;
}

static xv arith(tracer *tr, const ag_token *op, char c, xv a, xv b) {
  a = kt_rval(tr, a);
  b = kt_rval(tr, b);
  if (a.kind == K_PTR || b.kind == K_PTR) {
    if (a.kind == K_PTR && b.kind == K_INT && (c == '+' || c == '-')) {
      long stride = 1;
      for (int i = 0; i < a.p.nd; i++)
        stride *= a.p.dims[i];
      if (b.ival < -MAX_INDEX || b.ival > MAX_INDEX)
        FAIL(tr, op, "pointer offset %ld is out of range", b.ival);
      a.p.off += (c == '+' ? b.ival : -b.ival) * stride;
      if (a.p.off < -MAX_INDEX || a.p.off > MAX_INDEX)
        FAIL(tr, op, "pointer offset is out of range");
      a.p.lim = -1;
      return a;
    }
    if (b.kind == K_PTR && a.kind == K_INT && c == '+') return arith(tr, op, c, b, a);
    UNSUP(tr, op, "pointer arithmetic other than pointer + integer is not supported");
  }
  if (a.kind == K_VOID || b.kind == K_VOID) FAIL(tr, op, "operand of '%c' has type void", c);
  if ((a.dint || b.dint) && (a.kind == K_INT || a.dint) && (b.kind == K_INT || b.dint))
    UNSUP(tr, op,
          "int arithmetic '%.*s' on a value that depends on data (a comparison, a logical "
          "operator or a '?:' of ints with an input-dependent condition): C computes it in int; "
          "write the operands as doubles (1.0 instead of 1)",
          TOKSTR(op));
  if (a.kind == K_INT && b.kind == K_INT) {
    xv r = kt_mk_int(a.tok, int_op(tr, op, c, a.ival, b.ival));
    r.uns = a.uns || b.uns;
    r.wide = a.wide || b.wide;
    return check_int(tr, op, check_uns(tr, op, r));
  }
  if (c == '%') FAIL(tr, op, "'%%' needs integer operands (use fmod for doubles)");
  ag_op o = c == '+' ? AG_OP_ADD : c == '-' ? AG_OP_SUB : c == '*' ? AG_OP_MUL : AG_OP_DIV;
  return kt_mk_dbl(a.tok, kt_mkop(tr, op, o, kt_to_node(tr, a), kt_to_node(tr, b)));
}

static xv compare(tracer *tr, const ag_token *op, xv a, xv b) {
  a = kt_rval(tr, a);
  b = kt_rval(tr, b);
  if (a.kind == K_PTR || b.kind == K_PTR) UNSUP(tr, op, "comparison of pointers is not supported");
  if ((a.uns && b.kind == K_INT && b.ival < 0) || (b.uns && a.kind == K_INT && a.ival < 0))
    UNSUP(tr, op,
          "comparison of a negative value with an unsigned value (C converts it to a large "
          "unsigned number); use signed types");
  if (!kt_is_known(tr, a) || !kt_is_known(tr, b)) { /* a condition on data: a graph node */
    ag_op o = ag_tok_is(op, "<")    ? AG_OP_LT
              : ag_tok_is(op, ">")  ? AG_OP_GT
              : ag_tok_is(op, "<=") ? AG_OP_LE
              : ag_tok_is(op, ">=") ? AG_OP_GE
              : ag_tok_is(op, "==") ? AG_OP_EQ
                                    : AG_OP_NE;
    xv r = kt_mk_dbl(a.tok, kt_mkop(tr, op, o, kt_to_node(tr, a), kt_to_node(tr, b)));
    r.dint = 1;
    return r;
  }
  if (a.kind == K_INT && b.kind == K_INT) { /* exactly, not through double */
    long x = a.ival, y = b.ival;
    int r = ag_tok_is(op, "<")    ? x < y
            : ag_tok_is(op, ">")  ? x > y
            : ag_tok_is(op, "<=") ? x <= y
            : ag_tok_is(op, ">=") ? x >= y
            : ag_tok_is(op, "==") ? x == y
                                  : x != y;
    return kt_mk_int(a.tok, r);
  }
  double x = kt_known_val(tr, a), y = kt_known_val(tr, b);
  int r = ag_tok_is(op, "<")    ? x < y
          : ag_tok_is(op, ">")  ? x > y
          : ag_tok_is(op, "<=") ? x <= y
          : ag_tok_is(op, ">=") ? x >= y
          : ag_tok_is(op, "==") ? x == y
                                : x != y;
  return kt_mk_int(a.tok, r);
}

static xv index_ptr(tracer *tr, xv base, xv idx, const ag_token *br) {
  base = kt_rval(tr, base);
  if (base.kind != K_PTR) FAIL(tr, br, "subscripted value is not an array or pointer");
  idx = kt_rval(tr, idx);
  if (idx.kind == K_DBL && kt_is_known(tr, idx))
    FAIL(tr, br, "array index has type double; it must be an integer");
  long k = kt_to_int(tr, idx, "array index");
  if (k < -MAX_INDEX || k > MAX_INDEX) FAIL(tr, br, "index %ld is out of bounds", k);
  if (base.p.lim >= 0 && (k < 0 || k >= base.p.lim))
    FAIL(tr, br, "index %ld is out of bounds (dimension has %ld elements)", k, base.p.lim);
  if (base.p.nd == 0 && base.p.sp) { /* an element of an array of structs */
    xv v = {.kind = K_STRUCT, .tok = base.tok, .p = base.p};
    v.p.off += k * kt_elem_size(tr, &base.p);
    v.p.lim = -1;
    return v;
  }
  if (base.p.nd == 0) {
    xv v = {.kind = K_DBL,
            .lv = LV_ELEM,
            .obj = base.p.obj,
            .idx = base.p.off + k,
            .tok = base.tok,
            .p = base.p};
    return v;
  }
  long stride = kt_elem_size(tr, &base.p);
  for (int i = 0; i < base.p.nd; i++)
    stride *= base.p.dims[i];
  xv v = base;
  v.p.off += k * stride;
  v.p.lim = base.p.dims[0];
  for (int i = 0; i + 1 < base.p.nd; i++)
    v.p.dims[i] = base.p.dims[i + 1];
  v.p.nd--;
  return v;
}

static int c_math_op(const ag_token *t) {
  int op = ag_op_from_name(t->s, t->len);
  if (op < AG_OP_SQRT || op == AG_OP_IPOW || op == AG_OP_SQUARE || ag_op_is_cond(op) ||
      op == AG_OP_SELECT)
    return -1;
  const char *nm = ag_op_name(op);
  return ((int)strlen(nm) == t->len && !strncmp(nm, t->s, (size_t)t->len)) ? op : -1;
}

/* not inlined: its argument array would enlarge every recursive expression frame */
__attribute__((noinline)) static xv call(tracer *tr, const ag_token *name) {
  kt_expect(tr, "(");
  xv args[16];
  int nargs = 0;
  if (!kt_accept(tr, ")")) {
    for (;;) {
      if (nargs == 16) LIMIT(tr, CUR(tr), "too many arguments (at most 16)");
      args[nargs++] = kt_rval(tr, kt_assign_expr(tr));
      if (kt_accept(tr, ")")) break;
      kt_expect(tr, ",");
    }
  }
  int op = c_math_op(name);
  if (op >= 0) {
    int ar = ag_op_arity(op);
    if (nargs != ar)
      FAIL(tr, name, "%.*s expects %d argument%s, got %d", TOKSTR(name), ar, ar == 1 ? "" : "s",
           nargs);
    int a = kt_to_node(tr, args[0]), b = ar == 2 ? kt_to_node(tr, args[1]) : -1;
    return kt_mk_dbl(name, kt_mkop(tr, name, op, a, b));
  }
  if (ag_tok_is(name, "abs") || ag_tok_is(name, "labs")) {
    if (nargs != 1) FAIL(tr, name, "abs expects 1 argument");
    if (args[0].kind != K_INT)
      UNSUP(tr, name, "abs() converts its argument to int; use fabs() for double values");
    if (args[0].ival == LONG_MIN) FAIL(tr, name, "integer overflow in abs()");
    return kt_mk_int(name, labs(args[0].ival));
  }
  func *f = kt_find_func(tr, name);
  if (f) return kt_call_user(tr, f, args, nargs, name);
  static const char *nondiff[] = {"rint",      "lround", "llround", "nearbyint", "remainder",
                                  "remquo",    "modf",   "frexp",   "ldexp",     "lrint",
                                  "nextafter", "ilogb",  "logb",    NULL};
  for (int i = 0; nondiff[i]; i++)
    if (ag_tok_is(name, nondiff[i]))
      UNSUP(tr, name,
            "'%.*s' is not supported (it depends on the rounding mode, returns an int or "
            "writes through a pointer); floor, ceil, round, trunc, fmod, copysign and fdim are",
            TOKSTR(name));
  if (name->len > 1 && (name->s[name->len - 1] == 'f' || name->s[name->len - 1] == 'l')) {
    ag_token t2 = *name;
    t2.len--;
    if (c_math_op(&t2) >= 0)
      UNSUP(tr, name, "'%.*s' is the float/long double variant; use '%.*s'", TOKSTR(name),
            TOKSTR(&t2));
  }
  UNSUP(tr, name,
        "call to unknown function '%.*s': only math.h functions and functions defined in the "
        "kernel's file can be called",
        TOKSTR(name));
}

static xv primary(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (t->kind == TK_NUM) {
    tr->pos++;
    if (!t->is_int) return kt_mk_dbl(t, ag_graph_const(tr->g, t->num));
    xv v = kt_mk_int(t, t->ival);
    v.uns = memchr(t->s, 'u', (size_t)t->len) || memchr(t->s, 'U', (size_t)t->len);
    /* C's literal types: int if it fits, else long (decimal) or unsigned int, then long
       (hexadecimal and octal); an l/L suffix makes it long */
    int hexoct = t->len > 1 && t->s[0] == '0';
    v.wide = memchr(t->s, 'l', (size_t)t->len) || memchr(t->s, 'L', (size_t)t->len) ||
             t->ival > 4294967295L || (t->ival > INT_MAX && !v.uns && !hexoct);
    if (!v.wide && t->ival > INT_MAX) v.uns = 1; /* 0xffffffff: unsigned int */
    return v;
  }
  if (t->kind == TK_IDENT) {
    if (ag_tok_is(t, "sizeof")) UNSUP(tr, t, "'sizeof' is not supported in kernels");
    if (kt_is_type_start(tr)) FAIL(tr, t, "unexpected type name '%.*s' in expression", TOKSTR(t));
    static const char *kw[] = {"if",      "else",   "for",   "while",    "do",   "switch",  "case",
                               "default", "return", "break", "continue", "goto", "typedef", NULL};
    for (int i = 0; kw[i]; i++)
      if (ag_tok_is(t, kw[i])) FAIL(tr, t, "expected an expression before '%s'", kw[i]);
    tr->pos++;
    if (kt_is(tr, "(")) return call(tr, t);
    var *v = kt_find_var(tr, t);
    if (!v) {
      if (kt_find_func(tr, t)) FAIL(tr, t, "function '%.*s' used as a value", TOKSTR(t));
      FAIL(tr, t, "use of undeclared identifier '%.*s'", TOKSTR(t));
    }
    xv x = {.kind = v->kind, .lv = LV_VAR, .var = (int)(v - tr->vars), .tok = t};
    if (v->is_array) x = kt_rval(tr, x);                     /* arrays decay to pointers */
    if (v->kind == K_STRUCT) x = kt_struct_val(tr, x, "it"); /* its storage */
    return x;
  }
  if (kt_accept(tr, "(")) {
    xv v = kt_expr(tr);
    kt_expect(tr, ")");
    return v;
  }
  if (t->kind == TK_STR) UNSUP(tr, t, "string literals are not supported in kernels");
  if (t->kind == TK_CHAR) UNSUP(tr, t, "character literals are not supported in kernels");
  if (t->kind == TK_EOF) FAIL(tr, t, "expected an expression before end of file");
  FAIL(tr, t, "expected an expression before '%.*s'", TOKSTR(t));
}

static xv incdec(tracer *tr, xv lv, const ag_token *op, int post) {
  if (lv.lv == LV_NONE) FAIL(tr, op, "operand of '%.*s' is not assignable", TOKSTR(op));
  xv old = kt_rval(tr, lv);
  xv one = kt_mk_int(op, 1);
  xv nv = arith(tr, op, ag_tok_is(op, "++") ? '+' : '-', old, one);
  kt_store(tr, lv, nv, op);
  return post ? old : nv;
}

static xv postfix(tracer *tr) {
  xv v = primary(tr);
  for (;;) {
    const ag_token *t = CUR(tr);
    if (kt_accept(tr, "[")) {
      xv i = kt_expr(tr);
      kt_expect(tr, "]");
      v = index_ptr(tr, v, i, t);
    } else if (kt_accept(tr, "++") || kt_accept(tr, "--")) {
      v = incdec(tr, v, t, 1);
    } else if (kt_accept(tr, ".") || kt_accept(tr, "->")) {
      const ag_token *name = CUR(tr);
      tr->pos++;
      v = kt_member(tr, v, name, ag_tok_is(t, "->"), t);
    } else if (kt_is(tr, "(")) {
      FAIL(tr, t, "called object is not a function");
    } else {
      return v;
    }
  }
}

static xv unary1(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (kt_accept(tr, "-")) {
    xv a = kt_rval(tr, unary(tr));
    if (a.kind == K_INT) {
      xv r = kt_mk_int(t, int_op(tr, t, '-', 0, a.ival));
      r.uns = a.uns;
      r.wide = a.wide;
      return check_int(tr, t, check_uns(tr, t, r));
    }
    return kt_mk_dbl(t, kt_mkop(tr, t, AG_OP_NEG, kt_to_node(tr, a), -1));
  }
  if (kt_accept(tr, "+")) return kt_rval(tr, unary(tr));
  if (kt_accept(tr, "!")) {
    xv a = kt_rval(tr, unary(tr));
    if (kt_is_traced(tr, a)) { /* a condition on data */
      xv r = kt_mk_dbl(t, kt_mkop(tr, t, AG_OP_NOT, kt_cond_node(tr, a), -1));
      r.dint = 1;
      return r;
    }
    return kt_mk_int(t, !kt_truth(tr, a, "operand of '!'"));
  }
  if (kt_accept(tr, "~")) {
    xv a = kt_rval(tr, unary(tr));
    if (a.kind != K_INT) FAIL(tr, t, "'~' needs an integer operand");
    if (a.uns) UNSUP(tr, t, "'~' on an unsigned value is not supported");
    return kt_mk_int(t, ~a.ival);
  }
  if (kt_accept(tr, "++") || kt_accept(tr, "--")) return incdec(tr, unary(tr), t, 0);
  if (kt_accept(tr, "*")) {
    xv p = kt_rval(tr, unary(tr));
    return index_ptr(tr, p, kt_mk_int(t, 0), t);
  }
  if (kt_accept(tr, "&")) {
    xv e = unary(tr);
    if (e.kind == K_STRUCT) { /* &s: a pointer to the struct */
      e.kind = K_PTR;
      e.lv = LV_NONE;
      e.p.lim = -1;
      e.tok = t;
      return e;
    }
    if (e.lv == LV_ELEM) {
      xv p = {.kind = K_PTR, .tok = t};
      p.p.obj = e.obj;
      p.p.off = e.idx;
      p.p.lim = -1;
      p.p.ro = e.p.ro;
      return p;
    }
    if (e.lv == LV_NONE && e.kind == K_PTR) return e;
    UNSUP(tr, t, "taking the address of a scalar variable is not supported (use an array)");
  }
  if (kt_is(tr, "(")) { /* cast? */
    int save = tr->pos;
    tr->pos++;
    if (kt_is_type_start(tr)) {
      typeinfo ti = kt_parse_type(tr);
      if (kt_is(tr, "*")) UNSUP(tr, CUR(tr), "pointer casts are not supported");
      kt_expect(tr, ")");
      if (ti.kind == K_VOID) { /* (void)x: evaluated and discarded */
        unary(tr);
        return (xv){.kind = K_VOID, .tok = t};
      }
      xv a = kt_rval(tr, unary(tr));
      if (ti.kind == K_DBL) return kt_mk_dbl(t, kt_to_node(tr, a));
      if (ti.kind == K_INT) {
        if (kt_is_traced(tr, a))
          UNSUP(tr, t, "cast of an input-dependent value to an integer type is not differentiable");
        xv r = kt_mk_int(t, kt_to_int(tr, a, "operand"));
        if (ti.is_bool)
          r.ival = r.ival != 0;
        else if (ti.is_unsigned && r.ival < 0)
          UNSUP(tr, t, "cast of the negative value %ld to an unsigned type wraps around in C",
                r.ival);
        else
          kt_check_int_range(tr, t, r.ival, ti.bits ? ti.bits : 32, ti.is_unsigned, "the cast");
        r.uns = ti.is_unsigned;
        r.wide = ti.bits == 64;
        return r;
      }
      UNSUP(tr, t, "cast to this type is not supported");
    }
    tr->pos = save;
  }
  return postfix(tr);
}

static xv unary(tracer *tr) {
  kt_enter(tr);
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
    if (kt_is(tr, "(") || kt_is(tr, "[") || kt_is(tr, "{")) {
      kt_skip_balanced(tr);
      continue;
    }
    int p = binprec(t);
    if ((p && p <= prec) || kt_is(tr, ",") || kt_is(tr, ";") || kt_is(tr, ")") || kt_is(tr, "]") ||
        kt_is(tr, "}") || kt_is(tr, "?") || kt_is(tr, ":") || is_assign_op(t))
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
      a = kt_rval(tr, a);
      if (kt_is_traced(tr, a)) { /* on data: both operands, a condition node */
        int ca = kt_cond_node(tr, a), j0 = tr->njrn;
        tr->jdepth++;
        xv b = kt_rval(tr, binary(tr, p + 1));
        tr->jdepth--;
        if (tr->njrn != j0)
          UNSUP(tr, op,
                "the right operand of '%.*s' assigns, and C evaluates it only for some values of "
                "the input-dependent left operand: move the assignment out of the condition",
                TOKSTR(op));
        int cb = kt_is_traced(tr, b) ? kt_cond_node(tr, b) : -1;
        if (cb < 0) { /* a constant right operand */
          int bt = kt_truth(tr, b, "operand of a logical operator");
          cb = (p == 2 ? bt : !bt) ? ca : ag_graph_const(tr->g, (double)bt);
          a = kt_mk_dbl(op, cb);
        } else {
          a = kt_mk_dbl(op, kt_mkop(tr, op, p == 2 ? AG_OP_AND : AG_OP_OR, ca, cb));
        }
        a.dint = 1;
        continue;
      }
      int x = kt_truth(tr, a, "operand of a logical operator");
      if (p == 1 ? x : !x) {
        skip_operand(tr, p);
        a = kt_mk_int(op, x);
      } else {
        xv b = kt_rval(tr, binary(tr, p + 1));
        if (kt_is_traced(tr, b)) {
          a = kt_mk_dbl(op, kt_cond_node(tr, b));
          a.dint = 1;
        } else {
          a = kt_mk_int(op, kt_truth(tr, b, "operand of a logical operator"));
        }
      }
      continue;
    }
    xv b = binary(tr, p + 1);
    if (p >= 9) {
      a = arith(tr, op, op->s[0], a, b);
    } else if (p >= 6 && p <= 7) {
      a = compare(tr, op, a, b);
    } else if (p == 8 || (p >= 3 && p <= 5)) {
      a = kt_rval(tr, a);
      b = kt_rval(tr, b);
      if (a.kind != K_INT || b.kind != K_INT)
        FAIL(tr, op, "'%.*s' needs integer operands", TOKSTR(op));
      long x = a.ival, y = b.ival;
      if (p == 8 && (y < 0 || y >= 64)) FAIL(tr, op, "shift count %ld is out of range", y);
      if (ag_tok_is(op, "<<") && (x < 0 || x > (LONG_MAX >> y)))
        FAIL(tr, op, "'<<' of a negative value or overflow");
      int uns = a.uns || b.uns, wide = p == 8 ? a.wide : a.wide || b.wide;
      long r = ag_tok_is(op, "<<")   ? x << y
               : ag_tok_is(op, ">>") ? x >> y
               : ag_tok_is(op, "&")  ? (x & y)
               : ag_tok_is(op, "|")  ? (x | y)
                                     : (x ^ y);
      a = kt_mk_int(op, r);
      a.uns = uns;
      a.wide = wide;
      a = check_int(tr, op, check_uns(tr, op, a));
    }
  }
}

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
  } else if (kt_accept(tr, "(")) {
    k = ty_expr(tr);
    if (!kt_accept(tr, ")")) return -1;
  } else if (t->kind == TK_IDENT) {
    tr->pos++;
    if (kt_is(tr, "(")) {
      kt_skip_balanced(tr);
      func *f = kt_find_func(tr, t);
      k = c_math_op(t) >= 0                             ? K_DBL
          : ag_tok_is(t, "abs") || ag_tok_is(t, "labs") ? K_INT
          : f && (f->ret == K_DBL || f->ret == K_INT)   ? f->ret
                                                        : -1;
    } else {
      var *v = kt_find_var(tr, t);
      k = !v ? -1 : v->kind == K_PTR ? TY_PTR + v->p.nd + 1 : v->kind;
    }
  }
  for (;;) {
    if (kt_is(tr, "[")) {
      kt_skip_balanced(tr);
      k = ty_deref(k);
    } else if (kt_is(tr, "++") || kt_is(tr, "--")) {
      tr->pos++;
    } else {
      return k;
    }
  }
}

static int ty_unary1(tracer *tr) {
  if (kt_accept(tr, "-") || kt_accept(tr, "+") || kt_accept(tr, "++") || kt_accept(tr, "--"))
    return ty_unary(tr);
  if (kt_accept(tr, "!") || kt_accept(tr, "~")) return ty_unary(tr), K_INT;
  if (kt_accept(tr, "*")) return ty_deref(ty_unary(tr));
  if (kt_accept(tr, "&")) {
    int k = ty_unary(tr);
    return k == K_DBL ? TY_PTR + 1 : k > TY_PTR ? k : -1;
  }
  if (kt_is(tr, "(")) { /* cast? */
    int save = tr->pos, k = -1;
    tr->pos++;
    if (kt_is_type_start(tr)) {
      for (; kt_is_type_start(tr); tr->pos++)
        if (!kt_is_qualifier(CUR(tr))) k = kt_base_kind(tr, CUR(tr));
      if (kt_is(tr, "*") || !kt_accept(tr, ")")) return -1;
      ty_unary(tr);
      return k == K_DBL || k == K_INT ? k : -1;
    }
    tr->pos = save;
  }
  return ty_postfix(tr);
}

static int ty_unary(tracer *tr) {
  kt_enter(tr);
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
  kt_enter(tr);
  int k = ty_binary(tr, 1);
  if (kt_accept(tr, "?")) {
    int a = ty_expr(tr);
    k = kt_accept(tr, ":") ? ty_merge(a, ty_cond(tr)) : -1;
  }
  tr->nest--;
  return k;
}

static int ty_assign(tracer *tr) {
  kt_enter(tr);
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
  while (kt_accept(tr, ","))
    k = ty_assign(tr);
  return k;
}

/* Skips the untaken branch of ?: as skip_expr does; returns its type (-1: unknown). */
static int skip_branch(tracer *tr, int stop_colon) {
  int start = tr->pos;
  int k = stop_colon ? ty_expr(tr) : ty_cond(tr);
  int end = tr->pos;
  tr->pos = start;
  kt_skip_expr(tr, stop_colon);
  return end == tr->pos ? k : -1;
}

static xv conditional1(tracer *tr) {
  xv c = binary(tr, 1);
  const ag_token *q = CUR(tr);
  if (!kt_accept(tr, "?")) return c;
  c = kt_rval(tr, c);
  if (kt_is_traced(tr, c)) return kt_data_conditional(tr, kt_cond_node(tr, c), q);
  int take = kt_truth(tr, c, "condition of '?:'");
  xv r;
  int other;
  if (take) {
    r = kt_rval(tr, kt_expr(tr));
    kt_expect(tr, ":");
    other = skip_branch(tr, 0);
  } else {
    other = skip_branch(tr, 1);
    kt_expect(tr, ":");
    r = kt_rval(tr, kt_conditional(tr));
  }
  if (r.kind == K_INT && other == K_DBL) /* the usual arithmetic conversions */
    r = kt_mk_dbl(r.tok, ag_graph_const(tr->g, (double)r.ival));
  (void)q;
  return r;
}

xv kt_conditional(tracer *tr) {
  kt_enter(tr);
  xv v = conditional1(tr);
  tr->nest--;
  return v;
}

static xv assign_expr1(tracer *tr) {
  xv lhs = kt_conditional(tr);
  const ag_token *op = CUR(tr);
  static const char *aops[] = {
      "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=", NULL};
  int k = -1;
  for (int i = 0; aops[i]; i++)
    if (ag_tok_is(op, aops[i])) k = i;
  if (k < 0) return lhs;
  tr->pos++;
  if (lhs.lv == LV_NONE && lhs.kind != K_STRUCT)
    FAIL(tr, op, "the left side of '%.*s' is not assignable", TOKSTR(op));
  xv rhs = kt_assign_expr(tr);
  if (k == 0) {
    kt_store(tr, lhs, rhs, op);
  } else if (k <= 5) {
    kt_store(tr, lhs, arith(tr, op, op->s[0], lhs, rhs), op);
  } else {
    UNSUP(tr, op, "bitwise compound assignment '%.*s' is not supported", TOKSTR(op));
  }
  return kt_rval(tr, lhs);
}

xv kt_assign_expr(tracer *tr) {
  kt_enter(tr);
  xv v = assign_expr1(tr);
  tr->nest--;
  return v;
}

xv kt_expr(tracer *tr) {
  xv v = kt_assign_expr(tr);
  while (kt_accept(tr, ","))
    v = kt_assign_expr(tr);
  return v;
}
