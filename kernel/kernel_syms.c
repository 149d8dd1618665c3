/* Owns the C kernel tracer's token helpers, skipping of untaken code, symbols and types. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

int kt_is(tracer *tr, const char *s) { return ag_tok_is(CUR(tr), s); }
int kt_accept(tracer *tr, const char *s) {
  if (!kt_is(tr, s)) return 0;
  tr->pos++;
  return 1;
}
const ag_token *kt_expect(tracer *tr, const char *s) {
  const ag_token *t = CUR(tr);
  if (!ag_tok_is(t, s)) {
    if (t->kind == TK_EOF) FAIL(tr, t, "expected '%s' before end of file", s);
    FAIL(tr, t, "expected '%s' before '%.*s'", s, TOKSTR(t));
  }
  tr->pos++;
  return t;
}
/* Bounds the parser's recursion: deeply nested input must not overflow the C stack. */
void kt_enter(tracer *tr) {
  if (++tr->nest > MAX_NEST)
    LIMIT(tr, CUR(tr), "expressions or statements nested too deeply (more than %d levels)",
          MAX_NEST);
}
static int name_eq(const ag_token *t, const char *name, int len) {
  return t->kind == TK_IDENT && t->len == len && !strncmp(t->s, name, (size_t)len);
}

/* ---------------- skipping (untaken branches, function bodies) ---------------- */

void kt_skip_balanced(tracer *tr) {
  const ag_token *open = CUR(tr);
  int depth = 0;
  for (;; tr->pos++) {
    const ag_token *t = CUR(tr);
    if (t->kind == TK_EOF) FAIL(tr, open, "unbalanced '%.*s'", TOKSTR(open));
    if (kt_is(tr, "(") || kt_is(tr, "[") || kt_is(tr, "{")) depth++;
    if (kt_is(tr, ")") || kt_is(tr, "]") || kt_is(tr, "}")) {
      if (--depth == 0) {
        tr->pos++;
        return;
      }
    }
  }
}

/* Skips an expression up to (not including) a ',' ';' ')' ']' '}' at depth 0, or ':' when
   stop_colon (nested ?: pairs are balanced). */
void kt_skip_expr(tracer *tr, int stop_colon) {
  int q = 0;
  for (;;) {
    const ag_token *t = CUR(tr);
    if (t->kind == TK_EOF) FAIL(tr, t, "unexpected end of file in expression");
    if (kt_is(tr, "(") || kt_is(tr, "[") || kt_is(tr, "{")) {
      kt_skip_balanced(tr);
      continue;
    }
    if (kt_is(tr, ",") || kt_is(tr, ";") || kt_is(tr, ")") || kt_is(tr, "]") || kt_is(tr, "}"))
      return;
    if (kt_is(tr, "?")) q++;
    if (kt_is(tr, ":")) {
      if (q == 0 && stop_colon) return;
      if (q == 0) return;
      q--;
    }
    tr->pos++;
  }
}

static void skip_stmt1(tracer *tr) {
  const ag_token *t = CUR(tr);
  if (t->kind == TK_EOF) FAIL(tr, t, "expected a statement before end of file");
  if (kt_is(tr, "{")) {
    kt_skip_balanced(tr);
  } else if (kt_accept(tr, "if")) {
    if (!kt_is(tr, "(")) FAIL(tr, CUR(tr), "expected '(' after 'if'");
    kt_skip_balanced(tr);
    kt_skip_stmt(tr);
    if (kt_accept(tr, "else")) kt_skip_stmt(tr);
  } else if (kt_accept(tr, "for") || kt_accept(tr, "while") || kt_accept(tr, "switch")) {
    if (!kt_is(tr, "(")) FAIL(tr, CUR(tr), "expected '('");
    kt_skip_balanced(tr);
    kt_skip_stmt(tr);
  } else if (kt_accept(tr, "do")) {
    kt_skip_stmt(tr);
    kt_expect(tr, "while");
    kt_skip_balanced(tr);
    kt_expect(tr, ";");
  } else {
    while (!kt_is(tr, ";")) {
      if (CUR(tr)->kind == TK_EOF || kt_is(tr, "}")) FAIL(tr, t, "expected ';' after statement");
      if (kt_is(tr, "(") || kt_is(tr, "[") || kt_is(tr, "{"))
        kt_skip_balanced(tr);
      else
        tr->pos++;
    }
    tr->pos++;
  }
}

void kt_skip_stmt(tracer *tr) {
  kt_enter(tr);
  skip_stmt1(tr);
  tr->nest--;
}

/* ---------------- symbols ---------------- */

static tdef *find_tdef(tracer *tr, const ag_token *t) {
  for (int i = tr->ntdefs - 1; i >= 0; i--)
    if (name_eq(t, tr->tdefs[i].name->s, tr->tdefs[i].name->len)) return &tr->tdefs[i];
  return NULL;
}

var *kt_find_var(tracer *tr, const ag_token *t) {
  for (int i = tr->nvars - 1; i >= tr->frame_lo; i--)
    if (name_eq(t, tr->vars[i].name, tr->vars[i].len)) return &tr->vars[i];
  for (int i = tr->nglobals - 1; i >= 0; i--)
    if (name_eq(t, tr->vars[i].name, tr->vars[i].len)) return &tr->vars[i];
  return NULL;
}

func *kt_find_func(tracer *tr, const ag_token *t) {
  for (int i = 0; i < tr->nfuncs; i++)
    if (name_eq(t, tr->funcs[i].name->s, tr->funcs[i].name->len)) return &tr->funcs[i];
  return NULL;
}

var *kt_declare(tracer *tr, const ag_token *name, int kind) {
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

int kt_new_obj(tracer *tr, int kind, long len, const char *name) {
  tr->objs = ag_arena_grow(tr->A, tr->objs, &tr->capobjs, tr->nobjs, sizeof(arrobj));
  arrobj *o = &tr->objs[tr->nobjs];
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->len = len;
  o->name = name;
  if (len > 0) {
    o->elem = ag_arena_alloc(tr->A, (size_t)len * sizeof(int));
    for (long i = 0; i < len; i++)
      o->elem[i] = -1;
    o->cap = (int)len;
  }
  return tr->nobjs++;
}

/* ---------------- types ---------------- */

int kt_is_qualifier(const ag_token *t) {
  static const char *q[] = {"const",      "static",   "inline",     "register",     "extern",
                            "volatile",   "restrict", "__restrict", "__restrict__", "__inline",
                            "__inline__", "auto",     NULL};
  for (int i = 0; q[i]; i++)
    if (ag_tok_is(t, q[i])) return 1;
  return 0;
}

int kt_base_kind(tracer *tr, const ag_token *t) {
  static const char *dbl[] = {"double", "PetscScalar", "PetscReal", NULL};
  static const char *in[] = {"int",    "long",     "short",       "unsigned",       "signed",
                             "size_t", "PetscInt", "PetscMPIInt", "PetscBLASInt",   "PetscBool",
                             "_Bool",  "bool",     "ptrdiff_t",   "PetscErrorCode", NULL};
  if (t->kind != TK_IDENT) return -1;
  for (int i = 0; dbl[i]; i++)
    if (ag_tok_is(t, dbl[i])) return K_DBL;
  for (int i = 0; in[i]; i++)
    if (ag_tok_is(t, in[i])) return K_INT;
  if (ag_tok_is(t, "void")) return K_VOID;
  if (ag_tok_is(t, "struct")) return K_STRUCT;
  if (ag_tok_is(t, "enum")) return K_INT;
  if (ag_tok_is(t, "float") || ag_tok_is(t, "char") || ag_tok_is(t, "union") ||
      ag_tok_is(t, "_Complex") || ag_tok_is(t, "complex") || ag_tok_is(t, "PetscComplex"))
    return K_BAD;
  tdef *td = find_tdef(tr, t);
  return td ? td->kind : -1;
}

int kt_is_type_start(tracer *tr) {
  return kt_is_qualifier(CUR(tr)) || kt_base_kind(tr, CUR(tr)) >= 0;
}

static const char *bad_type_msg(const ag_token *t) {
  if (ag_tok_is(t, "float")) return "type 'float' is not supported: kernels compute in double";
  if (ag_tok_is(t, "char")) return "type 'char' is not supported in kernels";
  if (ag_tok_is(t, "union")) return "union types are not supported; use a struct of doubles";
  if (ag_tok_is(t, "_Complex") || ag_tok_is(t, "complex") || ag_tok_is(t, "PetscComplex"))
    return "complex numbers are not supported";
  return "this type is not supported in kernels (only double-like and int-like scalars)";
}

/* Parses qualifiers and one base type (multi-word integer types allowed). */
typeinfo kt_parse_type(tracer *tr) {
  typeinfo ti = {.kind = -1, .tok = CUR(tr)};
  const ag_token *restrict_tok = NULL;
  for (;;) {
    const ag_token *t = CUR(tr);
    if (kt_is_qualifier(t)) {
      if (ag_tok_is(t, "restrict") || ag_tok_is(t, "__restrict") || ag_tok_is(t, "__restrict__"))
        restrict_tok = t;
      if (ag_tok_is(t, "const")) ti.is_const = 1;
      if (ag_tok_is(t, "static")) ti.is_static = 1;
      tr->pos++;
      continue;
    }
    int k = kt_base_kind(tr, t);
    if (k < 0) break;
    if ((ag_tok_is(t, "struct") || ag_tok_is(t, "enum")) && ti.kind >= 0)
      FAIL(tr, t, "unexpected type name '%.*s'", TOKSTR(t));
    if (ag_tok_is(t, "struct")) {
      int braces = ag_tok_is(&tr->t[tr->pos + 1], "{") || ag_tok_is(&tr->t[tr->pos + 2], "{");
      ti.sp = kt_struct_spec(tr);
      ti.kind = K_STRUCT;
      ti.defined = braces;
      ti.tok = t;
      continue;
    }
    if (ag_tok_is(t, "enum")) {
      int braces = ag_tok_is(&tr->t[tr->pos + 1], "{") || ag_tok_is(&tr->t[tr->pos + 2], "{");
      kt_enum_spec(tr);
      ti.kind = K_INT;
      ti.bits = 32;
      ti.defined = braces;
      ti.tok = t;
      continue;
    }
    if (k == K_STRUCT) { /* a typedef of a struct */
      if (ti.kind >= 0) FAIL(tr, t, "unexpected type name '%.*s'", TOKSTR(t));
      ti.kind = K_STRUCT;
      ti.sp = find_tdef(tr, t)->sp;
      ti.tok = t;
      tr->pos++;
      continue;
    }
    if (k == K_BAD) {
      tdef *td = find_tdef(tr, t);
      UNSUP(tr, t, "%s",
            td ? "this typedef names a type that is not supported in kernels" : bad_type_msg(t));
    }
    if (ti.kind >= 0 && !(ti.kind == K_INT && k == K_INT) && !(ti.kind == K_INT && k == K_DBL && 0))
      FAIL(tr, t, "unexpected type name '%.*s'", TOKSTR(t));
    if (ti.kind == K_INT && ag_tok_is(t, "double"))
      UNSUP(tr, t, "type 'long double' is not supported");
    ti.kind = k;
    ti.is_unsigned |= ag_tok_is(t, "unsigned") || ag_tok_is(t, "size_t");
    if (k == K_INT) { /* x86-64 widths: short 16, int 32, long 64 */
      if (!ti.bits) ti.bits = 32;
      if (ag_tok_is(t, "short")) ti.bits = 16;
      if (ag_tok_is(t, "long") || ag_tok_is(t, "size_t") || ag_tok_is(t, "ptrdiff_t")) ti.bits = 64;
      if (ag_tok_is(t, "_Bool") || ag_tok_is(t, "bool")) ti.is_bool = 1;
    }
    if (!ti.tok || ti.tok->kind != TK_IDENT) ti.tok = t;
    tr->pos++;
  }
  if (ti.kind < 0) FAIL(tr, CUR(tr), "expected a type before '%.*s'", TOKSTR(CUR(tr)));
  /* in the specifiers, restrict qualifies the base type, which must then be a pointer
     (C11 6.7.3p2); 'double *restrict p' puts it after the '*', in the declarator */
  if (restrict_tok && ti.kind != K_PTR)
    FAIL(tr, restrict_tok, "'restrict' applies to pointers only (write 'double *restrict p')");
  return ti;
}
