/* Owns C code generation of a Jacobian program: single-element and batched SoA functions. */
#include "jacobian/codegen_c.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/exec_cost.h"

/* Branches on data, branch-free: quiet comparisons (isless: no FP exception, so they are
   if-converted under GCC's default -ftrapping-math) and selects by bit masks (a ?: on
   doubles becomes control flow in GCC's eyes once it threads one side), so that the batch
   loop of a kernel with branches vectorises (bench/branches.sh). */
static const char select_helpers[] =
    "#include <stdint.h>\n#include <string.h>\n\n"
    "#define AG_LT(a, b) isless(a, b)\n#define AG_LE(a, b) islessequal(a, b)\n"
    "/* c != 0 ? a : b */\n"
    "static inline double ag_sel(double c, double a, double b) {\n"
    "  uint64_t m = -(uint64_t)(c != 0.0), x, y;\n"
    "  memcpy(&x, &a, 8);\n  memcpy(&y, &b, 8);\n  x = (x & m) | (y & ~m);\n"
    "  memcpy(&a, &x, 8);\n  return a;\n}\n"
    "/* z ? 0 : p (0 from a select's untaken side times anything is 0) */\n"
    "static inline double ag_zero_if(int z, double p) {\n"
    "  uint64_t m = -(uint64_t)(z == 0), x;\n"
    "  memcpy(&x, &p, 8);\n  x &= m;\n  memcpy(&p, &x, 8);\n  return p;\n}\n";

/* A double as an exact C literal. */
static void lit(char *buf, size_t n, double v) {
  if (isnan(v))
    snprintf(buf, n, "NAN");
  else if (isinf(v))
    snprintf(buf, n, v > 0 ? "INFINITY" : "(-INFINITY)");
  else if (v < 0 || (v == 0 && signbit(v)))
    snprintf(buf, n, "(%a)", v);
  else
    snprintf(buf, n, "%a", v);
}

static const char *fun1(ag_op op) {
  switch (op) {
  case AG_OP_SQRT: return "sqrt";
  case AG_OP_EXP: return "exp";
  case AG_OP_LOG: return "log";
  case AG_OP_SIN: return "sin";
  case AG_OP_COS: return "cos";
  case AG_OP_TAN: return "tan";
  case AG_OP_ASIN: return "asin";
  case AG_OP_ACOS: return "acos";
  case AG_OP_ATAN: return "atan";
  case AG_OP_SINH: return "sinh";
  case AG_OP_COSH: return "cosh";
  case AG_OP_TANH: return "tanh";
  case AG_OP_ASINH: return "asinh";
  case AG_OP_ACOSH: return "acosh";
  case AG_OP_ATANH: return "atanh";
  case AG_OP_FABS: return "fabs";
  case AG_OP_ERF: return "erf";
  case AG_OP_ERFC: return "erfc";
  case AG_OP_CBRT: return "cbrt";
  case AG_OP_LOG10: return "log10";
  case AG_OP_LOG2: return "log2";
  case AG_OP_EXP2: return "exp2";
  case AG_OP_EXPM1: return "expm1";
  case AG_OP_LOG1P: return "log1p";
  case AG_OP_ATAN2: return "atan2";
  case AG_OP_POW: return "pow";
  case AG_OP_FMAX: return "fmax";
  case AG_OP_FMIN: return "fmin";
  case AG_OP_HYPOT: return "hypot";
  case AG_OP_FLOOR: return "floor";
  case AG_OP_CEIL: return "ceil";
  case AG_OP_ROUND: return "round";
  case AG_OP_TRUNC: return "trunc";
  case AG_OP_COPYSIGN: return "copysign";
  case AG_OP_FDIM: return "fdim";
  case AG_OP_FMOD: return "fmod";
  default: return NULL;
  }
}

/* Primal value of node i (operands are the variables v<a>, v<b>). Same as ag_op_eval. */
static int emit_value(FILE *f, const ag_graph *g, int i, int batch) {
  const ag_node *nd = &g->nodes[i];
  char c[64];
  switch (nd->op) {
  case AG_OP_INPUT:
    return batch ? fprintf(f, "in[%d * n + k]", (int)nd->value)
                 : fprintf(f, "in[%d]", (int)nd->value);
  case AG_OP_PARAM:
    return batch ? fprintf(f, "p[%d * n + k]", (int)nd->value)
                 : fprintf(f, "p[%d]", (int)nd->value);
  case AG_OP_CONST: lit(c, sizeof c, nd->value); return fprintf(f, "%s", c);
  case AG_OP_ADD: return fprintf(f, "v%d + v%d", nd->a, nd->b);
  case AG_OP_SUB: return fprintf(f, "v%d - v%d", nd->a, nd->b);
  case AG_OP_MUL: return fprintf(f, "v%d * v%d", nd->a, nd->b);
  case AG_OP_DIV: return fprintf(f, "v%d / v%d", nd->a, nd->b);
  case AG_OP_NEG: return fprintf(f, "-v%d", nd->a);
  case AG_OP_SQUARE: return fprintf(f, "v%d * v%d", nd->a, nd->a);
  case AG_OP_IPOW: lit(c, sizeof c, nd->value); return fprintf(f, "pow(v%d, %s)", nd->a, c);
  /* fmin/fmax as compare-and-select (C99 semantics: a NaN operand yields the other one):
     a libm call would keep the compiler from vectorising the batch loop */
  case AG_OP_FMIN:
    return fprintf(f, "(v%d < v%d || v%d != v%d) ? v%d : v%d", nd->b, nd->a, nd->a, nd->a, nd->b,
                   nd->a);
  case AG_OP_FMAX:
    return fprintf(f, "(v%d > v%d || v%d != v%d) ? v%d : v%d", nd->b, nd->a, nd->a, nd->a, nd->b,
                   nd->a);
  /* conditions are 0.0/1.0 values (no control flow: the batch loop stays vectorisable) */
  /* AG_LT...: quiet comparisons (isless...), which raise no FP exception: under GCC's
     default -ftrapping-math a < b is not if-converted, and the batch loop would not vectorise */
  case AG_OP_LT: return fprintf(f, "(double)AG_LT(v%d, v%d)", nd->a, nd->b);
  case AG_OP_LE: return fprintf(f, "(double)AG_LE(v%d, v%d)", nd->a, nd->b);
  case AG_OP_GT: return fprintf(f, "(double)AG_LT(v%d, v%d)", nd->b, nd->a);
  case AG_OP_GE: return fprintf(f, "(double)AG_LE(v%d, v%d)", nd->b, nd->a);
  case AG_OP_EQ: return fprintf(f, "(double)(v%d == v%d)", nd->a, nd->b);
  case AG_OP_NE: return fprintf(f, "(double)(v%d != v%d)", nd->a, nd->b);
  case AG_OP_AND: return fprintf(f, "(double)((v%d != 0.0) & (v%d != 0.0))", nd->a, nd->b);
  case AG_OP_OR: return fprintf(f, "(double)((v%d != 0.0) | (v%d != 0.0))", nd->a, nd->b);
  case AG_OP_NOT: return fprintf(f, "(double)(v%d == 0.0)", nd->a);
  case AG_OP_SELECT: return fprintf(f, "ag_sel(v%d, v%d, v%d)", nd->cond, nd->a, nd->b);
  default: {
    const char *fn = fun1((ag_op)nd->op);
    if (!fn) return fprintf(f, "NAN");
    if (ag_op_arity((ag_op)nd->op) == 2) return fprintf(f, "%s(v%d, v%d)", fn, nd->a, nd->b);
    return fprintf(f, "%s(v%d)", fn, nd->a);
  }
  }
}

/* Expressions of the partials d/da (which = 0) and d/db (which = 1), as in ag_op_partials,
   with a = A, b = B, r = R (variable names). */
static void partial_expr(char *buf, size_t n, const ag_node *nd, int which, const char *A,
                         const char *B, const char *R) {
  char c[64], cm1[64];
  switch (nd->op) {
  case AG_OP_SELECT: snprintf(buf, n, "(double)(v%d %s 0.0)", nd->cond, which ? "==" : "!="); break;
  case AG_OP_COPYSIGN: snprintf(buf, n, "copysign(1.0, %s) * copysign(1.0, %s)", A, B); break;
  case AG_OP_FDIM: snprintf(buf, n, "%s(double)AG_LT(%s, %s)", which ? "-" : "", B, A); break;
  case AG_OP_FMOD: snprintf(buf, n, which ? "-trunc(%s / %s)" : "1.0", A, B); break;
  case AG_OP_ADD: snprintf(buf, n, "1.0"); break;
  case AG_OP_SUB: snprintf(buf, n, which ? "-1.0" : "1.0"); break;
  case AG_OP_MUL: snprintf(buf, n, "%s", which ? A : B); break;
  case AG_OP_DIV: /* 1/b once (the compiler shares it between both partials), then a
                     multiplication: one division fewer than -(a/b)/b */
    if (which)
      snprintf(buf, n, "-%s * (1 / %s)", R, B);
    else
      snprintf(buf, n, "1 / %s", B);
    break;
  case AG_OP_NEG: snprintf(buf, n, "-1.0"); break;
  case AG_OP_SQRT: snprintf(buf, n, "0.5 / %s", R); break;
  case AG_OP_EXP: snprintf(buf, n, "%s", R); break;
  case AG_OP_LOG: snprintf(buf, n, "1 / %s", A); break;
  case AG_OP_SIN: snprintf(buf, n, "cos(%s)", A); break;
  case AG_OP_COS: snprintf(buf, n, "-sin(%s)", A); break;
  case AG_OP_TAN: snprintf(buf, n, "1 + %s * %s", R, R); break;
  case AG_OP_ASIN: snprintf(buf, n, "1 / sqrt(1 - %s * %s)", A, A); break;
  case AG_OP_ACOS: snprintf(buf, n, "-1 / sqrt(1 - %s * %s)", A, A); break;
  case AG_OP_ATAN: snprintf(buf, n, "1 / (1 + %s * %s)", A, A); break;
  case AG_OP_ATAN2:
    if (which)
      snprintf(buf, n, "-%s / (%s * %s + %s * %s)", A, A, A, B, B);
    else
      snprintf(buf, n, "%s / (%s * %s + %s * %s)", B, A, A, B, B);
    break;
  case AG_OP_SINH: snprintf(buf, n, "cosh(%s)", A); break;
  case AG_OP_COSH: snprintf(buf, n, "sinh(%s)", A); break;
  case AG_OP_TANH: snprintf(buf, n, "1 - %s * %s", R, R); break;
  case AG_OP_ASINH: snprintf(buf, n, "1 / sqrt(%s * %s + 1)", A, A); break;
  case AG_OP_ACOSH: snprintf(buf, n, "1 / sqrt(%s * %s - 1)", A, A); break;
  case AG_OP_ATANH: snprintf(buf, n, "1 / (1 - %s * %s)", A, A); break;
  case AG_OP_POW:
    if (which)
      snprintf(buf, n, "(%s == 0) ? 0.0 : log(%s) * %s", A, A, R);
    else
      snprintf(buf, n, "(%s == 0) ? 0.0 : %s * pow(%s, %s - 1)", B, B, A, B);
    break;
  case AG_OP_IPOW:
    lit(c, sizeof c, nd->value);
    lit(cm1, sizeof cm1, nd->value - 1);
    if (nd->value == 0)
      snprintf(buf, n, "0.0");
    else
      snprintf(buf, n, "%s * pow(%s, %s)", c, A, cm1);
    break;
  /* sign(a), 0 at 0 and NaN, from quiet comparisons and masks (no control flow) */
  case AG_OP_FABS:
    snprintf(buf, n, "((double)AG_LT(0.0, %s) - (double)AG_LT(%s, 0.0))", A, A);
    break;
  /* fmax/fmin: 1 where a wins, 0 where b wins, 1/2 at a tie (or a NaN), written without
     branches (comparisons as 0/1 values, & not &&): a nested ?: is control flow that keeps
     GCC from vectorising the batch loop */
  case AG_OP_FMAX:
    snprintf(buf, n, "%s(double)(%s > %s) + 0.5 * (double)(!(%s > %s) & !(%s < %s))%s",
             which ? "1 - (" : "", A, B, A, B, A, B, which ? ")" : "");
    break;
  case AG_OP_FMIN:
    snprintf(buf, n, "%s(double)(%s < %s) + 0.5 * (double)(!(%s < %s) & !(%s > %s))%s",
             which ? "1 - (" : "", A, B, A, B, A, B, which ? ")" : "");
    break;
  case AG_OP_ERF: snprintf(buf, n, "1.1283791670955126 * exp(-%s * %s)", A, A); break;
  case AG_OP_ERFC: snprintf(buf, n, "-1.1283791670955126 * exp(-%s * %s)", A, A); break;
  case AG_OP_SQUARE: snprintf(buf, n, "2 * %s", A); break;
  case AG_OP_CBRT: snprintf(buf, n, "1 / (3 * %s * %s)", R, R); break;
  case AG_OP_HYPOT: snprintf(buf, n, "%s / %s", which ? B : A, R); break;
  case AG_OP_LOG10: snprintf(buf, n, "1 / (%s * 2.302585092994046)", A); break;
  case AG_OP_LOG2: snprintf(buf, n, "1 / (%s * 0.6931471805599453)", A); break;
  case AG_OP_EXP2: snprintf(buf, n, "%s * 0.6931471805599453", R); break;
  case AG_OP_EXPM1: snprintf(buf, n, "%s + 1", R); break;
  case AG_OP_LOG1P: snprintf(buf, n, "1 / (1 + %s)", A); break;
  default: snprintf(buf, n, "NAN"); break;
  }
}

/* A slot's value while the derivative code is generated: a constant known here, or a
   variable (d<k>: a local partial, t<k>: computed) times a sign. */
typedef struct {
  int set, known;
  int unit;    /* known and of class UNIT (+-1 by construction, not by value) */
  double val;  /* known */
  int var;     /* variable number */
  char prefix; /* 'd' or 't' */
  int sign;    /* +1 or -1 */
} slotval;

/* The value as an expression: a literal, "tK" or "(-tK)". */
static void value_text(char *buf, size_t n, const slotval *x) {
  if (x->known)
    lit(buf, n, x->val);
  else if (x->sign < 0)
    snprintf(buf, n, "(-%c%d)", x->prefix, x->var);
  else
    snprintf(buf, n, "%c%d", x->prefix, x->var);
}

static int is_unit(const slotval *x) { return x->known && x->unit; }

/* The product x * y as the model says (AG_XOP kinds): a folded constant, a copy with a sign
   when a factor is +-1, else one multiplication into a new variable. */
static slotval mul_values(FILE *f, const char *ind, const slotval *x, const slotval *y, int *nvar,
                          int sz) {
  slotval r = {.set = 1};
  if (x->known && y->known) {
    r.known = 1;
    r.unit = x->unit && y->unit;
    r.val = x->val * y->val;
  } else if (is_unit(x) || is_unit(y)) {
    const slotval *u = is_unit(x) ? x : y, *o = is_unit(x) ? y : x;
    r = *o;
    r.sign = o->sign * (u->val < 0 ? -1 : 1);
  } else {
    char a[64], b[64];
    slotval xs = *x, ys = *y;
    int sign = 1;
    if (!xs.known) sign *= xs.sign, xs.sign = 1;
    if (!ys.known) sign *= ys.sign, ys.sign = 1;
    value_text(a, sizeof a, &xs);
    value_text(b, sizeof b, &ys);
    r.var = (*nvar)++;
    r.prefix = 't';
    r.sign = sign;
    if ((sz & 1 && !xs.known) || (sz & 2 && !ys.known)) {
      /* a select's masked 0 stays 0 against inf or NaN of the untaken side; (x == 0) |
         (y == 0), not ||: no control flow, so the batch loop stays vectorisable */
      char z[200];
      int za = (sz & 1) && !xs.known, zb = (sz & 2) && !ys.known;
      if (za && zb)
        snprintf(z, sizeof z, "(%s == 0.0) | (%s == 0.0)", a, b);
      else
        snprintf(z, sizeof z, "%s == 0.0", za ? a : b);
      int pv = r.var;
      r.var = (*nvar)++;
      fprintf(f, "%sconst double t%d = %s * %s;\n", ind, pv, a, b);
      fprintf(f, "%sconst double t%d = ag_zero_if(%s, t%d);\n", ind, r.var, z, pv);
    } else
      fprintf(f, "%sconst double t%d = %s * %s;\n", ind, r.var, a, b);
  }
  return r;
}

/* x + y: folded when both are constants, else one addition (a fused multiply-add when y
   is a product just formed: the product is written inline so that contraction applies). */
static slotval add_values(FILE *f, const char *ind, const slotval *x, const slotval *y, int *nvar,
                          char prefix) {
  slotval r = {.set = 1};
  if (x->known && y->known) {
    r.known = 1;
    r.val = x->val + y->val;
    return r;
  }
  char a[64], b[64];
  /* sx*X + sy*Y with X, Y printed unsigned: X + Y, X - Y, Y - X, or -(X + Y) */
  slotval xs = *x, ys = *y;
  int sx = 1, sy = 1;
  if (!xs.known) sx = xs.sign, xs.sign = 1;
  if (!ys.known) sy = ys.sign, ys.sign = 1;
  value_text(a, sizeof a, &xs);
  value_text(b, sizeof b, &ys);
  r.var = (*nvar)++;
  r.prefix = prefix;
  r.sign = 1;
  if (sx > 0 && sy > 0)
    fprintf(f, "%sconst double %c%d = %s + %s;\n", ind, prefix, r.var, a, b);
  else if (sx > 0)
    fprintf(f, "%sconst double %c%d = %s - %s;\n", ind, prefix, r.var, a, b);
  else if (sy > 0)
    fprintf(f, "%sconst double %c%d = %s - %s;\n", ind, prefix, r.var, b, a);
  else {
    fprintf(f, "%sconst double %c%d = %s + %s;\n", ind, prefix, r.var, a, b);
    r.sign = -1;
  }
  return r;
}

/* The straight-line body: primal values, partials, multiply-adds, out[] and jac[]. */
static void emit_body(FILE *f, const ag_jacprog *jp, const unsigned char *need, int batch,
                      int with_jac, const char *ind) {
  const ag_graph *g = jp->g;
  const ag_dag *d = &g->dag;
  for (int i = 0; i < g->nnodes; i++) {
    if (!need[i]) continue;
    fprintf(f, "%sconst double v%d = ", ind, i);
    emit_value(f, g, i, batch);
    fputs(";\n", f);
  }
  if (!with_jac) {
    for (int j = 0; j < g->noutputs; j++) {
      if (batch)
        fprintf(f, "%sout[%d * n + k] = v%d;\n", ind, j, g->outputs[j]);
      else
        fprintf(f, "%sout[%d] = v%d;\n", ind, j, g->outputs[j]);
    }
    return;
  }
  /* The derivative part, with the classes of the execution model (graph/exec_cost.h):
     every slot is either a constant known here (a literal; +-1 makes no multiplication) or
     a variable d<k> / t<k> with a sign. Partials of class VAR are d<k>; each operation that
     computes makes a new t<k> (single assignment), copies and folds make none. */
  slotval *sv = ag_calloc((size_t)jp->nslots + 1, sizeof *sv);
  /* nodes whose value is exactly 1.0 or 0.0: conditions, selects between them */
  unsigned char *is01 = ag_calloc((size_t)g->nnodes + 1, 1);
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *x = &g->nodes[i];
    is01[i] = ag_op_is_cond(x->op) || (x->op == AG_OP_CONST && (x->value == 0 || x->value == 1)) ||
              (x->op == AG_OP_SELECT && is01[x->a] && is01[x->b]);
  }
  char A[32], B[32], R[32], e[512];
  int nvar = 0;
  for (int v = 0; v < d->nv; v++) {
    int node = d->vert_node[d->ni + v];
    const ag_node *nd = &g->nodes[node];
    const int *ps = &jp->partial_slot[2 * v];
    snprintf(A, sizeof A, "v%d", nd->a);
    snprintf(B, sizeof B, "v%d", nd->b);
    snprintf(R, sizeof R, "v%d", node);
    for (int w = 0; w < 2; w++) {
      if (ps[w] < 0) continue;
      slotval x = {0};
      if (jp->partial_cls[2 * v + w] != AG_EDGE_VAR) {
        x.known = 1;
        x.unit = jp->partial_cls[2 * v + w] == AG_EDGE_UNIT;
        x.val = jp->partial_val[2 * v + w];
      } else {
        partial_expr(e, sizeof e, nd, w, A, B, R);
        if (nd->op == AG_OP_SELECT && is01[nd->cond]) { /* the condition is 1.0 or 0.0 */
          snprintf(e, sizeof e, w ? "(1.0 - v%d)" : "v%d", nd->cond);
        }
        x.var = nvar++;
        x.sign = 1;
        fprintf(f, "%sconst double d%d = %s;\n", ind, x.var, e);
        x.prefix = 'd';
      }
      slotval *t = &sv[ps[w]];
      if (!t->set) {
        *t = x;
        t->set = 1;
      } else { /* x op x: the second partial adds to the first */
        *t = add_values(f, ind, t, &x, &nvar, 'd');
      }
    }
  }
  for (int k = 0; k < jp->nops; k++) {
    const ag_jop *o = &jp->ops[k];
    slotval *t = &sv[o->dst];
    slotval p = mul_values(f, ind, &sv[o->a], &sv[o->b], &nvar, o->sz);
    if (o->acc && t->set)
      *t = add_values(f, ind, t, &p, &nvar, 't');
    else
      *t = p;
    t->set = 1;
  }
  for (int j = 0; j < g->noutputs; j++) {
    if (batch)
      fprintf(f, "%sout[%d * n + k] = v%d;\n", ind, j, g->outputs[j]);
    else
      fprintf(f, "%sout[%d] = v%d;\n", ind, j, g->outputs[j]);
  }
  for (int en = 0; en < jp->nentries; en++) {
    char val[64];
    if (jp->slot[en] == AG_SLOT_ONE)
      snprintf(val, sizeof val, "1.0");
    else if (sv[jp->slot[en]].set)
      value_text(val, sizeof val, &sv[jp->slot[en]]);
    else
      snprintf(val, sizeof val, "0.0");
    if (batch)
      fprintf(f, "%sjac[%d * n + k] = %s;\n", ind, en, val);
    else
      fprintf(f, "%sjac[%d] = %s;\n", ind, en, val);
  }
  free(sv);
  free(is01);
}

/* Nodes whose value is needed: the outputs and what they depend on, and, when with_jac,
   the operands and results of vertices with local partials too. */
static unsigned char *needed_nodes(const ag_jacprog *jp, int with_jac) {
  const ag_graph *g = jp->g;
  const ag_dag *d = &g->dag;
  unsigned char *need = ag_calloc((size_t)g->nnodes + 1, 1);
  for (int j = 0; j < g->noutputs; j++)
    need[g->outputs[j]] = 1;
  for (int v = 0; with_jac && v < d->nv; v++) {
    const int *ps = &jp->partial_slot[2 * v];
    if (ps[0] < 0 && ps[1] < 0) continue;
    int node = d->vert_node[d->ni + v];
    const ag_node *nd = &g->nodes[node];
    need[node] = 1;
    if (nd->a >= 0) need[nd->a] = 1;
    if (nd->b >= 0) need[nd->b] = 1;
    if (nd->cond >= 0) need[nd->cond] = 1;
  }
  for (int i = g->nnodes - 1; i >= 0; i--) {
    if (!need[i]) continue;
    const ag_node *nd = &g->nodes[i];
    if (nd->op > AG_OP_CONST) {
      if (nd->a >= 0) need[nd->a] = 1;
      if (nd->b >= 0) need[nd->b] = 1;
      if (nd->cond >= 0) need[nd->cond] = 1;
    }
  }
  return need;
}

static int valid_ident(const char *s) {
  if (!s || !*s || !(isalpha((unsigned char)*s) || *s == '_')) return 0;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return 1;
}

static void emit_int_array(FILE *f, const char *fname, const char *what, const int *v, int n) {
  fprintf(f, "const int %s_%s[%d] = {", fname, what, n > 0 ? n : 1);
  if (n == 0) fputs("0", f);
  for (int i = 0; i < n; i++)
    fprintf(f, "%s%s%d", i ? "," : "", (i % 20 == 0) ? "\n  " : " ", v[i]);
  fputs("};\n", f);
}

/* Ops whose value and partials compile to arithmetic, sqrt or selects (no math-library
   call): a loop over elements of only these vectorises. */
static int call_free(int op) {
  switch (op) {
  case AG_OP_INPUT:
  case AG_OP_PARAM:
  case AG_OP_CONST:
  case AG_OP_ADD:
  case AG_OP_SUB:
  case AG_OP_MUL:
  case AG_OP_DIV:
  case AG_OP_NEG:
  case AG_OP_SQUARE:
  case AG_OP_SQRT:
  case AG_OP_FABS:
  case AG_OP_FMIN:
  case AG_OP_FMAX:
  case AG_OP_SELECT:
  case AG_OP_FLOOR: /* one instruction each with SSE4.1 / AVX (the JIT's -march=native) */
  case AG_OP_CEIL:
  case AG_OP_TRUNC:
  case AG_OP_COPYSIGN: return 1;
  default: return ag_op_is_cond(op);
  }
}

static int vectorisable(const ag_graph *g, const unsigned char *need) {
  for (int i = 0; i < g->nnodes; i++)
    if (need[i] && !call_free(g->nodes[i].op)) return 0;
  return 1;
}

static const char *const ivdep = "#if defined(__clang__)\n"
                                 "#pragma clang loop vectorize(assume_safety)\n"
                                 "#elif defined(__GNUC__)\n"
                                 "#pragma GCC ivdep\n"
                                 "#endif\n";

/* FNAME_batch (with_jac) or FNAME_primal_batch.
   Vectorised kernels: blocks of B elements, the inner loop over a block (constant trip
   count B, the straight-line body of ag_codegen_c_element_body) is vectorised without a
   remainder loop; the last block overlaps the one before when B does not divide n
   (elements computed twice get the same values); n < B goes element by element through
   FNAME_one. Other kernels: a block of B elements is copied into local arrays, FNAME_one
   (FNAME_primal_one) computes each with constant offsets, and the results are copied
   back, whole cache lines per stream. */
static void emit_batch(FILE *f, const ag_jacprog *jp, const char *fname, const unsigned char *need,
                       int vec, int B, int with_jac) {
  const ag_graph *g = jp->g;
  int ni = g->ninputs, np = g->nparams, no = g->noutputs, ne = jp->nentries;
  int branches = 0;
  for (int i = 0; i < g->nnodes; i++)
    branches |= need[i] && (g->nodes[i].op == AG_OP_SELECT || ag_op_is_cond(g->nodes[i].op));
  /* GCC's partial redundancy elimination moves products into one side of a select it has
     turned back into a branch, which then cannot be if-converted: the loop would not
     vectorise (bench/branches.sh). Straight-line code loses nothing without it. */
  if (vec && branches)
    fputs("#if defined(__GNUC__) && !defined(__clang__)\n"
          "__attribute__((optimize(\"no-tree-pre\")))\n#endif\n",
          f);
  if (with_jac)
    fprintf(f,
            "void %s_batch(int n, const double *in, const double *p, double *out, double *jac) {\n",
            fname);
  else
    fprintf(f, "void %s_primal_batch(int n, const double *in, const double *p, double *out) {\n",
            fname);
  fprintf(f, "  (void)in; (void)p;\n");
  if (vec) {
    /* n < B: one element at a time (the Jacobian too when only outputs are asked for) */
    fprintf(f, "  if (n < %d) {\n    double x[%d], q[%d], o[%d], j[%d];\n", B, ni > 0 ? ni : 1,
            np > 0 ? np : 1, no > 0 ? no : 1, ne > 0 ? ne : 1);
    fprintf(f, "    for (int k = 0; k < n; k++) {\n");
    fprintf(f, "      for (int i = 0; i < %d; i++) x[i] = in[i * n + k];\n", ni);
    fprintf(f, "      for (int i = 0; i < %d; i++) q[i] = p[i * n + k];\n", np);
    fprintf(f, "      %s_one(x, q, o, j);\n", fname);
    fprintf(f, "      for (int i = 0; i < %d; i++) out[i * n + k] = o[i];\n", no);
    if (with_jac) fprintf(f, "      for (int i = 0; i < %d; i++) jac[i * n + k] = j[i];\n", ne);
    fprintf(f, "    }\n    return;\n  }\n");
    fprintf(f, "  for (int k0 = 0;; k0 += %d) {\n    if (k0 > n - %d) k0 = n - %d;\n%s", B, B, B,
            ivdep);
    fprintf(f, "    for (int b = 0; b < %d; b++) {\n      const int k = k0 + b;\n", B);
    emit_body(f, jp, need, 1, with_jac, "      ");
    fprintf(f, "    }\n    if (k0 == n - %d) break;\n  }\n}\n", B);
    return;
  }
  fprintf(f, "  double x[%d][%d], q[%d][%d], o[%d][%d]", B, ni > 0 ? ni : 1, B, np > 0 ? np : 1, B,
          no > 0 ? no : 1);
  if (with_jac) fprintf(f, ", j[%d][%d]", B, ne > 0 ? ne : 1);
  fprintf(f, ";\n  for (int k0 = 0; k0 < n; k0 += %d) {\n", B);
  fprintf(f, "    const int m = n - k0 < %d ? n - k0 : %d;\n", B, B);
  fprintf(f,
          "    for (int i = 0; i < %d; i++)\n      for (int b = 0; b < m; b++) x[b][i] = in[i * n "
          "+ k0 + b];\n",
          ni);
  fprintf(f,
          "    for (int i = 0; i < %d; i++)\n      for (int b = 0; b < m; b++) q[b][i] = p[i * n + "
          "k0 + b];\n",
          np);
  if (with_jac)
    fprintf(f, "    for (int b = 0; b < m; b++) %s_one(x[b], q[b], o[b], j[b]);\n", fname);
  else
    fprintf(f, "    for (int b = 0; b < m; b++) %s_primal_one(x[b], q[b], o[b]);\n", fname);
  fprintf(f, "    if (m == %d) {\n", B);
  fprintf(f,
          "      for (int i = 0; i < %d; i++)\n        for (int b = 0; b < %d; b++) out[i * n + k0 "
          "+ b] = o[b][i];\n",
          no, B);
  if (with_jac)
    fprintf(f,
            "      for (int i = 0; i < %d; i++)\n        for (int b = 0; b < %d; b++) jac[i * n + "
            "k0 + b] = j[b][i];\n",
            ne, B);
  fprintf(f, "    } else {\n");
  fprintf(f,
          "      for (int i = 0; i < %d; i++)\n        for (int b = 0; b < m; b++) out[i * n + k0 "
          "+ b] = o[b][i];\n",
          no);
  if (with_jac)
    fprintf(f,
            "      for (int i = 0; i < %d; i++)\n        for (int b = 0; b < m; b++) jac[i * n + "
            "k0 + b] = j[b][i];\n",
            ne);
  fprintf(f, "    }\n  }\n}\n");
}

void ag_codegen_c_element_body(FILE *f, const ag_jacprog *jp, int with_jac, const char *ind) {
  unsigned char *need = needed_nodes(jp, with_jac);
  emit_body(f, jp, need, 1, with_jac, ind);
  free(need);
}

int ag_codegen_c(const ag_jacprog *jp, const char *fname, FILE *out, ag_error *err) {
  if (!valid_ident(fname) || strlen(fname) > 200)
    return ag_fail(err, "codegen: '%s' is not a C identifier", fname ? fname : "(null)");
  const ag_graph *g = jp->g;
  const ag_dag *d = &g->dag;
  unsigned char *need = needed_nodes(jp, 1), *need_primal = needed_nodes(jp, 0);
  fprintf(out,
          "/* Generated by %s: outputs and exact Jacobian of graph '%s'.\n"
          "   structural hash %016llx, full hash %016llx\n"
          "   inputs %d, parameters %d, outputs %d, vertices %d, nodes %d\n"
          "   order cost %ld multiply-adds (+%ld through outputs), %d Jacobian entries, %d slots\n"
          "   Do not edit. */\n"
          "#include <math.h>\n\n"
          "%s\n",
          AG_CODEGEN_VERSION, g->name ? g->name : "", (unsigned long long)d->hash,
          (unsigned long long)ag_graph_hash_full(g), g->ninputs, g->nparams, g->noutputs, d->nv,
          g->nnodes, jp->mults, jp->extra_mults, jp->nentries, jp->nslots, select_helpers);
  fprintf(out, "const int %s_ni = %d;\nconst int %s_no = %d;\nconst int %s_np = %d;\n", fname,
          g->ninputs, fname, g->noutputs, fname, g->nparams);
  fprintf(out, "const int %s_nentries = %d;\n", fname, jp->nentries);
  emit_int_array(out, fname, "rows", jp->row, jp->nentries);
  emit_int_array(out, fname, "cols", jp->col, jp->nentries);
  const int vec = vectorisable(g, need);
  /* elements per block of the batch loops; a block's local copies (non-vectorised
     kernels) take B * (ni + np + no + nentries) doubles of stack */
  const int nall = g->ninputs + g->nparams + g->noutputs + jp->nentries;
  const int B = vec ? 16 : (nall <= 8192 ? 8 : 1);
  fprintf(out,
          "\n#if defined(__GNUC__) || defined(__clang__)\n"
          "#define AG_NOINLINE __attribute__((noinline))\n"
          "#else\n"
          "#define AG_NOINLINE\n"
          "#endif\n"
          "\n/* one element: in[%d], p[%d], out[%d], jac[%d] (entries in the order of "
          "%s_rows/%s_cols) */\n"
          "static AG_NOINLINE void %s_one(const double *in, const double *p, double *out, double "
          "*jac) {\n"
          "  (void)in; (void)p;\n",
          g->ninputs, g->nparams, g->noutputs, jp->nentries, fname, fname, fname);
  emit_body(out, jp, need, 0, 1, "  ");
  fprintf(out,
          "}\n\nvoid %s(const double *in, const double *p, double *out, double *jac) {\n"
          "  %s_one(in, p, out, jac);\n}\n",
          fname, fname);
  if (!vec) {
    fprintf(
        out,
        "\n/* outputs only, one element */\n"
        "static AG_NOINLINE void %s_primal_one(const double *in, const double *p, double *out) {\n"
        "  (void)in; (void)p;\n",
        fname);
    emit_body(out, jp, need_primal, 0, 0, "  ");
    fputs("}\n", out);
  }
  fprintf(out, "\n/* structure of arrays: in[i * n + k] is input i of element k, likewise\n"
               "   p[i * n + k], out[j * n + k] and jac[e * n + k]. The streams must not overlap.\n"
               "   n that are multiples of 512 give all streams equal power-of-two strides, which\n"
               "   collide in cache: a padded n is faster for memory-bound kernels. */\n");
  emit_batch(out, jp, fname, need, vec, B, 1);
  fprintf(out, "\n/* outputs only (no Jacobian), structure of arrays as %s_batch */\n", fname);
  emit_batch(out, jp, fname, need_primal, vec, B, 0);
  free(need);
  free(need_primal);
  if (ferror(out)) return ag_failc(err, AG_ERR_IO, "codegen: write error");
  return 0;
}
