/* Self-play training (see train.h). */
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "graph/eliminate.h"
#include "graph/orders.h"
#include "mcts/run.h"
#include "nn/features.h"
#include "nn/nn_eval.h"
#include "train/train_internal.h"

void ag_train_params_default(ag_train_params *p) {
  memset(p, 0, sizeof *p);
  p->sims_per_move = 64;
  p->leaf_batch = 1;
  p->teacher_episodes = 0;
  p->c_puct = 1.5;
  p->temperature = 1.0;
  p->temp_moves = 30;
  p->buffer = 50000;
  p->batch = 32;
  p->steps_per_episode = 16;
  p->lr = 1e-3f;
  p->value_weight = 1.0f;
  p->weight_decay = 1e-4f;
  p->seed = 1;
}

void ag_train_sample_free(sample *s) {
  free(s->prefix);
  free(s->pi);
  memset(s, 0, sizeof *s);
}

static int max_n(const ag_trainer *tr) {
  int n = 1;
  for (int g = 0; g < tr->ngraphs; g++)
    if (tr->graphs[g]->n > n) n = tr->graphs[g]->n;
  return n;
}

/* the move hook: record the root as a training state, maybe sample the move */
static int on_move(void *ctx, const ag_elim *root, const int *actions, const int *visits, int n,
                   int choice) {
  recorder *rc = ctx;
  ag_trainer *tr = rc->tr;
  const ag_dag *d = tr->graphs[rc->graph];
  /* store in the ring buffer */
  int slot = tr->head;
  sample *sm = &tr->buf[slot];
  ag_train_sample_free(sm);
  tr->head = (tr->head + 1) % tr->cap;
  if (tr->size < tr->cap) tr->size++;
  sm->graph = rc->graph;
  sm->len = rc->nmoves;
  sm->episode = rc->episode;
  sm->prefix = ag_malloc((size_t)(rc->nmoves + 1) * sizeof(int));
  memcpy(sm->prefix, rc->moves, (size_t)rc->nmoves * sizeof(int));
  sm->nact = n;
  sm->pi = ag_malloc((size_t)(n + 1) * sizeof(float));
  /* actions come in increasing elimination index, as the tokens' act list */
  double tot = 0;
  for (int k = 0; k < n; k++)
    tot += visits[k];
  for (int k = 0; k < n; k++)
    sm->pi[k] = tot > 0 ? (float)(visits[k] / tot) : 1.0f / (float)n;
  sm->z = 0;
  rc->pend[rc->nmoves] = (pending){root->cost, ag_nn_value_scale(d, root), slot};
  /* the move: sampled by visits early on, else the search's choice */
  int arg = choice;
  if (tr->p.temperature > 0 && rc->nmoves < tr->p.temp_moves && tot > 0) {
    double inv_t = 1.0 / tr->p.temperature, z = 0;
    for (int k = 0; k < n; k++)
      z += visits[k] ? pow((double)visits[k], inv_t) : 0;
    double u = ag_rng_unit(&tr->rng) * z, acc = 0;
    for (int k = 0; k < n; k++) {
      if (!visits[k]) continue;
      acc += pow((double)visits[k], inv_t);
      arg = k;
      if (acc >= u) break;
    }
  }
  rc->moves[rc->nmoves++] = actions[arg];
  return arg;
}

ag_trainer *ag_trainer_new(ag_nn *nn, ag_adam *opt, const ag_dag *const *graphs, int ngraphs,
                           const ag_train_params *p) {
  ag_trainer *tr = ag_calloc(1, sizeof *tr);
  tr->nn = nn;
  tr->graphs = graphs;
  tr->ngraphs = ngraphs;
  tr->p = *p;
  if (tr->p.batch < 1) tr->p.batch = 1;
  if (tr->p.buffer < 1) tr->p.buffer = 1;
  size_t np = ag_nn_nparams(nn);
  if (opt) {
    tr->opt = opt;
  } else {
    ag_adam_init(&tr->own_opt, np, p->lr);
    tr->own_opt.weight_decay = p->weight_decay;
    tr->opt = &tr->own_opt;
  }
  tr->eval = ag_nn_eval_new(nn);
  ag_nn_eval_set_rollout(tr->eval, p->rollout);
  ag_mcts_params_default(&tr->mp);
  tr->mp.evaluator = ag_nn_eval_evaluator(tr->eval);
  if (p->sims_per_move > 0) tr->mp.sims_per_move = p->sims_per_move;
  if (p->c_puct > 0) tr->mp.c_puct = p->c_puct;
  if (p->leaf_batch > 1) tr->mp.leaf_batch = p->leaf_batch;
  tr->mp.on_move = on_move;
  tr->mp.move_ctx = NULL; /* each game's recorder (play_round) */
  ag_rng_seed(&tr->rng, p->seed);
  tr->cap = tr->p.buffer;
  tr->buf = ag_calloc((size_t)tr->cap, sizeof(sample));
  int n = max_n(tr);
  if (tr->p.parallel_games < 1) tr->p.parallel_games = 1;
  tr->rec = ag_calloc((size_t)tr->p.parallel_games, sizeof *tr->rec);
  for (int i = 0; i < tr->p.parallel_games; i++) {
    tr->rec[i].tr = tr;
    tr->rec[i].moves = ag_malloc((size_t)(n + 1) * sizeof(int));
    tr->rec[i].pend = ag_malloc((size_t)(n + 1) * sizeof(pending));
  }
  tr->best = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  tr->best_order = ag_calloc((size_t)ngraphs + 1, sizeof(int *));
  tr->work = ag_calloc((size_t)ngraphs + 1, sizeof(ag_elim *));
  for (int g = 0; g < ngraphs; g++) {
    tr->best[g] = -1;
    tr->best_order[g] = ag_malloc((size_t)(graphs[g]->neliminable + 1) * sizeof(int));
    tr->work[g] = ag_elim_new(graphs[g]);
  }
  ag_nn_tokens_init(&tr->tok);
  tr->grad = ag_malloc((np + 1) * sizeof(float));
  /* evaluation: the same search without the move hook */
  tr->emp = tr->mp;
  tr->emp.on_move = NULL;
  tr->emp.move_ctx = NULL;
  if (p->eval_sims > 0) tr->emp.sims_per_move = p->eval_sims;
  tr->base_fwd = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  tr->base_rev = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  tr->base_mkw = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  tr->eval_cost = ag_malloc((size_t)(ngraphs + 1) * sizeof(long));
  for (int g = 0; g < ngraphs; g++) {
    long cost[AG_NBASELINES];
    ag_order_baseline_costs(graphs[g], cost);
    tr->base_fwd[g] = cost[0];
    tr->base_rev[g] = cost[1];
    tr->base_mkw[g] = cost[2];
    tr->eval_cost[g] = -1;
  }
  tr->t0 = ag_now();
  return tr;
}

void ag_trainer_free(ag_trainer *tr) {
  if (!tr) return;
  for (int i = 0; i < tr->cap; i++)
    ag_train_sample_free(&tr->buf[i]);
  free(tr->buf);
  for (int g = 0; g < tr->ngraphs; g++) {
    free(tr->best_order[g]);
    ag_elim_free(tr->work[g]);
  }
  free(tr->best_order);
  free(tr->work);
  free(tr->best);
  for (int i = 0; i < tr->p.parallel_games; i++) {
    free(tr->rec[i].moves);
    free(tr->rec[i].pend);
  }
  free(tr->rec);
  ag_nn_tokens_free(&tr->tok);
  free(tr->grad);
  free(tr->logits);
  free(tr->base_fwd);
  free(tr->base_rev);
  free(tr->base_mkw);
  free(tr->eval_cost);
  ag_nn_eval_free(tr->eval);
  if (tr->opt == &tr->own_opt) ag_adam_free(&tr->own_opt);
  free(tr);
}

ag_adam *ag_trainer_adam(ag_trainer *tr) { return tr->opt; }
long ag_trainer_episodes(const ag_trainer *tr) { return tr->episodes; }
long ag_trainer_steps(const ag_trainer *tr) { return tr->steps; }
void ag_trainer_set_counters(ag_trainer *tr, long episodes, long steps) {
  tr->episodes = episodes;
  tr->steps = steps;
}

void ag_trainer_baselines(const ag_trainer *tr, int g, long *forward, long *reverse,
                          long *markowitz) {
  if (forward) *forward = tr->base_fwd[g];
  if (reverse) *reverse = tr->base_rev[g];
  if (markowitz) *markowitz = tr->base_mkw[g];
}

long ag_trainer_eval(ag_trainer *tr, int g, int *order) {
  const ag_dag *d = tr->graphs[g];
  int *o = ag_malloc((size_t)(d->neliminable + 1) * sizeof(int));
  long cost = ag_mcts_episode(d, &tr->emp, o);
  if (order)
    for (int i = 0; i < d->neliminable; i++)
      order[i] = ag_vertex_id(d, o[i]);
  free(o);
  return cost;
}
int ag_trainer_buffer_size(const ag_trainer *tr) { return tr->size; }

long ag_trainer_best(const ag_trainer *tr, int g, const int **order) {
  if (order) *order = tr->best_order[g];
  return tr->best[g];
}

/* Plays count <= parallel_games self-play episodes together, game i on graph graphs[i] as episode
   tr->episodes + i (the heuristic teacher's while that is below teacher_episodes); their
   states enter the buffer with their value targets, bests are updated, costs[i] gets
   game i's cost. The episode counter is left to the caller. */
static void play_round(ag_trainer *tr, const int *graphs, int count, long *costs) {
  const ag_dag **ds = ag_malloc((size_t)count * sizeof *ds);
  ag_mcts_params *mp = ag_malloc((size_t)count * sizeof *mp);
  const ag_mcts_params **pp = ag_malloc((size_t)count * sizeof *pp);
  int **orders = ag_malloc((size_t)count * sizeof *orders);
  for (int i = 0; i < count; i++) {
    recorder *rc = &tr->rec[i];
    rc->graph = graphs[i];
    rc->nmoves = 0;
    rc->episode = tr->episodes + i;
    ds[i] = tr->graphs[graphs[i]];
    mp[i] = tr->mp;
    mp[i].move_ctx = rc;
    if (rc->episode < tr->p.teacher_episodes) mp[i].evaluator = &ag_mcts_heuristic;
    pp[i] = &mp[i];
    orders[i] = ag_malloc((size_t)(ds[i]->neliminable + 1) * sizeof(int));
  }
  ag_mcts_episodes(count, ds, pp, orders, costs);
  for (int i = 0; i < count; i++) {
    const recorder *rc = &tr->rec[i];
    const ag_dag *d = ds[i];
    int g = graphs[i];
    long cost = costs[i];
    /* value targets; slots overwritten since (buffer smaller than the round) are skipped */
    for (int k = 0; k < rc->nmoves; k++) {
      sample *sm = &tr->buf[rc->pend[k].slot];
      if (sm->episode == rc->episode && sm->graph == g && sm->len == k)
        sm->z = (float)((double)(cost - rc->pend[k].cost_before) / rc->pend[k].scale);
    }
    if (tr->best[g] < 0 || cost < tr->best[g]) {
      tr->best[g] = cost;
      for (int k = 0; k < d->neliminable; k++)
        tr->best_order[g][k] = ag_vertex_id(d, orders[i][k]);
    }
    free(orders[i]);
  }
  free(ds);
  free(mp);
  free(pp);
  free(orders);
}

long ag_trainer_play(ag_trainer *tr, int g) {
  long cost;
  play_round(tr, &g, 1, &cost);
  tr->episodes++;
  return cost;
}

int ag_trainer_next_round(const ag_trainer *tr) {
  return tr->p.parallel_games - (int)(tr->episodes % tr->p.parallel_games);
}

/* rebuilds the tokens of buffer state sm into tr->tok */
static void rebuild(ag_trainer *tr, const sample *sm) {
  const ag_dag *d = tr->graphs[sm->graph];
  ag_elim *s = tr->work[sm->graph];
  ag_elim_reset(s, d);
  for (int i = 0; i < sm->len; i++)
    ag_elim_step(s, sm->prefix[i]);
  ag_nn_tokens_build(&tr->tok, d, s);
}

int ag_trainer_train(ag_trainer *tr, int steps, double *loss, double *lp, double *lv) {
  double sl = 0, sp = 0, sv = 0;
  int done = 0;
  size_t np = ag_nn_nparams(tr->nn);
  for (; done < steps && tr->size > 0; done++) {
    memset(tr->grad, 0, np * sizeof(float));
    double bl = 0, bp = 0, bv = 0;
    for (int b = 0; b < tr->p.batch; b++) {
      const sample *sm = &tr->buf[ag_rng_below(&tr->rng, tr->size)];
      rebuild(tr, sm);
      if (tr->tok.in.nact != sm->nact)
        continue; /* cannot happen: targets follow the tokens' act order */
      float l_p = 0, l_v = 0;
      bl += ag_nn_backward(tr->nn, &tr->tok.in, sm->pi, sm->z, tr->p.value_weight, tr->grad, &l_p,
                           &l_v);
      bp += l_p;
      bv += l_v;
    }
    float inv = 1.0f / (float)tr->p.batch;
    for (size_t i = 0; i < np; i++)
      tr->grad[i] *= inv;
    /* data-parallel training: the hook averages the gradient over the workers (e.g. an
       MPI_Allreduce), so that every worker takes the same step */
    if (tr->p.grad_reduce) tr->p.grad_reduce(tr->grad, np, tr->p.grad_reduce_ctx);
    ag_adam_step(tr->opt, ag_nn_params(tr->nn), tr->grad);
    ag_nn_sync(tr->nn);
    tr->steps++;
    sl += bl * inv;
    sp += bp * inv;
    sv += bv * inv;
  }
  double k = done ? 1.0 / done : 0;
  if (loss) *loss = sl * k;
  if (lp) *lp = sp * k;
  if (lv) *lv = sv * k;
  return done;
}

double ag_trainer_buffer_loss(ag_trainer *tr, double *lp, double *lv) {
  double sp = 0, sv = 0;
  for (int i = 0; i < tr->size; i++) {
    const sample *sm = &tr->buf[i];
    rebuild(tr, sm);
    const ag_nn_input *in = &tr->tok.in;
    if (in->nact != sm->nact) continue;
    if ((size_t)in->nact + 1 > tr->cap_logits) {
      free(tr->logits);
      tr->cap_logits = (size_t)in->nact + 1;
      tr->logits = ag_malloc(tr->cap_logits * sizeof(float));
    }
    float v = ag_nn_forward(tr->nn, in, tr->logits);
    double mx = -INFINITY, z = 0;
    for (int k = 0; k < in->nact; k++)
      if (tr->logits[k] > mx) mx = tr->logits[k];
    for (int k = 0; k < in->nact; k++)
      z += exp(tr->logits[k] - mx);
    double ce = 0, lz = log(z) + mx;
    for (int k = 0; k < in->nact; k++)
      ce -= sm->pi[k] * (tr->logits[k] - lz);
    sp += ce;
    sv += ((double)v - sm->z) * ((double)v - sm->z);
  }
  double k = tr->size ? 1.0 / tr->size : 0;
  if (lp) *lp = sp * k;
  if (lv) *lv = sv * k;
  return (sp + tr->p.value_weight * sv) * k;
}

void ag_trainer_run(ag_trainer *tr, long episodes) {
  if (tr->ngraphs <= 0) return;
  int *graphs = ag_malloc((size_t)tr->p.parallel_games * sizeof(int));
  long *costs = ag_malloc((size_t)tr->p.parallel_games * sizeof(long));
  for (long e = 0; e < episodes;) {
    int count = ag_trainer_next_round(tr);
    if (count > episodes - e) count = (int)(episodes - e);
    for (int i = 0; i < count; i++)
      graphs[i] = (int)((tr->episodes + i) % tr->ngraphs);
    play_round(tr, graphs, count, costs);
    for (int i = 0; i < count; i++) {
      tr->episodes++;
      ag_trainer_train(tr, tr->p.steps_per_episode, &tr->last_loss, &tr->last_lp, &tr->last_lv);
      int evaluated = tr->p.eval_every > 0 && tr->episodes % tr->p.eval_every == 0;
      if (evaluated)
        for (int h = 0; h < tr->ngraphs; h++)
          tr->eval_cost[h] = ag_trainer_eval(tr, h, NULL);
      if (tr->p.progress) {
        ag_train_progress pr;
        memset(&pr, 0, sizeof pr);
        pr.episodes = tr->episodes;
        pr.steps = tr->steps;
        pr.loss = tr->last_loss;
        pr.loss_policy = tr->last_lp;
        pr.loss_value = tr->last_lv;
        pr.graph = graphs[i];
        pr.episode_cost = costs[i];
        pr.ngraphs = tr->ngraphs;
        pr.best_cost = tr->best;
        pr.buffer_states = tr->size;
        pr.eval_cost = evaluated ? tr->eval_cost : NULL;
        pr.forward_cost = tr->base_fwd;
        pr.reverse_cost = tr->base_rev;
        pr.markowitz_cost = tr->base_mkw;
        pr.elapsed = tr->elapsed0 + (ag_now() - tr->t0);
        pr.episodes_per_s = pr.elapsed > 0 ? (double)tr->episodes / pr.elapsed : 0;
        pr.round_end = i == count - 1;
        pr.round_size = count;
        tr->p.progress(&pr, tr->p.progress_ctx);
      }
    }
    e += count;
  }
  free(graphs);
  free(costs);
}
