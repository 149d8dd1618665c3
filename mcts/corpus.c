/* Random kernel corpus (see corpus.h).

   Construction: nodes are appended one operation at a time. A pool of "unused" values
   (inputs and vertices nobody has read yet) is kept; operands come from
     - the pool's oldest entry (so every input and vertex gets used: this is where the
       long-range edges of real kernels come from: an input read late, a common
       subexpression reused),
     - a recent vertex (geometric distance back: locality, as in straight-line code),
     - any earlier value (rare long-range reuse),
     - a constant (second operand only: x * 0.5, x + 1, 2 / x, ...).
   Towards the end, while more unused values remain than outputs wanted, the generator is
   forced to emit binary operations on two unused values, each of which lowers the pool by
   one; the final unused vertices become outputs (padded with recent vertices when fewer
   remain), so there is no dead code. */
#include "mcts/corpus.h"

#include <stdio.h>
#include <stdlib.h>

#include "jacobian/alloc.h"

typedef struct {
  uint64_t s;
} rng64;

static uint64_t next64(rng64 *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double unit(rng64 *r) { return (double)(next64(r) >> 11) * (1.0 / 9007199254740992.0); }
static int below(rng64 *r, int n) { return n > 0 ? (int)(next64(r) % (uint64_t)n) : 0; }

typedef struct {
  ag_graph *g;
  rng64 r;
  int *val;      /* active values in creation order: node indices (inputs first) */
  char *pos;     /* per value: positive by construction */
  char *bnd;     /* per value: of moderate size (inputs, sin, cos, tanh, atan, sums of them) */
  char *used;    /* per value: read by some operation */
  int nval, ni;
  int *pool;     /* unused values (indices into val), FIFO */
  int phead, ptail;
} gen;

static void pool_remove_used(gen *G) {
  while (G->phead < G->ptail && G->used[G->pool[G->phead]]) G->phead++;
}
/* what is left to consume: unused inputs, plus the unused vertices beyond the outputs */
static int pool_excess(gen *G, int noutputs) {
  int ni = 0, nv = 0;
  for (int i = G->phead; i < G->ptail; i++) {
    int k = G->pool[i];
    if (G->used[k]) continue;
    if (k < G->ni)
      ni++;
    else
      nv++;
  }
  return ni + (nv > noutputs ? nv - noutputs : 0);
}
static int pool_pop(gen *G) {
  pool_remove_used(G);
  if (G->phead >= G->ptail) return -1;
  return G->pool[G->phead++];
}

/* an active operand (index into val) */
static int pick(gen *G, int avoid) {
  double u = unit(&G->r);
  int v = -1;
  if (u < 0.30) v = pool_pop(G);
  if (v < 0 && u < 0.90 && G->nval > G->ni) {
    /* recent vertex: distance 1, 2, ... with probability ~ 0.55^d */
    int d = 1;
    while (d < G->nval - G->ni && unit(&G->r) < 0.45) d++;
    v = G->nval - d;
  }
  if (v < 0) v = below(&G->r, G->nval); /* anywhere, inputs included */
  if (v == avoid && G->nval > 1 && unit(&G->r) < 0.9) v = (v + G->nval - 1) % G->nval;
  return v;
}

static const double consts[] = {0.5, 2.0, 1.0, 3.0, 0.25, 1.5, 4.0, 0.1, 10.0, 0.7};

static int add_value(gen *G, int node, int positive, int bounded) {
  int k = G->nval++;
  G->bnd[k] = (char)bounded;
  G->val[k] = node;
  G->pos[k] = (char)positive;
  G->used[k] = 0;
  G->pool[G->ptail++] = k;
  return k;
}

static void use(gen *G, int k) {
  if (k >= 0) G->used[k] = 1;
}

/* one operation with active operand a (index into val) and optional active b (-1: a
   constant or none); forced: binary on both */
static void emit(gen *G, int a, int b, int forced) {
  ag_graph *g = G->g;
  rng64 *r = &G->r;
  int na = G->val[a], pa = G->pos[a], ba = G->bnd[a];
  int node, positive = 0, bounded = 0;
  double u = unit(r);
  if (forced || u < 0.62) {
    /* binary: second operand an active value or (30%) a constant */
    int nb, pb, bb = 1;
    if (b < 0 && unit(r) < 0.30) {
      double c = consts[below(r, (int)(sizeof consts / sizeof consts[0]))];
      nb = ag_graph_const(g, c);
      pb = 1;
    } else {
      if (b < 0) b = pick(G, a);
      nb = G->val[b];
      pb = G->pos[b];
      bb = G->bnd[b];
      use(G, b);
    }
    double w = unit(r);
    if (w < 0.32) {
      node = ag_graph_op(g, AG_OP_ADD, na, nb);
      positive = pa && pb;
      bounded = ba && bb;
    } else if (w < 0.50) {
      node = unit(r) < 0.5 ? ag_graph_op(g, AG_OP_SUB, na, nb) : ag_graph_op(g, AG_OP_SUB, nb, na);
      bounded = ba && bb;
    } else if (w < 0.85) {
      node = ag_graph_op(g, AG_OP_MUL, na, nb);
      positive = pa && pb;
    } else if (pb) {
      node = ag_graph_op(g, AG_OP_DIV, na, nb);
      positive = pa;
    } else if (pa) {
      node = ag_graph_op(g, AG_OP_DIV, nb, na);
      positive = 0;
    } else {
      node = ag_graph_op(g, AG_OP_MUL, na, nb);
    }
  } else {
    double w = unit(r);
    if (w < 0.14 && pa) {
      node = ag_graph_op(g, AG_OP_SQRT, na, -1);
      positive = 1;
    } else if (w < 0.24 && pa) {
      node = ag_graph_op(g, AG_OP_LOG, na, -1);
    } else if (w < 0.36 && ba) { /* exp of moderate values only: no overflow chains */
      node = ag_graph_op(g, AG_OP_EXP, na, -1);
      positive = 1;
    } else if (w < 0.48) {
      node = ag_graph_op(g, AG_OP_SIN, na, -1);
      bounded = 1;
    } else if (w < 0.60) {
      node = ag_graph_op(g, AG_OP_COS, na, -1);
      bounded = 1;
    } else if (w < 0.70) {
      node = ag_graph_ipow(g, na, 2 + below(r, 2));
      positive = 0;
    } else if (w < 0.78) {
      node = ag_graph_op(g, AG_OP_TANH, na, -1);
      bounded = 1;
    } else if (w < 0.85) {
      node = ag_graph_op(g, AG_OP_ATAN, na, -1);
      bounded = 1;
    } else if (w < 0.92) {
      node = ag_graph_op(g, AG_OP_NEG, na, -1);
      bounded = ba;
    } else {
      node = ag_graph_op(g, AG_OP_SQUARE, na, -1);
      positive = 0; /* x^2 >= 0 but may be 0: not safe under sqrt/log/division */
    }
  }
  use(G, a);
  add_value(G, node, positive, bounded);
}

ag_graph *ag_corpus_random(uint64_t seed, int ninputs, int nvertices, int noutputs) {
  if (ninputs < 1 || noutputs < 1 || nvertices < noutputs) return NULL;
  /* every input must be read (see the forcing rule below) */
  if (nvertices < ninputs) return NULL;
  char name[96];
  snprintf(name, sizeof name, "corpus-%llu-%d-%d-%d", (unsigned long long)seed, ninputs, nvertices,
           noutputs);
  gen G = {0};
  G.g = ag_graph_new(name);
  G.r.s = seed * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL + (uint64_t)ninputs * 1315423911u +
          (uint64_t)nvertices * 2654435761u + (uint64_t)noutputs;
  int cap = ninputs + nvertices + 1;
  G.val = ag_malloc((size_t)cap * sizeof(int));
  G.pos = ag_malloc((size_t)cap);
  G.bnd = ag_malloc((size_t)cap);
  G.used = ag_malloc((size_t)cap);
  G.pool = ag_malloc((size_t)cap * sizeof(int));
  G.ni = ninputs;
  /* inputs in a shuffled order in the pool, so that they are not read strictly in turn */
  int *perm = ag_malloc((size_t)ninputs * sizeof(int));
  for (int k = 0; k < ninputs; k++) perm[k] = k;
  for (int k = ninputs - 1; k > 0; k--) {
    int j = below(&G.r, k + 1), t = perm[k];
    perm[k] = perm[j];
    perm[j] = t;
  }
  for (int k = 0; k < ninputs; k++) ag_graph_input(G.g, k);
  for (int k = 0; k < ninputs; k++) {
    G.val[k] = ag_graph_input(G.g, k);
    G.pos[k] = 0;
    G.bnd[k] = 1;
    G.used[k] = 0;
  }
  G.nval = ninputs;
  for (int k = 0; k < ninputs; k++) G.pool[G.ptail++] = perm[k];
  free(perm);

  for (int i = 0; i < nvertices; i++) {
    int remaining = nvertices - i; /* this one included */
    int excess = pool_excess(&G, noutputs);
    /* a forced op lowers the excess by at least one (inputs are the oldest pool entries;
       two read, one made), an unforced one raises it by at most one: forcing once the
       excess reaches remaining - 1 ends with every input read and at most noutputs
       unused vertices (at excess 0 the forced op reads one unused value, which keeps the
       excess at 0) */
    if (excess >= remaining - 1) {
      int a = pool_pop(&G);
      if (a < 0) a = pick(&G, -1);
      use(&G, a);
      int b = -1;
      if (excess > 0) {
        b = pool_pop(&G);
        if (b < 0) b = pick(&G, a);
      }
      emit(&G, a, b, excess > 0);
    } else {
      int a = pick(&G, -1);
      emit(&G, a, -1, 0);
    }
  }
  /* outputs: the unused vertices (newest first), then recent vertices */
  char *isout = ag_calloc((size_t)G.nval, 1);
  int nout = 0;
  for (int k = G.nval - 1; k >= G.ni && nout < noutputs; k--)
    if (!G.used[k]) {
      isout[k] = 1;
      nout++;
    }
  for (int k = G.nval - 1; k >= G.ni && nout < noutputs; k--)
    if (!isout[k] && unit(&G.r) < 0.5) {
      isout[k] = 1;
      nout++;
    }
  for (int k = G.nval - 1; k >= G.ni && nout < noutputs; k--)
    if (!isout[k]) {
      isout[k] = 1;
      nout++;
    }
  for (int k = G.ni; k < G.nval; k++)
    if (isout[k]) ag_graph_output(G.g, G.val[k]);
  free(isout);
  free(G.val);
  free(G.pos);
  free(G.bnd);
  free(G.used);
  free(G.pool);
  ag_error err;
  if (ag_graph_finalize(G.g, &err)) {
    ag_graph_free(G.g);
    return NULL;
  }
  return G.g;
}
