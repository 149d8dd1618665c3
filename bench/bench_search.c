/* Search benchmark (not a test): for each paper task and each method (anneal, mcts, exact),
   one run of --seconds (default 60) on one core, recording iterations per second, the
   time to beat minimal Markowitz, the time to reach the published AlphaGrad cost, and the
   best cost at 10 s and at the end. Runs --jobs processes at a time (default 2), each
   search single-threaded.
   Usage: bench_search [--seconds S] [--jobs J] [--seed S] [--source-dir DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "mcts/search.h"

static const struct {
  const char *name;
  long alphagrad;
} tasks[] = {{"RoeFlux_1d", 320},
             {"RobotArm_6DOF", 231},
             {"HumanHeartDipole", 148},
             {"PropaneCombustion", 88},
             {"g", 417}};
static const ag_search_method methods[] = {AG_SEARCH_ANNEAL, AG_SEARCH_MCTS, AG_SEARCH_EXACT};

typedef struct {
  long markowitz, alphagrad, at10;
  double t_beat_mm, t_alphagrad;
} track;

static void note(track *k, long cost, double el) {
  if (k->t_beat_mm < 0 && cost < k->markowitz) k->t_beat_mm = el;
  if (k->t_alphagrad < 0 && cost <= k->alphagrad) k->t_alphagrad = el;
  if (el <= 10.0) k->at10 = cost;
}
static void improved(long cost, double el, void *ctx) { note(ctx, cost, el); }
static void progress(const ag_search_opts *o, long best, double ips, double el, void *ctx) {
  (void)o, (void)ips;
  note(ctx, best, el); /* every searcher also reports each improvement (improved) */
}

static void fmt_time(char *b, size_t n, double t) {
  if (t < 0)
    snprintf(b, n, "-");
  else
    snprintf(b, n, "%.3f", t);
}

static void run_one(const char *gpath, int t, int m, double secs, unsigned long seed, int fd) {
  ag_error err;
  ag_graph *g = ag_parse_dag_file(gpath, tasks[t].name, &err);
  if (!g) {
    dprintf(fd, "%s: %s\n", tasks[t].name, err.msg);
    return;
  }
  const ag_dag *d = &g->dag;
  int *o = malloc((size_t)d->nv * sizeof(int)), n = ag_order_markowitz(d, o);
  track k = {ag_order_cost(d, o, n, &err), tasks[t].alphagrad, -1, -1, -1};
  free(o);
  ag_search_opts opts;
  ag_search_opts_default(&opts);
  opts.time_limit = secs;
  opts.seed = seed;
  opts.improved = improved;
  opts.improved_ctx = &k;
  opts.progress = progress;
  opts.progress_ctx = &k;
  ag_search_result r;
  if (ag_search(d, methods[m], &opts, &r, &err)) {
    dprintf(fd, "%s %s: %s\n", tasks[t].name, ag_search_method_name(methods[m]), err.msg);
    ag_graph_free(g);
    return;
  }
  note(&k, r.cost, r.time_to_cost);
  if (k.at10 < 0 || r.elapsed <= 10) k.at10 = r.cost; /* finished (proved) before 10 s */
  char tb[32], ta[32], lb[32];
  fmt_time(tb, sizeof tb, k.t_beat_mm);
  fmt_time(ta, sizeof ta, k.t_alphagrad);
  if (r.lower_bound >= 0)
    snprintf(lb, sizeof lb, "%ld%s", r.lower_bound, r.optimal ? "*" : "");
  else
    snprintf(lb, sizeof lb, "-");
  dprintf(fd, "| %s | %s | %.3g | %ld | %s | %ld | %s | %ld | %ld | %s | %.1f |\n", tasks[t].name,
          ag_search_method_name(methods[m]), r.elapsed > 0 ? (double)r.iterations / r.elapsed : 0,
          k.markowitz, tb, k.alphagrad, ta, k.at10, r.cost, lb, r.elapsed);
  ag_search_result_free(&r);
  ag_graph_free(g);
}

int main(int argc, char **argv) {
  double secs = 60;
  int jobs = 2;
  unsigned long seed = 1;
  const char *dir = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : ".";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      secs = atof(argv[++i]);
    else if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
      jobs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--source-dir") && i + 1 < argc)
      dir = argv[++i];
    else {
      fprintf(stderr,
              "usage: bench_search [--seconds S] [--jobs J] [--seed S] [--source-dir DIR]\n");
      return 2;
    }
  }
  if (jobs < 1) jobs = 1;
  char gpath[4096];
  snprintf(gpath, sizeof gpath, "%s/tests/data/paper_graphs.txt", dir);
  printf("| task | method | iterations/s | Markowitz | time to beat it (s) | AlphaGrad | time to "
         "reach it (s) | best at 10 s | best at %.0f s | lower bound (* = proven optimal) | "
         "elapsed (s) |\n",
         secs);
  printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  fflush(stdout);
  int njobs = 5 * 3, running = 0, next = 0;
  int pipes[15][2];
  pid_t pids[15];
  char *out[15] = {0};
  while (next < njobs || running > 0) {
    while (running < jobs && next < njobs) {
      if (pipe(pipes[next])) return 1;
      pid_t p = fork();
      if (p == 0) {
        close(pipes[next][0]);
        run_one(gpath, next / 3, next % 3, secs, seed, pipes[next][1]);
        close(pipes[next][1]);
        _exit(0);
      }
      close(pipes[next][1]);
      pids[next++] = p;
      running++;
    }
    int st;
    pid_t done = wait(&st);
    for (int j = 0; j < next; j++)
      if (pids[j] == done) {
        char buf[1024];
        ssize_t n = read(pipes[j][0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        out[j] = strdup(buf);
        close(pipes[j][0]);
        running--;
      }
  }
  for (int j = 0; j < njobs; j++) {
    fputs(out[j] ? out[j] : "(no result)\n", stdout);
    free(out[j]);
  }
  return 0;
}
