/* Internal to the C kernel front end (not installed): the tracer's state and the functions
   its parts share. The tracer is split by what it owns, as SQLite splits where.c around
   whereInt.h:
     kernel_syms.c   token helpers, skipping of untaken code, symbols, types
     kernel_value.c  traced values, array elements, assignment
     kernel_expr.c   expressions
     kernel_stmt.c   declarations, statements, calls of helper functions
     kernel_branch.c branches on data traced both ways into selects, returns inside them
     kernel_struct.c structs of doubles and enums
     parse_kernel.c  file scope and the driver (ag_parse_kernel_file) */
#ifndef AG_KERNEL_INT_H
#define AG_KERNEL_INT_H

#include "graph/graph.h"
#include "kernel/kernel_lex.h"

enum { K_VOID, K_DBL, K_INT, K_PTR, K_BAD, K_STRUCT };
enum { A_IN, A_OUT, A_PARAM, A_LOCAL };
enum { LV_NONE, LV_VAR, LV_ELEM };
enum { S_NORMAL, S_BREAK, S_CONTINUE, S_RETURN };

#define MAX_DIMS  4
#define MAX_NODES 2000000  /* graph nodes a kernel may trace to (docs/kernels.md, limits) */
#define MAX_STEPS 5000000L /* statements executed while tracing */
#define MAX_LOOP  1000000L /* iterations of one loop */
#define MAX_INDEX 1000000L
#define MAX_NEST  1000 /* nesting of expressions and statements (the C stack) */

typedef struct {
  int obj;
  long off;
  int nd;              /* dimensions below the element the pointer steps over */
  long dims[MAX_DIMS]; /* their sizes */
  long lim;            /* bound of the next index, -1 if unknown */
  int ro;              /* points to const data */
  int sp;              /* 1 + struct type of the pointee (kernel_struct.c); 0: double.
                          A K_STRUCT value is the struct stored at obj, off */
} ptrv;

typedef struct {
  int kind;
  int node;
  long ival;
  int uns;  /* an int value of unsigned type */
  int wide; /* an int value of a 64-bit type (long, size_t, an L literal); else 32-bit int */
  int dint; /* K_DBL standing for an int of C that depends on data: a comparison, a logic
               operator or a ?: of ints on an input-dependent condition (kernel_branch.c) */
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
  int bits;               /* int variables: 16, 32 or 64 (short, int, long); C's widths on x86-64 */
  int is_bool;            /* _Bool/bool: stores value != 0 */
  const char *bad_global; /* non-NULL: a file-scope variable the kernel may not use */
  const ag_token *poison; /* int or pointer: set to different values on the two sides of this
                             branch on data; reading it is refused */
  const ag_token *maybe;  /* unassigned on one side of this branch on data */
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
  int sp; /* storage of structs of this type (1 + type): messages name the member */
} arrobj;

/* A struct of doubles (kernel_struct.c): its members laid out flat, in doubles. */
typedef struct {
  const ag_token *name;
  int sp;   /* 1 + struct type of the member; 0: double */
  long off; /* from the struct's first double */
  int nd;   /* array dimensions of the member (0: a scalar or a struct) */
  long dims[MAX_DIMS];
} sfield;

typedef struct {
  const ag_token *tag;  /* struct Tag; NULL when anonymous (then named by a typedef) */
  const ag_token *name; /* for messages: the tag or the typedef name */
  sfield *f;
  int nf;
  long size; /* doubles */
} stype;

typedef struct {
  const ag_token *name;
  int ret;        /* K_VOID, K_DBL, K_INT, K_STRUCT or K_BAD */
  int ret_sp;     /* K_STRUCT: 1 + its struct type */
  int params_pos; /* index of '(' */
  int body_pos;   /* index of '{' */
  int is_static;  /* helpers are static; a kernel is not */
} func;

typedef struct {
  const ag_token *name;
  int kind; /* K_DBL, K_INT, K_STRUCT or K_BAD */
  int sp;   /* K_STRUCT: 1 + its struct type */
} tdef;

typedef struct {
  int kind;
  int is_const, is_static, is_unsigned;
  int bits, is_bool; /* int types: width (16, 32, 64) and _Bool */
  int sp;            /* K_STRUCT: 1 + its struct type */
  int defined;       /* the type defined a struct or enum (a declaration may end here) */
  const ag_token *tok;
} typeinfo;

/* One entry of the journal of stores made while a branch on data is traced: what to put
   back to trace the other side (kernel_branch.c). */
typedef struct {
  int is_elem;
  int idx;   /* variable index, or object */
  long eidx; /* element */
  int node;  /* old element node */
  var old;   /* old variable */
} jentry;

#define ELEM_MAYBE (-2) /* an element assigned on one side of a branch on data only */

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
  stype *stypes;
  int nstypes, capstypes;
  int depth;
  xv ret;
  long steps;
  int loops;
  const func *cur_fn;
  int nest;                   /* recursion depth of the parser (bounded: the C stack) */
  long progress;              /* changes of known values in watched variables and arrays */
  int watch_vars, watch_objs; /* those that exist when the innermost loop starts */
  /* branches on data (kernel_branch.c) */
  jentry *jrn; /* stores since the outermost branch on data began */
  int njrn, capjrn;
  int jdepth;       /* branches on data being traced */
  int loop_jdepth;  /* jdepth when the innermost loop started */
  int frame_obj_lo; /* objects that exist before the current function's body */
  int ret_cond;     /* the current function has returned where this condition holds (a
                       return inside a branch on data); -1: nowhere */
  int path_cond;    /* the condition of the branches on data being traced in the current
                       function (an AND of them); -1: none */
  int fn_jdepth;    /* jdepth when the current function's body started */
  int *rp_cond;     /* returns inside branches on data of the functions being traced, in
                       order: where rp_cond[i] holds (and no earlier one), the function
                       returns rp_val[i]; the current function's are from rp_lo */
  xv *rp_val;
  int nrp, caprp, caprpv, rp_lo;
} tracer;

/* A malformed kernel (AG_ERR_FORMAT), a construct outside the subset (AG_ERR_UNSUPPORTED),
   a size limit reached (AG_ERR_LIMIT): "file:line:col: message", then longjmp. */
#define FAIL(tr, tok, ...)  ag_lex_error(&(tr)->lx, (tok), __VA_ARGS__)
#define UNSUP(tr, tok, ...) ag_lex_errorc(&(tr)->lx, AG_ERR_UNSUPPORTED, (tok), __VA_ARGS__)
#define LIMIT(tr, tok, ...) ag_lex_errorc(&(tr)->lx, AG_ERR_LIMIT, (tok), __VA_ARGS__)
#define CUR(tr)             (&(tr)->t[(tr)->pos])
#define TOKSTR(tok)         (tok)->len, (tok)->s

typedef struct {
  const ag_token *name;
  int kind; /* K_DBL, K_INT, K_STRUCT (by value) or K_PTR */
  int base; /* for K_PTR: pointee kind */
  int sp;   /* a struct (or a pointer to one): 1 + its struct type */
  int is_const, is_unsigned;
  int bits, is_bool; /* int parameters: as in typeinfo */
  long decl_len;     /* `double in[21]`: 21; -1 when not declared */
} param;

/* The functions one part defines and others call (prefix kt_: kernel tracer), by the file
   that defines them. Each reports errors with FAIL/UNSUP/LIMIT (longjmp, never returns). */

/* kernel_syms.c */
int kt_accept(tracer *tr, const char *s);
int kt_base_kind(tracer *tr, const ag_token *t);
var *kt_declare(tracer *tr, const ag_token *name, int kind);
void kt_enter(tracer *tr);
const ag_token *kt_expect(tracer *tr, const char *s);
func *kt_find_func(tracer *tr, const ag_token *t);
var *kt_find_var(tracer *tr, const ag_token *t);
int kt_is(tracer *tr, const char *s);
int kt_is_qualifier(const ag_token *t);
int kt_is_type_start(tracer *tr);
int kt_new_obj(tracer *tr, int kind, long len, const char *name);
typeinfo kt_parse_type(tracer *tr);
void kt_skip_balanced(tracer *tr);
void kt_skip_expr(tracer *tr, int stop_colon);
void kt_skip_stmt(tracer *tr);

/* kernel_value.c */
int kt_is_known(tracer *tr, xv v);
int kt_is_traced(tracer *tr, xv v);
double kt_known_val(tracer *tr, xv v);
xv kt_mk_dbl(const ag_token *tok, int node);
xv kt_mk_int(const ag_token *tok, long i);
int kt_mkop(tracer *tr, const ag_token *tok, ag_op op, int a, int b);
xv kt_rval(tracer *tr, xv v);
void kt_set_elem(tracer *tr, int obj, long idx, int node, int ro, const ag_token *tok);
void kt_store(tracer *tr, xv lhs, xv rhs, const ag_token *op);
/* The range of an int variable of `bits` (16, 32, 64) and signedness: 1 if x fits. */
int kt_int_fits(long x, int bits, int is_unsigned);
/* Checks that x, converted to the int type (bits, is_unsigned), keeps its value; refuses
   otherwise (C would change it: implementation-defined or undefined) naming `what`. */
void kt_check_int_range(tracer *tr, const ag_token *at, long x, int bits, int is_unsigned,
                        const char *what);
long kt_to_int(tracer *tr, xv v, const char *what);
int kt_to_node(tracer *tr, xv v);
int kt_truth(tracer *tr, xv v, const char *what);

/* kernel_branch.c */
/* Record the old value before a store, while a branch on data is traced. */
void kt_journal_var(tracer *tr, int vi);
void kt_journal_elem(tracer *tr, int obj, long idx);
/* The condition node of a value's truth (v != 0), v input-dependent. */
int kt_cond_node(tracer *tr, xv v);
/* `if (cond) S1 [else S2]` with a condition on data (the tracer is at S1): both sides are
   traced and what they assign merges into selects. Returns the statement's status. */
int kt_exec_data_if(tracer *tr, int cond, const ag_token *kw);
/* `c ? e1 : e2` with c on data (the tracer is at e1). */
xv kt_data_conditional(tracer *tr, int cond, const ag_token *q);
/* An element stored after a return inside a branch on data keeps its value where the
   function has returned: the node to store. */
int kt_guard_elem(tracer *tr, int obj, long idx, int node);
/* `return v` (v: K_VOID for return;) at tracer position `at`: inside a branch on data it is
   recorded with the branch's condition; else the function's value (the returns recorded
   before take precedence). Returns the statement's status (S_RETURN). */
int kt_return(tracer *tr, xv v, const ag_token *at);

/* kernel_struct.c */
/* `struct [Tag] [{ members }]` at the tracer (at `struct`): the struct type's sp. */
int kt_struct_spec(tracer *tr);
/* `enum [Tag] [{ A [= k], ... }]` at the tracer (at `enum`): declares the constants. */
void kt_enum_spec(tracer *tr);
const stype *kt_stype(tracer *tr, int sp);
/* Appends the member at offset off of struct sp ("w[1].rho") to buf. */
void kt_member_name(tracer *tr, int sp, long off, char *buf, size_t n);
/* Doubles a pointer's element holds: a struct's size, else 1. */
long kt_elem_size(tracer *tr, const ptrv *p);
/* s.name or p->name (arrow): an element, an array (K_PTR) or a struct (K_STRUCT). */
xv kt_member(tracer *tr, xv v, const ag_token *name, int arrow, const ag_token *op);
/* A struct value: the one of a struct variable, else v itself (checked). */
xv kt_struct_val(tracer *tr, xv v, const char *what);
/* Copies the struct src into dst (same type). */
void kt_struct_copy(tracer *tr, xv dst, xv src, const ag_token *at);
/* A new object holding a copy of struct v (arguments and results by value). */
xv kt_struct_clone(tracer *tr, xv v, const ag_token *at);
/* select(c, a, b) member by member, in a new object. */
xv kt_struct_select(tracer *tr, int c, xv a, xv b, const ag_token *at);
/* A local struct variable (storage of size doubles, unassigned). */
var *kt_declare_struct(tracer *tr, const ag_token *name, int sp);
/* `{ .name = v, ... }` or `{ v, ... }` into struct sp stored at obj, at. */
void kt_struct_init(tracer *tr, int obj, long at, int sp);

/* kernel_expr.c */
xv kt_assign_expr(tracer *tr);
xv kt_conditional(tracer *tr);
xv kt_expr(tracer *tr);

/* kernel_stmt.c */
xv kt_call_user(tracer *tr, func *f, xv *args, int nargs, const ag_token *at);
int kt_exec_block(tracer *tr);
int kt_exec_stmt(tracer *tr);
void kt_exec_decl(tracer *tr, int global);
int kt_parse_params(tracer *tr, const func *f, param *ps, int max);

#endif
