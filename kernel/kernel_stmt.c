/* Owns the C kernel tracer's declarations, statements and calls of helper functions. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

/* ---------------- declarations ---------------- */

static int count_init(tracer *tr, int obj, long *at, long len, const ag_token *decl) {
  /* nested braces flatten in order; returns number of elements seen */
  kt_expect(tr, "{");
  int n = 0;
  while (!kt_accept(tr, "}")) {
    if (kt_is(tr, "{")) {
      kt_enter(tr);
      n += count_init(tr, obj, at, len, decl);
      tr->nest--;
    } else {
      const ag_token *t = CUR(tr);
      int node = kt_to_node(tr, kt_assign_expr(tr));
      if (len >= 0 && *at >= len)
        FAIL(tr, t, "too many initializers for array of %ld elements", len);
      kt_set_elem(tr, obj, (*at)++, node, 0, t);
      n++;
    }
    if (!kt_accept(tr, ",")) {
      kt_expect(tr, "}");
      break;
    }
  }
  (void)decl;
  return n;
}

/* `Prim s[2] = {{...}, {...}}`: an array of structs, element by element */
static void init_struct_array(tracer *tr, int obj, long n, int sp, const ag_token *name) {
  long size = kt_stype(tr, sp)->size;
  kt_expect(tr, "{");
  long i = 0;
  while (!kt_accept(tr, "}")) {
    if (i >= n) FAIL(tr, CUR(tr), "too many initializers for '%.*s'", TOKSTR(name));
    if (kt_is(tr, "{")) {
      kt_struct_init(tr, obj, i * size, sp);
    } else {
      const ag_token *t = CUR(tr);
      xv v = kt_struct_val(tr, kt_assign_expr(tr), "an element's initializer");
      xv d = {.kind = K_STRUCT, .tok = t, .p = {.obj = obj, .off = i * size, .lim = -1, .sp = sp}};
      kt_struct_copy(tr, d, v, t);
    }
    i++;
    if (!kt_accept(tr, ",")) {
      kt_expect(tr, "}");
      break;
    }
  }
  int zero = -1;
  for (long k = 0; k < n * size; k++) {
    arrobj *o = &tr->objs[obj];
    if (k >= o->cap || o->elem[k] == -1) {
      if (zero < 0) zero = ag_graph_const(tr->g, 0.0);
      kt_set_elem(tr, obj, k, zero, 0, name);
    }
  }
}

/* A struct variable (not a pointer, not an array): storage, then its initializer. */
static void decl_struct(tracer *tr, const typeinfo *ti, const ag_token *name) {
  var *v = kt_declare_struct(tr, name, ti->sp);
  int vi = (int)(v - tr->vars), obj = v->p.obj;
  if (kt_accept(tr, "=")) {
    if (kt_is(tr, "{")) {
      kt_struct_init(tr, obj, 0, ti->sp);
    } else {
      const ag_token *eq = &tr->t[tr->pos - 1];
      xv init = kt_assign_expr(tr);
      xv d = {.kind = K_STRUCT, .tok = name, .p = tr->vars[vi].p};
      kt_struct_copy(tr, d, kt_struct_val(tr, init, "the initializer"), eq);
    }
  } else if (ti->is_const) {
    FAIL(tr, name, "const struct '%.*s' needs an initializer", TOKSTR(name));
  }
  tr->vars[vi].is_const = ti->is_const;
  tr->objs[obj].ro = ti->is_const;
}

void kt_exec_decl(tracer *tr, int global) {
  typeinfo ti = kt_parse_type(tr);
  if (ti.defined && kt_accept(tr, ";")) return; /* struct or enum definition alone */
  if (ti.kind == K_VOID && !kt_is(tr, "*")) FAIL(tr, ti.tok, "variable of type void");
  if (ti.is_static && !ti.is_const && !global)
    UNSUP(tr, ti.tok, "non-const static local variables keep state between calls; not supported");
  for (;;) {
    int ptr = 0, ptr_const = 0;
    while (kt_accept(tr, "*")) {
      ptr++;
      while (kt_is_qualifier(CUR(tr)))
        ptr_const |= kt_accept(tr, "const") || (tr->pos++, 0);
    }
    if (ptr > 1) UNSUP(tr, CUR(tr), "pointers to pointers are not supported");
    if (kt_is(tr, "(")) UNSUP(tr, CUR(tr), "function pointers are not supported");
    const ag_token *name = CUR(tr);
    if (name->kind != TK_IDENT)
      FAIL(tr, name, "expected a variable name before '%.*s'", TOKSTR(name));
    if (ti.kind == K_VOID && !ptr) FAIL(tr, name, "variable of type void");
    tr->pos++;
    long dims[MAX_DIMS];
    int nd = 0, open = 0;
    while (kt_is(tr, "[")) {
      const ag_token *br = CUR(tr);
      tr->pos++;
      if (nd == MAX_DIMS)
        LIMIT(tr, br, "arrays of more than %d dimensions are not supported", MAX_DIMS);
      if (kt_is(tr, "]") && nd == 0) {
        open = 1;
        dims[nd++] = -1;
      } else {
        xv sz = kt_rval(tr, kt_conditional(tr));
        if (sz.kind == K_DBL && kt_is_known(tr, sz))
          FAIL(tr, br, "array size has type double; it must be an integer");
        long d = kt_to_int(tr, sz, "array size");
        if (d <= 0 || d > MAX_INDEX)
          ag_lex_errorc(&tr->lx, d <= 0 ? AG_ERR_FORMAT : AG_ERR_LIMIT, br,
                        "array size %ld is not in 1..%ld", d, MAX_INDEX);
        dims[nd++] = d;
      }
      kt_expect(tr, "]");
    }
    if (ptr && nd) UNSUP(tr, name, "arrays of pointers are not supported");
    var *v;
    if (ti.kind == K_STRUCT && !ptr && !nd) {
      decl_struct(tr, &ti, name);
    } else if (ti.kind == K_STRUCT && nd) { /* an array of structs */
      if (dims[0] < 0) FAIL(tr, name, "an array of structs needs a size");
      long n = 1;
      for (int i = 0; i < nd; i++)
        n *= dims[i];
      if (n * kt_stype(tr, ti.sp)->size > MAX_INDEX) LIMIT(tr, name, "array too large");
      int obj = kt_new_obj(tr, A_LOCAL, n * kt_stype(tr, ti.sp)->size,
                           ag_arena_strndup(tr->A, name->s, (size_t)name->len));
      if (kt_accept(tr, "=")) {
        if (nd > 1) UNSUP(tr, name, "initializers of multi-dimensional arrays of structs");
        init_struct_array(tr, obj, n, ti.sp, name);
      } else if (ti.is_const) {
        FAIL(tr, name, "const array '%.*s' needs an initializer", TOKSTR(name));
      }
      tr->objs[obj].ro = ti.is_const;
      tr->objs[obj].sp = ti.sp;
      v = kt_declare(tr, name, K_PTR);
      v->is_array = 1;
      v->assigned = 1;
      v->is_const = 1;
      v->p = (ptrv){.obj = obj, .nd = nd - 1, .lim = dims[0], .ro = ti.is_const, .sp = ti.sp};
      for (int i = 1; i < nd; i++)
        v->p.dims[i - 1] = dims[i];
    } else if (nd) {
      if (ti.kind != K_DBL)
        UNSUP(tr, name,
              "only arrays of double are supported (for constant integer tables use enum-free int "
              "scalars)");
      long len = 1;
      for (int i = open; i < nd; i++) {
        len *= dims[i];
        if (len > MAX_INDEX) LIMIT(tr, name, "array too large");
      }
      int obj;
      if (open) {
        if (!kt_is(tr, "="))
          FAIL(tr, name, "array '%.*s' needs a size or an initializer", TOKSTR(name));
        obj = kt_new_obj(tr, A_LOCAL, -1, ag_arena_strndup(tr->A, name->s, (size_t)name->len));
      } else {
        obj = kt_new_obj(tr, A_LOCAL, len, ag_arena_strndup(tr->A, name->s, (size_t)name->len));
      }
      if (kt_accept(tr, "=")) {
        if (!kt_is(tr, "{")) FAIL(tr, CUR(tr), "array initializer must be a brace-enclosed list");
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
            kt_set_elem(tr, obj, i, zero, 0, name);
          }
      } else if (ti.is_const) {
        FAIL(tr, name, "const array '%.*s' needs an initializer", TOKSTR(name));
      }
      tr->objs[obj].ro = ti.is_const;
      v = kt_declare(tr, name, K_PTR);
      v->is_array = 1;
      v->assigned = 1;
      v->is_const = 1;
      v->p = (ptrv){.obj = obj, .off = 0, .nd = nd - 1, .lim = dims[0], .ro = ti.is_const};
      for (int i = 1; i < nd; i++)
        v->p.dims[i - 1] = dims[i];
    } else {
      v = kt_declare(tr, name, ptr ? K_PTR : ti.kind);
      if (ptr) v->p.sp = ti.sp;
      v->is_const = ptr ? ptr_const : ti.is_const;
      v->ro_target = ptr && ti.is_const;
      v->is_unsigned = !ptr && ti.is_unsigned;
      v->bits = ti.bits;
      v->is_bool = ti.is_bool;
      if (kt_accept(tr, "=")) {
        const ag_token *eq = &tr->t[tr->pos - 1];
        if (kt_is(tr, "{")) FAIL(tr, CUR(tr), "brace initializer for a scalar");
        xv init = kt_assign_expr(tr);
        if (ptr) {
          init = kt_rval(tr, init);
          if (init.kind != K_PTR)
            FAIL(tr, eq, "pointer '%.*s' must be initialised with an array or pointer",
                 TOKSTR(name));
          if (init.p.sp != ti.sp)
            FAIL(tr, eq, "pointer '%.*s' is initialised with a pointer to another type",
                 TOKSTR(name));
          v = &tr->vars[tr->nvars - 1];
          v->p = init.p;
          v->p.ro |= ti.is_const;
          v->assigned = 1;
        } else {
          int vi = tr->nvars - 1;
          xv lhs = {.lv = LV_VAR, .var = vi, .tok = name};
          kt_store(tr, lhs, init, eq);
        }
      } else if (v->is_const) {
        FAIL(tr, name, "const variable '%.*s' needs an initializer", TOKSTR(name));
      }
    }
    if (kt_accept(tr, ",")) continue;
    kt_expect(tr, ";");
    return;
  }
}

/* ---------------- statements ---------------- */

#define exec_stmt kt_exec_stmt

static void count_step(tracer *tr, const ag_token *t) {
  if (++tr->steps > MAX_STEPS)
    LIMIT(tr, t, "kernel too large to unroll (more than %ld statements executed)", MAX_STEPS);
}

static int exec_for(tracer *tr, const ag_token *kw) {
  kt_expect(tr, "(");
  int mark = tr->nvars;
  if (!kt_accept(tr, ";")) {
    if (kt_is_type_start(tr))
      kt_exec_decl(tr, 0);
    else {
      kt_expr(tr);
      kt_expect(tr, ";");
    }
  }
  int cond_pos = tr->pos, has_cond = !kt_is(tr, ";");
  kt_skip_expr(tr, 0);
  kt_expect(tr, ";");
  int inc_pos = tr->pos, has_inc = !kt_is(tr, ")");
  while (!kt_is(tr, ")")) {
    kt_skip_expr(tr, 0);
    if (!kt_accept(tr, ",") && !kt_is(tr, ")")) FAIL(tr, CUR(tr), "expected ')' in for");
  }
  kt_expect(tr, ")");
  int body_pos = tr->pos;
  kt_skip_stmt(tr);
  int body_end = tr->pos;
  if (!has_cond) UNSUP(tr, kw, "for loop without a condition: loops must have constant bounds");
  tr->loops++;
  /* an iteration that changes no known value of the variables and arrays that exist
     before the loop leaves its condition as it was: the loop never ends */
  int save_wv = tr->watch_vars, save_wo = tr->watch_objs, save_lj = tr->loop_jdepth;
  tr->loop_jdepth = tr->jdepth;
  tr->watch_vars = tr->nvars;
  tr->watch_objs = tr->nobjs;
  long last = -1;
  for (long it = 0;; it++) {
    if (it > MAX_LOOP) LIMIT(tr, kw, "loop does not end after %ld iterations", MAX_LOOP);
    long now = tr->progress;
    tr->pos = cond_pos;
    xv c = kt_expr(tr);
    if (!kt_is(tr, ";")) /* "i  N": the expression ends early; never ignore the rest */
      FAIL(tr, CUR(tr), "expected ';' after the loop condition, found '%.*s'", TOKSTR(CUR(tr)));
    if (!kt_truth(tr, c, "loop condition")) break;
    if (now == last)
      FAIL(tr, kw,
           "loop does not terminate: an iteration changes nothing its condition depends on");
    last = now;
    tr->pos = body_pos;
    int st = exec_stmt(tr);
    if (st == S_RETURN) {
      tr->loops--;
      tr->loop_jdepth = save_lj;
      tr->nvars = mark;
      tr->watch_vars = save_wv;
      tr->watch_objs = save_wo;
      return st;
    }
    if (st == S_BREAK) break;
    if (has_inc) {
      tr->pos = inc_pos;
      kt_expr(tr);
      if (!kt_is(tr, ")"))
        FAIL(tr, CUR(tr), "expected ')' after the loop increment, found '%.*s'", TOKSTR(CUR(tr)));
    }
  }
  tr->loops--;
  tr->loop_jdepth = save_lj;
  tr->pos = body_end;
  tr->nvars = mark;
  tr->watch_vars = save_wv;
  tr->watch_objs = save_wo;
  return S_NORMAL;
}

static int exec_stmt1(tracer *tr) {
  const ag_token *t = CUR(tr);
  count_step(tr, t);
  if (kt_is(tr, "{")) return kt_exec_block(tr);
  if (kt_accept(tr, ";")) return S_NORMAL;
  if (kt_accept(tr, "if")) {
    kt_expect(tr, "(");
    xv cv = kt_rval(tr, kt_expr(tr));
    kt_expect(tr, ")");
    if (kt_is_traced(tr, cv)) return kt_exec_data_if(tr, kt_cond_node(tr, cv), t);
    int c = kt_truth(tr, cv, "condition of 'if'");
    if (c) {
      int st = exec_stmt(tr);
      if (st != S_NORMAL) return st;
      if (kt_accept(tr, "else")) kt_skip_stmt(tr);
    } else {
      kt_skip_stmt(tr);
      if (kt_accept(tr, "else")) return exec_stmt(tr);
    }
    return S_NORMAL;
  }
  if (kt_accept(tr, "for")) return exec_for(tr, t);
  if (kt_is(tr, "while") || kt_is(tr, "do"))
    UNSUP(tr, t, "'%.*s' loops are not supported: use a for loop with constant bounds", TOKSTR(t));
  if (kt_is(tr, "switch"))
    UNSUP(tr, t, "'switch' is not supported: use if with constant conditions");
  if (kt_is(tr, "goto")) UNSUP(tr, t, "'goto' is not supported");
  if (kt_is(tr, "case") || kt_is(tr, "default")) FAIL(tr, t, "'%.*s' outside switch", TOKSTR(t));
  if (kt_is(tr, "typedef"))
    UNSUP(tr, t, "typedef inside a function is not supported; move it to file scope");
  if (kt_accept(tr, "break") || kt_accept(tr, "continue")) {
    if (!tr->loops) FAIL(tr, t, "'%.*s' outside a loop", TOKSTR(t));
    if (tr->jdepth > tr->loop_jdepth)
      UNSUP(tr, t,
            "'%.*s' inside a branch on input-dependent data: the loop's trip count would depend "
            "on the data (the graph must be the same for every input); let the loop run to its "
            "constant bound and select inside it",
            TOKSTR(t));
    kt_expect(tr, ";");
    return ag_tok_is(t, "break") ? S_BREAK : S_CONTINUE;
  }
  if (kt_accept(tr, "return")) {
    int want = tr->cur_fn ? tr->cur_fn->ret : K_VOID;
    if (kt_accept(tr, ";")) {
      if (want != K_VOID) FAIL(tr, t, "'return' without a value in a function returning a value");
      return kt_return(tr, (xv){.kind = K_VOID, .tok = t}, t);
    }
    if (want == K_VOID) FAIL(tr, t, "'return' with a value in a void function");
    xv v = kt_rval(tr, kt_expr(tr));
    kt_expect(tr, ";");
    if (want == K_STRUCT) {
      v = kt_struct_val(tr, v, "the returned value");
      if (v.p.sp != tr->cur_fn->ret_sp)
        FAIL(tr, t, "'%.*s' returns a struct of another type", TOKSTR(tr->cur_fn->name));
      v = kt_struct_clone(tr, v, t); /* the callee's storage ends with it */
    } else if (want == K_DBL) {
      v = kt_mk_dbl(t, kt_to_node(tr, v));
    } else {
      v = kt_mk_int(t, kt_to_int(tr, v, "returned value"));
    }
    return kt_return(tr, v, t);
  }
  if (t->kind == TK_IDENT && ag_tok_is(&tr->t[tr->pos + 1], ":") && !kt_is_type_start(tr))
    UNSUP(tr, t, "labels are not supported");
  if (kt_is_type_start(tr)) {
    kt_exec_decl(tr, 0);
    return S_NORMAL;
  }
  kt_expr(tr);
  kt_expect(tr, ";");
  return S_NORMAL;
}

int kt_exec_stmt(tracer *tr) {
  kt_enter(tr);
  int st = exec_stmt1(tr);
  tr->nest--;
  return st;
}

int kt_exec_block(tracer *tr) {
  kt_expect(tr, "{");
  int mark = tr->nvars;
  while (!kt_accept(tr, "}")) {
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

int kt_parse_params(tracer *tr, const func *f, param *ps, int max) {
  tr->pos = f->params_pos;
  kt_expect(tr, "(");
  int n = 0;
  if (kt_is(tr, "void") && ag_tok_is(&tr->t[tr->pos + 1], ")")) tr->pos++;
  while (!kt_accept(tr, ")")) {
    if (n == max) LIMIT(tr, CUR(tr), "too many parameters");
    if (kt_is(tr, "...")) UNSUP(tr, CUR(tr), "variadic functions are not supported");
    typeinfo ti = kt_parse_type(tr);
    param p = {.kind = ti.kind,
               .base = ti.kind,
               .sp = ti.sp,
               .is_const = ti.is_const,
               .is_unsigned = ti.is_unsigned,
               .bits = ti.bits,
               .is_bool = ti.is_bool,
               .decl_len = -1};
    int ptr = 0;
    while (kt_accept(tr, "*")) {
      ptr++;
      while (kt_is_qualifier(CUR(tr)))
        tr->pos++;
    }
    if (ptr > 1) UNSUP(tr, CUR(tr), "pointers to pointers are not supported");
    if (CUR(tr)->kind != TK_IDENT) FAIL(tr, CUR(tr), "parameters must be named");
    p.name = CUR(tr);
    tr->pos++;
    if (kt_is(tr, "[")) {
      /* a declared size (an integer literal, possibly from a macro) fixes the number of the
         kernel's inputs, outputs or parameters: `const double in[21]` */
      const ag_token *sz = &tr->t[tr->pos + 1];
      if (sz->kind == TK_NUM && sz->is_int && ag_tok_is(&tr->t[tr->pos + 2], "]")) {
        if (sz->num < 1 || sz->num > MAX_INDEX)
          ag_lex_errorc(&tr->lx, sz->num < 1 ? AG_ERR_FORMAT : AG_ERR_LIMIT, sz,
                        "array size %g is not in 1..%ld", sz->num, MAX_INDEX);
        p.decl_len = (long)sz->num;
      }
      kt_skip_balanced(tr);
      ptr = 1;
      if (kt_is(tr, "["))
        UNSUP(tr, CUR(tr), "multi-dimensional array parameters are not supported");
    }
    if (ptr) p.kind = K_PTR;
    if (p.base == K_VOID) FAIL(tr, p.name, "parameter of type void");
    if (ptr && p.base != K_DBL && p.base != K_STRUCT)
      UNSUP(tr, p.name, "pointer parameters must point to double or to a struct");
    ps[n++] = p;
    if (!kt_is(tr, ")")) kt_expect(tr, ",");
  }
  return n;
}

xv kt_call_user(tracer *tr, func *f, xv *args, int nargs, const ag_token *at) {
  if (f->ret == K_BAD)
    UNSUP(tr, at, "function '%.*s' returns a type that is not supported", TOKSTR(f->name));
  if (tr->depth >= 64) UNSUP(tr, at, "calls nested more than 64 deep (recursion is not supported)");
  int save_pos = tr->pos, save_lo = tr->frame_lo, save_n = tr->nvars, save_loops = tr->loops;
  int save_olo = tr->frame_obj_lo, save_rc = tr->ret_cond, save_lj = tr->loop_jdepth;
  int save_path = tr->path_cond, save_fj = tr->fn_jdepth, save_rp = tr->rp_lo;
  const func *save_fn = tr->cur_fn;
  param ps[16];
  int np = kt_parse_params(tr, f, ps, 16);
  if (np != nargs)
    FAIL(tr, at, "function '%.*s' takes %d argument%s, got %d", TOKSTR(f->name), np,
         np == 1 ? "" : "s", nargs);
  tr->frame_lo = tr->nvars;
  tr->frame_obj_lo = tr->nobjs;
  for (int i = 0; i < np; i++) {
    if (ps[i].kind == K_STRUCT) { /* by value: a copy */
      xv a = kt_struct_val(tr, args[i], "the argument");
      if (a.p.sp != ps[i].sp)
        FAIL(tr, args[i].tok, "argument %d of '%.*s' is a struct of another type", i + 1,
             TOKSTR(f->name));
      var *v = kt_declare_struct(tr, ps[i].name, ps[i].sp);
      xv d = {.kind = K_STRUCT, .tok = ps[i].name, .p = v->p};
      kt_struct_copy(tr, d, a, at);
      tr->vars[tr->nvars - 1].is_const = ps[i].is_const;
      continue;
    }
    var *v = kt_declare(tr, ps[i].name, ps[i].kind);
    if (ps[i].kind == K_PTR) {
      if (args[i].kind != K_PTR)
        FAIL(tr, args[i].tok, "argument %d of '%.*s' must be an array or pointer", i + 1,
             TOKSTR(f->name));
      if (args[i].p.sp != (ps[i].base == K_STRUCT ? ps[i].sp : 0))
        FAIL(tr, args[i].tok, "argument %d of '%.*s' points to another type", i + 1,
             TOKSTR(f->name));
      v->p = args[i].p;
      v->p.ro |= ps[i].is_const;
      v->ro_target = ps[i].is_const;
      v->assigned = 1;
    } else {
      xv lhs = {.lv = LV_VAR, .var = tr->nvars - 1, .tok = ps[i].name};
      v->is_unsigned = ps[i].is_unsigned;
      v->bits = ps[i].bits;
      v->is_bool = ps[i].is_bool;
      if (args[i].kind == K_PTR)
        FAIL(tr, args[i].tok, "argument %d of '%.*s' is an array but a number is expected", i + 1,
             TOKSTR(f->name));
      kt_store(tr, lhs, args[i], at);
      v->is_const = ps[i].is_const;
    }
  }
  tr->depth++;
  tr->loops = 0;
  tr->ret_cond = -1;
  tr->path_cond = -1;
  tr->fn_jdepth = tr->jdepth;
  tr->rp_lo = tr->nrp;
  tr->loop_jdepth = tr->jdepth;
  tr->cur_fn = f;
  tr->pos = f->body_pos;
  int st = kt_exec_block(tr);
  tr->depth--;
  xv r = {.kind = K_VOID, .tok = at};
  if (f->ret != K_VOID) {
    if (st != S_RETURN)
      FAIL(tr, f->name, "function '%.*s' ends without returning a value", TOKSTR(f->name));
    r = tr->ret;
    r.tok = at;
  }
  tr->pos = save_pos;
  tr->frame_lo = save_lo;
  tr->nvars = save_n;
  tr->loops = save_loops;
  tr->frame_obj_lo = save_olo;
  tr->ret_cond = save_rc;
  tr->path_cond = save_path;
  tr->fn_jdepth = save_fj;
  tr->nrp = tr->rp_lo; /* the callee's recorded returns are folded into its value */
  tr->rp_lo = save_rp;
  tr->loop_jdepth = save_lj;
  tr->cur_fn = save_fn;
  return r;
}
