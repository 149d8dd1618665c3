/* alphagrad train: AlphaZero-style self-play training of the policy/value network on a set
   of graphs (mcts/train.h), with the model (weights, architecture, Adam state) in HDF5.
   Usage errors exit 2, run-time errors 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "jacobian/source.h"
#include "mcts/corpus.h"
#include "mcts/train.h"
#include "nn/features.h"
#include "nn/nn.h"

static const char *train_usage =
    "usage: alphagrad train SOURCE [SOURCE...] --model MODEL.h5 [options]\n"
    "       alphagrad train SOURCE [SOURCE...] --checkpoint CKPT.h5 [options]\n"
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
    "  --checkpoint FILE training checkpoint (network, Adam, replay buffer, counters, RNG,\n"
    "                    best orders; also a model file): written every --checkpoint-every\n"
    "                    episodes and at the end; if it exists, training resumes from it\n"
    "                    exactly (same SOURCEs in the same order; it wins over --model)\n"
    "  --checkpoint-every N  (default 10; 0: only at the end)\n"
    "  --eval-every K    every K episodes, play each graph deterministically with the\n"
    "                    network (no temperature) and print an 'eval:' line with its cost\n"
    "                    next to the forward, reverse and Markowitz costs (default 0: never)\n"
    "  --eval-sims N     simulations per move of the evaluation (default: --sims)\n"
    "  --log FILE.csv    one CSV row per episode (header first; appended when resuming)\n"
    "  --backend B       cpu or cuda (default cpu)\n"
    "  --corpus N        add N random kernels (mcts/corpus.h; fixed seeds) to the graphs\n"
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
  const char *model, *ckpt;
  long save_every, ckpt_every;
  FILE *log;
  int failed;
} run_ctx;

/* a CSV column name from a graph name */
static void col_name(char *dst, size_t n, const char *name) {
  snprintf(dst, n, "%s", name);
  for (char *c = dst; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
      *c = '_';
}

static void log_header(FILE *f, char **names, int ng) {
  static const char *const kinds[5] = {"best", "eval", "forward", "reverse", "markowitz"};
  fprintf(f, "episode,graph,steps,loss,loss_policy,loss_value,episode_cost");
  for (int k = 0; k < 5; k++)
    for (int g = 0; g < ng; g++) {
      char c[256];
      col_name(c, sizeof c, names[g]);
      fprintf(f, ",%s_%s", kinds[k], c);
    }
  fprintf(f, ",buffer,episodes_per_s\n");
}

static void progress(const ag_train_progress *pr, void *vctx) {
  run_ctx *c = vctx;
  printf("episode %ld  step %ld  %s: cost %ld  loss %.4f (policy %.4f, value %.4f)  buffer %d  "
         "%.2f episodes/s  best:",
         pr->episodes, pr->steps, c->names[pr->graph], pr->episode_cost, pr->loss, pr->loss_policy,
         pr->loss_value, pr->buffer_states, pr->episodes_per_s);
  for (int g = 0; g < pr->ngraphs; g++)
    printf(" %ld", pr->best_cost[g]);
  printf("\n");
  if (pr->eval_cost) {
    printf("eval: episode %ld", pr->episodes);
    for (int g = 0; g < pr->ngraphs; g++)
      printf("  %s: %ld (forward %ld, reverse %ld, Markowitz %ld)", c->names[g], pr->eval_cost[g],
             pr->forward_cost[g], pr->reverse_cost[g], pr->markowitz_cost[g]);
    printf("\n");
  }
  fflush(stdout);
  if (c->log) {
    FILE *f = c->log;
    fprintf(f, "%ld,%d,%ld,%.9g,%.9g,%.9g,%ld", pr->episodes, pr->graph, pr->steps, pr->loss,
            pr->loss_policy, pr->loss_value, pr->episode_cost);
    for (int g = 0; g < pr->ngraphs; g++) /* empty until the graph had an episode */
      if (pr->best_cost[g] >= 0)
        fprintf(f, ",%ld", pr->best_cost[g]);
      else
        fprintf(f, ",");
    for (int g = 0; g < pr->ngraphs; g++)
      if (pr->eval_cost)
        fprintf(f, ",%ld", pr->eval_cost[g]);
      else
        fprintf(f, ",");
    const long *base[3] = {pr->forward_cost, pr->reverse_cost, pr->markowitz_cost};
    for (int k = 0; k < 3; k++)
      for (int g = 0; g < pr->ngraphs; g++)
        fprintf(f, ",%ld", base[k][g]);
    fprintf(f, ",%d,%.6g\n", pr->buffer_states, pr->episodes_per_s);
    if (fflush(f)) {
      fprintf(stderr, "alphagrad train: cannot write the log\n");
      c->failed = 1;
    }
  }
  if (c->ckpt && c->ckpt_every > 0 && pr->episodes % c->ckpt_every == 0) {
    ag_error err;
    err.msg[0] = 0;
    if (ag_trainer_save(c->tr, c->ckpt, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      c->failed = 1;
    }
  }
  if (c->model && c->save_every > 0 && pr->episodes % c->save_every == 0) {
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
         save_every = 0, seed = 1, ckpt_every = 10, eval_every = 0, eval_sims = 0, corpus = 0;
  const char *ckpt = NULL, *logpath = NULL;
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
                  {"--seed", &seed, 0, 1e18},         {"--checkpoint-every", &ckpt_every, 0, 1e9},
                  {"--eval-every", &eval_every, 0, 1e9}, {"--eval-sims", &eval_sims, 1, 1e6},
                  {"--corpus", &corpus, 0, 48}};
      int done = 0;
      for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (!strcmp(a, nums[k].name)) {
          if (!num(v, nums[k].lo, nums[k].hi, nums[k].dst))
            return t_usage("bad value for option: %s", a);
          done = 1;
        }
      if (done) continue;
      if (!strcmp(a, "--model")) model = v;
      else if (!strcmp(a, "--checkpoint")) ckpt = v;
      else if (!strcmp(a, "--log")) logpath = v;
      else if (!strcmp(a, "--backend")) backend = v;
      else return t_usage("unknown option %s", a);
      continue;
    }
    if (nsrc == 64) return t_usage("at most 64 sources (%s)", a);
    srcs[nsrc++] = a;
  }
  if (!nsrc && !corpus) return t_usage("no SOURCE given (and no --corpus)%s", "");
  if (nsrc + corpus > 64) return t_usage("at most 64 graphs in all%s", "");
  if (!model && !ckpt) return t_usage("--model or --checkpoint is required%s", "");

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
  /* random kernels (mcts/corpus.h), sizes spread like the paper's scalar kernels; the
     same --corpus N always gives the same graphs */
  for (int c = 0; c < (int)corpus; c++) {
    int ni = 4 + (c * 5) % 12, nv = 40 + (c * 37) % 120, no = 2 + (c * 7) % 10;
    graphs[ng] = ag_corpus_random(1000 + (uint64_t)c, ni, nv, no);
    if (!graphs[ng]) {
      fprintf(stderr, "alphagrad train: corpus graph %d (%d, %d, %d) could not be built\n", c, ni,
              nv, no);
      goto out;
    }
    dags[ng] = &graphs[ng]->dag;
    names[ng] = graphs[ng]->name;
    ng++;
  }
  ag_adam opt;
  memset(&opt, 0, sizeof opt);
  ag_nn *nn = NULL;
  FILE *probe = model ? fopen(model, "rb") : NULL;
  long ck_episodes = -1;
  if (ckpt && access(ckpt, F_OK) == 0) {
    if (probe) fclose(probe);
    probe = NULL;
    /* resume from the checkpoint: its network, then (below) the trainer state */
    if (ag_trainer_checkpoint_info(ckpt, &ck_episodes, &err) ||
        !(nn = ag_nn_load(ckpt, backend, &opt, &err))) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      goto out;
    }
  } else if (probe) {
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
  p.eval_every = (int)eval_every;
  p.eval_sims = (int)eval_sims;
  run_ctx ctx = {.names = names, .nn = nn, .model = model, .save_every = (long)save_every,
                 .ckpt = ckpt, .ckpt_every = (long)ckpt_every};
  p.progress = progress;
  p.progress_ctx = &ctx;
  ag_trainer *tr = ag_trainer_new(nn, &opt, dags, ng, &p);
  ctx.tr = tr;
  if (ck_episodes >= 0) {
    if (ag_trainer_load(tr, ckpt, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      goto done;
    }
    printf("resuming from %s at episode %ld (Adam step %ld, buffer %d states)\n", ckpt,
           ag_trainer_episodes(tr), opt.step, ag_trainer_buffer_size(tr));
  }
  if (logpath) {
    int append = 0;
    if (ck_episodes >= 0) {
      FILE *lf = fopen(logpath, "rb");
      if (lf) {
        append = fgetc(lf) != EOF;
        fclose(lf);
      }
    }
    ctx.log = fopen(logpath, append ? "a" : "w");
    if (!ctx.log) {
      fprintf(stderr, "alphagrad train: cannot open the log %s: %s\n", logpath, strerror(errno));
      goto done;
    }
    if (!append) log_header(ctx.log, names, ng);
  }
  ag_trainer_run(tr, (long)episodes);
  rc = ctx.failed;
  if (model) {
    if (ag_nn_save(nn, &opt, model, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      rc = 1;
    } else
      printf("wrote %s\n", model);
  }
  if (ckpt) {
    if (ag_trainer_save(tr, ckpt, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      rc = 1;
    } else
      printf("wrote checkpoint %s (episode %ld)\n", ckpt, ag_trainer_episodes(tr));
  }
  for (int g = 0; g < ng; g++)
    printf("%s: best episode cost %ld\n", names[g], ag_trainer_best(tr, g, NULL));
done:
  if (ctx.log && fclose(ctx.log)) {
    fprintf(stderr, "alphagrad train: cannot write the log %s\n", logpath);
    rc = 1;
  }
  ag_trainer_free(tr);
  ag_nn_free(nn);
  ag_adam_free(&opt);
out:
  for (int g = 0; g < ng; g++)
    ag_graph_free(graphs[g]);
  return rc;
}
