/* Lower bounds on the cost-to-go of an elimination state: path bound (Menger cuts by unit
   max flow with vertex splitting) and group bound (exact DP over small groups). */
#include "mcts/bounds.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"

struct ag_bound_ws {
  const ag_dag *d;
  int n;
  int *fprev, *fnext; /* flow through vertex u: from fprev[u] to fnext[u]; -1 when none */
  int *queue, *par;   /* BFS over split nodes u*2 (in) and u*2+1 (out) */
  unsigned char *vis;
  int *path;
  uint64_t *tin, *tout, *term; /* terminals: inputs+outputs, outputs, scratch */
};

ag_bound_ws *ag_bound_ws_new(const ag_dag *d) {
  ag_bound_ws *w = ag_calloc(1, sizeof *w);
  w->d = d;
  w->n = d->n;
  int n = d->n;
  w->fprev = ag_malloc((size_t)(n + 1) * sizeof(int));
  w->fnext = ag_malloc((size_t)(n + 1) * sizeof(int));
  w->queue = ag_malloc((size_t)(2 * n + 2) * sizeof(int));
  w->par = ag_malloc((size_t)(2 * n + 2) * sizeof(int));
  w->path = ag_malloc((size_t)(2 * n + 2) * sizeof(int));
  w->vis = ag_malloc((size_t)(2 * n + 2));
  int W = (n + 63) / 64;
  w->tin = ag_calloc((size_t)3 * W + 1, sizeof(uint64_t));
  w->tout = w->tin + W;
  w->term = w->tout + W;
  for (int u = 0; u < n; u++) {
    uint64_t bit = 1ULL << (u & 63);
    if (u < d->ni || d->is_output[u]) w->tin[u >> 6] |= bit;
    if (d->is_output[u]) w->tout[u >> 6] |= bit;
  }
  return w;
}

void ag_bound_ws_free(ag_bound_ws *w) {
  if (!w) return;
  free(w->fprev);
  free(w->fnext);
  free(w->queue);
  free(w->par);
  free(w->path);
  free(w->vis);
  free(w->tin);
  free(w);
}

#define IN(u)  ((u)*2)
#define OUT(u) ((u)*2 + 1)

/* Most vertex-disjoint paths (sharing only v) from v along adj (the pred or succ bitsets of
   s) to a vertex of the bitset term. A target ends a path: it is never passed through.
   Vertices other than v carry one unit each. */
static int disjoint_paths(ag_bound_ws *w, const ag_elim *s, int v, const uint64_t *adj,
                          const uint64_t *term) {
  const int n = w->n, W = s->w;
#define TARGET(u) ((term[(u) >> 6] >> ((u)&63)) & 1)
  const uint64_t *av = adj + (size_t)v * W;
  int deg = ag_bits_count(av, W);
  if (deg == 0) return 0;
  int *fprev = w->fprev, *fnext = w->fnext;
  for (int u = 0; u < n; u++)
    fprev[u] = fnext[u] = -1;
  int flow = 0;
  /* neighbours of v that are targets: one path each */
  for (int i = 0; i < W; i++)
    for (uint64_t b = av[i]; b; b &= b - 1) {
      int u = i * 64 + __builtin_ctzll(b);
      if (TARGET(u)) fprev[u] = v, flow++;
    }
  while (flow < deg) {
    memset(w->vis, 0, (size_t)2 * n);
    int qh = 0, qt = 0, found = -1;
    w->queue[qt++] = OUT(v);
    w->vis[OUT(v)] = 1;
    w->par[OUT(v)] = -1;
    while (qh < qt && found < 0) {
      int node = w->queue[qh++], u = node >> 1;
      if (node & 1) { /* out side */
        if (u != v && TARGET(u)) continue;
        const uint64_t *au = adj + (size_t)u * W;
        for (int i = 0; i < W; i++)
          for (uint64_t b = au[i]; b; b &= b - 1) {
            int x = i * 64 + __builtin_ctzll(b);
            if (x == v) continue;
            if (u == v ? fprev[x] == v : fnext[u] == x) continue; /* saturated edge */
            if (w->vis[IN(x)]) continue;
            w->vis[IN(x)] = 1;
            w->par[IN(x)] = node;
            w->queue[qt++] = IN(x);
          }
        if (u != v && fprev[u] >= 0 && !w->vis[IN(u)]) { /* undo u's through flow */
          w->vis[IN(u)] = 1;
          w->par[IN(u)] = node;
          w->queue[qt++] = IN(u);
        }
      } else { /* in side */
        if (fprev[u] < 0) {
          if (TARGET(u)) {
            found = node;
            break;
          }
          if (!w->vis[OUT(u)]) {
            w->vis[OUT(u)] = 1;
            w->par[OUT(u)] = node;
            w->queue[qt++] = OUT(u);
          }
        } else {
          int p = fprev[u]; /* cancel the flow edge p -> u */
          if (p != v && !w->vis[OUT(p)]) {
            w->vis[OUT(p)] = 1;
            w->par[OUT(p)] = node;
            w->queue[qt++] = OUT(p);
          }
        }
      }
    }
    if (found < 0) break;
    int len = 0;
    for (int x = found; x >= 0; x = w->par[x])
      w->path[len++] = x;
    /* path[len-1] = OUT(v) ... path[0] = IN(target) */
    for (int k = len - 1; k > 0; k--) {
      int a = w->path[k], b = w->path[k - 1], ua = a >> 1, ub = b >> 1;
      if (ua == ub) continue; /* internal arc: usage follows from fprev */
      if (a & 1) {            /* forward edge ua -> ub */
        fprev[ub] = ua;
        if (ua != v) fnext[ua] = ub;
      } else { /* a = IN(ua), b = OUT(ub): cancel ub -> ua */
        if (fnext[ub] == ua) fnext[ub] = -1;
        if (fprev[ua] == ub) fprev[ua] = -1;
      }
    }
    flow++;
  }
#undef TARGET
  return flow;
}

/* Terminal sets: vertices that are never eliminated (inputs, outputs) plus `extra` (vertices
   known to be still present when v is eliminated; may be NULL). */
static const uint64_t *terminals(ag_bound_ws *w, const uint64_t *base, const uint64_t *extra,
                                 int W) {
  if (!extra) return base;
  for (int i = 0; i < W; i++)
    w->term[i] = base[i] | extra[i];
  return w->term;
}

static int kin_ext(ag_bound_ws *w, const ag_elim *s, int v, const uint64_t *extra) {
  return disjoint_paths(w, s, v, s->pred, terminals(w, w->tin, extra, s->w));
}

static int kout_ext(ag_bound_ws *w, const ag_elim *s, int v, const uint64_t *extra) {
  return disjoint_paths(w, s, v, s->succ, terminals(w, w->tout, extra, s->w));
}

static long vertex_ext(ag_bound_ws *w, const ag_elim *s, int v, const uint64_t *extra) {
  int a = kin_ext(w, s, v, extra);
  if (a == 0) return 0;
  return (long)a * kout_ext(w, s, v, extra);
}

int ag_bound_kin(ag_bound_ws *w, const ag_elim *s, int v) { return kin_ext(w, s, v, NULL); }

int ag_bound_kout(ag_bound_ws *w, const ag_elim *s, int v) { return kout_ext(w, s, v, NULL); }

long ag_bound_vertex(ag_bound_ws *w, const ag_elim *s, int v) { return vertex_ext(w, s, v, NULL); }

long ag_bound_paths_ws(ag_bound_ws *w, const ag_elim *s, long *per_vertex) {
  long sum = 0;
  for (int v = 0; v < s->n; v++) {
    long b = ag_elim_eliminable(s, v) ? ag_bound_vertex(w, s, v) : 0;
    if (per_vertex) per_vertex[v] = b;
    sum += b;
  }
  return sum;
}

long ag_bound_paths(const ag_dag *d, const ag_elim *s) {
  ag_bound_ws *w = ag_bound_ws_new(d);
  long b = ag_bound_paths_ws(w, s, NULL);
  ag_bound_ws_free(w);
  return b;
}

/* ---- group bound ---- */

/* v's relatives inside a group: bit j of the result is set when g[j] is an ancestor
   (dir = 0) or a descendant (dir = 1) of v in state s. */
static unsigned relatives(const ag_elim *s, int v, const int *g, int m, int dir, int *stack,
                          unsigned char *seen) {
  const uint64_t *adj = dir ? s->succ : s->pred;
  memset(seen, 0, (size_t)s->n);
  int sp = 0;
  stack[sp++] = v;
  seen[v] = 1;
  while (sp) {
    int u = stack[--sp];
    const uint64_t *au = adj + (size_t)u * s->w;
    for (int i = 0; i < s->w; i++)
      for (uint64_t b = au[i]; b; b &= b - 1) {
        int x = i * 64 + __builtin_ctzll(b);
        if (!seen[x]) seen[x] = 1, stack[sp++] = x;
      }
  }
  unsigned r = 0;
  for (int j = 0; j < m; j++)
    if (g[j] != v && seen[g[j]]) r |= 1u << j;
  return r;
}

/* Bits of x selected by mask, packed to the low end (software pext). */
static unsigned pack_bits(unsigned x, unsigned mask) {
  unsigned r = 0;
  for (int k = 0; mask; mask &= mask - 1, k++)
    if (x & mask & -mask) r |= 1u << k;
  return r;
}

/* kin (dir 0) or kout (dir 1) of g[i] when, of its group relatives rel, those in the packed
   subset sub are gone and the others present. Eliminating vertices that are not ancestors
   (descendants) of g[i] changes neither kin (kout) nor is needed for the bound: the bound
   only needs the eliminated set to be a subset of what is gone when g[i] goes. The
   relatives still present are terminals: they are there when g[i] goes. */
static int cond_k(ag_bound_ws *w, const ag_elim *s, const int *g, int m, int i, unsigned rel,
                  unsigned sub, int dir, ag_elim *tmp, uint64_t *extra) {
  ag_elim_copy(tmp, s);
  memset(extra, 0, (size_t)s->w * sizeof(uint64_t));
  int k = 0;
  for (int j = 0; j < m; j++) {
    if (!(rel >> j & 1)) continue;
    if (sub >> k & 1)
      ag_elim_step(tmp, g[j]);
    else
      extra[g[j] >> 6] |= 1ULL << (g[j] & 63);
    k++;
  }
  return dir ? kout_ext(w, tmp, g[i], extra) : kin_ext(w, tmp, g[i], extra);
}

/* Backward DP over the subsets of group g (m <= AG_BOUND_MAX_GROUP members, all eliminable
   in s): rdp[b] = the least sum, over the orders of the members not in b, of each one's
   conditional bound given b and the members before it gone and the members after it
   present. rdp[0] is the group's bound from s. Returns rdp[0]; *table (if non-NULL) gets
   the malloc'ed table of 2^m entries. */
static long group_dp(ag_bound_ws *w, const ag_elim *s, const int *g, int m, ag_elim *tmp,
                     long **table) {
  size_t nsub = (size_t)1 << m;
  uint64_t *extra = ag_calloc((size_t)s->w, sizeof(uint64_t));
  int *stack = ag_malloc((size_t)s->n * sizeof(int));
  unsigned char *seen = ag_malloc((size_t)s->n);
  unsigned rel[2][AG_BOUND_MAX_GROUP];
  int *memo[2][AG_BOUND_MAX_GROUP];
  for (int dir = 0; dir < 2; dir++)
    for (int i = 0; i < m; i++) {
      rel[dir][i] = relatives(s, g[i], g, m, dir, stack, seen);
      size_t sz = (size_t)1 << __builtin_popcount(rel[dir][i]);
      memo[dir][i] = ag_malloc(sz * sizeof(int));
      for (size_t k = 0; k < sz; k++)
        memo[dir][i][k] = -1;
    }
  /* pext(b, rel) by three byte lookups: packed bits of each byte of b under rel, shifted
     by the relatives below that byte */
  uint32_t(*pk)[3][256] = ag_malloc((size_t)2 * m * sizeof *pk);
  for (int dir = 0; dir < 2; dir++)
    for (int i = 0; i < m; i++)
      for (int c = 0; c < 3; c++) {
        unsigned cm = (rel[dir][i] >> (8 * c)) & 255u;
        int off = __builtin_popcount(rel[dir][i] & ((1u << (8 * c)) - 1));
        for (unsigned x = 0; x < 256; x++)
          pk[dir * m + i][c][x] = pack_bits(x, cm) << off;
      }
  long *rdp = ag_malloc(nsub * sizeof(long));
  rdp[nsub - 1] = 0;
  for (size_t b = nsub - 1; b-- > 0;) {
    long best = -1;
    unsigned b0 = (unsigned)b & 255u, b1 = ((unsigned)b >> 8) & 255u,
             b2 = ((unsigned)b >> 16) & 255u;
    for (unsigned free_ = (unsigned)(~b & (nsub - 1)); free_; free_ &= free_ - 1) {
      int i = __builtin_ctz(free_);
      int kk[2];
      for (int dir = 0; dir < 2; dir++) {
        const uint32_t(*t)[256] = pk[dir * m + i];
        unsigned sub = t[0][b0] | t[1][b1] | t[2][b2];
        int *e = &memo[dir][i][sub];
        if (*e < 0) *e = cond_k(w, s, g, m, i, rel[dir][i], sub, dir, tmp, extra);
        kk[dir] = *e;
      }
      long c = (long)kk[0] * kk[1] + rdp[b | (size_t)1 << i];
      if (best < 0 || c < best) best = c;
    }
    rdp[b] = best;
  }
  free(pk);
  long r = rdp[0];
  for (int dir = 0; dir < 2; dir++)
    for (int i = 0; i < m; i++)
      free(memo[dir][i]);
  free(stack);
  free(seen);
  free(extra);
  if (table)
    *table = rdp;
  else
    free(rdp);
  return r;
}

long ag_bound_group_exact(ag_bound_ws *w, const ag_elim *s, const int *g, int m) {
  if (m > AG_BOUND_MAX_GROUP) { /* too large for the DP: the members' own bounds */
    long sum = 0;
    for (int i = 0; i < m; i++)
      sum += ag_bound_vertex(w, s, g[i]);
    return sum;
  }
  ag_elim *tmp = ag_elim_new(w->d);
  long r = group_dp(w, s, g, m, tmp, NULL);
  ag_elim_free(tmp);
  return r;
}

/* Agglomerative grouping. Start from singletons; a candidate merge joins the groups of the
   two ends of an edge between eliminable vertices; its gain is the merged group's DP value
   minus the two groups' values. Repeatedly apply the best candidate with gain >= 0 (ties:
   smaller merged group, then lower vertex numbers) while the merged size is within
   max_group. Zero-gain merges are allowed: larger groups can gain where no part does. Any
   partition is valid, so the process may stop at any time (deadline). */
ag_group_bound *ag_group_bound_build(const ag_dag *d, const ag_elim *s, int max_group,
                                     double time_limit) {
  double t0 = ag_now();
  if (max_group > AG_BOUND_MAX_GROUP) max_group = AG_BOUND_MAX_GROUP;
  if (max_group < 1) max_group = 1;
  const int n = s->n, W = s->w;
  ag_group_bound *gb = ag_calloc(1, sizeof *gb);
  gb->n = n;
  gb->group_of = ag_malloc((size_t)n * sizeof(int));
  for (int v = 0; v < n; v++)
    gb->group_of[v] = -1;
  ag_bound_ws *w = ag_bound_ws_new(d);
  ag_elim *tmp = ag_elim_new(d);
  long *c0 = ag_malloc((size_t)n * sizeof(long));
  long base = ag_bound_paths_ws(w, s, c0);
  /* union-find over elimination indices; per root: size, member list, value, version */
  int *root = ag_malloc((size_t)n * sizeof(int)), *size = ag_malloc((size_t)n * sizeof(int));
  int *next = ag_malloc((size_t)n * sizeof(int)); /* member lists, -1 terminated */
  long *val = ag_calloc((size_t)n, sizeof(long));
  int *ver = ag_calloc((size_t)n, sizeof(int));
  for (int v = 0; v < n; v++)
    root[v] = v, size[v] = 1, next[v] = -1;
  /* edges between eliminable vertices of s */
  int ne = 0, cap = 64;
  int *eu = ag_malloc((size_t)cap * sizeof(int)), *ev = ag_malloc((size_t)cap * sizeof(int));
  for (int v = 0; v < n; v++) {
    if (!ag_elim_eliminable(s, v)) continue;
    const uint64_t *pv = s->pred + (size_t)v * W;
    for (int i = 0; i < W; i++)
      for (uint64_t b = pv[i]; b; b &= b - 1) {
        int u = i * 64 + __builtin_ctzll(b);
        if (!ag_elim_eliminable(s, u)) continue;
        if (ne == cap) {
          cap *= 2;
          eu = ag_realloc(eu, (size_t)cap * sizeof(int));
          ev = ag_realloc(ev, (size_t)cap * sizeof(int));
        }
        eu[ne] = u, ev[ne] = v, ne++;
      }
  }
  long *cval = ag_malloc((size_t)(ne + 1) * sizeof(long));
  int *cva = ag_malloc((size_t)(ne + 1) * sizeof(int)),
      *cvb = ag_malloc((size_t)(ne + 1) * sizeof(int));
  for (int e = 0; e < ne; e++)
    cva[e] = cvb[e] = -1;
  int grp[AG_BOUND_MAX_GROUP];
  int stopped = 0, stamp = 0;
  for (;;) {
    long best_gain = -1;
    int best_e = -1, best_sz = 0, best_lo = 0;
    for (int e = 0; e < ne; e++) {
      int a = root[eu[e]], b = root[ev[e]];
      if (a == b || size[a] + size[b] > max_group) continue;
      if (a > b) {
        int t = a;
        a = b;
        b = t;
      }
      if (cva[e] != ver[a] || cvb[e] != ver[b]) {
        if (time_limit > 0 && ag_now() - t0 > time_limit) {
          stopped = 1;
          break;
        }
        int m = 0;
        long sum0 = 0;
        for (int x = a; x >= 0; x = next[x])
          grp[m++] = x, sum0 += c0[x];
        for (int x = b; x >= 0; x = next[x])
          grp[m++] = x, sum0 += c0[x];
        cval[e] = group_dp(w, s, grp, m, tmp, NULL) - sum0;
        cva[e] = ver[a], cvb[e] = ver[b];
      }
      long gain = cval[e] - val[a] - val[b];
      int sz = size[a] + size[b];
      if (gain > best_gain ||
          (gain == best_gain && (sz < best_sz || (sz == best_sz && a < best_lo))))
        best_gain = gain, best_e = e, best_sz = sz, best_lo = a;
    }
    if (stopped || best_e < 0) break;
    int a = root[eu[best_e]], b = root[ev[best_e]];
    if (a > b) {
      int t = a;
      a = b;
      b = t;
    }
    val[a] = cval[best_e];
    int last = a;
    while (next[last] >= 0)
      last = next[last];
    next[last] = b;
    for (int x = b; x >= 0; x = next[x])
      root[x] = a;
    size[a] += size[b];
    ver[a] = ++stamp; /* cached gains involving a are stale */
  }
  /* final groups: tables */
  for (int v = 0; v < n; v++)
    if (ag_elim_eliminable(s, v) && root[v] == v && size[v] >= 2) gb->ngroups++;
  gb->gsize = ag_malloc((size_t)(gb->ngroups + 1) * sizeof(int));
  gb->members = ag_malloc((size_t)(gb->ngroups + 1) * sizeof(int *));
  gb->rdp = ag_malloc((size_t)(gb->ngroups + 1) * sizeof(long *));
  long total = base;
  int k = 0;
  for (int v = 0; v < n; v++) {
    if (!(ag_elim_eliminable(s, v) && root[v] == v && size[v] >= 2)) continue;
    int m = 0;
    long sum0 = 0;
    gb->members[k] = ag_malloc((size_t)size[v] * sizeof(int));
    for (int x = v; x >= 0; x = next[x]) {
      gb->members[k][m++] = x, sum0 += c0[x];
      gb->group_of[x] = k;
    }
    gb->gsize[k] = m;
    total += group_dp(w, s, gb->members[k], m, tmp, &gb->rdp[k]) - sum0;
    k++;
  }
  gb->root_bound = total;
  gb->root_paths = base;
  free(cval);
  free(cva);
  free(cvb);
  free(eu);
  free(ev);
  free(root);
  free(size);
  free(next);
  free(val);
  free(ver);
  free(c0);
  ag_elim_free(tmp);
  ag_bound_ws_free(w);
  return gb;
}

void ag_group_bound_free(ag_group_bound *gb) {
  if (!gb) return;
  for (int k = 0; k < gb->ngroups; k++) {
    free(gb->members[k]);
    free(gb->rdp[k]);
  }
  free(gb->members);
  free(gb->rdp);
  free(gb->gsize);
  free(gb->group_of);
  free(gb);
}

long ag_group_term(const ag_group_bound *gb, int k, const ag_elim *s, const long *per_vertex) {
  const int *g = gb->members[k];
  size_t mask = 0;
  long sum = 0;
  for (int i = 0; i < gb->gsize[k]; i++) {
    if ((s->removed[g[i] >> 6] >> (g[i] & 63)) & 1)
      mask |= (size_t)1 << i;
    else
      sum += per_vertex[g[i]];
  }
  long r = gb->rdp[k][mask];
  return r > sum ? r : sum;
}

long ag_group_bound_eval(const ag_group_bound *gb, const ag_elim *s, const long *per_vertex) {
  long h = 0;
  for (int v = 0; v < gb->n; v++)
    if (gb->group_of[v] < 0 && ag_elim_eliminable(s, v)) h += per_vertex[v];
  for (int k = 0; k < gb->ngroups; k++) {
    h += ag_group_term(gb, k, s, per_vertex);
  }
  return h;
}

long ag_bound_groups(const ag_dag *d, const ag_elim *s, int max_group) {
  ag_group_bound *gb = ag_group_bound_build(d, s, max_group, 0);
  long r = gb->root_bound;
  ag_group_bound_free(gb);
  return r;
}
