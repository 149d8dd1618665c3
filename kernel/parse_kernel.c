/* Owns the C kernel front end's driver (parse_kernel.h): file scope, choosing the kernel. */
#include "kernel/parse_kernel.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

/* ---------------- file scope ---------------- */

static void scan_file(tracer *tr) {
  tr->pos = 0;
  while (CUR(tr)->kind != TK_EOF) {
    int start = tr->pos;
    if (kt_accept(tr, ";")) continue;
    /* find the item's extent; a '{' right after ')' at depth 0 opens a function body */
    int fn_paren = -1, body = -1, depth = 0;
    for (;;) {
      const ag_token *t = CUR(tr);
      if (t->kind == TK_EOF) FAIL(tr, &tr->t[start], "unexpected end of file in this declaration");
      if (depth == 0 && kt_is(tr, "(") && fn_paren < 0) fn_paren = tr->pos;
      if (depth == 0 && kt_is(tr, "{") && tr->pos > start && ag_tok_is(&tr->t[tr->pos - 1], ")")) {
        body = tr->pos;
        kt_skip_balanced(tr);
        break;
      }
      if (kt_is(tr, "(") || kt_is(tr, "[") || kt_is(tr, "{")) {
        kt_skip_balanced(tr);
        continue;
      }
      if (kt_is(tr, ")") || kt_is(tr, "]") || kt_is(tr, "}"))
        FAIL(tr, t, "unbalanced '%.*s'", TOKSTR(t));
      if (depth == 0 && kt_is(tr, ";")) {
        tr->pos++;
        break;
      }
      tr->pos++;
    }
    int end = tr->pos;
    const ag_token *first = &tr->t[start];
    int q = start + 1;
    while (q < end && kt_is_qualifier(&tr->t[q]))
      q++;
    if (ag_tok_is(first, "typedef") &&
        (ag_tok_is(&tr->t[q], "struct") || ag_tok_is(&tr->t[q], "enum"))) {
      /* typedef struct [Tag] [{...}] Name;  typedef enum [Tag] [{...}] Name; */
      tr->pos = q;
      int sp = 0, kind = K_INT;
      if (ag_tok_is(&tr->t[q], "struct")) {
        sp = kt_struct_spec(tr);
        kind = K_STRUCT;
      } else {
        kt_enum_spec(tr);
        tr->nglobals = tr->nvars;
        tr->frame_lo = tr->nvars;
      }
      if (kt_is(tr, "*")) { /* a pointer typedef: not a type kernels can use */
        kind = K_BAD;
        while (kt_accept(tr, "*"))
          ;
      }
      const ag_token *name = CUR(tr);
      if (name->kind != TK_IDENT) FAIL(tr, name, "expected the typedef's name");
      tr->pos++;
      kt_expect(tr, ";");
      tr->tdefs = ag_arena_grow(tr->A, tr->tdefs, &tr->captdefs, tr->ntdefs, sizeof(tdef));
      tr->tdefs[tr->ntdefs++] = (tdef){name, kind, sp};
      if (kind == K_STRUCT && !tr->stypes[sp - 1].tag) tr->stypes[sp - 1].name = name;
      tr->pos = end;
      continue;
    }
    if (ag_tok_is(first, "typedef")) {
      /* typedef <type> NAME; */
      const ag_token *name = &tr->t[end - 2];
      if (name->kind != TK_IDENT || body >= 0) continue;
      int kind = K_BAD;
      tr->pos = start + 1;
      int ok = 1, k = -1;
      for (; tr->pos < end - 2; tr->pos++) {
        const ag_token *t = CUR(tr);
        if (kt_is_qualifier(t)) continue;
        int b = kt_base_kind(tr, t);
        if (b == K_DBL || b == K_INT) {
          if (k >= 0 && !(k == K_INT && b == K_INT)) ok = 0;
          k = b;
        } else {
          ok = 0;
        }
      }
      if (ok && k >= 0) kind = k;
      tr->tdefs = ag_arena_grow(tr->A, tr->tdefs, &tr->captdefs, tr->ntdefs, sizeof(tdef));
      tr->tdefs[tr->ntdefs++] = (tdef){name, kind, 0};
      tr->pos = end;
      continue;
    }
    if (body >= 0) { /* function definition */
      const ag_token *name = fn_paren > start ? &tr->t[fn_paren - 1] : NULL;
      if (!name || name->kind != TK_IDENT) FAIL(tr, first, "cannot find the function name");
      int ret = K_BAD, ret_sp = 0;
      tr->pos = start;
      int k = -1, ok = 1, st = 0;
      for (; tr->pos < fn_paren - 1; tr->pos++) {
        const ag_token *t = CUR(tr);
        st |= ag_tok_is(t, "static");
        if (kt_is_qualifier(t)) continue;
        int b = kt_base_kind(tr, t);
        if (b == K_STRUCT && k < 0) { /* struct Tag f(...) or Name f(...) */
          if (ag_tok_is(t, "struct")) {
            ret_sp = kt_struct_spec(tr);
            tr->pos--;
          } else {
            for (int i = tr->ntdefs - 1; i >= 0 && !ret_sp; i--)
              if (tr->tdefs[i].name->len == t->len &&
                  !strncmp(tr->tdefs[i].name->s, t->s, (size_t)t->len))
                ret_sp = tr->tdefs[i].sp;
          }
          k = K_STRUCT;
          continue;
        }
        if (k >= 0 && (b == K_DBL || b == K_INT || b == K_VOID) && !(k == K_INT && b == K_INT))
          FAIL(tr, t, "unexpected type name '%.*s' in the return type of '%.*s'", TOKSTR(t),
               TOKSTR(name));
        if (b == K_DBL || b == K_INT || b == K_VOID)
          k = b;
        else
          ok = 0; /* pointer returns, unknown types */
      }
      if (ok && k >= 0) ret = k;
      tr->funcs = ag_arena_grow(tr->A, tr->funcs, &tr->capfuncs, tr->nfuncs, sizeof(func));
      tr->funcs[tr->nfuncs++] = (func){name, ret, ret_sp, fn_paren, body, st};
      tr->pos = end;
      continue;
    }
    if (fn_paren >= 0) { /* prototype (or something else with parentheses) */
      int has_eq = 0;
      for (int i = start; i < fn_paren; i++)
        has_eq |= ag_tok_is(&tr->t[i], "=");
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
      if (kt_is_qualifier(t)) {
        is_const |= ag_tok_is(t, "const");
        continue;
      }
      int b = kt_base_kind(tr, t);
      if (b == K_DBL || b == K_INT || b == K_STRUCT) break; /* struct and enum too */
      known = 0;
      break;
    }
    if (!known) {
      tr->pos = end; /* other types (structs, ...) are not the kernel's concern */
      continue;
    }
    int n0 = tr->nvars;
    kt_exec_decl(tr, 1);
    if (!is_const)
      for (int i = n0; i < tr->nvars; i++) {
        if (tr->vars[i].is_const) continue; /* enumerators */
        char *msg = ag_arena_alloc(tr->A, 200);
        snprintf(msg, 200,
                 "file-scope variable '%.*s' is not const: kernels may only read constants",
                 tr->vars[i].len, tr->vars[i].name);
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
    *np = kt_parse_params(tr, f, ps, 16);
    ok = (*np == 2 || *np == 3);
    for (int i = 0; ok && i < *np; i++)
      ok = ps[i].kind == K_PTR;
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
    np = kt_parse_params(tr, kf, ps, 16);
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
      kt_parse_params(tr, kf, ps, 16);
      FAIL(tr, kf->name,
           "'%.*s' is not a kernel: a kernel is 'void %.*s(const double *in, double *out[, const "
           "double *p])'",
           TOKSTR(kf->name), TOKSTR(kf->name));
    }
    if (n == 0) {
      ag_failc(tr->lx.err, AG_ERR_FORMAT,
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
      FAIL(tr, ps[i].name, "kernel parameter '%.*s' must be a pointer to double",
           TOKSTR(ps[i].name));
    if (i == 1 && ps[i].is_const)
      FAIL(tr, ps[i].name, "the output parameter '%.*s' must not be const", TOKSTR(ps[i].name));
    objs[i] = kt_new_obj(tr, kinds[i], ps[i].decl_len,
                         ag_arena_strndup(tr->A, ps[i].name->s, (size_t)ps[i].name->len));
    var *v = kt_declare(tr, ps[i].name, K_PTR);
    v->assigned = 1;
    v->ro_target = ps[i].is_const;
    v->p = (ptrv){.obj = objs[i], .lim = -1, .ro = i != 1};
  }
  tr->cur_fn = kf;
  tr->frame_lo = tr->nglobals;
  tr->frame_obj_lo = tr->nobjs;
  tr->ret_cond = -1;
  tr->path_cond = -1;
  tr->pos = kf->body_pos;
  kt_exec_block(tr);
  arrobj *out = &tr->objs[objs[1]];
  int no = 0;
  for (int i = 0; i < out->cap; i++)
    if (out->elem[i] != -1) no = i + 1;
  /* declared sizes: that many inputs and parameters even when the last are never read, and
     every declared output must be assigned */
  if (np > 1 && ps[1].decl_len > 0) no = (int)ps[1].decl_len;
  if (ps[0].decl_len > 0) ag_graph_input(tr->g, (int)ps[0].decl_len - 1);
  if (np > 2 && ps[2].decl_len > 0) ag_graph_param(tr->g, (int)ps[2].decl_len - 1);
  if (no == 0)
    FAIL(tr, kf->name, "kernel '%.*s' never assigns its output '%s'", TOKSTR(kf->name), out->name);
  for (int i = 0; i < no; i++)
    if (i < out->cap && out->elem[i] == ELEM_MAYBE)
      FAIL(tr, kf->name,
           "'%s[%d]' is assigned on only some paths through a branch on input-dependent data "
           "(one side of an if, or after a return inside one): assign it on every path",
           out->name, i);
    else if (out->elem[i] < 0) {
      if (np > 1 && ps[1].decl_len > 0)
        FAIL(tr, kf->name, "'%s[%d]' is never assigned (declared 'double %s[%ld]')", out->name, i,
             out->name, ps[1].decl_len);
      FAIL(tr, kf->name, "'%s[%d]' is never assigned (the kernel assigns %s[0..%d] otherwise)",
           out->name, i, out->name, no - 1);
    }
  if (tr->g->ninputs == 0)
    FAIL(tr, kf->name, "kernel '%.*s' never reads its input '%s'", TOKSTR(kf->name),
         tr->objs[objs[0]].name);
  for (int i = 0; i < no; i++)
    ag_graph_output(tr->g, out->elem[i]);
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
