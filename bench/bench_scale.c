/* Search at scale (issue 21): graphs of 100 to 10,000 vertices.

   bench_scale [--part moves|quality|all] [--quick] [--seconds 5,20,60] [--objective exec|mults]
               [--methods anneal,mcts] [--graphs NAME] [--write DIR] [--model FILE]

   moves    per graph: vertices, edges; elimination steps per second on the bitset state
            (graph/eliminate.h) and on the sparse state (graph/elim_sparse.h), replaying
            the reverse order, and their ratio; annealing moves per second; the peak memory
            of a process that builds the graph and anneals it (fork, wait4's ru_maxrss).
   quality  per graph and method: the cost reached at each of --seconds (one run of the
            longest, the improvements logged with their times), relative to the best of
            forward, reverse and Markowitz under the same objective, and the run's peak
            memory. Methods: anneal (the CLI's default on one rank), mcts (MCTS guided by
            the shipped network, rollout values: `alphagrad search --method mcts`).
   --write DIR  writes every generated graph as a reference DAG text file DIR/NAME.txt (for
            the CLI, e.g. `mpiexec -n 2 alphagrad search DIR/roe-stencil-110.txt`).

   The graphs: kernels written for this benchmark and for bench/kernels (C files, never used
   in training), the scalarised tensor tasks ($AG_TENSOR_DIR, default
   ../shared/reference/tensor/scalarized next to the source tree, skipped when absent), and
   the large generators of train/corpus.h at sizes and seeds the training never used
   (ag_corpus_large_training: roe stencils of 3, 5, 6, 7 cells, robot chains of 4-7 joints
   and spring nets of 3x3, 4x2, 3x2 nodes, seeds 100 and up; here roe stencils of 4, 40
   and 110 cells, seeds below 100). So every graph here is held out from the shipped
   network's training.
   Figures go to BENCHMARKS.md. Not a test (test_bench_scale runs --quick). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "graph/elim_sparse.h"
#include "graph/eliminate.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"
#include "kernel/source.h"
#include "mcts/run.h"
#include "mcts/search.h"
#include "nn/nn.h"
#include "nn/nn_eval.h"
#include "train/corpus.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

typedef struct {
  const char *name; /* file: path relative to the source tree; generator: its label */
  int kind;         /* 0 file, 1 tensor task, 2 roe stencil, 3 robot chain, 4 spring net */
  int a, b;         /* generator sizes */
  int quick;        /* in the --quick set */
} gspec;

static const gspec graphs[] = {
    {"robot-chain", 3, 3, 21, 1}, /* ~100 vertices */
    {"roe-stencil", 2, 4, 0, 1},  /* ~300 */
    {"bench/kernels/euler2d_cell.c", 0, 0, 0, 0},
    {"f", 1, 0, 0, 0},
    {"bench/kernels/robot_dynamics.c", 0, 0, 0, 0},
    {"bench/kernels/muscl2d_cell.c", 0, 0, 0, 1},
    {"Encoder", 1, 0, 0, 0},
    {"bench/kernels/muscl3d_cell.c", 0, 0, 0, 0},
    {"spring-net", 4, 10, 8, 0},  /* ~3,300 */
    {"roe-stencil", 2, 40, 0, 0}, /* ~3,600 */
    {"robot-chain", 3, 100, 22, 0},
    {"roe-stencil", 2, 110, 0, 0}, /* ~10,000 */
    {"spring-net", 4, 16, 16, 0},  /* ~10,000 */
};
#define NGRAPHS ((int)(sizeof graphs / sizeof graphs[0]))

static ag_graph *load(const gspec *s, char *label, size_t n) {
  ag_error err = {0};
  char path[4096];
  ag_graph *g = NULL;
  const char *src = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : AG_DEFAULT_SOURCE_DIR;
  switch (s->kind) {
  case 0:
    snprintf(path, sizeof path, "%s/%s", src, s->name);
    g = ag_load_source(path, NULL, &err);
    break;
  case 1: {
    const char *td = getenv("AG_TENSOR_DIR");
    if (td)
      snprintf(path, sizeof path, "%s/%s.txt", td, s->name);
    else
      snprintf(path, sizeof path, "%s/../shared/reference/tensor/scalarized/%s.txt", src, s->name);
    if (access(path, R_OK)) return NULL; /* not shipped here */
    g = ag_load_source(path, s->name, &err);
    break;
  }
  case 2: g = ag_corpus_roe_stencil(s->a); break;
  case 3: g = ag_corpus_robot_chain(s->a, (uint64_t)s->b); break;
  case 4: g = ag_corpus_spring_net(s->a, s->b, 3); break;
  }
  if (!g) {
    fprintf(stderr, "bench_scale: %s: %s\n", s->name, err.msg[0] ? err.msg : "not built");
    return NULL;
  }
  snprintf(label, n, "%s", g->name);
  return g;
}

/* ---- the reference DAG text format (kernel/parse_dag.h), for --write ---- */

static void operand(const ag_graph *g, int node, char *b, size_t n) {
  const ag_node *x = &g->nodes[node];
  if (x->op == AG_OP_INPUT && g->node_active[node])
    snprintf(b, n, "x%d", (int)x->value + 1);
  else if (g->node_elim[node] >= 0)
    snprintf(b, n, "v%d", ag_vertex_id(&g->dag, g->node_elim[node]));
  else
    snprintf(b, n, "c");
}

static int write_dag(const ag_graph *g, const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.txt", dir, g->name);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  const ag_dag *d = &g->dag;
  fprintf(f,
          "# written by bench_scale --write: the structure of generated kernel %s\n## %s: "
          "inputs=%d vertices=%d outputs=%d output_vertices=[",
          g->name, g->name, d->ni, d->nv, d->no);
  for (int j = 0, k = 0; j < d->no; j++)
    if (d->out_index[j] >= 0) fprintf(f, "%s%d", k++ ? ", " : "", ag_vertex_id(d, d->out_index[j]));
  fprintf(f, "]\n");
  for (int v = d->ni; v < d->n; v++) {
    const ag_node *x = &g->nodes[d->vert_node[v]];
    char a[32], b[32];
    operand(g, x->a, a, sizeof a);
    if (x->b >= 0) operand(g, x->b, b, sizeof b);
    fprintf(f, "v%d = %s(%s%s%s)\n", ag_vertex_id(d, v), ag_op_name(x->op), a,
            x->b >= 0 ? ", " : "", x->b >= 0 ? b : "");
  }
  fclose(f);
  printf("wrote %s\n", path);
  return 0;
}

/* ---- moves: steps/s on both states, annealing moves/s, memory ---- */

static double steps_per_s(const ag_dag *d, const int *idx, int m, int sparse, double budget) {
  ag_elim *e = sparse ? NULL : ag_elim_new(d);
  ag_selim *s = sparse ? ag_selim_new(d) : NULL;
  long steps = 0;
  double t0 = ag_now(), t = t0;
  while (t - t0 < budget || steps == 0) {
    if (sparse)
      ag_selim_reset(s, d);
    else
      ag_elim_reset(e, d);
    for (int k = 0; k < m; k++) {
      if (sparse) {
        ag_selim_step(s, idx[k]);
        ag_selim_commit(s);
      } else {
        ag_elim_step(e, idx[k]);
      }
    }
    steps += m;
    t = ag_now();
  }
  ag_elim_free(e);
  ag_selim_free(s);
  return (double)steps / (t - t0);
}

typedef struct {
  double until;
} anneal_clock;
static int anneal_stop(void *ctx) { return ag_now() >= ((anneal_clock *)ctx)->until; }

/* Runs fn(arg) in a child process; the child's peak resident memory in MiB, or -1. */
typedef void (*child_fn)(const void *arg, int fd);
static double in_child(child_fn fn, const void *arg, char *out, size_t n) {
  int p[2];
  if (pipe(p)) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    fn(arg, p[1]);
    close(p[1]);
    _exit(0);
  }
  close(p[1]);
  size_t got = 0;
  ssize_t r;
  while (got + 1 < n && (r = read(p[0], out + got, n - 1 - got)) > 0)
    got += (size_t)r;
  out[got] = 0;
  close(p[0]);
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) return -1;
  return (double)ru.ru_maxrss / 1024.0;
}

typedef struct {
  const gspec *spec;
  double budget;
  const ag_exec_weights *w;
  const char *method;
  const double *checkpoints;
  int ncheck;
  const char *model;
} job;

static void moves_child(const void *arg, int fd) {
  const job *j = arg;
  char label[256];
  ag_graph *g = load(j->spec, label, sizeof label);
  if (!g) return;
  const ag_dag d = ag_dag_with_objective(&g->dag, j->w);
  const int m = d.neliminable;
  int *ids = ag_malloc((size_t)(m + 1) * sizeof(int)),
      *idx = ag_malloc((size_t)(m + 1) * sizeof(int));
  ag_order_reverse(&d, ids);
  for (int k = 0; k < m; k++)
    idx[k] = ag_vertex_index(&d, ids[k]);
  int nedges = d.pred_off[d.n];
  double dense = d.n <= 20000 ? steps_per_s(&d, idx, m, 0, j->budget / 4) : 0;
  double sparse = steps_per_s(&d, idx, m, 1, j->budget / 4);
  long moves = 0;
  anneal_clock ck = {ag_now() + j->budget};
  ag_anneal_ctl c = {.seed = 1, .stop = anneal_stop, .counter = &moves, .ctx = &ck};
  double t0 = ag_now();
  ag_anneal(&d, idx, &c);
  double mps = (double)moves / (ag_now() - t0);
  dprintf(fd, "%-22s %7d %7d %12.3g %12.3g %7.1fx %12.3g", label, d.nv, nedges, dense, sparse,
          dense > 0 ? sparse / dense : 0, mps);
  free(ids);
  free(idx);
  ag_graph_free(g);
}

/* ---- quality: cost against time ---- */

typedef struct {
  double t[4096];
  long c[4096];
  int n;
} trace;

static void on_improved(long cost, double elapsed, void *ctx) {
  trace *tr = ctx;
  if (tr->n < 4096) tr->t[tr->n] = elapsed, tr->c[tr->n++] = cost;
}

static void quality_child(const void *arg, int fd) {
  const job *j = arg;
  char label[256];
  ag_graph *g = load(j->spec, label, sizeof label);
  if (!g) return;
  const ag_dag d = ag_dag_with_objective(&g->dag, j->w);
  long base[AG_NBASELINES];
  ag_order_baseline_costs(&d, base);
  long best = base[0] < base[1] ? base[0] : base[1];
  if (base[2] < best) best = base[2];
  ag_search_opts o;
  ag_search_opts_default(&o);
  o.time_limit = j->checkpoints[j->ncheck - 1];
  trace tr = {.n = 0};
  o.improved = on_improved;
  o.improved_ctx = &tr;
  ag_mcts_params mp;
  ag_mcts_params_default(&mp);
  ag_nn *net = NULL;
  ag_nn_eval *ev = NULL;
  const int is_mcts = !strcmp(j->method, "mcts");
  if (is_mcts) {
    ag_error err = {0};
    net = ag_nn_load(j->model, "cpu", NULL, &err);
    if (!net) {
      dprintf(fd, "%-22s %-7s (%s)", label, j->method, err.msg);
      ag_graph_free(g);
      return;
    }
    ev = ag_nn_eval_new(net);
    ag_nn_eval_set_rollout(ev, 1);
    mp.evaluator = ag_nn_eval_evaluator(ev);
    o.mcts = &mp;
  }
  ag_search_result r;
  ag_error err = {0};
  int rc = ag_search(&d, is_mcts ? AG_SEARCH_MCTS : AG_SEARCH_ANNEAL, &o, &r, &err);
  if (rc) {
    dprintf(fd, "%-22s %-7s (%s)", label, j->method, err.msg);
  } else {
    long check = ag_order_cost(&d, r.order, r.len, &err);
    dprintf(fd, "%-22s %7d %-7s %10ld %-4s", label, d.nv, j->method, best,
            base[0] == best   ? "fwd"
            : base[1] == best ? "rev"
                              : "mM");
    for (int k = 0; k < j->ncheck; k++) {
      long c = best;
      for (int i = 0; i < tr.n; i++)
        if (tr.t[i] <= j->checkpoints[k] && tr.c[i] < c) c = tr.c[i];
      dprintf(fd, " %8.3f", (double)c / (double)best);
    }
    dprintf(fd, " %9.3g %s", (double)r.iterations / r.elapsed,
            check == r.cost ? "ok" : "COST-MISMATCH");
    ag_search_result_free(&r);
  }
  ag_nn_eval_free(ev);
  ag_nn_free(net);
  ag_graph_free(g);
}

int main(int argc, char **argv) {
  const char *part = "all", *objective = "exec", *methods = "anneal,mcts", *filter = NULL,
             *write_dir = NULL, *model = NULL;
  double checkpoints[8] = {5, 20, 60};
  int ncheck = 3, quick = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--quick"))
      quick = 1;
    else if (!strcmp(a, "--part") && v)
      part = argv[++i];
    else if (!strcmp(a, "--objective") && v)
      objective = argv[++i];
    else if (!strcmp(a, "--methods") && v)
      methods = argv[++i];
    else if (!strcmp(a, "--graphs") && v)
      filter = argv[++i];
    else if (!strcmp(a, "--write") && v)
      write_dir = argv[++i];
    else if (!strcmp(a, "--model") && v)
      model = argv[++i];
    else if (!strcmp(a, "--seconds") && v) {
      ncheck = 0;
      for (char *s = argv[++i], *e; *s && ncheck < 8; s = *e ? e + 1 : e) {
        checkpoints[ncheck] = strtod(s, &e);
        if (e == s || !(checkpoints[ncheck] > 0)) {
          fprintf(stderr, "bench_scale: bad --seconds '%s'\n", argv[i]);
          return 2;
        }
        ncheck++;
      }
    } else {
      fprintf(stderr,
              "usage: bench_scale [--part moves|quality|all] [--quick] [--seconds 5,20,60]\n"
              "                   [--objective exec|mults] [--methods anneal,mcts]\n"
              "                   [--graphs NAME] [--write DIR] [--model FILE]\n");
      return 2;
    }
  }
  if (strcmp(objective, "exec") && strcmp(objective, "mults")) {
    fprintf(stderr, "bench_scale: --objective must be exec or mults\n");
    return 2;
  }
  if (quick) checkpoints[0] = 0.2, checkpoints[1] = 0.5, ncheck = 2;
  ag_exec_weights w;
  ag_exec_weights_default(&w);
  const ag_exec_weights *wp = strcmp(objective, "exec") ? NULL : &w;
  char mpath[4096];
  if (!model) {
    const char *src = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : AG_DEFAULT_SOURCE_DIR;
    snprintf(mpath, sizeof mpath, "%s/hdf5-data/%s", src, AG_NN_DEFAULT_MODEL);
    model = mpath;
  }
  if (write_dir) {
    mkdir(write_dir, 0755);
    for (int i = 0; i < NGRAPHS; i++) {
      if (graphs[i].kind < 2) continue;
      char label[256];
      ag_graph *g = load(&graphs[i], label, sizeof label);
      if (g && write_dag(g, write_dir)) {
        fprintf(stderr, "bench_scale: cannot write into %s\n", write_dir);
        return 1;
      }
      ag_graph_free(g);
    }
    return 0;
  }
  printf("SETUP objective=%s quick=%d model=%s\n", objective, quick, model);
  char line[4096];
  int bad = 0; /* a run that failed or whose order's cost does not check out */
  if (!strcmp(part, "moves") || !strcmp(part, "all")) {
    printf("\n%-22s %7s %7s %12s %12s %8s %12s %9s\n", "graph", "verts", "edges", "steps/s bits",
           "steps/s lists", "ratio", "anneal mv/s", "peak MiB");
    for (int i = 0; i < NGRAPHS; i++) {
      if (quick && !graphs[i].quick) continue;
      if (filter && !strstr(graphs[i].name, filter)) continue;
      job j = {&graphs[i], quick ? 0.3 : 3.0, wp, NULL, NULL, 0, model};
      double mib = in_child(moves_child, &j, line, sizeof line);
      if (mib < 0 || !line[0]) bad = 1, fprintf(stderr, "bench_scale: %s failed\n", graphs[i].name);
      if (line[0]) printf("%s %9.0f\n", line, mib);
      fflush(stdout);
    }
  }
  if (!strcmp(part, "quality") || !strcmp(part, "all")) {
    printf("\n%-22s %7s %-7s %10s %-4s", "graph", "verts", "method", "best base", "is");
    for (int k = 0; k < ncheck; k++)
      printf(" %7gs", checkpoints[k]);
    printf(" %9s %s %9s\n", "iter/s", "check", "peak MiB");
    for (int i = 0; i < NGRAPHS; i++) {
      if (quick && !graphs[i].quick) continue;
      if (filter && !strstr(graphs[i].name, filter)) continue;
      char ms[256];
      snprintf(ms, sizeof ms, "%s", methods);
      for (char *mth = strtok(ms, ","); mth; mth = strtok(NULL, ",")) {
        job j = {&graphs[i], 0, wp, mth, checkpoints, ncheck, model};
        double mib = in_child(quality_child, &j, line, sizeof line);
        if (mib < 0 || !line[0] || strstr(line, "MISMATCH") || strchr(line, '('))
          bad = 1, fprintf(stderr, "bench_scale: %s, %s failed\n", graphs[i].name, mth);
        if (line[0]) printf("%s %9.0f\n", line, mib);
        fflush(stdout);
      }
    }
  }
  return bad;
}
