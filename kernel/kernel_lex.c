/* Owns the C kernel front end's tokens and preprocessor (kernel_lex.h). */
#include "kernel/kernel_lex.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/readfile.h"

/* Names a kernel may take from math.h and PETSc headers, which are not read. */
static const char kernel_prelude[] =
    "#define M_PI 3.14159265358979323846\n"
    "#define M_E 2.7182818284590452354\n"
    "#define M_SQRT2 1.41421356237309504880\n"
    "#define M_SQRT1_2 0.70710678118654752440\n"
    "#define M_LN2 0.69314718055994530942\n"
    "#define M_LN10 2.30258509299404568402\n"
    "#define M_PI_2 1.57079632679489661923\n"
    "#define M_PI_4 0.78539816339744830962\n"
    "#define PETSC_PI 3.14159265358979323846\n"
    "#define PETSC_EXTERN\n#define PETSC_INTERN\n#define PETSC_UNUSED\n"
    "#define PETSC_RESTRICT\n#define PETSC_STATIC_INLINE static inline\n"
    "#define PetscSqr(a) ((a) * (a))\n"
    "#define PetscSqrtReal sqrt\n#define PetscSqrtScalar sqrt\n"
    "#define PetscExpReal exp\n#define PetscExpScalar exp\n"
    "#define PetscLogReal log\n#define PetscLogScalar log\n"
    "#define PetscSinReal sin\n#define PetscSinScalar sin\n"
    "#define PetscCosReal cos\n#define PetscCosScalar cos\n"
    "#define PetscTanReal tan\n#define PetscTanScalar tan\n"
    "#define PetscAsinReal asin\n#define PetscAcosReal acos\n#define PetscAtanReal atan\n"
    "#define PetscAtan2Real atan2\n#define PetscSinhReal sinh\n#define PetscCoshReal cosh\n"
    "#define PetscTanhReal tanh\n#define PetscPowReal pow\n#define PetscPowScalar pow\n"
    "#define PetscAbsReal fabs\n#define PetscAbsScalar fabs\n"
    "#define PetscMax(a, b) fmax(a, b)\n#define PetscMin(a, b) fmin(a, b)\n"
    "#define PetscRealPart(a) (a)\n#define PetscConj(a) (a)\n"
    "#define PetscFloorReal floor\n#define PetscCeilReal ceil\n#define PetscFmodReal fmod\n"
    "#define PetscCopysignReal copysign\n"
    "#define PetscSign(a) (((a) >= 0) ? ((a) == 0 ? 0 : 1) : -1)\n"
    "#define PetscSignReal(a) ((a) < 0.0 ? -1.0 : ((a) > 0.0 ? 1.0 : 0.0))\n";

#define MAX_EXPANSION 1000000 /* tokens from one macro use */
#define MAX_EXPANSIONS                                                                             \
  2000000                  /* work of one macro use: expansions + tokens copied (bounds            \
                              time and memory: nested macros that copy their growing               \
                              arguments at every level cost quadratically) */
#define MAX_TOKENS 8000000 /* tokens after preprocessing */

typedef struct {
  const char *name;
  int len;
  int nparams; /* -1: object-like */
  const ag_token *params;
  ag_token *body;
  int nbody;
  int disabled; /* being expanded */
} macro;

#define MACROS(lx) ((macro *)(lx)->macros)

int ag_tok_is(const ag_token *t, const char *s) {
  return (t->kind == TK_PUNCT || t->kind == TK_IDENT) && t->len > 0 && t->s[0] == s[0] &&
         (int)strlen(s) == t->len && !strncmp(t->s, s, (size_t)t->len);
}

/* Reports msg at token t ("file:line:col: msg") with the code and longjmps to lx->fail. */
static _Noreturn void lex_raise(ag_lexer *lx, ag_status code, const ag_token *t, const char *msg) {
  if (t && t->macro)
    ag_failc(lx->err, code, "%s:%d:%d: %s (in expansion of macro '%s')", lx->files[t->file],
             t->line, t->col, msg, t->macro);
  else if (t)
    ag_failc(lx->err, code, "%s:%d:%d: %s", lx->files[t->file], t->line, t->col, msg);
  else
    ag_failc(lx->err, code, "%s", msg);
  longjmp(*lx->fail, 1);
}

static _Noreturn void lex_vraise(ag_lexer *lx, ag_status code, const ag_token *t, const char *fmt,
                                 va_list ap) {
  char msg[700];
  vsnprintf(msg, sizeof msg, fmt, ap);
  lex_raise(lx, code, t, msg);
}

void ag_lex_error(ag_lexer *lx, const ag_token *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lex_vraise(lx, AG_ERR_FORMAT, t, fmt, ap);
  va_end(ap);
}

void ag_lex_errorc(ag_lexer *lx, ag_status code, const ag_token *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lex_vraise(lx, code, t, fmt, ap);
  va_end(ap);
}

/* ---------------- raw lexing of one file ---------------- */

static const char *puncts[] = {"<<=", ">>=", "...", "->", "++", "--", "<<", ">>",
                               "<=",  ">=",  "==",  "!=", "&&", "||", "+=", "-=",
                               "*=",  "/=",  "%=",  "&=", "|=", "^=", "##", NULL};

typedef struct {
  ag_token *t;
  int n, cap;
  ag_arena *arena;
} toklist;

#define TOKLIST(lx) ((toklist){NULL, 0, 0, &(lx)->arena})

static void push(toklist *l, ag_token t) {
  l->t = ag_arena_grow(l->arena, l->t, &l->cap, l->n, sizeof(ag_token));
  l->t[l->n++] = t;
}

static void lex_raw(ag_lexer *lx, int file, toklist *out) {
  const char *p = lx->texts[file];
  int line = 1;
  const char *bol = p;
  int at_bol = 1;
  ag_token here = {.file = file};
#define HERE(q) (here.line = line, here.col = (int)((q)-bol) + 1, &here)
  while (*p) {
    if (*p == '\n') {
      line++;
      bol = ++p;
      at_bol = 1;
      continue;
    }
    if (*p == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n'))) { /* continuation */
      p += p[1] == '\n' ? 2 : 3;
      line++;
      bol = p;
      continue;
    }
    if (isspace((unsigned char)*p)) {
      p++;
      continue;
    }
    if (p[0] == '/' && p[1] == '/') {
      while (*p && *p != '\n')
        p++;
      continue;
    }
    if (p[0] == '/' && p[1] == '*') {
      const char *start = p;
      int l0 = line;
      const char *b0 = bol;
      p += 2;
      while (*p && !(p[0] == '*' && p[1] == '/')) {
        if (*p == '\n') line++, bol = p + 1;
        p++;
      }
      if (!*p) {
        line = l0;
        bol = b0;
        ag_lex_error(lx, HERE(start), "unterminated comment");
      }
      p += 2;
      continue;
    }
    ag_token t = {.file = file, .line = line, .col = (int)(p - bol) + 1, .bol = at_bol, .s = p};
    at_bol = 0;
    if (isalpha((unsigned char)*p) || *p == '_') {
      while (isalnum((unsigned char)*p) || *p == '_')
        p++;
      t.kind = TK_IDENT;
    } else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
      char *end;
      t.kind = TK_NUM;
      if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        errno = 0;
        t.ival = (long)strtoul(p, &end, 16);
        t.is_int = 1;
      } else {
        errno = 0;
        t.num = strtod(p, &end);
        const char *q = p;
        t.is_int = 1;
        for (; q < end; q++)
          if (*q == '.' || *q == 'e' || *q == 'E') t.is_int = 0;
        if (t.is_int) t.ival = strtol(p, NULL, 10);
        if (t.is_int && p[0] == '0' && end - p > 1) { /* octal, as in C */
          char *oend;
          t.ival = strtol(p, &oend, 8);
          if (oend != end)
            ag_lex_error(lx, HERE(p), "invalid digit in octal constant '%.*s'", (int)(end - p), p);
        }
      }
      if (errno == ERANGE && t.is_int) ag_lex_error(lx, HERE(p), "integer literal out of range");
      p = end;
      if (!t.is_int && (*p == 'f' || *p == 'F'))
        ag_lex_errorc(lx, AG_ERR_UNSUPPORTED, HERE(p - 1 > t.s ? t.s : p),
                      "float literal (suffix 'f'): kernels compute in double; drop the suffix");
      if (!t.is_int && (*p == 'l' || *p == 'L'))
        ag_lex_errorc(lx, AG_ERR_UNSUPPORTED, HERE(t.s),
                      "long double literal is not supported; drop the suffix");
      while (t.is_int && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L'))
        p++;
      if (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
        ag_lex_error(lx, HERE(t.s), "malformed number '%.*s'", (int)(p - t.s + 1), t.s);
      if (t.is_int) t.num = (double)t.ival;
    } else if (*p == '"' || *p == '\'') {
      char q = *p++;
      while (*p && *p != q && *p != '\n')
        p += (*p == '\\' && p[1]) ? 2 : 1;
      if (*p != q)
        ag_lex_error(lx, HERE(t.s), "unterminated %s literal", q == '"' ? "string" : "character");
      p++;
      t.kind = q == '"' ? TK_STR : TK_CHAR;
    } else {
      t.kind = TK_PUNCT;
      int n = 0;
      for (int i = 0; puncts[i] && !n; i++)
        if (!strncmp(p, puncts[i], strlen(puncts[i]))) n = (int)strlen(puncts[i]);
      if (!n) {
        if (!strchr("+-*/%<>=!&|^~?:;,.()[]{}#", *p))
          ag_lex_error(lx, HERE(p), "stray character '%c' in program", *p);
        n = 1;
      }
      p += n;
    }
    t.len = (int)(p - t.s);
    push(out, t);
  }
  push(
      out,
      (ag_token){
          .kind = TK_EOF, .file = file, .line = line, .col = (int)(p - bol) + 1, .bol = 1, .s = p});
#undef HERE
}

/* ---------------- macros ---------------- */

static macro *find_macro(ag_lexer *lx, const ag_token *t) {
  for (int i = lx->nmacros - 1; i >= 0; i--) {
    macro *m = &MACROS(lx)[i];
    if (m->len == t->len && !strncmp(m->name, t->s, (size_t)t->len)) return m;
  }
  return NULL;
}

static void undef(ag_lexer *lx, const ag_token *t) {
  macro *m = find_macro(lx, t);
  if (!m) return;
  *m = MACROS(lx)[--lx->nmacros];
}

/* Expands the macro at toks[*i] (followed by its arguments for function-like macros)
   into out; *i is advanced past the use. */
static void expand_list(ag_lexer *lx, const ag_token *toks, int n, const ag_token *use,
                        toklist *out, int depth, long *budget);

static void expand_macro(ag_lexer *lx, macro *m, const ag_token *toks, int n, int *i,
                         const ag_token *use, toklist *out, int depth, long *budget) {
  if (depth > 64) ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too deep");
  if (--*budget < 0) ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too large");
  const ag_token *name = &toks[*i];
  (*i)++;
  toklist args[32];
  int nargs = 0;
  for (int j = 0; j < 32; j++)
    args[j] = TOKLIST(lx);
  if (m->nparams >= 0) {
    if (*i >= n || !ag_tok_is(&toks[*i], "(")) { /* function-like name without call: plain */
      push(out, *use);
      out->t[out->n - 1] = *name;
      if (use != name) {
        out->t[out->n - 1].file = use->file;
        out->t[out->n - 1].line = use->line;
        out->t[out->n - 1].col = use->col;
        out->t[out->n - 1].macro = use->macro;
      }
      return;
    }
    (*i)++;
    int level = 0;
    nargs = 1;
    for (;; (*i)++) {
      if (*i >= n || toks[*i].kind == TK_EOF)
        ag_lex_error(lx, use, "unterminated call of macro '%.*s'", m->len, m->name);
      const ag_token *t = &toks[*i];
      if (ag_tok_is(t, "(")) level++;
      if (ag_tok_is(t, ")") && level-- == 0) break;
      if (ag_tok_is(t, ",") && level == 0) {
        if (++nargs > 32) ag_lex_errorc(lx, AG_ERR_LIMIT, use, "too many macro arguments");
        continue;
      }
      push(&args[nargs - 1], *t);
      if (--*budget < 0) ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too large");
    }
    (*i)++;
    if (nargs == 1 && args[0].n == 0 && m->nparams == 0) nargs = 0;
    if (nargs != m->nparams)
      ag_lex_error(lx, use, "macro '%.*s' takes %d argument%s, got %d", m->len, m->name, m->nparams,
                   m->nparams == 1 ? "" : "s", nargs);
  }
  if (m->nparams < 0) { /* object-like: nothing to substitute */
    m->disabled = 1;
    expand_list(lx, m->body, m->nbody, use, out, depth + 1, budget);
    m->disabled = 0;
    return;
  }
  toklist body = TOKLIST(lx);
  for (int k = 0; k < m->nbody; k++) {
    const ag_token *b = &m->body[k];
    int pi = -1;
    if (b->kind == TK_IDENT)
      for (int j = 0; j < m->nparams; j++)
        if (m->params[j].len == b->len && !strncmp(m->params[j].s, b->s, (size_t)b->len)) pi = j;
    if (pi >= 0) {
      toklist ex = TOKLIST(lx);
      expand_list(lx, args[pi].t, args[pi].n, use, &ex, depth + 1, budget);
      if (body.n + ex.n > MAX_EXPANSION)
        ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too large");
      *budget -= ex.n;
      for (int j = 0; j < ex.n; j++)
        push(&body, ex.t[j]);
    } else {
      push(&body, *b);
    }
  }
  m->disabled = 1;
  expand_list(lx, body.t, body.n, use, out, depth + 1, budget);
  m->disabled = 0;
}

static void expand_list(ag_lexer *lx, const ag_token *toks, int n, const ag_token *use,
                        toklist *out, int depth, long *budget) {
  int n0 = out->n;
  for (int i = 0; i < n;) {
    if (out->n - n0 > MAX_EXPANSION)
      ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too large");
    const ag_token *t = &toks[i];
    macro *m = t->kind == TK_IDENT ? find_macro(lx, t) : NULL;
    if (m && !m->disabled) {
      if (!use->macro) {
        ag_token u = *use;
        u.macro = m->name;
        expand_macro(lx, m, toks, n, &i, &u, out, depth, budget);
      } else {
        expand_macro(lx, m, toks, n, &i, use, out, depth, budget);
      }
      continue;
    }
    ag_token c = *t;
    c.file = use->file;
    c.line = use->line;
    c.col = use->col;
    c.macro = use->macro;
    c.bol = 0;
    push(out, c);
    if (--*budget < 0) ag_lex_errorc(lx, AG_ERR_LIMIT, use, "macro expansion too large");
    i++;
  }
}

static void define(ag_lexer *lx, const ag_token *d, int n) {
  if (n < 1 || d[0].kind != TK_IDENT)
    ag_lex_error(lx, n ? &d[0] : &d[-1], "#define needs a macro name"); /* d[-1]: 'define' */
  macro m = {.name = ag_arena_strndup(&lx->arena, d[0].s, (size_t)d[0].len),
             .len = d[0].len,
             .nparams = -1};
  int k = 1;
  /* function-like only when '(' follows the name without a space */
  if (n > 1 && ag_tok_is(&d[1], "(") && d[1].s == d[0].s + d[0].len) {
    m.nparams = 0;
    m.params = &d[2];
    for (k = 2; k < n && !ag_tok_is(&d[k], ")"); k++) {
      if ((k - 2) % 2) { /* names and commas alternate */
        if (!ag_tok_is(&d[k], ","))
          ag_lex_error(lx, &d[k], "expected ',' between macro parameters");
        continue;
      }
      if (d[k].kind != TK_IDENT)
        ag_lex_errorc(lx, ag_tok_is(&d[k], "...") ? AG_ERR_UNSUPPORTED : AG_ERR_FORMAT, &d[k],
                      ag_tok_is(&d[k], "...") ? "variadic macros are not supported"
                                              : "expected a macro parameter name");
      m.nparams++;
    }
    if (k < n && k > 2 && ag_tok_is(&d[k - 1], ","))
      ag_lex_error(lx, &d[k], "expected a macro parameter name");
    if (k >= n) ag_lex_error(lx, &d[1], "unterminated macro parameter list");
    /* parameters are every other token from d[2] */
    ag_token *ps = ag_arena_alloc(&lx->arena, (size_t)(m.nparams + 1) * sizeof(ag_token));
    for (int j = 0; j < m.nparams; j++)
      ps[j] = d[2 + 2 * j];
    m.params = ps;
    k++;
  }
  for (int j = k; j < n; j++)
    if (ag_tok_is(&d[j], "#") || ag_tok_is(&d[j], "##"))
      ag_lex_errorc(lx, AG_ERR_UNSUPPORTED, &d[j],
                    "'%.*s' (stringizing/token pasting) in macros is not supported", d[j].len,
                    d[j].s);
  m.nbody = n - k;
  m.body = ag_arena_alloc(&lx->arena, (size_t)(m.nbody + 1) * sizeof(ag_token));
  memcpy(m.body, d + k, (size_t)m.nbody * sizeof(ag_token));
  undef(lx, &d[0]);
  lx->macros = ag_arena_grow(&lx->arena, lx->macros, &lx->capmacros, lx->nmacros, sizeof(macro));
  MACROS(lx)[lx->nmacros++] = m;
}

/* ---------------- #if expressions ---------------- */

typedef struct {
  ag_lexer *lx;
  const ag_token *t;
  int n, i;
  const ag_token *dir;
  int depth;
} ifparser;

static long if_expr(ifparser *p, int prec);

static long if_primary(ifparser *p) {
  if (p->i >= p->n) ag_lex_error(p->lx, p->dir, "incomplete #if expression");
  if (++p->depth > 256)
    ag_lex_errorc(p->lx, AG_ERR_LIMIT, p->dir, "#if expression nested too deeply");
  const ag_token *t = &p->t[p->i++];
  long v = 0;
  if (ag_tok_is(t, "(")) {
    v = if_expr(p, 0);
    if (p->i >= p->n || !ag_tok_is(&p->t[p->i], ")")) ag_lex_error(p->lx, t, "expected ')' in #if");
    p->i++;
  } else if (ag_tok_is(t, "!")) {
    v = !if_primary(p);
  } else if (ag_tok_is(t, "-")) {
    v = if_primary(p);
    if (v == LONG_MIN) ag_lex_error(p->lx, t, "integer overflow in #if");
    v = -v;
  } else if (ag_tok_is(t, "+")) {
    v = if_primary(p);
  } else if (t->kind == TK_NUM && t->is_int) {
    v = t->ival;
  } else if (t->kind == TK_IDENT) {
    v = 0; /* undefined identifiers are 0, as in C */
  } else {
    ag_lex_errorc(p->lx, AG_ERR_UNSUPPORTED, t, "unsupported token '%.*s' in #if expression",
                  t->len, t->s);
  }
  p->depth--;
  return v;
}

static long if_expr(ifparser *p, int prec) {
  static const struct {
    const char *op;
    int prec;
  } ops[] = {{"||", 1}, {"&&", 2}, {"==", 3}, {"!=", 3}, {"<", 4}, {">", 4}, {"<=", 4},
             {">=", 4}, {"+", 5},  {"-", 5},  {"*", 6},  {"/", 6}, {"%", 6}};
  long v = if_primary(p);
  for (;;) {
    if (p->i >= p->n) return v;
    const ag_token *t = &p->t[p->i];
    int k = -1;
    for (int j = 0; j < 13; j++)
      if (ag_tok_is(t, ops[j].op)) k = j;
    if (k < 0 || ops[k].prec <= prec) return v;
    p->i++;
    long r = if_expr(p, ops[k].prec);
    const char *o = ops[k].op;
    if ((!strcmp(o, "/") || !strcmp(o, "%")) && r == 0)
      ag_lex_error(p->lx, t, "division by zero in #if");
    if ((!strcmp(o, "+") && __builtin_add_overflow(v, r, &v)) ||
        (!strcmp(o, "-") && __builtin_sub_overflow(v, r, &v)) ||
        (!strcmp(o, "*") && __builtin_mul_overflow(v, r, &v)) ||
        ((!strcmp(o, "/") || !strcmp(o, "%")) && v == LONG_MIN && r == -1))
      ag_lex_error(p->lx, t, "integer overflow in #if");
    if (!strcmp(o, "||"))
      v = v || r;
    else if (!strcmp(o, "&&"))
      v = v && r;
    else if (!strcmp(o, "=="))
      v = v == r;
    else if (!strcmp(o, "!="))
      v = v != r;
    else if (!strcmp(o, "<"))
      v = v < r;
    else if (!strcmp(o, ">"))
      v = v > r;
    else if (!strcmp(o, "<="))
      v = v <= r;
    else if (!strcmp(o, ">="))
      v = v >= r;
    else if (!strcmp(o, "/"))
      v = v / r;
    else if (!strcmp(o, "%"))
      v = v % r;
  }
}

static long eval_if(ag_lexer *lx, const ag_token *dir, const ag_token *t, int n) {
  if (n == 0) ag_lex_error(lx, dir, "#if with no expression");
  toklist pre = TOKLIST(lx), ex = TOKLIST(lx);
  for (int i = 0; i < n; i++) { /* defined X / defined(X) before macro expansion */
    if (ag_tok_is(&t[i], "defined")) {
      int paren = i + 1 < n && ag_tok_is(&t[i + 1], "(");
      int k = i + 1 + paren;
      if (k >= n || t[k].kind != TK_IDENT)
        ag_lex_error(lx, &t[i], "expected a name after 'defined'");
      ag_token one = t[k];
      one.kind = TK_NUM;
      one.is_int = 1;
      one.ival = find_macro(lx, &t[k]) != NULL;
      push(&pre, one);
      i = k + paren;
      continue;
    }
    push(&pre, t[i]);
  }
  long budget = MAX_EXPANSIONS;
  expand_list(lx, pre.t, pre.n, dir, &ex, 0, &budget);
  ifparser p = {lx, ex.t, ex.n, 0, dir, 0};
  long v = if_expr(&p, 0);
  if (p.i < p.n) ag_lex_error(lx, dir, "trailing tokens in #if expression");
  return v;
}

/* ---------------- preprocessing a file ---------------- */

static int add_file(ag_lexer *lx, const char *path, const ag_token *from) {
  ag_error e;
  char *text = ag_read_file(path, &e);
  if (!text) {
    if (from) ag_lex_errorc(lx, e.code, from, "%s", e.msg);
    ag_failc(lx->err, e.code, "%s", e.msg);
    longjmp(*lx->fail, 1);
  }
  int cap = lx->nfiles;
  lx->files = ag_arena_grow(&lx->arena, lx->files, &cap, lx->nfiles, sizeof(char *));
  cap = lx->nfiles;
  lx->texts = ag_arena_grow(&lx->arena, lx->texts, &cap, lx->nfiles, sizeof(char *));
  lx->files[lx->nfiles] = ag_arena_strndup(&lx->arena, path, strlen(path));
  lx->texts[lx->nfiles] = ag_arena_strndup(&lx->arena, text, strlen(text));
  free(text);
  return lx->nfiles++;
}

typedef struct {
  int active, taken, seen_else;
  const ag_token *where;
} cond;

static void pp_tokens(ag_lexer *lx, int file, int depth, toklist *out);

static void directive(ag_lexer *lx, int file, const ag_token *hash, const ag_token *d, int n,
                      cond *cs, int *ncs, int depth, toklist *out) {
  int skipping = 0;
  for (int i = 0; i < *ncs; i++)
    skipping |= !cs[i].active;
  if (n == 0) return; /* null directive */
  const ag_token *name = &d[0];
  if (ag_tok_is(name, "ifdef") || ag_tok_is(name, "ifndef") || ag_tok_is(name, "if")) {
    if (*ncs == 64) ag_lex_errorc(lx, AG_ERR_LIMIT, name, "#if nesting too deep");
    int v = 0;
    if (!skipping) {
      if (ag_tok_is(name, "if"))
        v = eval_if(lx, name, d + 1, n - 1) != 0;
      else {
        if (n < 2 || d[1].kind != TK_IDENT)
          ag_lex_error(lx, name, "#%.*s needs a macro name", name->len, name->s);
        v = (find_macro(lx, &d[1]) != NULL) == ag_tok_is(name, "ifdef");
      }
    }
    cs[(*ncs)++] = (cond){v, v, 0, name};
    if (skipping) cs[*ncs - 1].taken = 1; /* nested in a skipped region: no branch taken */
    return;
  }
  if (ag_tok_is(name, "elif") || ag_tok_is(name, "else") || ag_tok_is(name, "endif")) {
    if (*ncs == 0) ag_lex_error(lx, name, "#%.*s without #if", name->len, name->s);
    cond *c = &cs[*ncs - 1];
    if (ag_tok_is(name, "endif")) {
      (*ncs)--;
      return;
    }
    if (c->seen_else) ag_lex_error(lx, name, "#%.*s after #else", name->len, name->s);
    int outer = 0;
    for (int i = 0; i < *ncs - 1; i++)
      outer |= !cs[i].active;
    if (ag_tok_is(name, "else")) {
      c->seen_else = 1;
      c->active = !c->taken && !outer;
    } else {
      c->active = !c->taken && !outer && eval_if(lx, name, d + 1, n - 1) != 0;
    }
    c->taken |= c->active;
    return;
  }
  if (skipping) return;
  if (ag_tok_is(name, "define")) {
    define(lx, d + 1, n - 1);
  } else if (ag_tok_is(name, "undef")) {
    if (n < 2 || d[1].kind != TK_IDENT) ag_lex_error(lx, name, "#undef needs a macro name");
    undef(lx, &d[1]);
  } else if (ag_tok_is(name, "include")) {
    if (n >= 2 && d[1].kind == TK_STR) {
      if (depth >= 32)
        ag_lex_errorc(lx, AG_ERR_LIMIT, name, "#include nested too deeply (recursive include?)");
      char inc[4096];
      const char *cur = lx->files[file];
      const char *slash = d[1].s[1] == '/' ? NULL : strrchr(cur, '/'); /* absolute: as is */
      snprintf(inc, sizeof inc, "%.*s%.*s", slash ? (int)(slash - cur + 1) : 0, cur, d[1].len - 2,
               d[1].s + 1);
      int f = add_file(lx, inc, &d[1]);
      pp_tokens(lx, f, depth + 1, out);
    } else if (n >= 2 && ag_tok_is(&d[1], "<")) {
      /* system header: not read (see kernel_prelude) */
    } else {
      ag_lex_error(lx, name, "#include expects \"file\" or <file>");
    }
  } else if (ag_tok_is(name, "pragma") || ag_tok_is(name, "line") || ag_tok_is(name, "ident")) {
    /* no effect on the graph */
  } else if (ag_tok_is(name, "error")) {
    ag_lex_error(lx, name, "#error %.*s", n > 1 ? (int)(d[n - 1].s + d[n - 1].len - d[1].s) : 0,
                 n > 1 ? d[1].s : "");
  } else if (ag_tok_is(name, "warning")) {
  } else {
    ag_lex_errorc(lx, AG_ERR_UNSUPPORTED, name, "unsupported preprocessor directive '#%.*s'",
                  name->len, name->s);
  }
  (void)hash;
}

static void pp_tokens(ag_lexer *lx, int file, int depth, toklist *out) {
  toklist raw = TOKLIST(lx);
  lex_raw(lx, file, &raw);
  /* raw tokens must outlive macro definitions that point into them: keep the list */
  cond cs[64];
  int ncs = 0;
  int i = 0;
  while (raw.t[i].kind != TK_EOF) {
    ag_token *t = &raw.t[i];
    if (t->bol && ag_tok_is(t, "#")) {
      int j = i + 1;
      while (!raw.t[j].bol)
        j++;
      directive(lx, file, t, &raw.t[i + 1], j - i - 1, cs, &ncs, depth, out);
      i = j;
      continue;
    }
    int skipping = 0;
    for (int k = 0; k < ncs; k++)
      skipping |= !cs[k].active;
    if (skipping) {
      i++;
      continue;
    }
    macro *m = t->kind == TK_IDENT ? find_macro(lx, t) : NULL;
    if (m) {
      int end = i + 1;
      if (m->nparams >= 0 && ag_tok_is(&raw.t[end], "(")) { /* arguments may span lines */
        int level = 0;
        for (; raw.t[end].kind != TK_EOF; end++) {
          if (ag_tok_is(&raw.t[end], "(")) level++;
          if (ag_tok_is(&raw.t[end], ")") && --level == 0) break;
        }
        if (raw.t[end].kind == TK_EOF)
          ag_lex_error(lx, t, "unterminated call of macro '%.*s'", m->len, m->name);
        end++;
      }
      ag_token use = *t;
      use.macro = m->name;
      int k = 0;
      long budget = MAX_EXPANSIONS;
      expand_macro(lx, m, t, end - i, &k, &use, out, 0, &budget);
      if (out->n > MAX_TOKENS)
        ag_lex_errorc(lx, AG_ERR_LIMIT, t, "file too large after preprocessing");
      i = end;
      continue;
    }
    ag_token c = *t;
    c.bol = 0;
    push(out, c);
    i++;
  }
  if (ncs)
    ag_lex_error(lx, cs[ncs - 1].where, "unterminated #%.*s", cs[ncs - 1].where->len,
                 cs[ncs - 1].where->s);
}

int ag_lex_file(ag_lexer *lx, const char *path, ag_error *err) {
  jmp_buf jb;
  lx->err = err;
  lx->fail = &jb;
  if (setjmp(jb)) return -1;
  toklist out = TOKLIST(lx);
  /* prelude as file 0 */
  lx->files = ag_arena_alloc(&lx->arena, sizeof(char *));
  lx->texts = ag_arena_alloc(&lx->arena, sizeof(char *));
  lx->files[0] = "<prelude>";
  lx->texts[0] = (char *)kernel_prelude;
  lx->nfiles = 1;
  toklist pre = TOKLIST(lx);
  pp_tokens(lx, 0, 0, &pre);
  int f = add_file(lx, path, NULL);
  pp_tokens(lx, f, 0, &out);
  const ag_token *last = out.n ? &out.t[out.n - 1] : NULL;
  push(&out, (ag_token){.kind = TK_EOF,
                        .file = f,
                        .line = last ? last->line : 1,
                        .col = last ? last->col + last->len : 1,
                        .s = ""});
  lx->toks = out.t;
  lx->ntoks = out.n;
  lx->cap = out.cap;
  return 0;
}

void ag_lex_free(ag_lexer *lx) {
  ag_arena_free(&lx->arena);
  memset(lx, 0, sizeof *lx);
}
