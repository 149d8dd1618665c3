/* Run-time compilation of generated Jacobian code (codegen_c.h) into a shared object, kept
   in an on-disk cache and loaded with dlopen. Details: docs/codegen.md. */
#ifndef AG_JIT_H
#define AG_JIT_H

#include <stdint.h>

#include "jacobian/jacobian.h"

typedef void (*ag_jit_fn)(const double *in, const double *p, double *out, double *jac);
typedef void (*ag_jit_batch_fn)(int n, const double *in, const double *p, double *out, double *jac);

typedef void (*ag_jit_primal_batch_fn)(int n, const double *in, const double *p, double *out);
typedef struct {
  const char *cc;        /* compiler; NULL: $AG_CC, else "cc" */
  const char *cflags;    /* NULL: $AG_CFLAGS, else AG_JIT_DEFAULT_CFLAGS */
  const char *cache_dir; /* NULL: $AG_JIT_CACHE, else $XDG_CACHE_HOME/alphagrad, else
                            ~/.cache/alphagrad; created if missing */
} ag_jit_opts;

#define AG_JIT_DEFAULT_CC "cc"
/* -ffp-contract=off: no FMA contraction under -march=native, so that the compiled code
   rounds exactly as the interpreter (ag_jacprog_eval) does */
#define AG_JIT_DEFAULT_CFLAGS "-O3 -march=native -ffp-contract=off -fno-math-errno -fPIC -shared"

typedef struct ag_jit {
  void *handle;
  ag_jit_fn fn;                        /* outputs and Jacobian at one point */
  ag_jit_batch_fn batch;               /* n points, structure of arrays (parameters too) */
  ag_jit_primal_batch_fn primal_batch; /* outputs only, n points */
  uint64_t key;                        /* cache key */
  char *path;                          /* the cached shared object */
  int compiled;                        /* 1 if this load ran the compiler (cache miss or rebuild) */
  int rebuilt;                         /* 1 if a cache entry existed but was invalid */
  char why[512]; /* why the entry was (re)built: "missing", "dlopen: ...", ... */
  int ni, no, np, nentries;
} ag_jit;

/* Compiles (or finds in the cache) and loads the code of jp. NULL with err set when no
   compiler works or the cache cannot be used. */
ag_jit *ag_jit_load(const ag_jacprog *jp, const ag_jit_opts *opt, ag_error *err);
void ag_jit_free(ag_jit *j);
/* Cache key of jp under opt (graph, order's program, generator version, compiler, flags). */
uint64_t ag_jit_key(const ag_jacprog *jp, const ag_jit_opts *opt);
/* The cache directory: configured (when not NULL), else $AG_JIT_CACHE, else
   $XDG_CACHE_HOME/alphagrad, else ~/.cache/alphagrad (malloc'ed). Shared by the C and the
   CUDA (gpu/) caches. */
char *ag_jit_cache_dir(const char *configured);
/* mkdir -p with mode 0755; 0 when dir exists as a directory afterwards, else -1 (errno). */
int ag_mkdir_p(const char *dir);
/* The compiler and flags that opt stands for ($AG_CC, $AG_CFLAGS, the defaults). */
const char *ag_jit_cc(const ag_jit_opts *opt);
const char *ag_jit_cflags(const ag_jit_opts *opt);
/* Number of compiler invocations by this process (all ag_jit_load calls). */
long ag_jit_compile_count(void);

/* Compiled code when available, else the interpreter (one warning line on stderr). */
typedef struct {
  ag_jit *jit; /* NULL: interpreting */
  const ag_jacprog *jp;
  double *work, *tin, *tp, *tout, *tjac; /* interpreter work space */
} ag_evaluator;

ag_evaluator *ag_jit_or_interp(const ag_jacprog *jp, const ag_jit_opts *opt);
/* The interpreter (ag_jacprog_eval) behind the same interface. */
ag_evaluator *ag_interpreter(const ag_jacprog *jp);
void ag_evaluator_free(ag_evaluator *ev);
/* in[ni], p[np], out[no], jac[nentries] (jp's entry order) */
void ag_evaluator_eval(ag_evaluator *ev, const double *in, const double *p, double *out,
                       double *jac);
/* structure of arrays as FNAME_batch (p: per element, p[i*n + k]; NULL when np == 0) */
void ag_evaluator_eval_batch(ag_evaluator *ev, int n, const double *in, const double *p,
                             double *out, double *jac);

/* outputs only, structure of arrays as FNAME_primal_batch */
void ag_evaluator_eval_primal_batch(ag_evaluator *ev, int n, const double *in, const double *p,
                                    double *out);
#endif
