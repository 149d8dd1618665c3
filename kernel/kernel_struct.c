/* Owns the C kernel tracer's structs of doubles and enums.

   A struct holds doubles: scalars, arrays of them, nested structs and arrays of structs
   (no int or pointer members). Its members are laid out flat, in doubles, and a struct
   value is storage: a slice (obj, off) of an array object, with its type (ptrv.sp). So a
   struct variable is an object of size doubles; `s.rho` is an element of it, `s.v` an
   array in it, `p->w[1].u` the same through a pointer. Assignment, arguments and results
   by value copy member by member (copies are free: they make no vertex). Branches on data
   then merge structs element by element like arrays.

   Enum constants are int constants (C: type int); `enum Tag` names the type int. */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "kernel/kernel_int.h"

const stype *kt_stype(tracer *tr, int sp) { return &tr->stypes[sp - 1]; }

void kt_member_name(tracer *tr, int sp, long off, char *buf, size_t n) {
  const stype *st = kt_stype(tr, sp);
  off %= st->size;
  for (int i = st->nf - 1; i >= 0; i--) {
    const sfield *f = &st->f[i];
    if (f->off > off) continue;
    long rel = off - f->off, esz = f->sp ? kt_stype(tr, f->sp)->size : 1;
    size_t u = strlen(buf);
    snprintf(buf + u, n - u, "%s%.*s", *buf ? "." : "", TOKSTR(f->name));
    if (f->nd) {
      long idx = rel / esz, stride = 1;
      for (int k = 1; k < f->nd; k++)
        stride *= f->dims[k];
      for (int k = 0; k < f->nd; k++) {
        u = strlen(buf);
        snprintf(buf + u, n - u, "[%ld]", idx / stride);
        idx %= stride;
        if (k + 1 < f->nd) stride /= f->dims[k + 1];
      }
      rel %= esz;
    }
    if (f->sp) kt_member_name(tr, f->sp, rel, buf, n);
    return;
  }
}

long kt_elem_size(tracer *tr, const ptrv *p) { return p->sp ? kt_stype(tr, p->sp)->size : 1; }

static int tok_eq(const ag_token *a, const ag_token *b) {
  return a && b && a->len == b->len && !strncmp(a->s, b->s, (size_t)a->len);
}

/* ---------------- struct types ---------------- */

static void parse_members(tracer *tr, stype *st) {
  kt_expect(tr, "{");
  long off = 0;
  while (!kt_accept(tr, "}")) {
    if (CUR(tr)->kind == TK_EOF) FAIL(tr, CUR(tr), "expected '}' before end of file");
    typeinfo ti = kt_parse_type(tr);
    if (ti.kind == K_INT)
      UNSUP(tr, ti.tok,
            "struct members of int type are not supported: a kernel's structs hold doubles "
            "(use a double, or an int constant outside the struct)");
    if (ti.kind != K_DBL && ti.kind != K_STRUCT)
      UNSUP(tr, ti.tok, "struct members must be doubles, arrays of doubles or structs");
    for (;;) {
      if (kt_is(tr, "*"))
        UNSUP(tr, CUR(tr), "pointer members of structs are not supported (use an array)");
      const ag_token *name = CUR(tr);
      if (name->kind != TK_IDENT)
        FAIL(tr, name, "expected a member name before '%.*s'", TOKSTR(name));
      tr->pos++;
      for (int i = 0; i < st->nf; i++)
        if (tok_eq(st->f[i].name, name)) FAIL(tr, name, "duplicate member '%.*s'", TOKSTR(name));
      sfield f = {.name = name, .sp = ti.kind == K_STRUCT ? ti.sp : 0, .off = off};
      long n = 1;
      while (kt_accept(tr, "[")) {
        const ag_token *br = &tr->t[tr->pos - 1];
        if (f.nd == MAX_DIMS)
          LIMIT(tr, br, "arrays of more than %d dimensions are not supported", MAX_DIMS);
        xv sz = kt_rval(tr, kt_conditional(tr));
        long d = kt_to_int(tr, sz, "array size");
        if (d <= 0 || d > MAX_INDEX)
          ag_lex_errorc(&tr->lx, d <= 0 ? AG_ERR_FORMAT : AG_ERR_LIMIT, br,
                        "array size %ld is not in 1..%ld", d, MAX_INDEX);
        f.dims[f.nd++] = d;
        n *= d;
        if (n > MAX_INDEX) LIMIT(tr, br, "array too large");
        kt_expect(tr, "]");
      }
      off += n * (f.sp ? kt_stype(tr, f.sp)->size : 1);
      if (off > MAX_INDEX) LIMIT(tr, name, "struct too large");
      st->f = ag_arena_grow(tr->A, st->f, &(int){st->nf}, st->nf, sizeof(sfield));
      st->f[st->nf++] = f;
      if (kt_accept(tr, ",")) continue;
      kt_expect(tr, ";");
      break;
    }
  }
  if (st->nf == 0) FAIL(tr, CUR(tr), "empty struct");
  st->size = off;
}

int kt_struct_spec(tracer *tr) {
  const ag_token *kw = kt_expect(tr, "struct");
  const ag_token *tag = NULL;
  if (CUR(tr)->kind == TK_IDENT) tag = &tr->t[tr->pos++];
  if (!kt_is(tr, "{")) {
    if (!tag) FAIL(tr, CUR(tr), "expected a struct tag or '{' after 'struct'");
    for (int i = tr->nstypes - 1; i >= 0; i--)
      if (tok_eq(tr->stypes[i].tag, tag)) return i + 1;
    FAIL(tr, tag, "unknown struct '%.*s' (define it before its use)", TOKSTR(tag));
  }
  if (tr->cur_fn)
    UNSUP(tr, kw,
          "struct definitions inside a function are not supported; define it at file scope");
  for (int i = 0; tag && i < tr->nstypes; i++)
    if (tok_eq(tr->stypes[i].tag, tag)) FAIL(tr, tag, "redefinition of struct '%.*s'", TOKSTR(tag));
  tr->stypes = ag_arena_grow(tr->A, tr->stypes, &tr->capstypes, tr->nstypes, sizeof(stype));
  int k = tr->nstypes;
  memset(&tr->stypes[k], 0, sizeof(stype));
  tr->stypes[k].tag = tag;
  tr->stypes[k].name = tag ? tag : kw;
  stype st = tr->stypes[k];
  /* the members may refer to earlier structs only: define this one when they are read */
  parse_members(tr, &st);
  tr->stypes[k] = st;
  tr->nstypes = k + 1;
  return k + 1;
}

void kt_enum_spec(tracer *tr) {
  kt_expect(tr, "enum");
  if (CUR(tr)->kind == TK_IDENT) tr->pos++; /* the tag: the type is int */
  if (!kt_accept(tr, "{")) return;
  long next = 0;
  while (!kt_accept(tr, "}")) {
    const ag_token *name = CUR(tr);
    if (name->kind != TK_IDENT)
      FAIL(tr, name, "expected an enumerator name before '%.*s'", TOKSTR(name));
    tr->pos++;
    if (kt_accept(tr, "=")) {
      xv v = kt_rval(tr, kt_conditional(tr));
      if (v.kind != K_INT)
        FAIL(tr, name, "the value of enumerator '%.*s' must be an integer constant", TOKSTR(name));
      next = v.ival;
    }
    kt_check_int_range(tr, name, next, 32, 0, "an enumerator");
    var *c = kt_declare(tr, name, K_INT);
    c->ival = next++;
    c->bits = 32;
    c->is_const = 1;
    c->assigned = 1;
    if (!kt_accept(tr, ",")) {
      kt_expect(tr, "}");
      break;
    }
  }
}

/* ---------------- struct values ---------------- */

var *kt_declare_struct(tracer *tr, const ag_token *name, int sp) {
  const stype *st = kt_stype(tr, sp);
  int obj = kt_new_obj(tr, A_LOCAL, st->size, ag_arena_strndup(tr->A, name->s, (size_t)name->len));
  tr->objs[obj].sp = sp;
  var *v = kt_declare(tr, name, K_STRUCT);
  v->assigned = 1;
  v->p = (ptrv){.obj = obj, .lim = -1, .sp = sp};
  return v;
}

xv kt_struct_val(tracer *tr, xv v, const char *what) {
  if (v.lv == LV_VAR && tr->vars[v.var].kind == K_STRUCT) {
    var *x = &tr->vars[v.var];
    xv s = {.kind = K_STRUCT, .tok = v.tok, .p = x->p};
    s.p.ro = x->is_const;
    return s;
  }
  if (v.kind != K_STRUCT) FAIL(tr, v.tok, "%s is not a struct", what);
  return v;
}

xv kt_member(tracer *tr, xv v, const ag_token *name, int arrow, const ag_token *op) {
  if (arrow) {
    v = kt_rval(tr, v);
    if (v.kind != K_PTR || !v.p.sp) FAIL(tr, op, "'->' needs a pointer to a struct");
    v.kind = K_STRUCT;
  } else {
    if (v.lv == LV_VAR && tr->vars[v.var].kind != K_STRUCT)
      FAIL(tr, op, "'.' applied to '%.*s', which is not a struct", TOKSTR(v.tok));
    if (v.kind == K_PTR && v.p.sp) FAIL(tr, op, "'.' applied to a pointer to a struct (use '->')");
    v = kt_struct_val(tr, v, "the left side of '.'");
  }
  if (name->kind != TK_IDENT) FAIL(tr, name, "expected a member name after '%.*s'", TOKSTR(op));
  const stype *st = kt_stype(tr, v.p.sp);
  const sfield *f = NULL;
  for (int i = 0; i < st->nf; i++)
    if (tok_eq(st->f[i].name, name)) f = &st->f[i];
  if (!f) FAIL(tr, name, "struct '%.*s' has no member '%.*s'", TOKSTR(st->name), TOKSTR(name));
  ptrv p = v.p;
  p.off += f->off;
  p.sp = f->sp;
  if (f->nd) { /* an array member decays to a pointer to its first element */
    xv r = {.kind = K_PTR, .tok = name, .p = p};
    r.p.nd = f->nd - 1;
    r.p.lim = f->dims[0];
    for (int i = 1; i < f->nd; i++)
      r.p.dims[i - 1] = f->dims[i];
    return r;
  }
  if (f->sp) return (xv){.kind = K_STRUCT, .tok = name, .p = p};
  return (xv){.kind = K_DBL, .lv = LV_ELEM, .obj = p.obj, .idx = p.off, .tok = name, .p = p};
}

static int elem_of(tracer *tr, int obj, long idx, const ag_token *at) {
  xv e = {.kind = K_DBL, .lv = LV_ELEM, .obj = obj, .idx = idx, .tok = at};
  return kt_to_node(tr, e);
}

void kt_struct_copy(tracer *tr, xv dst, xv src, const ag_token *at) {
  if (src.kind != K_STRUCT || src.p.sp != dst.p.sp)
    FAIL(tr, at, "a struct '%.*s' must be assigned a struct of the same type",
         TOKSTR(kt_stype(tr, dst.p.sp)->name));
  if (dst.p.ro) FAIL(tr, at, "assignment to a const struct");
  long n = kt_stype(tr, dst.p.sp)->size;
  if (dst.p.obj == src.p.obj && dst.p.off == src.p.off) return;
  for (long i = 0; i < n; i++)
    kt_set_elem(tr, dst.p.obj, dst.p.off + i, elem_of(tr, src.p.obj, src.p.off + i, at), 0, at);
}

xv kt_struct_clone(tracer *tr, xv v, const ag_token *at) {
  const stype *st = kt_stype(tr, v.p.sp);
  int obj = kt_new_obj(tr, A_LOCAL, st->size, "(struct value)");
  xv r = {.kind = K_STRUCT, .tok = at, .p = {.obj = obj, .lim = -1, .sp = v.p.sp}};
  kt_struct_copy(tr, r, v, at);
  return r;
}

xv kt_struct_select(tracer *tr, int c, xv a, xv b, const ag_token *at) {
  if (a.kind != K_STRUCT || b.kind != K_STRUCT || a.p.sp != b.p.sp)
    FAIL(tr, at, "the two sides give values of different types (a struct and another type)");
  const stype *st = kt_stype(tr, a.p.sp);
  int obj = kt_new_obj(tr, A_LOCAL, st->size, "(struct value)");
  for (long i = 0; i < st->size; i++) {
    int x = elem_of(tr, a.p.obj, a.p.off + i, at), y = elem_of(tr, b.p.obj, b.p.off + i, at);
    kt_set_elem(tr, obj, i, ag_graph_select(tr->g, c, x, y), 0, at);
  }
  return (xv){.kind = K_STRUCT, .tok = at, .p = {.obj = obj, .lim = -1, .sp = a.p.sp}};
}

/* One initializer value (or a braced sub-list) for the member sequence starting at *at;
   flattening in layout order as C's brace elision does. */
static void init_list(tracer *tr, int obj, long *at, long end, int sp, int esp);

/* esp: the list is an array of structs of this type (a braced item is one element) */
static void init_value(tracer *tr, int obj, long *at, long end, int esp) {
  if (kt_is(tr, "{")) {
    /* a braced list fills exactly one element (a struct) or the rest */
    long start = *at;
    long size = esp ? kt_stype(tr, esp)->size : end - start;
    if (start + size > end) FAIL(tr, CUR(tr), "too many initializers");
    kt_enter(tr);
    init_list(tr, obj, at, start + size, esp, 0);
    tr->nest--;
    *at = start + size;
    return;
  }
  const ag_token *t = CUR(tr);
  xv v = kt_assign_expr(tr);
  if (v.kind == K_STRUCT || (v.lv == LV_VAR && tr->vars[v.var].kind == K_STRUCT)) {
    v = kt_struct_val(tr, v, "the initializer");
    long n = kt_stype(tr, v.p.sp)->size;
    if (*at + n > end) FAIL(tr, t, "too many initializers");
    xv dst = {.kind = K_STRUCT, .tok = t, .p = {.obj = obj, .off = *at, .lim = -1, .sp = v.p.sp}};
    kt_struct_copy(tr, dst, v, t);
    *at += n;
    return;
  }
  if (*at >= end) FAIL(tr, t, "too many initializers");
  kt_set_elem(tr, obj, (*at)++, kt_to_node(tr, v), 0, t);
}

static void init_list(tracer *tr, int obj, long *at, long end, int sp, int esp) {
  kt_expect(tr, "{");
  const stype *st = sp ? kt_stype(tr, sp) : NULL;
  long base = *at;
  while (!kt_accept(tr, "}")) {
    if (kt_accept(tr, ".")) { /* designator: .member = */
      const ag_token *name = CUR(tr);
      if (!st) FAIL(tr, name, "a designator '.%.*s' in the initializer of an array", TOKSTR(name));
      const sfield *f = NULL;
      for (int i = 0; i < st->nf; i++)
        if (tok_eq(st->f[i].name, name)) f = &st->f[i];
      if (!f) FAIL(tr, name, "struct '%.*s' has no member '%.*s'", TOKSTR(st->name), TOKSTR(name));
      tr->pos++;
      kt_expect(tr, "=");
      *at = base + f->off;
      long fsize = (f->sp ? kt_stype(tr, f->sp)->size : 1);
      for (int i = 0; i < f->nd; i++)
        fsize *= f->dims[i];
      long fend = *at + fsize;
      if (kt_is(tr, "{")) {
        kt_enter(tr);
        init_list(tr, obj, at, fend, f->nd ? 0 : f->sp, f->nd ? f->sp : 0);
        tr->nest--;
        *at = fend;
      } else {
        init_value(tr, obj, at, fend, 0);
      }
    } else {
      /* the member at *at: a nested struct or array member takes a braced list whole */
      int msp = 0, mesp = 0;
      long mend = end;
      if (st && kt_is(tr, "{")) {
        for (int i = 0; i < st->nf; i++)
          if (base + st->f[i].off == *at) {
            long fsize = st->f[i].sp ? kt_stype(tr, st->f[i].sp)->size : 1;
            for (int k = 0; k < st->f[i].nd; k++)
              fsize *= st->f[i].dims[k];
            msp = st->f[i].nd ? 0 : st->f[i].sp;
            mesp = st->f[i].nd ? st->f[i].sp : 0;
            mend = *at + fsize;
          }
        kt_enter(tr);
        init_list(tr, obj, at, mend, msp, mesp);
        tr->nest--;
        *at = mend;
      } else {
        init_value(tr, obj, at, end, st ? 0 : esp);
      }
    }
    if (!kt_accept(tr, ",")) {
      kt_expect(tr, "}");
      break;
    }
  }
}

void kt_struct_init(tracer *tr, int obj, long at, int sp) {
  long end = at + kt_stype(tr, sp)->size;
  long pos = at;
  init_list(tr, obj, &pos, end, sp, 0);
  int zero = -1;
  for (long i = at; i < end; i++) { /* C zero-fills the members not initialised */
    arrobj *o = &tr->objs[obj];
    if (i >= o->cap || o->elem[i] == -1) {
      if (zero < 0) zero = ag_graph_const(tr->g, 0.0);
      kt_set_elem(tr, obj, i, zero, 0, CUR(tr));
    }
  }
}
