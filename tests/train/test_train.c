/* Self-play training (train/train.h) on PropaneCombustion: a few episodes fill the replay
   buffer with consistent targets, training steps keep the loss finite and lower it on the
   buffer, the best order found is valid and costs what is reported, and the progress
   callback reports. Checkpoints: training E1 + E2 episodes in one go is bit-identical to
   E1 episodes, a checkpoint, a load into a fresh trainer and network, and E2 more;
   checkpoints of other graphs, model files and truncated or corrupted files are refused;
   periodic evaluation reports costs next to the baselines without changing the training. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "nn/features.h"
#include "paper.h"
#include "train/train.h"
#include "train/train_internal.h"

typedef struct {
  int calls;
  long last_episodes;
  int bad;
} prog;

static void on_progress(const ag_train_progress *pr, void *ctx) {
  prog *p = ctx;
  p->calls++;
  p->bad += pr->episodes != p->last_episodes + 1 || !isfinite(pr->loss) || pr->ngraphs != 1 ||
            pr->best_cost[0] <= 0 || pr->episode_cost < pr->best_cost[0];
  p->last_episodes = pr->episodes;
  printf("  episode %ld: cost %ld (best %ld), step %ld, loss %.4f (policy %.4f, value %.4f), "
         "buffer %d, %.2f episodes/s\n",
         pr->episodes, pr->episode_cost, pr->best_cost[0], pr->steps, pr->loss, pr->loss_policy,
         pr->loss_value, pr->buffer_states, pr->episodes_per_s);
}

typedef struct {
  int evals, bad;
  long last_eval[2];
} evprog;

static void on_eval_progress(const ag_train_progress *pr, void *ctx) {
  evprog *e = ctx;
  if (!pr->eval_cost) return;
  e->evals++;
  for (int g = 0; g < pr->ngraphs; g++) {
    e->bad += pr->eval_cost[g] <= 0 || pr->forward_cost[g] <= 0;
    e->last_eval[g] = pr->eval_cost[g];
    printf("  eval after episode %ld, graph %d: %ld (forward %ld, reverse %ld, Markowitz %ld)\n",
           pr->episodes, g, pr->eval_cost[g], pr->forward_cost[g], pr->reverse_cost[g],
           pr->markowitz_cost[g]);
  }
}

/* 1 when two trainers hold the same state, bit for bit */
static int same_state(ag_trainer *a, ag_trainer *b, ag_nn *na, ag_nn *nb) {
  int bad = 0;
  size_t np = ag_nn_nparams(na);
  if (np != ag_nn_nparams(nb) || memcmp(ag_nn_params(na), ag_nn_params(nb), np * sizeof(float)))
    bad++, printf("  parameters differ\n");
  ag_adam *oa = ag_trainer_adam(a), *ob = ag_trainer_adam(b);
  if (oa->step != ob->step || memcmp(oa->m, ob->m, np * sizeof(float)) ||
      memcmp(oa->v, ob->v, np * sizeof(float)))
    bad++, printf("  Adam state differs\n");
  if (a->episodes != b->episodes || a->steps != b->steps || memcmp(&a->rng, &b->rng, sizeof a->rng))
    bad++, printf("  counters or RNG differ: %ld/%ld episodes, %ld/%ld steps\n", a->episodes,
                  b->episodes, a->steps, b->steps);
  if (a->size != b->size || a->head != b->head || a->cap != b->cap)
    bad++, printf("  buffer shape differs\n");
  for (int i = 0; !bad && i < a->size; i++) {
    const sample *x = &a->buf[i], *y = &b->buf[i];
    if (x->graph != y->graph || x->len != y->len || x->nact != y->nact ||
        memcmp(&x->z, &y->z, sizeof x->z) ||
        memcmp(x->prefix, y->prefix, (size_t)x->len * sizeof(int)) ||
        memcmp(x->pi, y->pi, (size_t)x->nact * sizeof(float)))
      bad++, printf("  buffer entry %d differs\n", i);
  }
  for (int g = 0; g < a->ngraphs; g++) {
    const int *ra, *rb;
    long ca = ag_trainer_best(a, g, &ra), cb = ag_trainer_best(b, g, &rb);
    if (ca != cb || (ca >= 0 && memcmp(ra, rb, (size_t)a->graphs[g]->neliminable * sizeof(int))))
      bad++, printf("  best of graph %d differs: %ld / %ld\n", g, ca, cb);
  }
  return bad == 0;
}

static int file_copy_part(const char *from, const char *to, long keep, long flip_at) {
  FILE *f = fopen(from, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)n + 1);
  if (fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
  fclose(f);
  if (keep < 0 || keep > n) keep = n;
  if (flip_at >= 0)
    for (long i = flip_at; i < flip_at + 64 && i < keep; i++)
      b[i] ^= 0x5a;
  FILE *g = fopen(to, "wb");
  if (!g) {
    free(b);
    return -1;
  }
  fwrite(b, 1, (size_t)keep, g);
  fclose(g);
  free(b);
  return (int)(n > 0 ? 0 : -1);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* training resumes exactly from a checkpoint; bad checkpoints are refused */
static void test_checkpoint(const ag_dag *d0, const ag_dag *d1, const ag_nn_arch *a) {
  ag_error err;
  err.msg[0] = 0;
  const ag_dag *graphs[2] = {d0, d1};
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = 8;
  p.batch = 8;
  p.steps_per_episode = 3;
  p.buffer = 150; /* wraps during the run */
  p.seed = 5;
  const long E1 = 3, E2 = 2;

  /* in one go, with periodic evaluation (which must not change the training) */
  ag_train_params pe = p;
  evprog ev;
  memset(&ev, 0, sizeof ev);
  pe.eval_every = 2;
  pe.eval_sims = 8;
  pe.progress = on_eval_progress;
  pe.progress_ctx = &ev;
  ag_nn *na = ag_nn_new(a, "cpu", 21, &err);
  ag_trainer *ta = ag_trainer_new(na, NULL, graphs, 2, &pe);
  ag_trainer_run(ta, E1 + E2);
  CHECK(ev.evals == 2 && ev.bad == 0, "evaluations: %d, %d bad", ev.evals, ev.bad);
  long fw, rv, mk;
  ag_trainer_baselines(ta, 0, &fw, &rv, &mk);
  CHECK(fw == 151 && rv == 90 && mk == 111, "PropaneCombustion baselines %ld %ld %ld", fw, rv, mk);
  int *ord = malloc((size_t)d0->neliminable * sizeof(int));
  long ec = ag_trainer_eval(ta, 0, ord);
  CHECK(ag_order_cost(d0, ord, d0->neliminable, &err) == ec, "eval order costs %ld", ec);
  CHECK(ag_trainer_eval(ta, 0, NULL) == ec, "eval repeats");
  free(ord);

  /* E1 episodes, checkpoint */
  char ck[256], bad[256];
  snprintf(ck, sizeof ck, "/tmp/ag_test_train_%ld.h5", (long)getpid());
  snprintf(bad, sizeof bad, "/tmp/ag_test_train_bad_%ld.h5", (long)getpid());
  ag_nn *nb = ag_nn_new(a, "cpu", 21, &err);
  ag_trainer *tb = ag_trainer_new(nb, NULL, graphs, 2, &p);
  ag_trainer_run(tb, E1);
  CHECK(ag_trainer_save(tb, ck, &err) == 0, "save: %s", err.msg);
  long ep = -1;
  CHECK(ag_trainer_checkpoint_info(ck, &ep, &err) == 0 && ep == E1, "info: %ld (%s)", ep, err.msg);

  /* fresh network (other initial weights) and trainer, load, E2 more */
  ag_nn *nc = ag_nn_new(a, "cpu", 99, &err);
  ag_trainer *tc = ag_trainer_new(nc, NULL, graphs, 2, &p);
  CHECK(ag_trainer_load(tc, ck, &err) == 0, "load: %s", err.msg);
  CHECK(same_state(tb, tc, nb, nc), "the loaded trainer is not the saved one");
  ag_trainer_run(tc, E2);
  CHECK(ag_trainer_episodes(tc) == E1 + E2, "episodes after resuming %ld", ag_trainer_episodes(tc));
  CHECK(same_state(ta, tc, na, nc), "resumed training differs from training in one go");
  ag_trainer_free(tb);
  ag_nn_free(nb);

  /* a checkpoint is also a model file */
  ag_adam o;
  ag_nn *nm = ag_nn_load(ck, "cpu", &o, &err);
  CHECK(nm != NULL && o.step == E1 * p.steps_per_episode, "checkpoint as a model: %s",
        nm ? "" : err.msg);
  if (nm) {
    ag_nn_free(nm);
    ag_adam_free(&o);
  }

  /* refusals leave the trainer untouched */
  ag_nn *nd = ag_nn_new(a, "cpu", 7, &err);
  const ag_dag *swapped[2] = {d1, d0}, *one[1] = {d0};
  ag_trainer *td = ag_trainer_new(nd, NULL, swapped, 2, &p);
  err.msg[0] = 0;
  CHECK(ag_trainer_load(td, ck, &err) < 0 && strstr(err.msg, "is not the checkpoint's"),
        "other graphs: %s", err.msg);
  CHECK(err.code == AG_ERR_MISMATCH, "other graphs: code %s (%s)", ag_status_name(err.code),
        err.msg);
  printf("  refused: %s\n", err.msg);
  CHECK(ag_trainer_episodes(td) == 0 && ag_trainer_buffer_size(td) == 0,
        "refusal changed the trainer");
  ag_trainer_free(td);
  td = ag_trainer_new(nd, NULL, one, 1, &p);
  CHECK(ag_trainer_load(td, ck, &err) < 0 && strstr(err.msg, "2 graphs, this run trains 1"),
        "fewer graphs: %s", err.msg);
  CHECK(err.code == AG_ERR_MISMATCH, "fewer graphs: code %s (%s)", ag_status_name(err.code),
        err.msg);
  /* a model file without trainer state */
  CHECK(ag_nn_save(nd, NULL, bad, &err) == 0, "save model: %s", err.msg);
  CHECK(ag_trainer_load(td, bad, &err) < 0 && strstr(err.msg, "not a training checkpoint"),
        "model file: %s", err.msg);
  CHECK(err.code == AG_ERR_FORMAT, "model file: code %s (%s)", ag_status_name(err.code), err.msg);
  ag_trainer_free(td);
  td = ag_trainer_new(nd, NULL, graphs, 2, &p);
  long n = file_size(ck);
  CHECK(file_copy_part(ck, bad, n / 2, -1) == 0, "copy");
  CHECK(ag_trainer_load(td, bad, &err) < 0, "a truncated checkpoint was loaded");
  CHECK(err.code == AG_ERR_CORRUPT, "truncated checkpoint: code %s (%s)", ag_status_name(err.code),
        err.msg);
  printf("  truncated: %s\n", err.msg);
  int corrupt_refused = 1;
  for (int k = 1; k < 8; k++) { /* garbage at several places */
    CHECK(file_copy_part(ck, bad, -1, n * k / 8) == 0, "copy");
    if (ag_trainer_load(td, bad, &err) == 0) {
      corrupt_refused = 0;
      printf("  corruption at %ld not detected\n", n * k / 8);
    } else if (k == 4)
      printf("  corrupted: %s\n", err.msg);
  }
  CHECK(corrupt_refused, "a corrupted checkpoint was loaded");
  CHECK(ag_trainer_episodes(td) == 0 && ag_trainer_buffer_size(td) == 0,
        "refusal changed the trainer");
  ag_trainer_free(td);

  /* another buffer capacity keeps the newest states */
  ag_train_params small = p;
  small.buffer = 10;
  td = ag_trainer_new(nd, NULL, graphs, 2, &small);
  CHECK(ag_trainer_load(td, ck, &err) == 0, "load into a smaller buffer: %s", err.msg);
  CHECK(ag_trainer_buffer_size(td) == 10 && td->head == 0, "smaller buffer: %d",
        ag_trainer_buffer_size(td));
  CHECK(ag_trainer_train(td, 2, NULL, NULL, NULL) == 2, "training after a repacked load");
  ag_trainer_free(td);
  ag_nn_free(nd);

  unlink(ck);
  unlink(bad);
  ag_trainer_free(ta);
  ag_trainer_free(tc);
  ag_nn_free(na);
  ag_nn_free(nc);
}

typedef struct {
  int calls, ends, bad;
  long last;
  int ngraphs;
} roundprog;

static void on_round_progress(const ag_train_progress *pr, void *ctx) {
  roundprog *r = ctx;
  r->calls++;
  r->ends += pr->round_end;
  /* episode e (1-based here) played graph (e - 1) mod ngraphs; a round ends at a multiple
     of its size */
  r->bad += pr->episodes != r->last + 1 || pr->graph != (int)((pr->episodes - 1) % r->ngraphs) ||
            (pr->round_end && pr->episodes % 3 != 0);
  r->last = pr->episodes;
}

/* games played together in rounds (parallel_games): exact resume between rounds, one
   network pass for the leaves of the round's games, a valid best order per graph */
static void test_parallel_games(const ag_dag *d0, const ag_dag *d1, const ag_nn_arch *a) {
  ag_error err;
  err.msg[0] = 0;
  const ag_dag *graphs[2] = {d0, d1};
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = 8;
  p.batch = 8;
  p.steps_per_episode = 2;
  p.seed = 9;
  p.parallel_games = 3;
  p.leaf_batch = 2;
  p.teacher_episodes = 2; /* the first round mixes teacher and network games */
  roundprog rp = {0, 0, 0, 0, 2};
  ag_train_params pa = p;
  pa.progress = on_round_progress;
  pa.progress_ctx = &rp;
  ag_nn *na = ag_nn_new(a, "cpu", 31, &err), *nb = ag_nn_new(a, "cpu", 31, &err),
        *nc = ag_nn_new(a, "cpu", 77, &err);
  ag_trainer *ta = ag_trainer_new(na, NULL, graphs, 2, &pa);
  CHECK(ag_trainer_next_round(ta) == 3, "first round of %d", ag_trainer_next_round(ta));
  ag_trainer_run(ta, 9);
  CHECK(rp.calls == 9 && rp.ends == 3 && rp.bad == 0, "progress: %d calls, %d round ends, %d bad",
        rp.calls, rp.ends, rp.bad);
  for (int g = 0; g < 2; g++) {
    const int *ord;
    long bc = ag_trainer_best(ta, g, &ord);
    CHECK(bc > 0 && ag_order_cost(graphs[g], ord, graphs[g]->neliminable, &err) == bc,
          "graph %d: best %ld", g, bc);
  }
  /* 6 episodes, checkpoint, 3 more in a fresh trainer */
  char ck[256];
  snprintf(ck, sizeof ck, "/tmp/ag_test_train_par_%ld.h5", (long)getpid());
  ag_trainer *tb = ag_trainer_new(nb, NULL, graphs, 2, &p);
  ag_trainer_run(tb, 6);
  CHECK(ag_trainer_save(tb, ck, &err) == 0, "save: %s", err.msg);
  ag_trainer *tc = ag_trainer_new(nc, NULL, graphs, 2, &p);
  CHECK(ag_trainer_load(tc, ck, &err) == 0, "load: %s", err.msg);
  CHECK(ag_trainer_next_round(tc) == 3, "round after 6 episodes: %d", ag_trainer_next_round(tc));
  ag_trainer_run(tc, 3);
  CHECK(same_state(ta, tc, na, nc), "parallel games: resumed training differs from one go");
  /* an odd stop (4 episodes) realigns the rounds: 4 = 3 + 1, then rounds of 2 and 3 */
  ag_trainer_run(tb, 1);
  CHECK(ag_trainer_next_round(tb) == 2, "round after 7 episodes: %d", ag_trainer_next_round(tb));
  remove(ck);
  ag_trainer_free(ta);
  ag_trainer_free(tb);
  ag_trainer_free(tc);
  ag_nn_free(na);
  ag_nn_free(nb);
  ag_nn_free(nc);
}

int main(void) {
  char path[4096];
  ag_error err;
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_graph *g = ag_parse_dag_file(path, "PropaneCombustion", &err);
  CHECK(g != NULL, "%s", err.msg);
  if (!g) return check_report("test_train");
  const ag_dag *d = &g->dag;
  ag_nn_arch a = {AG_NN_NFEAT, 32, 2, 32};
  ag_nn *nn = ag_nn_new(&a, "cpu", 11, &err);
  CHECK(nn != NULL, "ag_nn_new: %s", err.msg);
  if (!nn) return check_report("test_train");

  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = 16;
  p.batch = 16;
  p.steps_per_episode = 4;
  p.seed = 3;
  prog pg = {0, 0, 0};
  p.progress = on_progress;
  p.progress_ctx = &pg;
  const ag_dag *graphs[1] = {d};
  ag_trainer *tr = ag_trainer_new(nn, NULL, graphs, 1, &p);
  ag_trainer_run(tr, 4);
  CHECK(pg.calls == 4 && pg.bad == 0, "progress: %d calls, %d bad", pg.calls, pg.bad);
  CHECK_EQ_LONG(ag_trainer_buffer_size(tr), 4 * d->neliminable, "states in the buffer");

  /* the best order is valid and costs what is reported */
  const int *best;
  long bc = ag_trainer_best(tr, 0, &best);
  long c = ag_order_cost(d, best, d->neliminable, &err);
  CHECK(bc > 0 && c == bc, "best %ld, its order costs %ld (%s)", bc, c, c < 0 ? err.msg : "");
  printf("PropaneCombustion: best self-play cost %ld (forward 151, reverse 90, Markowitz 111)\n",
         bc);

  /* training lowers the loss on the buffer */
  double lp0, lv0, l0 = ag_trainer_buffer_loss(tr, &lp0, &lv0);
  double l, lp, lv;
  int steps = ag_trainer_train(tr, 150, &l, &lp, &lv);
  double lp1, lv1, l1 = ag_trainer_buffer_loss(tr, &lp1, &lv1);
  printf("buffer loss %.4f (policy %.4f, value %.4f) -> %.4f (policy %.4f, value %.4f) after %d "
         "steps\n",
         l0, lp0, lv0, l1, lp1, lv1, steps);
  CHECK(steps == 150, "steps %d", steps);
  CHECK(isfinite(l0) && isfinite(l1) && isfinite(l), "loss not finite");
  CHECK(l1 < l0, "the buffer loss did not decrease: %g -> %g", l0, l1);
  CHECK(lv1 < lv0, "the value loss did not decrease: %g -> %g", lv0, lv1);

  /* a trained network still plays valid episodes */
  long e = ag_trainer_play(tr, 0);
  CHECK(e > 0 && ag_trainer_best(tr, 0, NULL) <= e, "episode %ld", e);
  bc = ag_trainer_best(tr, 0, &best);
  CHECK(ag_order_cost(d, best, d->neliminable, &err) == bc, "best order after training");

  /* a heuristic teacher: without move sampling, the first episode is exactly the heuristic
     MCTS episode (same simulations), and the network is not consulted */
  {
    ag_train_params tq = p;
    tq.teacher_episodes = 1;
    tq.temperature = 0;
    tq.progress = NULL;
    ag_trainer *tt = ag_trainer_new(nn, NULL, graphs, 1, &tq);
    long te = ag_trainer_play(tt, 0);
    ag_mcts_params hp;
    ag_mcts_params_default(&hp);
    hp.evaluator = &ag_mcts_heuristic;
    hp.sims_per_move = tq.sims_per_move;
    long he = ag_mcts_episode(d, &hp, NULL);
    CHECK(te == he, "teacher episode cost %ld, heuristic MCTS episode %ld", te, he);
    CHECK_EQ_LONG(ag_trainer_buffer_size(tt), d->neliminable, "teacher states in the buffer");
    ag_trainer_free(tt);
  }

  /* a tiny ring buffer wraps around */
  ag_train_params q = p;
  q.buffer = 10;
  q.progress = NULL;
  ag_trainer *t2 = ag_trainer_new(nn, NULL, graphs, 1, &q);
  ag_trainer_play(t2, 0);
  CHECK_EQ_LONG(ag_trainer_buffer_size(t2), 10, "ring buffer size");
  CHECK(ag_trainer_train(t2, 3, &l, NULL, NULL) == 3 && isfinite(l),
        "training on a wrapped buffer");
  ag_trainer_free(t2);

  ag_trainer_free(tr);

  ag_graph *h = ag_parse_dag_file(path, "HumanHeartDipole", &err);
  CHECK(h != NULL, "%s", err.msg);
  if (h) test_checkpoint(d, &h->dag, &a);
  if (h) test_parallel_games(d, &h->dag, &a);
  ag_graph_free(h);

  ag_nn_free(nn);
  ag_graph_free(g);
  return check_report("test_train");
}
