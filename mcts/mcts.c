/* Monte Carlo tree search over the elimination game (see mcts.h for the design). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "graph/orders.h"
#include "mcts/mcts.h"
#include "mcts/run.h"

/* ---- evaluators ---- */

static double uniform_eval(void *ctx, const ag_dag *d, const ag_elim *s, const int *actions, int n,
                           float *prior) {
  (void)ctx, (void)d, (void)s, (void)actions;
  for (int k = 0; k < n; k++)
    prior[k] = 1.0f;
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
  for (int k = 0; k < n; k++)
    prior[k] = (float)exp(-((double)prior[k] - (double)lo) / tau);
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
  uint64_t *set;          /* eliminated set, w words: collision check */
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

static void tree_clear(tree *t) {
  for (int i = 0; i < t->nnodes; i++)
    free(t->nodes[i]);
  t->nnodes = 0;
  t->memory = 0;
  for (size_t i = 0; i < t->tcap; i++)
    t->table[i] = -1;
}

static int tree_find(tree *t, const ag_elim *s, uint64_t key) {
  if (!t->tcap) return -1;
  for (size_t i = key & (t->tcap - 1);; i = (i + 1) & (t->tcap - 1)) {
    int k = t->table[i];
    if (k < 0) return -1;
    if (t->nodes[k]->key == key && !memcmp(t->nodes[k]->set, s->removed, (size_t)t->w * 8))
      return k;
  }
}

static void table_insert(tree *t, int k) {
  if (2 * (size_t)(t->nnodes + 1) > t->tcap) {
    free(t->table);
    t->tcap = t->tcap ? t->tcap * 2 : 1024;
    t->table = ag_malloc(t->tcap * sizeof(int));
    for (size_t i = 0; i < t->tcap; i++)
      t->table[i] = -1;
    for (int j = 0; j < t->nnodes; j++)
      if (j != k) table_insert(t, j);
  }
  size_t i = t->nodes[k]->key & (t->tcap - 1);
  while (t->table[i] >= 0)
    i = (i + 1) & (t->tcap - 1);
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
  size_t bytes = sizeof(node) + (size_t)t->w * 8 +
                 (size_t)n * (4 * sizeof(int) + sizeof(float) + 2 * sizeof(double));
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
  for (int k = 0; k < n; k++)
    z += prior[k];
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
  ag_elim *s; /* the state where the selection stopped */
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
      uint64_t key = ag_hash_words(x->s->removed, t->w);
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

/* ---- one game: an episode played move by move, in batches of simulations ----

   A game is a resumable state machine, so that several games can share one evaluator
   call (ag_mcts_episodes): game_select picks the next batch of simulations and lists
   their distinct new leaves (gm->bs, ba, bn, bp), somebody evaluates them into gm->bv, game_backup
   expands, backs up and commits the move when its simulations are done. */
typedef struct {
  const ag_dag *d;
  const ag_mcts_params *p;
  ag_search_run *run;
  tree t;
  ag_elim *root_state, *fresh;
  int m, B, sims;
  int *order, *played, nplayed;
  sim *x;
  int nb;   /* simulations selected, waiting for their backup */
  int done; /* simulations of the current move backed up */
  int root; /* the current move's root node; -1 before the move started */
  /* the distinct new leaves of the selected simulations: sim bi[j] evaluates them */
  const ag_dag **bd; /* B times d: evaluate_batch takes a graph per state */
  const ag_elim **bs;
  const int **ba;
  int *bn, *bi, nleaves;
  float **bp;
  double *bv;
  int stop; /* the run said stop: the episode is abandoned */
  int over; /* the episode is complete (or abandoned) */
} game;

static void game_init(game *gm, ag_search_run *run, const ag_mcts_params *p) {
  const ag_dag *d = run->d;
  memset(gm, 0, sizeof *gm);
  gm->d = d;
  gm->p = p;
  gm->run = run;
  gm->t.d = d;
  gm->t.p = p;
  gm->root_state = ag_elim_new(d);
  gm->fresh = ag_elim_new(d);
  gm->t.w = gm->root_state->w;
  gm->t.prior_buf = ag_malloc((size_t)(d->n + 1) * sizeof(float));
  gm->t.act_buf = ag_malloc((size_t)(d->n + 1) * sizeof(int));
  gm->m = d->neliminable;
  gm->order = ag_malloc((size_t)(gm->m + 1) * sizeof(int));
  gm->played = ag_malloc((size_t)(gm->m + 1) * sizeof(int));
  int B = gm->B = p->leaf_batch > 1 ? p->leaf_batch : 1;
  gm->x = ag_calloc((size_t)B, sizeof(sim));
  for (int i = 0; i < B; i++) {
    gm->x[i].s = ag_elim_new(d);
    gm->x[i].path = ag_malloc((size_t)(gm->m + 1) * sizeof(step));
    gm->x[i].act = ag_malloc((size_t)(d->n + 1) * sizeof(int));
    gm->x[i].prior = ag_malloc((size_t)(d->n + 1) * sizeof(float));
  }
  gm->bd = ag_malloc((size_t)B * sizeof(*gm->bd));
  for (int i = 0; i < B; i++)
    gm->bd[i] = d;
  gm->bs = ag_malloc((size_t)B * sizeof(*gm->bs));
  gm->ba = ag_malloc((size_t)B * sizeof(*gm->ba));
  gm->bp = ag_malloc((size_t)B * sizeof(*gm->bp));
  gm->bn = ag_malloc((size_t)B * sizeof(int));
  gm->bi = ag_malloc((size_t)B * sizeof(int));
  gm->bv = ag_malloc((size_t)B * sizeof(double));
}

static void game_free(game *gm) {
  tree_clear(&gm->t);
  free(gm->t.nodes);
  free(gm->t.table);
  free(gm->t.prior_buf);
  free(gm->t.act_buf);
  free(gm->order);
  free(gm->played);
  for (int i = 0; i < gm->B; i++) {
    ag_elim_free(gm->x[i].s);
    free(gm->x[i].path);
    free(gm->x[i].act);
    free(gm->x[i].prior);
  }
  free(gm->x);
  free(gm->bd);
  free(gm->bs);
  free(gm->ba);
  free(gm->bp);
  free(gm->bn);
  free(gm->bi);
  free(gm->bv);
  ag_elim_free(gm->root_state);
  ag_elim_free(gm->fresh);
}

/* A new episode from the untouched graph with sims simulations per move (the tree is
   kept: earlier episodes' statistics go on guiding the search). */
static void game_reset(game *gm, int sims) {
  ag_elim_copy(gm->root_state, gm->fresh);
  gm->nplayed = 0;
  gm->sims = sims;
  gm->nb = gm->done = gm->nleaves = 0;
  gm->root = -1;
  gm->stop = 0;
  gm->over = gm->root_state->nleft == 0;
}

/* Selects the next batch of simulations of the current move (starting the move first)
   and lists their distinct new leaves in bs/ba/bn/bp (gm->nleaves; sim bi[j] holds
   leaf j). A stop request of the run ends the selection early. */
static void game_select(game *gm) {
  tree *t = &gm->t;
  if (gm->root < 0) {
    double v;
    uint64_t rkey = ag_hash_words(gm->root_state->removed, t->w);
    gm->root = tree_find(t, gm->root_state, rkey);
    if (gm->root < 0) gm->root = tree_expand(t, gm->root_state, rkey, &v);
    gm->done = 0;
  }
  sim *x = gm->x;
  int nb = 0;
  while (nb < gm->B && gm->done + nb < gm->sims) {
    if ((gm->run->iterations & 15) == 0 && ag_run_tick(gm->run)) {
      gm->stop = 1;
      break;
    }
    gm->run->iterations++;
    ag_elim_copy(x[nb].s, gm->root_state);
    select_path(t, gm->root, &x[nb]);
    nb++;
  }
  gm->nb = nb;
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
    gm->bs[m] = x[i].s;
    gm->ba[m] = x[i].act;
    gm->bn[m] = x[i].nact;
    gm->bp[m] = x[i].prior;
    gm->bi[m++] = i;
  }
  gm->nleaves = m;
}

/* Evaluates the game's own leaves: one evaluate_batch call when the evaluator has one
   and there are several, else one evaluate call each. */
static void game_evaluate(game *gm) {
  const ag_mcts_evaluator *ev = gm->p->evaluator;
  int m = gm->nleaves;
  if (m > 1 && ev->evaluate_batch) {
    ev->evaluate_batch(ev->ctx, m, gm->bd, gm->bs, gm->ba, gm->bn, gm->bp, gm->bv);
  } else {
    for (int j = 0; j < m; j++)
      gm->bv[j] = ev->evaluate(ev->ctx, gm->d, gm->bs[j], gm->ba[j], gm->bn[j], gm->bp[j]);
  }
}

/* With the leaf values in gm->bv: expands, completes and backs up the selected
   simulations in selection order; commits the move once its simulations are done, and
   marks the episode over when the graph is fully eliminated (or the run said stop). */
static void game_backup(game *gm) {
  tree *t = &gm->t;
  sim *x = gm->x;
  for (int j = 0; j < gm->nleaves; j++)
    x[gm->bi[j]].value = gm->bv[j];
  for (int i = 0; i < gm->nb; i++) {
    sim *xi = &x[i];
    if (xi->leaf) {
      const sim *e = &x[xi->first];
      int ch = tree_find(t, xi->s, xi->key); /* an earlier duplicate may have added it */
      if (ch < 0) ch = tree_add(t, xi->s, xi->key, e->act, e->nact, e->prior);
      const step *last = &xi->path[xi->depth - 1];
      t->nodes[last->node]->child[last->k] = ch;
      if (e->value < 0) { /* rollout: a complete order */
        int len = gm->nplayed;
        memcpy(gm->order, gm->played, (size_t)gm->nplayed * sizeof(int));
        for (int j = 0; j < xi->depth; j++)
          gm->order[len++] = t->nodes[xi->path[j].node]->act[xi->path[j].k];
        ag_order_markowitz_complete(xi->s, gm->order, &len);
        ag_run_offer(gm->run, gm->order, xi->s->cost);
        xi->total = (double)xi->s->cost;
      } else {
        xi->total = (double)xi->s->cost + e->value;
      }
    }
    for (int j = xi->depth - 1; j >= 0; j--) { /* backup: cost-to-go from each node */
      node *nd = t->nodes[xi->path[j].node];
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
  gm->done += gm->nb;
  gm->nb = gm->nleaves = 0;
  if (gm->stop) {
    gm->over = 1;
    return;
  }
  if (gm->done < gm->sims) return;
  /* commit the action with the lowest cost-to-go seen (visits break ties) */
  const ag_mcts_params *p = gm->p;
  node *nd = t->nodes[gm->root];
  int arg = -1;
  for (int k = 0; k < nd->nact; k++)
    if (nd->n[k] && (arg < 0 || nd->best[k] < nd->best[arg] ||
                     (nd->best[k] == nd->best[arg] && nd->n[k] > nd->n[arg])))
      arg = k;
  if (arg < 0) arg = 0;
  if (p->on_move) {
    int c = p->on_move(p->move_ctx, gm->root_state, nd->act, nd->n, nd->nact, arg);
    if (c >= 0 && c < nd->nact) arg = c;
  }
  gm->played[gm->nplayed++] = nd->act[arg];
  ag_elim_step(gm->root_state, nd->act[arg]);
  gm->root = -1;
  if (t->memory > p->max_memory) tree_clear(t); /* keep going from the current root */
  if (gm->root_state->nleft == 0) gm->over = 1;
}

/* Plays episodes until the run says stop, the simulations per move doubling after each
   episode (ag_search's MCTS method). */
static void mcts_run(ag_search_run *run, const ag_mcts_params *p) {
  game gm;
  game_init(&gm, run, p);
  for (int sims = p->sims_per_move > 0 ? p->sims_per_move : 200;;) {
    game_reset(&gm, sims);
    while (!gm.over) {
      game_select(&gm);
      game_evaluate(&gm);
      game_backup(&gm);
    }
    if (gm.stop) break;
    if (gm.nplayed == gm.m) ag_run_offer(run, gm.played, gm.root_state->cost);
    if (sims < (1 << 20)) sims *= 2; /* later episodes search deeper */
  }
  game_free(&gm);
}

int ag_search_mcts_run(ag_search_run *run, ag_error *err) {
  (void)err;
  ag_mcts_params defaults;
  ag_mcts_params_default(&defaults);
  mcts_run(run, run->o->mcts ? run->o->mcts : &defaults);
  return 0;
}

long ag_mcts_episode(const ag_dag *d, const ag_mcts_params *p, int *order) {
  long cost;
  ag_mcts_episodes(1, &d, &p, &order, &cost);
  return cost;
}

void ag_mcts_episodes(int count, const ag_dag *const *graphs, const ag_mcts_params *const *params,
                      int *const *orders, long *costs) {
  if (count <= 0) return;
  ag_search_run *runs = ag_calloc((size_t)count, sizeof *runs);
  ag_search_opts *opts = ag_calloc((size_t)count, sizeof *opts); /* the runs keep pointers */
  game *g = ag_calloc((size_t)count, sizeof *g);
  int cap = 0, live = 0;
  for (int i = 0; i < count; i++) {
    ag_search_opts_default(&opts[i]);
    opts[i].time_limit = INFINITY;
    ag_run_init(&runs[i], graphs[i], &opts[i]);
    game_init(&g[i], &runs[i], params[i]);
    game_reset(&g[i], params[i]->sims_per_move > 0 ? params[i]->sims_per_move : 200);
    cap += g[i].B;
    live += !g[i].over;
  }
  /* one evaluator call per distinct evaluator and round: its games' leaves together */
  const ag_dag **ds = ag_malloc((size_t)cap * sizeof *ds);
  const ag_elim **bs = ag_malloc((size_t)cap * sizeof *bs);
  const int **ba = ag_malloc((size_t)cap * sizeof *ba);
  float **bp = ag_malloc((size_t)cap * sizeof *bp);
  int *bn = ag_malloc((size_t)cap * sizeof(int));
  double *bv = ag_malloc((size_t)cap * sizeof(double));
  char *handled = ag_malloc((size_t)count);
  while (live > 0) {
    for (int i = 0; i < count; i++) {
      handled[i] = g[i].over;
      if (!g[i].over) game_select(&g[i]);
    }
    for (int i = 0; i < count; i++) {
      if (handled[i]) continue;
      const ag_mcts_evaluator *ev = params[i]->evaluator;
      if (!ev->evaluate_batch) { /* nothing to share: the game evaluates its own */
        game_evaluate(&g[i]);
        handled[i] = 1;
        continue;
      }
      int m = 0;
      for (int j = i; j < count; j++) {
        if (handled[j] || params[j]->evaluator != ev) continue;
        for (int k = 0; k < g[j].nleaves; k++, m++) {
          ds[m] = g[j].d;
          bs[m] = g[j].bs[k];
          ba[m] = g[j].ba[k];
          bn[m] = g[j].bn[k];
          bp[m] = g[j].bp[k];
        }
      }
      if (m == 1)
        bv[0] = ev->evaluate(ev->ctx, ds[0], bs[0], ba[0], bn[0], bp[0]);
      else if (m > 1)
        ev->evaluate_batch(ev->ctx, m, ds, bs, ba, bn, bp, bv);
      m = 0;
      for (int j = i; j < count; j++) {
        if (handled[j] || params[j]->evaluator != ev) continue;
        for (int k = 0; k < g[j].nleaves; k++)
          g[j].bv[k] = bv[m++];
        handled[j] = 1;
      }
    }
    for (int i = 0; i < count; i++) {
      if (g[i].over) continue;
      game_backup(&g[i]);
      if (g[i].over) live--;
    }
  }
  for (int i = 0; i < count; i++) {
    costs[i] = g[i].m > 0 ? g[i].root_state->cost : 0;
    if (orders && orders[i]) memcpy(orders[i], g[i].played, (size_t)g[i].m * sizeof(int));
    game_free(&g[i]);
    ag_run_free(&runs[i]);
  }
  free(handled);
  free(ds);
  free(bs);
  free(ba);
  free(bp);
  free(bn);
  free(bv);
  free(g);
  free(runs);
  free(opts);
}
