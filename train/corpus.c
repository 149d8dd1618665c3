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
#include "train/corpus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rng.h"

typedef struct {
  uint64_t s;
} rng64;

static uint64_t next64(rng64 *r) { return ag_splitmix(&r->s); }
static double unit(rng64 *r) { return (double)(next64(r) >> 11) * (1.0 / 9007199254740992.0); }
static int below(rng64 *r, int n) { return n > 0 ? (int)(next64(r) % (uint64_t)n) : 0; }

typedef struct {
  ag_graph *g;
  rng64 r;
  int *val;   /* active values in creation order: node indices (inputs first) */
  char *pos;  /* per value: positive by construction */
  char *bnd;  /* per value: of moderate size (inputs, sin, cos, tanh, atan, sums of them) */
  char *used; /* per value: read by some operation */
  int nval, ni;
  int *pool; /* unused values (indices into val), FIFO */
  int phead, ptail;
} gen;

static void pool_remove_used(gen *G) {
  while (G->phead < G->ptail && G->used[G->pool[G->phead]])
    G->phead++;
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
    while (d < G->nval - G->ni && unit(&G->r) < 0.45)
      d++;
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
  for (int k = 0; k < ninputs; k++)
    perm[k] = k;
  for (int k = ninputs - 1; k > 0; k--) {
    int j = below(&G.r, k + 1), t = perm[k];
    perm[k] = perm[j];
    perm[j] = t;
  }
  for (int k = 0; k < ninputs; k++)
    ag_graph_input(G.g, k);
  for (int k = 0; k < ninputs; k++) {
    G.val[k] = ag_graph_input(G.g, k);
    G.pos[k] = 0;
    G.bnd[k] = 1;
    G.used[k] = 0;
  }
  G.nval = ninputs;
  for (int k = 0; k < ninputs; k++)
    G.pool[G.ptail++] = perm[k];
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

/* ---- large realistic kernels (held-out evaluation) ---- */

static int op2(ag_graph *g, ag_op op, int a, int b) { return ag_graph_op(g, op, a, b); }
static int kc(ag_graph *g, double c) { return ag_graph_const(g, c); }

static ag_graph *finish(ag_graph *g) {
  ag_error err;
  if (ag_graph_finalize(g, &err)) {
    ag_graph_free(g);
    return NULL;
  }
  return g;
}

/* Harten's entropy fix: |l| when |l| >= d, else (l^2 + d^2) / (2 d), written as in
   examples/cfd/sod_kernels.c: a + (d - min(a, d))^2 / (2 d) */
static int absfix(ag_graph *g, int l, int d) {
  int a = op2(g, AG_OP_FABS, l, -1);
  int m = op2(g, AG_OP_FMIN, a, d);
  int t = op2(g, AG_OP_SUB, d, m);
  int t2 = op2(g, AG_OP_MUL, t, t);
  int dd = op2(g, AG_OP_MUL, kc(g, 2.0), d);
  return op2(g, AG_OP_ADD, a, op2(g, AG_OP_DIV, t2, dd));
}

ag_graph *ag_corpus_roe_stencil(int ncells) {
  if (ncells < 3) return NULL;
  const double gam = 1.4, efix = 0.1, inv_dx = 64.0;
  char name[64];
  snprintf(name, sizeof name, "roe-stencil-%d", ncells);
  ag_graph *g = ag_graph_new(name);
  typedef struct {
    int r, m, e, v, p, h, sq, f[3];
  } cell;
  cell *c = ag_malloc((size_t)ncells * sizeof(cell));
  for (int i = 0; i < ncells; i++) { /* cell loop */
    cell *C = &c[i];
    C->r = ag_graph_input(g, 3 * i);
    C->m = ag_graph_input(g, 3 * i + 1);
    C->e = ag_graph_input(g, 3 * i + 2);
    C->v = op2(g, AG_OP_DIV, C->m, C->r);
    /* p = (gam - 1) (E - m^2 / (2 rho)) */
    int ke = op2(g, AG_OP_MUL, kc(g, 0.5), op2(g, AG_OP_MUL, C->m, C->v));
    C->p = op2(g, AG_OP_MUL, kc(g, gam - 1.0), op2(g, AG_OP_SUB, C->e, ke));
    int ep = op2(g, AG_OP_ADD, C->e, C->p);
    C->h = op2(g, AG_OP_DIV, ep, C->r);
    C->sq = op2(g, AG_OP_SQRT, C->r, -1);
    C->f[0] = C->m;
    C->f[1] = op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, C->m, C->v), C->p);
    C->f[2] = op2(g, AG_OP_MUL, ep, C->v);
  }
  int(*flux)[3] = ag_malloc((size_t)(ncells - 1) * sizeof *flux);
  for (int i = 0; i + 1 < ncells; i++) { /* face loop: Roe flux between cells i, i+1 */
    cell *L = &c[i], *R = &c[i + 1];
    int ssum = op2(g, AG_OP_ADD, L->sq, R->sq);
    int rho = op2(g, AG_OP_MUL, L->sq, R->sq);
    int u = op2(g, AG_OP_DIV,
                op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, L->sq, L->v), op2(g, AG_OP_MUL, R->sq, R->v)),
                ssum);
    int h = op2(g, AG_OP_DIV,
                op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, L->sq, L->h), op2(g, AG_OP_MUL, R->sq, R->h)),
                ssum);
    int uu = op2(g, AG_OP_MUL, u, u);
    int huu = op2(g, AG_OP_SUB, h, op2(g, AG_OP_MUL, kc(g, 0.5), uu));
    int a2 = op2(g, AG_OP_MUL, kc(g, gam - 1.0), huu);
    int a = op2(g, AG_OP_SQRT, a2, -1);
    int dr = op2(g, AG_OP_SUB, R->r, L->r), dv = op2(g, AG_OP_SUB, R->v, L->v);
    int dp = op2(g, AG_OP_SUB, R->p, L->p);
    int rad = op2(g, AG_OP_MUL, op2(g, AG_OP_MUL, rho, a), dv);
    int twoa2 = op2(g, AG_OP_MUL, kc(g, 2.0), a2);
    int al1 = op2(g, AG_OP_DIV, op2(g, AG_OP_SUB, dp, rad), twoa2);
    int al2 = op2(g, AG_OP_SUB, dr, op2(g, AG_OP_DIV, dp, a2));
    int al3 = op2(g, AG_OP_DIV, op2(g, AG_OP_ADD, dp, rad), twoa2);
    int d = op2(g, AG_OP_MUL, kc(g, efix), a);
    int uma = op2(g, AG_OP_SUB, u, a), upa = op2(g, AG_OP_ADD, u, a);
    int w1 = op2(g, AG_OP_MUL, absfix(g, uma, d), al1);
    int w2 = op2(g, AG_OP_MUL, absfix(g, u, d), al2);
    int w3 = op2(g, AG_OP_MUL, absfix(g, upa, d), al3);
    int ua = op2(g, AG_OP_MUL, u, a);
    int dis[3];
    dis[0] = op2(g, AG_OP_ADD, op2(g, AG_OP_ADD, w1, w2), w3);
    dis[1] =
        op2(g, AG_OP_ADD, op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, w1, uma), op2(g, AG_OP_MUL, w2, u)),
            op2(g, AG_OP_MUL, w3, upa));
    dis[2] = op2(g, AG_OP_ADD,
                 op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, w1, op2(g, AG_OP_SUB, h, ua)),
                     op2(g, AG_OP_MUL, op2(g, AG_OP_MUL, w2, kc(g, 0.5)), uu)),
                 op2(g, AG_OP_MUL, w3, op2(g, AG_OP_ADD, h, ua)));
    for (int k = 0; k < 3; k++)
      flux[i][k] = op2(g, AG_OP_MUL, kc(g, 0.5),
                       op2(g, AG_OP_SUB, op2(g, AG_OP_ADD, L->f[k], R->f[k]), dis[k]));
  }
  for (int i = 1; i + 1 < ncells; i++) /* residual of the interior cells */
    for (int k = 0; k < 3; k++)
      ag_graph_output(
          g, op2(g, AG_OP_MUL, op2(g, AG_OP_SUB, flux[i][k], flux[i - 1][k]), kc(g, inv_dx)));
  free(c);
  free(flux);
  return finish(g);
}

/* Robot chain: expressions with structural zeros and ones folded (Z, O below), so that
   R = identity at the base and twists of 0 or pi/2 make no vertices for zero terms. */
enum { SZ = -2, SO = -3 };
static int rc_const(ag_graph *g, double v) {
  if (v == 0.0) return SZ;
  if (v == 1.0) return SO;
  return kc(g, v);
}
static int rc_mul(ag_graph *g, int a, int b) {
  if (a == SZ || b == SZ) return SZ;
  if (a == SO) return b;
  if (b == SO) return a;
  return op2(g, AG_OP_MUL, a, b);
}
static int rc_add(ag_graph *g, int a, int b) {
  if (a == SZ) return b;
  if (b == SZ) return a;
  if (a == SO) a = kc(g, 1.0);
  if (b == SO) b = kc(g, 1.0);
  return op2(g, AG_OP_ADD, a, b);
}
static int rc_neg(ag_graph *g, int a) {
  if (a == SZ) return SZ;
  if (a == SO) return kc(g, -1.0);
  return op2(g, AG_OP_NEG, a, -1);
}
static int rc_node(ag_graph *g, int a) { /* a real node for an output */
  if (a == SZ) return kc(g, 0.0);
  if (a == SO) return kc(g, 1.0);
  return a;
}

ag_graph *ag_corpus_robot_chain(int njoints, uint64_t seed) {
  if (njoints < 1) return NULL;
  char name[64];
  snprintf(name, sizeof name, "robot-chain-%d-%llu", njoints, (unsigned long long)seed);
  ag_graph *g = ag_graph_new(name);
  rng64 r = {seed * 0x9e3779b97f4a7c15ULL + (uint64_t)njoints * 0x632be59bd9b4e019ULL + 77};
  int R[3][3], p[3];
  for (int i = 0; i < 3; i++) {
    p[i] = SZ;
    for (int j = 0; j < 3; j++)
      R[i][j] = i == j ? SO : SZ;
  }
  for (int k = 0; k < njoints; k++) {
    double u = unit(&r);
    /* twist: 0 (parallel axes), +-pi/2 (the common case), or a generic angle */
    double ca, sa;
    if (u < 0.25)
      ca = 1, sa = 0;
    else if (u < 0.5)
      ca = 0, sa = 1;
    else if (u < 0.75)
      ca = 0, sa = -1;
    else {
      double al = 0.3 + 2.0 * unit(&r);
      ca = cos(al), sa = sin(al);
    }
    double a = unit(&r) < 0.6 ? 0.1 + 0.4 * unit(&r) : 0.0;
    double dd = unit(&r) < 0.5 ? 0.05 + 0.3 * unit(&r) : 0.0;
    int q = ag_graph_input(g, k);
    int c = op2(g, AG_OP_COS, q, -1), s = op2(g, AG_OP_SIN, q, -1);
    int kca = rc_const(g, ca), ksa = rc_const(g, sa);
    /* A = Rz(q) Rx(alpha) = [[c, -s ca, s sa], [s, c ca, -c sa], [0, sa, ca]] */
    int A[3][3] = {{c, rc_neg(g, rc_mul(g, s, kca)), rc_mul(g, s, ksa)},
                   {s, rc_mul(g, c, kca), rc_neg(g, rc_mul(g, c, ksa))},
                   {SZ, ksa, kca}};
    int ka = rc_const(g, a);
    int t[3] = {rc_mul(g, ka, c), rc_mul(g, ka, s), rc_const(g, dd)};
    int np[3], nR[3][3];
    for (int i = 0; i < 3; i++) {
      int acc = p[i];
      for (int j = 0; j < 3; j++)
        acc = rc_add(g, acc, rc_mul(g, R[i][j], t[j]));
      np[i] = acc;
      for (int j = 0; j < 3; j++) {
        int e = SZ;
        for (int l = 0; l < 3; l++)
          e = rc_add(g, e, rc_mul(g, R[i][l], A[l][j]));
        nR[i][j] = e;
      }
    }
    memcpy(p, np, sizeof p);
    memcpy(R, nR, sizeof R);
  }
  for (int i = 0; i < 3; i++)
    ag_graph_output(g, rc_node(g, p[i]));
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      ag_graph_output(g, rc_node(g, R[i][j]));
  return finish(g);
}

ag_graph *ag_corpus_spring_net(int nx, int ny, uint64_t seed) {
  if (nx < 2 || ny < 2) return NULL;
  char name[64];
  snprintf(name, sizeof name, "spring-net-%dx%d-%llu", nx, ny, (unsigned long long)seed);
  ag_graph *g = ag_graph_new(name);
  rng64 r = {seed * 0xbf58476d1ce4e5b9ULL + (uint64_t)(nx * 1000 + ny) * 0x94d049bb133111ebULL + 5};
  int nn = nx * ny;
  int *X = ag_malloc((size_t)nn * sizeof(int)), *Y = ag_malloc((size_t)nn * sizeof(int));
  int *FX = ag_malloc((size_t)nn * sizeof(int)), *FY = ag_malloc((size_t)nn * sizeof(int));
  for (int i = 0; i < nn; i++) {
    X[i] = ag_graph_input(g, 2 * i);
    Y[i] = ag_graph_input(g, 2 * i + 1);
    FX[i] = FY[i] = -1;
  }
  /* springs in assembly order: per cell (j, i), the right and up springs of its lower-left
     node and a diagonal; then the last row and column */
  int cap = 3 * nn + 4, ns = 0;
  int(*spr)[2] = ag_malloc((size_t)cap * sizeof *spr);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      int n0 = j * nx + i;
      if (i + 1 < nx) spr[ns][0] = n0, spr[ns++][1] = n0 + 1;
      if (j + 1 < ny) spr[ns][0] = n0, spr[ns++][1] = n0 + nx;
      if (i + 1 < nx && j + 1 < ny) {
        if (unit(&r) < 0.5)
          spr[ns][0] = n0, spr[ns++][1] = n0 + nx + 1;
        else
          spr[ns][0] = n0 + 1, spr[ns++][1] = n0 + nx;
      }
    }
  for (int k = 0; k < ns; k++) {
    int a = spr[k][0], b = spr[k][1];
    int ia = a % nx, ja = a / nx, ib = b % nx, jb = b / nx;
    double l0 = sqrt((double)((ia - ib) * (ia - ib) + (ja - jb) * (ja - jb)));
    double stiff = 0.5 + unit(&r);
    int dx = op2(g, AG_OP_SUB, X[b], X[a]), dy = op2(g, AG_OP_SUB, Y[b], Y[a]);
    int L = op2(g, AG_OP_SQRT,
                op2(g, AG_OP_ADD, op2(g, AG_OP_MUL, dx, dx), op2(g, AG_OP_MUL, dy, dy)), -1);
    int strain = op2(g, AG_OP_LOG, op2(g, AG_OP_MUL, L, kc(g, 1.0 / l0)), -1);
    int f = op2(g, AG_OP_DIV, op2(g, AG_OP_MUL, kc(g, stiff), strain), L);
    int fx = op2(g, AG_OP_MUL, f, dx), fy = op2(g, AG_OP_MUL, f, dy);
    /* node a is pulled towards b (+f d), node b towards a (-f d) */
    FX[a] = FX[a] < 0 ? fx : op2(g, AG_OP_ADD, FX[a], fx);
    FY[a] = FY[a] < 0 ? fy : op2(g, AG_OP_ADD, FY[a], fy);
    FX[b] = FX[b] < 0 ? op2(g, AG_OP_NEG, fx, -1) : op2(g, AG_OP_SUB, FX[b], fx);
    FY[b] = FY[b] < 0 ? op2(g, AG_OP_NEG, fy, -1) : op2(g, AG_OP_SUB, FY[b], fy);
  }
  for (int i = 0; i < nn; i++) {
    ag_graph_output(g, FX[i]);
    ag_graph_output(g, FY[i]);
  }
  free(X);
  free(Y);
  free(FX);
  free(FY);
  free(spr);
  return finish(g);
}

ag_graph *ag_corpus_large_training(int c) {
  if (c < 0) return NULL;
  static const int spring_nx[3] = {3, 4, 3}, spring_ny[3] = {3, 2, 2};
  int k = c / 3;
  switch (c % 3) {
  case 0: return ag_corpus_roe_stencil(k == 0 ? 3 : 4 + k); /* 3, 5, 6, 7, ...: never 4 */
  case 1: return ag_corpus_robot_chain(4 + k % 4, 100 + (uint64_t)k);
  default: return ag_corpus_spring_net(spring_nx[k % 3], spring_ny[k % 3], 100 + (uint64_t)k);
  }
}
