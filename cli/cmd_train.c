/* alphagrad train: AlphaZero-style self-play training of the policy/value network on a set
   of graphs (train/train.h), with the model (weights, architecture, Adam state) in HDF5.
   Usage errors exit 2, run-time errors 1. */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "kernel/source.h"
#include "nn/features.h"
#include "nn/nn.h"
#include "train/corpus.h"
#include "train/train.h"
#include "train/train_mpi.h"

static const char *train_usage =
    "usage: alphagrad train SOURCE [SOURCE...] --model MODEL.h5 [options]\n"
    "       alphagrad train SOURCE [SOURCE...] --checkpoint CKPT.h5 [options]\n"
    "\n"
    "Self-play training of the policy/value network (AlphaZero style): MCTS with the network\n"
    "as prior and value plays the elimination game on the graphs in turn; the visit counts\n"
    "and the episode costs become training targets in a replay buffer; Adam trains on\n"
    "minibatches after every episode. One progress line per episode.\n"
    "\n"
    "Under mpiexec or srun (--mpi=pmix), every rank plays its own episodes and the gradients\n"
    "are averaged over the ranks before each Adam step (train/train_mpi.h); rank 0 prints,\n"
    "logs and writes the model. SIGTERM, SIGINT or SIGUSR1 stop the run after the current\n"
    "episode, with a checkpoint written (exit status 0 after SIGUSR1, else 128+signal);\n"
    "the same command then continues from it (see slurm/train.sbatch).\n"
    "\n"
    "SOURCE: kernel.c[:function] or graphs.txt:Section (reference DAG text file).\n"
    "\n"
    "options:\n"
    "  --model FILE      where the model is written (weights, architecture, Adam state);\n"
    "                    if it exists, training resumes from it\n"
    "  --episodes N      self-play episodes in this run (default 20)\n"
    "  --total-episodes N  stop when the episode count (a resumed checkpoint's included)\n"
    "                    reaches N: a requeued job runs only what is left (with\n"
    "                    --episodes too, at most --episodes of them)\n"
    "  --sims N          MCTS simulations per move (default 64)\n"
    "  --leaf-batch B    leaves evaluated together by the self-play search, selected with\n"
    "                    virtual loss (one batched network pass; for GPUs; default 1)\n"
    "  --parallel-games G  self-play games played together in rounds: the new leaves of\n"
    "                    all G games go through the network in one pass (G x leaf-batch\n"
    "                    states; for GPUs), with the weights of the round's start; the\n"
    "                    round's training steps follow its games. Rounds start at\n"
    "                    multiples of G episodes; checkpoints and signal stops happen\n"
    "                    between rounds (default 1)\n"
    "  --teacher-episodes N  the first N episodes of the training (counted from its start)\n"
    "                    are played by the heuristic MCTS (Markowitz prior, rollouts), not\n"
    "                    the network: the network first learns to imitate it (default 0)\n"
    "  --width N         hidden width of a new network (default 64)\n"
    "  --layers N        message-passing layers of a new network (default 4)\n"
    "  --lr X            Adam learning rate (default 1e-3)\n"
    "  --batch N         states per training step (default 32)\n"
    "  --steps N         training steps after each episode (default 16)\n"
    "  --save-every N    write the model every N episodes too (default 0: only at the end)\n"
    "  --checkpoint FILE training checkpoint (network, Adam, replay buffer, counters, RNG,\n"
    "                    best orders; also a model file): written every --checkpoint-every\n"
    "                    episodes and at the end; if it exists, training resumes from it\n"
    "                    exactly (same SOURCEs in the same order; it wins over --model).\n"
    "                    With R > 1 ranks, rank r > 0 keeps its own replay buffer and RNG\n"
    "                    in FILE.rank<r>; resuming on another number of ranks (or from\n"
    "                    rank files of another episode) keeps the network and Adam state\n"
    "                    and starts those ranks' buffers afresh, with a warning\n"
    "  --checkpoint-every N  (default 10; 0: only at the end)\n"
    "  --eval-every K    every K episodes, play each graph deterministically with the\n"
    "                    network (no temperature) and print an 'eval:' line with its cost\n"
    "                    next to the forward, reverse and Markowitz costs (default 0: never)\n"
    "  --eval-sims N     simulations per move of the evaluation (default: --sims)\n"
    "  --log FILE.csv    one CSV row per episode (header first; appended when resuming)\n"
    "  --backend B       cpu or cuda (default cpu)\n"
    "  --corpus N        add N random kernels (train/corpus.h; fixed seeds) to the graphs\n"
    "  --corpus-large N  add N large unrolled kernels (1-D Euler Roe stencils, robot\n"
    "                    chains, spring networks; 75-475 vertices; none of them is a\n"
    "                    held-out graph of bench/bench_policy)\n"
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
  return !(errno || end == s || *end || !isfinite(*v) || *v < lo || *v > hi); /* NaN refused */
}

typedef struct {
  char **names;
  ag_nn *nn;
  ag_trainer *tr;
  const char *model, *ckpt;
  long save_every, ckpt_every;
  FILE *log;
  int failed;
  int rank, size;
  MPI_Comm comm; /* MPI_COMM_NULL: one process */
} run_ctx;

/* a stop request (SIGTERM, SIGINT, SIGUSR1), acted on between episodes */
static volatile sig_atomic_t stop_signal;
static void on_stop_signal(int sig) { stop_signal = sig; }

/* rank r > 0 keeps its trainer state (buffer, RNG) next to rank 0's checkpoint */
static char *rank_ckpt_path(const char *ckpt, int rank) {
  if (rank == 0) return strdup(ckpt);
  size_t n = strlen(ckpt) + 32;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s.rank%d", ckpt, rank);
  return p;
}

/* Collective when c->comm is set: every rank writes its own file, then (after a barrier)
   rank 0 writes the main one, so that the main file is the commit point: rank files of the
   same episode as it belong to it. Returns 0 on every rank, or 1 if any rank failed. */
static int save_checkpoint(run_ctx *c) {
  ag_error err;
  err.msg[0] = 0;
  int bad = 0;
  if (c->rank > 0) {
    char *path = rank_ckpt_path(c->ckpt, c->rank);
    if (!path || ag_trainer_save(c->tr, path, &err)) {
      fprintf(stderr, "alphagrad train: rank %d: %s\n", c->rank, path ? err.msg : "out of memory");
      bad = 1;
    }
    free(path);
  }
  if (c->comm != MPI_COMM_NULL) MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, c->comm);
  if (c->rank == 0 && !bad && ag_trainer_save(c->tr, c->ckpt, &err)) {
    fprintf(stderr, "alphagrad train: %s\n", err.msg);
    bad = 1;
  }
  if (c->comm != MPI_COMM_NULL) MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, c->comm);
  return bad;
}

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

/* whether the round that ended with episode pr->episodes passed a multiple of every */
static int round_crossed(const ag_train_progress *pr, long every) {
  return every > 0 && pr->round_end &&
         pr->episodes / every != (pr->episodes - pr->round_size) / every;
}

static void progress(const ag_train_progress *pr, void *vctx) {
  run_ctx *c = vctx;
  /* checkpoints between rounds only (a round's games were played together) */
  if (c->ckpt && round_crossed(pr, c->ckpt_every) && save_checkpoint(c)) c->failed = 1;
  if (c->rank > 0) return;
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
  if (c->model && round_crossed(pr, c->save_every)) {
    ag_error err;
    err.msg[0] = 0;
    if (ag_nn_save(c->nn, ag_trainer_adam(c->tr), c->model, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      c->failed = 1;
    }
  }
}

static int train_main(int argc, char **argv, MPI_Comm comm);

int ag_cmd_train(int argc, char **argv) {
  /* MPI only when started by mpiexec or srun */
  int use_mpi = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) use_mpi = 0;
  if (use_mpi) MPI_Init(&argc, &argv);
  int rc = train_main(argc, argv, use_mpi ? MPI_COMM_WORLD : MPI_COMM_NULL);
  if (use_mpi) {
    /* one exit status for the whole job */
    MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
  }
  return rc;
}

static int train_main(int argc, char **argv, MPI_Comm comm) {
  int rank = 0, size = 1;
  if (comm != MPI_COMM_NULL) {
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
  }
  /* usage errors and errors every rank meets alike are printed by rank 0 only */
  FILE *errout = rank == 0 ? stderr : fopen("/dev/null", "w");
  if (!errout) errout = stderr;
#define t_usage(...) (rank == 0 ? t_usage(__VA_ARGS__) : 2)
  const char *model = NULL, *backend = "cpu";
  double total_episodes = 0, leaf_batch = 1, teacher = 0, parallel_games = 1;
  int episodes_given = 0;
  double episodes = 20, sims = 64, width = 64, layers = 4, lr = 1e-3, batch = 32, steps = 16,
         save_every = 0, seed = 1, ckpt_every = 10, eval_every = 0, eval_sims = 0, corpus = 0,
         corpus_large = 0;
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
      } nums[] = {{"--episodes", &episodes, 1, 1e9},
                  {"--sims", &sims, 1, 1e6},
                  {"--width", &width, 1, 4096},
                  {"--layers", &layers, 0, 64},
                  {"--lr", &lr, 1e-9, 1},
                  {"--batch", &batch, 1, 1e6},
                  {"--steps", &steps, 0, 1e6},
                  {"--save-every", &save_every, 0, 1e9},
                  {"--seed", &seed, 0, 1e18},
                  {"--checkpoint-every", &ckpt_every, 0, 1e9},
                  {"--eval-every", &eval_every, 0, 1e9},
                  {"--eval-sims", &eval_sims, 1, 1e6},
                  {"--corpus", &corpus, 0, 48},
                  {"--corpus-large", &corpus_large, 0, 48},
                  {"--leaf-batch", &leaf_batch, 1, 4096},
                  {"--parallel-games", &parallel_games, 1, 4096},
                  {"--teacher-episodes", &teacher, 0, 1e12},
                  {"--total-episodes", &total_episodes, 1, 1e12}};
      int done = 0;
      if (!strcmp(a, "--episodes")) episodes_given = 1;
      for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (!strcmp(a, nums[k].name)) {
          if (!num(v, nums[k].lo, nums[k].hi, nums[k].dst))
            return t_usage("bad value for option: %s", a);
          done = 1;
        }
      if (done) continue;
      if (!strcmp(a, "--model"))
        model = v;
      else if (!strcmp(a, "--checkpoint"))
        ckpt = v;
      else if (!strcmp(a, "--log"))
        logpath = v;
      else if (!strcmp(a, "--backend"))
        backend = v;
      else
        return t_usage("unknown option %s", a);
      continue;
    }
    if (nsrc == 64) return t_usage("at most 64 sources (%s)", a);
    srcs[nsrc++] = a;
  }
  if (!nsrc && !corpus && !corpus_large)
    return t_usage("no SOURCE given (and no --corpus or --corpus-large)%s", "");
  if (nsrc + corpus + corpus_large > 64) return t_usage("at most 64 graphs in all%s", "");
  if (!model && !ckpt) return t_usage("--model or --checkpoint is required%s", "");

  ag_error err;
  err.msg[0] = 0;
  ag_graph *graphs[64];
  const ag_dag *dags[64];
  char *names[64];
  int rc = 1;
  int ng = 0;
  char *rank_ckpt = NULL;
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
      fprintf(errout, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    dags[ng] = &graphs[ng]->dag;
    names[ng] = graphs[ng]->name ? graphs[ng]->name : (char *)srcs[s];
    ng++;
  }
  /* random kernels (train/corpus.h), sizes spread like the paper's scalar kernels; the
     same --corpus N always gives the same graphs */
  for (int c = 0; c < (int)corpus; c++) {
    int ni = 4 + (c * 5) % 12, nv = 40 + (c * 37) % 120, no = 2 + (c * 7) % 10;
    graphs[ng] = ag_corpus_random(1000 + (uint64_t)c, ni, nv, no);
    if (!graphs[ng]) {
      fprintf(errout, "alphagrad train: corpus graph %d (%d, %d, %d) could not be built\n", c, ni,
              nv, no);
      goto out;
    }
    dags[ng] = &graphs[ng]->dag;
    names[ng] = graphs[ng]->name;
    ng++;
  }
  for (int c = 0; c < (int)corpus_large; c++) {
    graphs[ng] = ag_corpus_large_training(c);
    if (!graphs[ng]) {
      fprintf(errout, "alphagrad train: large corpus graph %d could not be built\n", c);
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
  /* every rank reads the same files: rank 0 decides whether the checkpoint exists */
  int have_ckpt = ckpt && access(ckpt, F_OK) == 0;
  if (comm != MPI_COMM_NULL) MPI_Bcast(&have_ckpt, 1, MPI_INT, 0, comm);
  if (have_ckpt) {
    if (probe) fclose(probe);
    probe = NULL;
    /* resume from the checkpoint: its network, then (below) the trainer state */
    if (ag_trainer_checkpoint_info(ckpt, &ck_episodes, &err) ||
        !(nn = ag_nn_load(ckpt, backend, &opt, &err))) {
      fprintf(errout, "alphagrad train: %s\n", err.msg);
      goto out;
    }
  } else if (probe) {
    fclose(probe);
    nn = ag_nn_load(model, backend, &opt, &err);
    if (!nn) {
      fprintf(errout, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    if (rank == 0) printf("resuming from %s (Adam step %ld)\n", model, opt.step);
  } else {
    ag_nn_arch a = {
        .nfeat = AG_NN_NFEAT, .width = (int)width, .layers = (int)layers, .vhidden = (int)width};
    nn = ag_nn_new(&a, backend, (uint64_t)seed, &err);
    if (!nn) {
      fprintf(errout, "alphagrad train: %s\n", err.msg);
      goto out;
    }
    ag_adam_init(&opt, ag_nn_nparams(nn), (float)lr);
    if (rank == 0)
      printf("new network: width %d, %d layers, %zu parameters, backend %s\n", (int)width,
             (int)layers, ag_nn_nparams(nn), ag_nn_backend_name(nn));
  }
  ag_train_params p;
  ag_train_params_default(&p);
  p.sims_per_move = (int)sims;
  p.leaf_batch = (int)leaf_batch;
  p.teacher_episodes = (long)teacher;
  p.parallel_games = (int)parallel_games;
  p.batch = (int)batch;
  p.steps_per_episode = (int)steps;
  p.seed = (uint64_t)seed;
  p.eval_every = (int)eval_every;
  p.eval_sims = (int)eval_sims;
  run_ctx ctx = {.names = names,
                 .nn = nn,
                 .model = model,
                 .save_every = (long)save_every,
                 .ckpt = ckpt,
                 .ckpt_every = (long)ckpt_every,
                 .rank = rank,
                 .size = size,
                 .comm = comm};
  p.progress = progress;
  p.progress_ctx = &ctx;
  ag_train_mpi mpictx;
  if (comm != MPI_COMM_NULL && size > 1) {
    /* same network and Adam state everywhere, gradients averaged, seeds seed + rank */
    if (ag_train_mpi_setup(&p, nn, &opt, comm, &mpictx, &err)) {
      fprintf(errout, "alphagrad train: %s\n", err.msg);
      ag_nn_free(nn);
      ag_adam_free(&opt);
      goto out;
    }
    if (rank == 0) printf("training on %d ranks: gradients averaged over them\n", size);
  }
  if (rank == 0 && (p.parallel_games > 1 || p.leaf_batch > 1))
    printf("self-play: %d game(s) played together x leaf batch %d: network passes of up to %d "
           "states (%s backend)\n",
           p.parallel_games, p.leaf_batch, p.parallel_games * p.leaf_batch, backend);
  ag_trainer *tr = ag_trainer_new(nn, &opt, dags, ng, &p);
  ctx.tr = tr;
  if (ck_episodes >= 0) {
    /* rank 0 restores the main file; rank r its own file when it belongs to the same
       episode, else it keeps the network and Adam state (broadcast above) and starts its
       buffer afresh */
    int fresh = 0, bad = 0;
    if (rank == 0) {
      if (ag_trainer_load(tr, ckpt, &err)) {
        fprintf(stderr, "alphagrad train: %s\n", err.msg);
        bad = 1;
      }
    } else {
      rank_ckpt = rank_ckpt_path(ckpt, rank);
      long e = -1;
      ag_error e2;
      if (rank_ckpt && access(rank_ckpt, F_OK) == 0 &&
          !ag_trainer_checkpoint_info(rank_ckpt, &e, &e2) && e == ck_episodes) {
        if (ag_trainer_load(tr, rank_ckpt, &err)) {
          fprintf(stderr, "alphagrad train: rank %d: %s\n", rank, err.msg);
          bad = 1;
        }
      } else {
        fresh = 1;
      }
    }
    if (comm != MPI_COMM_NULL) {
      MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
      MPI_Allreduce(MPI_IN_PLACE, &fresh, 1, MPI_INT, MPI_SUM, comm);
      /* rank 0's counters everywhere: checkpoints and stops are decided on them */
      long cnt[2] = {ag_trainer_episodes(tr), ag_trainer_steps(tr)};
      MPI_Bcast(cnt, 2, MPI_LONG, 0, comm);
      ag_trainer_set_counters(tr, cnt[0], cnt[1]);
    }
    if (bad) goto done;
    if (rank == 0) {
      printf("resuming from %s at episode %ld (Adam step %ld, buffer %d states)\n", ckpt,
             ag_trainer_episodes(tr), opt.step, ag_trainer_buffer_size(tr));
      if (fresh)
        printf("warning: %d rank(s) had no replay buffer of episode %ld (%s.rank<r>; another "
               "number of ranks?): they start with empty buffers, so the continuation is not "
               "the one an uninterrupted run would give\n",
               fresh, ck_episodes, ckpt);
    }
  }
  if (logpath && rank == 0) {
    int append = 0;
    if (ck_episodes >= 0) {
      FILE *lf = fopen(logpath, "rb");
      if (lf) {
        append = fgetc(lf) != EOF;
        fclose(lf);
      }
    }
    ctx.log = fopen(logpath, append ? "a" : "w");
    if (!ctx.log)
      fprintf(stderr, "alphagrad train: cannot open the log %s: %s\n", logpath, strerror(errno));
    else if (!append)
      log_header(ctx.log, names, ng);
  }
  int nolog = logpath && rank == 0 && !ctx.log;
  if (comm != MPI_COMM_NULL) MPI_Bcast(&nolog, 1, MPI_INT, 0, comm);
  if (nolog) goto done;

  /* episodes one at a time, so that a stop request is honoured between two of them */
  long todo = (long)episodes;
  if (total_episodes > 0) {
    long left = (long)total_episodes - ag_trainer_episodes(tr);
    if (left < 0) left = 0;
    todo = episodes_given && todo < left ? todo : left;
    if (rank == 0)
      printf("episode %ld of %ld: %ld to play in this run\n", ag_trainer_episodes(tr),
             (long)total_episodes, todo);
  }
  struct sigaction sa, old[3];
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  const int sigs[3] = {SIGTERM, SIGINT, SIGUSR1};
  for (int k = 0; k < 3; k++)
    sigaction(sigs[k], &sa, &old[k]);
  int stopped = 0;
  for (long e = 0; e < todo;) { /* one round (parallel_games episodes) at a time */
    long n = ag_trainer_next_round(tr);
    if (n > todo - e) n = todo - e;
    ag_trainer_run(tr, n);
    e += n;
    int sig = stop_signal;
    if (comm != MPI_COMM_NULL) MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, comm);
    if (sig && e < todo) {
      stopped = sig;
      if (rank == 0)
        printf("signal %d: stopping after episode %ld of this run (%ld left)\n", sig,
               ag_trainer_episodes(tr), todo - e);
      break;
    }
  }
  for (int k = 0; k < 3; k++)
    sigaction(sigs[k], &old[k], NULL);
  rc = ctx.failed;
  if (model && rank == 0) {
    if (ag_nn_save(nn, &opt, model, &err)) {
      fprintf(stderr, "alphagrad train: %s\n", err.msg);
      rc = 1;
    } else
      printf("wrote %s\n", model);
  }
  if (ckpt) {
    if (save_checkpoint(&ctx))
      rc = 1;
    else if (rank == 0)
      printf("wrote checkpoint %s (episode %ld)%s\n", ckpt, ag_trainer_episodes(tr),
             size > 1 ? " and its rank files" : "");
  }
  {
    /* the best over all ranks, and a checksum of the weights (equal on every rank; an
       interrupted and resumed run ends with the same one as an uninterrupted run) */
    uint64_t sum = 0;
    int in_sync = 1;
    ag_train_mpi_best *best = NULL;
    if (comm != MPI_COMM_NULL && size > 1) {
      in_sync = ag_train_mpi_in_sync(nn, comm, &sum);
      best = calloc((size_t)ng, sizeof *best);
      ag_train_mpi_gather_best(tr, dags, ng, comm, 0, best);
    } else {
      sum = ag_nn_checksum(nn);
    }
    if (rank == 0) {
      for (int g = 0; g < ng; g++)
        printf("%s: best episode cost %ld\n", names[g],
               best ? best[g].cost : ag_trainer_best(tr, g, NULL));
      printf("weights checksum %016llx (episode %ld, Adam step %ld)%s\n", (unsigned long long)sum,
             ag_trainer_episodes(tr), opt.step, in_sync ? "" : " -- RANKS DIFFER");
    }
    if (best) ag_train_mpi_best_free(best, ng);
    free(best);
    if (!in_sync) rc = 1;
  }
  if (rank == 0) {
    if (stopped)
      printf("stopped by signal %d at episode %ld; run the same command again to continue\n",
             stopped, ag_trainer_episodes(tr));
  }
  if (stopped && !rc && stopped != SIGUSR1) rc = 128 + stopped;
done:
  if (ctx.log && fclose(ctx.log)) {
    fprintf(stderr, "alphagrad train: cannot write the log %s\n", logpath);
    rc = 1;
  }
  ag_trainer_free(tr);
  ag_nn_free(nn);
  ag_adam_free(&opt);
out:
  free(rank_ckpt);
  for (int g = 0; g < ng; g++)
    ag_graph_free(graphs[g]);
  if (errout != stderr) fclose(errout);
  fflush(stdout);
  return rc;
}
#undef t_usage
