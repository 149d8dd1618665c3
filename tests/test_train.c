/* Self-play training (mcts/train.h) on PropaneCombustion: a few episodes fill the replay
   buffer with consistent targets, training steps keep the loss finite and lower it on the
   buffer, the best order found is valid and costs what is reported, and the progress
   callback reports. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "jacobian/orders.h"
#include "jacobian/parse_dag.h"
#include "mcts/train.h"
#include "nn/features.h"
#include "paper.h"

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
  printf("PropaneCombustion: best self-play cost %ld (forward 151, reverse 90, Markowitz 111)\n", bc);

  /* training lowers the loss on the buffer */
  double lp0, lv0, l0 = ag_trainer_buffer_loss(tr, &lp0, &lv0);
  double l, lp, lv;
  int steps = ag_trainer_train(tr, 150, &l, &lp, &lv);
  double lp1, lv1, l1 = ag_trainer_buffer_loss(tr, &lp1, &lv1);
  printf("buffer loss %.4f (policy %.4f, value %.4f) -> %.4f (policy %.4f, value %.4f) after %d steps\n",
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

  /* a tiny ring buffer wraps around */
  ag_train_params q = p;
  q.buffer = 10;
  q.progress = NULL;
  ag_trainer *t2 = ag_trainer_new(nn, NULL, graphs, 1, &q);
  ag_trainer_play(t2, 0);
  CHECK_EQ_LONG(ag_trainer_buffer_size(t2), 10, "ring buffer size");
  CHECK(ag_trainer_train(t2, 3, &l, NULL, NULL) == 3 && isfinite(l), "training on a wrapped buffer");
  ag_trainer_free(t2);

  ag_trainer_free(tr);
  ag_nn_free(nn);
  ag_graph_free(g);
  return check_report("test_train");
}
