/* Monte Carlo tree search over the elimination game (see mcts.h for the design). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jacobian/alloc.h"
#include "jacobian/orders.h"
#include "mcts/mcts.h"
#include "mcts/search_internal.h"

/* ---- evaluators ---- */

static double uniform_eval(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                           float *prior) {
  (void)ctx, (void)d, (void)s, (void)actions;
  for (int k = 0; k < n; k++) prior[k] = 1.0f;
  return -1;
}

static double heuristic_eval(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions,
                             int n, float *prior) {
  (void)ctx, (void)d;
  long lo = -1, hi = 0;
  for (int k = 0; k < n; k++) {
    long c = ag_elim_markowitz(s, actions[k]);
    prior[k] = (float)c;
    if (lo < 0 || c < lo) lo = c;
    if (c > hi) hi = c;
  }
  double tau = fmax(1.0, (double)(hi - lo) / 4.0);
  for (int k = 0; k < n; k++) prior[k] = (float)exp(-((double)prior[k] - (double)lo) / tau);
  return -1;
}

const ag_mcts_evaluator ag_mcts_uniform = {"uniform", uniform_eval, NULL, NULL};
const ag_mcts_evaluator ag_mcts_heuristic = {"heuristic", heuristic_eval, NULL, NULL};

void ag_mcts_params_default(ag_mcts_params *p) {
  p->evaluator = &ag_mcts_heuristic;
  p->sims_per_move = 200;
  p->c_puct = 1.5;
  p->mean_weight = 0.5;
  p->max_memory = (size_t)512 << 20;
  p->on_move = NULL;
  p->move_ctx = NULL;
  p->leaf_batch = 1;
}

/* ---- tree ---- */

typedef struct {
  uint64_t key;
  uint64_t *set; /* eliminated set, w words: collision check */
  int nact, visits, vtot; /* vtot: the sum of vl[] */
  int *act, *child, *n;
  int *vl; /* virtual losses: simulations of the current batch through the edge */
  float *prior;
  double *sum, *best;
} node;

typedef struct {
  const ag_dag *d;
  const ag_mcts_params *p;
  int w;
  node **nodes;
  int nnodes, capnodes;
  int *table; /* open addressing over node indices, -1 empty */
  size_t tcap;
  size_t memory;
  float *prior_buf;
  int *act_buf;
} tree;

static uint64_t set_key(const uint64_t *set, int w) {
  uint64_t h = 0x243f6a8885a308d3ULL;
  for (int i = 0; i < w; i++) {
    h ^= set[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  }
  return h ^ (h >> 33);
}

static void tree_clear(tree *t) {
  for (int i = 0; i < t->nnodes; i++) free(t->nodes[i]);
  t->nnodes = 0;
  t->memory = 0;
  for (size_t i = 0; i < t->tcap; i++) t->table[i] = -1;
}

static int tree_find(tree *t, const ag_elim *s, uint64_t key) {
  if (!t->tcap) return -1;
  for (size_t i = key & (t->tcap - 1);; i = (i + 1) & (t->tcap - 1)) {
    int k = t->table[i];
    if (k < 0) return -1;
    if (t->nodes[k]->key == key && !memcmp(t->nodes[k]->set, s->removed, (size_t)t->w * 8)) return k;
  }
}

static void table_insert(tree *t, int k) {
  if (2 * (size_t)(t->nnodes + 1) > t->tcap) {
    free(t->table);
    t->tcap = t->tcap ? t->tcap * 2 : 1024;
    t->table = ag_malloc(t->tcap * sizeof(int));
    for (size_t i = 0; i < t->tcap; i++) t->table[i] = -1;
    for (int j = 0; j < t->nnodes; j++)
      if (j != k) table_insert(t, j);
  }
  size_t i = t->nodes[k]->key & (t->tcap - 1);
  while (t->table[i] >= 0) i = (i + 1) & (t->tcap - 1);
  t->table[i] = k;
}

/* The actions of s (its eliminable vertices, increasing) into act; returns their number. */
static int state_actions(const ag_elim *s, int *act) {
  int n = 0;
  for (int v = s->ni; v < s->n; v++)
    if (ag_elim_eliminable(s, v)) act[n++] = v;
  return n;
}

/* Creates the node of state s with the given actions and (unnormalised) prior; returns
   its index. */
static int tree_add(tree *t, const ag_elim *s, uint64_t key, const int *act, int n,
                    const float *prior) {
  size_t bytes = sizeof(node) + (size_t)t->w * 8 + (size_t)n * (4 * sizeof(int) + sizeof(float) + 2 * sizeof(double));
  char *mem = ag_malloc(bytes);
  node *nd = (node *)mem;
  mem += sizeof(node);
  nd->set = (uint64_t *)mem;
  mem += (size_t)t->w * 8;
  nd->sum = (double *)mem;
  mem += (size_t)n * sizeof(double);
  nd->best = (double *)mem;
  mem += (size_t)n * sizeof(double);
  nd->act = (int *)mem;
  mem += (size_t)n * sizeof(int);
  nd->child = (int *)mem;
  mem += (size_t)n * sizeof(int);
  nd->n = (int *)mem;
  mem += (size_t)n * sizeof(int);
  nd->vl = (int *)mem;
  mem += (size_t)n * sizeof(int);
  nd->prior = (float *)mem;
  nd->key = key;
  memcpy(nd->set, s->removed, (size_t)t->w * 8);
  nd->nact = n;
  nd->visits = 0;
  nd->vtot = 0;
  double z = 0;
  for (int k = 0; k < n; k++) z += prior[k];
  for (int k = 0; k < n; k++) {
    nd->act[k] = act[k];
    nd->child[k] = -1;
    nd->n[k] = 0;
    nd->vl[k] = 0;
    nd->sum[k] = 0;
    nd->best[k] = INFINITY;
    nd->prior[k] = z > 0 ? (float)(prior[k] / z) : 1.0f / (float)n;
  }
  ag_grow((void **)&t->nodes, &t->capnodes, t->nnodes, sizeof(node *));
  t->nodes[t->nnodes] = nd;
  table_insert(t, t->nnodes);
  t->memory += bytes;
  return t->nnodes++;
}

/* Creates the node of state s; returns its index and the evaluator's value estimate. */
static int tree_expand(tree *t, const ag_elim *s, uint64_t key, double *value) {
  int n = state_actions(s, t->act_buf);
  *value = t->p->evaluator->evaluate(t->p->evaluator->ctx, t->d, s, t->act_buf, n, t->prior_buf);
  return tree_add(t, s, key, t->act_buf, n, t->prior_buf);
}

static int select_action(const tree *t, const node *nd) {
  double qmin = INFINITY, qmax = -INFINITY, w = t->p->mean_weight;
  for (int k = 0; k < nd->nact; k++)
    if (nd->n[k]) {
      double q = w * nd->sum[k] / nd->n[k] + (1 - w) * nd->best[k];
      if (q < qmin) qmin = q;
      if (q > qmax) qmax = q;
    }
  double sq = sqrt((double)(nd->visits + nd->vtot) + 1), best = -INFINITY;
  int arg = 0;
  for (int k = 0; k < nd->nact; k++) {
    double qn = 0;
    if (nd->n[k]) {
      double q = w * nd->sum[k] / nd->n[k] + (1 - w) * nd->best[k];
      qn = qmax > qmin ? (qmax - q) / (qmax - qmin) : 0.5;
      /* virtual loss: pending simulations count as visits of the worst value (0) */
      if (nd->vl[k]) qn *= (double)nd->n[k] / (double)(nd->n[k] + nd->vl[k]);
    }
    double score = qn + t->p->c_puct * nd->prior[k] * sq / (1 + nd->n[k] + nd->vl[k]);
    if (score > best) best = score, arg = k;
  }
  return arg;
}

typedef struct {
  int node, k;
  long g_before; /* cost paid before this node */
} step;

/* One simulation of a batch: its path from the root, and how it ended. */
typedef struct {
  ag_elim *s;   /* the state where the selection stopped */
  step *path;
  int depth;
  int leaf;     /* 1: s is a new state (parent path[depth-1]); 0: terminal, total known */
  uint64_t key; /* of s, when leaf */
  int first;    /* when leaf: the simulation of this batch that evaluates s (itself or an
                   earlier one that reached the same state) */
  double total; /* the cost of the complete order this simulation stands for */
  int *act;     /* when evaluated: the actions of s, their prior and the value */
  int nact;
  float *prior;
  double value;
} sim;

/* Descends from root with PUCT, adding a virtual loss to every edge taken, until a state
   that is not in the tree or a terminal one; nodes already in the tree but not yet linked
   are linked on the way. */
static void select_path(tree *t, int root, sim *x) {
  int cur = root;
  x->depth = 0;
  x->leaf = 0;
  for (;;) {
    node *nd = t->nodes[cur];
    if (nd->nact == 0) { /* terminal */
      x->total = (double)x->s->cost;
      return;
    }
    int k = select_action(t, nd);
    x->path[x->depth++] = (step){cur, k, x->s->cost};
    nd->vl[k]++;
    nd->vtot++;
    ag_elim_step(x->s, nd->act[k]);
    int ch = nd->child[k];
    if (ch < 0) {
      uint64_t key = set_key(x->s->removed, t->w);
      ch = tree_find(t, x->s, key);
      if (ch < 0) {
        x->leaf = 1;
        x->key = key;
        return;
      }
      nd->child[k] = ch;
    }
    cur = ch;
  }
}

/* Evaluates the new leaves of sims x[0..nb-1] (one evaluation per distinct state), in one
   evaluate_batch call when the evaluator has one and there are several. */
static void evaluate_leaves(tree *t, sim *x, int nb, const ag_elim **bs, const int **ba, int *bn,
                            float **bp, double *bv, int *bi) {
  const ag_mcts_evaluator *ev = t->p->evaluator;
  int m = 0;
  for (int i = 0; i < nb; i++) {
    if (!x[i].leaf) continue;
    x[i].first = i;
    for (int j = 0; j < i; j++)
      if (x[j].leaf && x[j].first == j && x[j].key == x[i].key &&
          !memcmp(x[j].s->removed, x[i].s->removed, (size_t)t->w * 8)) {
        x[i].first = j;
        break;
      }
    if (x[i].first != i) continue;
    x[i].nact = state_actions(x[i].s, x[i].act);
    bs[m] = x[i].s;
    ba[m] = x[i].act;
    bn[m] = x[i].nact;
    bp[m] = x[i].prior;
    bi[m++] = i;
  }
  if (m > 1 && ev->evaluate_batch) {
    ev->evaluate_batch(ev->ctx, t->d, m, bs, ba, bn, bp, bv);
    for (int j = 0; j < m; j++) x[bi[j]].value = bv[j];
  } else {
    for (int j = 0; j < m; j++)
      x[bi[j]].value = ev->evaluate(ev->ctx, t->d, bs[j], ba[j], bn[j], bp[j]);
  }
}

/* Plays episodes until the run says stop, or max_episodes (0: unlimited; then the
   simulations per move double after each episode). The last complete episode's order and
   cost go to last_order / *last_cost when not NULL. */
static void mcts_run(ag_search_run *run, const ag_mcts_params *p, int max_episodes,
                     int *last_order, long *last_cost) {
  const ag_dag *d = run->d;
  tree t = {.d = d, .p = p};
  ag_elim *root_state = ag_elim_new(d);
  t.w = root_state->w;
  t.prior_buf = ag_malloc((size_t)(d->n + 1) * sizeof(float));
  t.act_buf = ag_malloc((size_t)(d->n + 1) * sizeof(int));
  int m = d->neliminable;
  int *order = ag_malloc((size_t)(m + 1) * sizeof(int)), *played = ag_malloc((size_t)(m + 1) * sizeof(int));
  int B = p->leaf_batch > 1 ? p->leaf_batch : 1;
  sim *x = ag_calloc((size_t)B, sizeof(sim));
  for (int i = 0; i < B; i++) {
    x[i].s = ag_elim_new(d);
    x[i].path = ag_malloc((size_t)(m + 1) * sizeof(step));
    x[i].act = ag_malloc((size_t)(d->n + 1) * sizeof(int));
    x[i].prior = ag_malloc((size_t)(d->n + 1) * sizeof(float));
  }
  const ag_elim **bs = ag_malloc((size_t)B * sizeof(*bs));
  const int **ba = ag_malloc((size_t)B * sizeof(*ba));
  float **bp = ag_malloc((size_t)B * sizeof(*bp));
  int *bn = ag_malloc((size_t)B * sizeof(int)), *bi = ag_malloc((size_t)B * sizeof(int));
  double *bv = ag_malloc((size_t)B * sizeof(double));
  ag_elim *fresh = ag_elim_new(d);
  int sims = p->sims_per_move > 0 ? p->sims_per_move : 200;
  int stop = 0, episodes = 0;
  while (!stop) { /* episodes */
    ag_elim_copy(root_state, fresh);
    int nplayed = 0;
    while (root_state->nleft > 0 && !stop) { /* moves */
      double v;
      uint64_t rkey = set_key(root_state->removed, t.w);
      int root = tree_find(&t, root_state, rkey);
      if (root < 0) root = tree_expand(&t, root_state, rkey, &v);
      for (int done = 0; done < sims && !stop;) { /* batches of simulations */
        int nb = 0;
        while (nb < B && done + nb < sims) {
          if ((run->iterations & 15) == 0 && ag_run_tick(run)) {
            stop = 1;
            break;
          }
          run->iterations++;
          ag_elim_copy(x[nb].s, root_state);
          select_path(&t, root, &x[nb]);
          nb++;
        }
        evaluate_leaves(&t, x, nb, bs, ba, bn, bp, bv, bi);
        for (int i = 0; i < nb; i++) { /* expand, complete, back up, in selection order */
          sim *xi = &x[i];
          if (xi->leaf) {
            const sim *e = &x[xi->first];
            int ch = tree_find(&t, xi->s, xi->key); /* an earlier duplicate may have added it */
            if (ch < 0) ch = tree_add(&t, xi->s, xi->key, e->act, e->nact, e->prior);
            const step *last = &xi->path[xi->depth - 1];
            t.nodes[last->node]->child[last->k] = ch;
            if (e->value < 0) { /* rollout: a complete order */
              int len = nplayed;
              memcpy(order, played, (size_t)nplayed * sizeof(int));
              for (int j = 0; j < xi->depth; j++) order[len++] = t.nodes[xi->path[j].node]->act[xi->path[j].k];
              ag_order_markowitz_complete(xi->s, order, &len);
              ag_run_offer(run, order, xi->s->cost);
              xi->total = (double)xi->s->cost;
            } else {
              xi->total = (double)xi->s->cost + e->value;
            }
          }
          for (int j = xi->depth - 1; j >= 0; j--) { /* backup: cost-to-go from each node */
            node *nd = t.nodes[xi->path[j].node];
            double ctg = xi->total - (double)xi->path[j].g_before;
            int k = xi->path[j].k;
            nd->vl[k]--;
            nd->vtot--;
            nd->n[k]++;
            nd->sum[k] += ctg;
            if (ctg < nd->best[k]) nd->best[k] = ctg;
            nd->visits++;
          }
        }
        done += nb;
      }
      if (stop) break;
      /* commit the action with the lowest cost-to-go seen (visits break ties) */
      node *nd = t.nodes[root];
      int arg = -1;
      for (int k = 0; k < nd->nact; k++)
        if (nd->n[k] && (arg < 0 || nd->best[k] < nd->best[arg] ||
                         (nd->best[k] == nd->best[arg] && nd->n[k] > nd->n[arg])))
          arg = k;
      if (arg < 0) arg = 0;
      if (p->on_move) {
        int c = p->on_move(p->move_ctx, root_state, nd->act, nd->n, nd->nact, arg);
        if (c >= 0 && c < nd->nact) arg = c;
      }
      played[nplayed++] = nd->act[arg];
      ag_elim_step(root_state, nd->act[arg]);
      if (t.memory > p->max_memory) tree_clear(&t); /* keep going from the current root */
    }
    if (!stop && nplayed == m) {
      ag_run_offer(run, played, root_state->cost);
      if (last_order) memcpy(last_order, played, (size_t)m * sizeof(int));
      if (last_cost) *last_cost = root_state->cost;
    }
    if (max_episodes > 0 && ++episodes >= max_episodes) break;
    if (max_episodes <= 0 && sims < (1 << 20)) sims *= 2; /* later episodes search deeper */
  }
  tree_clear(&t);
  free(t.nodes);
  free(t.table);
  free(t.prior_buf);
  free(t.act_buf);
  free(order);
  free(played);
  for (int i = 0; i < B; i++) {
    ag_elim_free(x[i].s);
    free(x[i].path);
    free(x[i].act);
    free(x[i].prior);
  }
  free(x);
  free(bs);
  free(ba);
  free(bp);
  free(bn);
  free(bi);
  free(bv);
  ag_elim_free(root_state);
  ag_elim_free(fresh);
}

void ag_search_mcts_run(ag_search_run *run) {
  ag_mcts_params defaults;
  ag_mcts_params_default(&defaults);
  mcts_run(run, run->o->mcts ? run->o->mcts : &defaults, 0, NULL, NULL);
}

long ag_mcts_episode(const ag_dag *d, const ag_mcts_params *p, int *order) {
  ag_search_opts o;
  ag_search_opts_default(&o);
  o.time_limit = INFINITY;
  ag_search_run run;
  ag_run_init(&run, d, &o);
  long cost = 0;
  if (d->neliminable > 0) mcts_run(&run, p, 1, order, &cost);
  ag_run_free(&run);
  return cost;
}
