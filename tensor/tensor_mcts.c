/* Monte Carlo tree search under the tensor cost model (tensor_search.h).

   One episode builds an order move by move, as AlphaZero plays a game: before each move,
   sims_per_move simulations grow a tree of orders below the current prefix (PUCT selection
   with a prior of softmax(-step cost / mean step cost), the step cost being what eliminating
   the vertex costs now), each ending in a rollout that completes the order (half of them
   in the order of the best order known so far, the others by the cheapest next step, or
   with probability 1/4 a random one); the value of a simulation is
   best_seed_cost / its order's cost. The most visited child is committed, the tree is
   dropped, and the next move searches afresh. Episodes repeat with twice the simulations
   (up to 3200 per move) until the time is up. Every complete order is offered to the run,
   so the result is the best order of any rollout. States are never merged (the tree is over
   orders, not eliminated sets), as this model requires. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rng.h"
#include "tensor/tensor_search_int.h"

typedef struct {
  int n;        /* actions */
  int *act;     /* columns */
  float *prior; /* P */
  int *N;       /* visits per action */
  double *W;    /* value sums */
  int *child;   /* node index, -1: not expanded */
  int visits;
} node;

typedef struct {
  node *nodes;
  int n, cap;
} tree;

static int legal(const ag_tstate *s, int *act) {
  int n = 0;
  for (int c = 0; c < s->g->nv; c++)
    if (!s->done[c]) act[n++] = c;
  return n;
}

static int expand(tree *t, const ag_tstate *s, double *stepc) {
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 256;
    t->nodes = ag_realloc(t->nodes, (size_t)t->cap * sizeof(node));
  }
  node *nd = &t->nodes[t->n];
  const int nv = s->g->nv;
  nd->act = ag_malloc((size_t)nv * sizeof(int));
  nd->n = legal(s, nd->act);
  nd->prior = ag_malloc((size_t)(nd->n + 1) * sizeof(float));
  nd->N = ag_calloc((size_t)nd->n + 1, sizeof(int));
  nd->W = ag_calloc((size_t)nd->n + 1, sizeof(double));
  nd->child = ag_malloc((size_t)(nd->n + 1) * sizeof(int));
  nd->visits = 0;
  double mean = 0, cmin = INFINITY;
  for (int k = 0; k < nd->n; k++) {
    stepc[k] = (double)ag_tstate_step_cost(s, nd->act[k]);
    mean += stepc[k];
    cmin = fmin(cmin, stepc[k]);
    nd->child[k] = -1;
  }
  mean = nd->n ? fmax(1.0, mean / nd->n) : 1.0;
  double z = 0;
  for (int k = 0; k < nd->n; k++)
    z += exp(-(stepc[k] - cmin) / mean);
  for (int k = 0; k < nd->n; k++)
    nd->prior[k] = (float)(exp(-(stepc[k] - cmin) / mean) / z);
  return t->n++;
}

static void tree_clear(tree *t) {
  for (int i = 0; i < t->n; i++) {
    node *nd = &t->nodes[i];
    free(nd->act);
    free(nd->prior);
    free(nd->N);
    free(nd->W);
    free(nd->child);
  }
  t->n = 0;
}

/* completes the order from state s (prefix already in order[0..len)); returns the length.
   Half of the rollouts keep the remaining vertices in the incumbent's order (best: 1-based
   ids), the others take the cheapest next step, or with probability 1/4 a random one. */
static int rollout(ag_tstate *s, int *order, int len, int *act, ag_rng *rng, const int *best) {
  const int m = s->g->neliminable;
  if (ag_rng_below(rng, 2) == 0) {
    for (int i = 0; i < m; i++)
      if (!s->done[best[i] - 1]) {
        ag_tstate_eliminate(s, best[i] - 1);
        order[len++] = best[i] - 1;
      }
    return len;
  }
  while (len < m) {
    int n = legal(s, act), pick;
    if (ag_rng_below(rng, 4) == 0)
      pick = act[ag_rng_below(rng, n)];
    else {
      long best = -1;
      pick = act[0];
      for (int k = 0; k < n; k++) {
        long c = ag_tstate_step_cost(s, act[k]);
        if (best < 0 || c < best) best = c, pick = act[k];
      }
    }
    ag_tstate_eliminate(s, pick);
    order[len++] = pick;
  }
  return len;
}

int ag_tsearch_mcts_run(ag_trun *run, ag_error *err) {
  (void)err;
  const ag_tgraph *g = run->g;
  const int m = g->neliminable;
  if (m < 2) return 0;
  ag_rng rng;
  ag_rng_seed(&rng, run->o->seed);
  const double ref = (double)(run->best_cost > 0 ? run->best_cost : 1), cpuct = 1.5;
  ag_tstate *root = ag_tstate_new(g), *s = ag_tstate_new(g);
  int *prefix = ag_malloc((size_t)m * sizeof(int)), *order = ag_malloc((size_t)m * sizeof(int));
  int *act = ag_malloc((size_t)g->nv * sizeof(int));
  int *path_node = ag_malloc((size_t)(m + 1) * sizeof(int)),
      *path_act = ag_malloc((size_t)(m + 1) * sizeof(int));
  double *stepc = ag_malloc((size_t)g->nv * sizeof(double));
  tree t = {0};
  int stop = 0;
  for (long sims = 100; !stop; sims = sims < 3200 ? 2 * sims : sims) {
    ag_tstate_reset(root);
    for (int depth = 0; depth < m && !stop; depth++) {
      tree_clear(&t);
      expand(&t, root, stepc);
      for (long k = 0; k < sims && !stop; k++, run->iterations++) {
        ag_tstate_copy(s, root);
        memcpy(order, prefix, (size_t)depth * sizeof(int));
        int len = depth, np = 0, cur = 0;
        for (;;) { /* selection */
          node *nd = &t.nodes[cur];
          if (nd->n == 0) break;
          double sq = sqrt((double)nd->visits + 1), fpu = 0;
          int tot = 0;
          for (int a = 0; a < nd->n; a++)
            fpu += nd->W[a], tot += nd->N[a];
          fpu = tot ? fpu / tot : 0.5;
          int best = 0;
          double bu = -INFINITY;
          for (int a = 0; a < nd->n; a++) {
            double q = nd->N[a] ? nd->W[a] / nd->N[a] : fpu;
            double u = q + cpuct * nd->prior[a] * sq / (1 + nd->N[a]);
            if (u > bu) bu = u, best = a;
          }
          path_node[np] = cur, path_act[np++] = best;
          ag_tstate_eliminate(s, nd->act[best]);
          order[len++] = nd->act[best];
          if (nd->child[best] < 0) { /* expand one node per simulation */
            if (len < m) {
              int c = expand(&t, s, stepc);
              t.nodes[path_node[np - 1]].child[best] = c; /* nodes may have moved */
            }
            break;
          }
          cur = nd->child[best];
        }
        len = rollout(s, order, len, act, &rng, run->best);
        ag_trun_offer(run, order, s->cost);
        double v = ref / (double)(s->cost > 0 ? s->cost : 1);
        for (int i = 0; i < np; i++) {
          node *nd = &t.nodes[path_node[i]];
          nd->N[path_act[i]]++;
          nd->W[path_act[i]] += v;
          nd->visits++;
        }
        if ((run->iterations & 7) == 0 && ag_trun_tick(run)) stop = 1;
      }
      /* commit the most visited move */
      node *rt = &t.nodes[0];
      int best = 0;
      for (int a = 1; a < rt->n; a++)
        if (rt->N[a] > rt->N[best] || (rt->N[a] == rt->N[best] && rt->W[a] > rt->W[best])) best = a;
      prefix[depth] = rt->act[best];
      ag_tstate_eliminate(root, rt->act[best]);
    }
    if (!stop) ag_trun_offer(run, prefix, root->cost);
  }
  tree_clear(&t);
  free(t.nodes);
  ag_tstate_free(root);
  ag_tstate_free(s);
  free(prefix);
  free(order);
  free(act);
  free(path_node);
  free(path_act);
  free(stepc);
  return 0;
}
