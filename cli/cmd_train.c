/* alphagrad train: AlphaZero-style self-play training of the policy/value network on a set
   of graphs (mcts/train.h), with the model (weights, architecture, Adam state) in HDF5.
   Usage errors exit 2, run-time errors 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "jacobian/source.h"
#include "mcts/train.h"
#include "nn/features.h"
#include "nn/nn.h"

static const char *train_usage =
    "usage: alphagrad train SOURCE [SOURCE...] --model MODEL.h5 [options]\n"
    "\n"
    "Self-play training of the policy/value network (AlphaZero style): MCTS with the network\n"
    "as prior and value plays the elimination game on the graphs in turn; the visit counts\n"
    "and the episode costs become training targets in a replay buffer; Adam trains on\n"
    "minibatches after every episode. One progress line per episode.\n"
    "\n"
    "SOURCE: kernel.c[:function] or graphs.txt:Section (reference DAG text file).\n"
    "\n"
    "options:\n"
    "  --model FILE      where the model is written (weights, architecture, Adam state);\n"
    "                    if it exists, training resumes from it\n"
    "  --episodes N      self-play episodes (default 20)\n"
    "  --sims N          MCTS simulations per move (default 64)\n"
    "  --width N         hidden width of a new network (default 64)\n"
    "  --layers N        message-passing layers of a new network (default 4)\n"
    "  --lr X            Adam learning rate (default 1e-3)\n"
    "  --batch N         states per training step (default 32)\n"
    "  --steps N         training steps after each episode (default 16)\n"
    "  --save-every N    write the model every N episodes too (default 0: only at the end)\n"
    "  --backend B       cpu or cuda (default cpu)\n"
    "  --seed S          (default 1)\n";

static int t_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "alphagrad train: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", train_usage);
  return 2;
}

static int num(const char *s, double lo, double hi, double *v) {
  char *end;
  errno = 0;
  *v = strtod(s, &end);
  return !(errno || end == s || *end || *v < lo || *v > hi);
}

typedef struct {
  char **names;
  ag_nn *nn;
  ag_trainer *tr;
  const char *model;
  long save_every;
  int failed;
} run_ctx;

static void progress(const ag_train_progress *pr, void *vctx) {
  run_ctx *c = vctx;
  printf("episode %ld  step %ld  %s: cost %ld  loss %.4f (policy %.4f, value %.4f)  buffer %d  "
         "%.2f episodes/s  best:",
         pr->episodes, pr->steps, c->names[pr->graph], pr->episode_cost, pr->loss, pr->loss_policy,
         pr->loss_value, pr->buffer_states, pr->episodes_per_s);
  for (int g = 0; g < pr->ngraphs; g++)
    printf(" %ld", pr->best_cost[g]);
  printf("\n");
  fflush(stdout);
  if (c->save_every > 0 && pr->episodes % c->save_every == 0) {
    ag_error err;
    err.msg[0] = 0;
    if (ag_nn_save(c->nn, ag_trainer_adam(c->tr), c->model, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      c->failed = 1;
    }
  }
}

int ag_cmd_train(int argc, char **argv) {
  const char *model = NULL, *backend = "cpu";
  double episodes = 20, sims = 64, width = 64, layers = 4, lr = 1e-3, batch = 32, steps = 16,
         save_every = 0, seed = 1;
  const char *srcs[64];
  int nsrc = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(train_usage, stdout);
      return 0;
    }
    if (a[0] == '-' && a[1] == '-') {
      if (i + 1 >= argc) return t_usage("option %s needs a value", a);
      const char *v = argv[++i];
      struct {
        const char *name;
        double *dst, lo, hi;
      } nums[] = {{"--episodes", &episodes, 1, 1e9},  {"--sims", &sims, 1, 1e6},
                  {"--width", &width, 1, 4096},       {"--layers", &layers, 0, 64},
                  {"--lr", &lr, 1e-9, 1},            {"--batch", &batch, 1, 1e6},
                  {"--steps", &steps, 0, 1e6},        {"--save-every", &save_every, 0, 1e9},
                  {"--seed", &seed, 0, 1e18}};
      int done = 0;
      for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (!strcmp(a, nums[k].name)) {
          if (!num(v, nums[k].lo, nums[k].hi, nums[k].dst))
            return t_usage("bad value for option: %s", a);
          done = 1;
        }
      if (done) continue;
      if (!strcmp(a, "--model")) model = v;
      else if (!strcmp(a, "--backend")) backend = v;
      else return t_usage("unknown option %s", a);
      continue;
    }
    if (nsrc == 64) return t_usage("at most 64 sources (%s)", a);
    srcs[nsrc++] = a;
  }
  if (!nsrc) return t_usage("no SOURCE given%s", "");
  if (!model) return t_usage("--model is required%s", "");

  ag_error err;
  err.msg[0] = 0;
  ag_graph *graphs[64];
  const ag_dag *dags[64];
  char *names[64];
  int rc = 1;
  int ng = 0;
  for (int s = 0; s < nsrc; s++) {
    /* "file:Section" for DAG text files (C kernels take file.c:function themselves) */
    char spec[4096], *section = NULL;
    snprintf(spec, sizeof spec, "%s", srcs[s]);
    size_t len = strlen(spec);
    int is_c = strstr(spec, ".c:") || (len > 2 && !strcmp(spec + len - 2, ".c"));
    char *colon = is_c ? NULL : strrchr(spec, ':');
    if (colon) {
      *colon = 0;
      section = colon + 1;
    }
    graphs[ng] = ag_load_source(spec, section, &err);
    if (!graphs[ng]) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    dags[ng] = &graphs[ng]->dag;
    names[ng] = graphs[ng]->name ? graphs[ng]->name : (char *)srcs[s];
    ng++;
  }
  ag_adam opt;
  memset(&opt, 0, sizeof opt);
  ag_nn *nn = NULL;
  FILE *probe = fopen(model, "rb");
  if (probe) {
    fclose(probe);
    nn = ag_nn_load(model, backend, &opt, &err);
    if (!nn) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    printf("resuming from %s (Adam step %ld)\n", model, opt.step);
  } else {
    ag_nn_arch a = {.nfeat = AG_NN_NFEAT, .width = (int)width, .layers = (int)layers,
                    .vhidden = (int)width};
    nn = ag_nn_new(&a, backend, (uint64_t)seed, &err);
    if (!nn) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    ag_adam_init(&opt, ag_nn_nparams(nn), (float)lr);
    printf("new network: width %d, %d layers, %zu parameters, backend %s\n", (int)width,
           (int)layers, ag_nn_nparams(nn), ag_nn_backend_name(nn));
  }
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = (int)sims;
  p.batch = (int)batch;
  p.steps_per_episode = (int)steps;
  p.seed = (uint64_t)seed;
  run_ctx ctx = {.names = names, .nn = nn, .model = model, .save_every = (long)save_every};
  p.progress = progress;
  p.progress_ctx = &ctx;
  ag_trainer *tr = ag_trainer_new(nn, &opt, dags, ng, &p);
  ctx.tr = tr;
  ag_trainer_run(tr, (long)episodes);
  if (ag_nn_save(nn, &opt, model, &err)) {
    fprintf(stderr, "alphagrad train: %s\n", err.msg);
  } else {
    printf("wrote %s\n", model);
    for (int g = 0; g < ng; g++)
      printf("%s: best episode cost %ld\n", names[g], ag_trainer_best(tr, g, NULL));
    rc = ctx.failed;
  }
  ag_trainer_free(tr);
  ag_nn_free(nn);
  ag_adam_free(&opt);
out:
  for (int g = 0; g < ng; g++)
    ag_graph_free(graphs[g]);
  return rc;
}
