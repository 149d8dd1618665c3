/* graph, cost and search for tensor graph files (tensor/, docs/tensor.md): the AlphaGrad
   sparse-tensor model of the paper's five tensor tasks.
     alphagrad graph  FILE --name T [--json]
     alphagrad cost   FILE --name T --order fwd|rev|markowitz|greedy|@FILE|@LIB.h5
                      [--show-order] [--json]
     alphagrad search FILE --name T [--method anneal|mcts|portfolio] [--methods LIST]
                      [--time S] [--seed S] [--target C] [--out LIB.h5] [--skip-stored]
                      [--quiet] [--json]
   alphagrad.c sends a command here when an argument is a tensor graph file. */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/readfile.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "graph/orders.h"
#include "mcts/portfolio.h"
#include "orderlib/orderlib.h"
#include "tensor/tensor_read.h"
#include "tensor/tensor_search.h"

static const char *tensor_usage =
    "Tensor graph files (docs/tensor.md; tests/data/tensor_graphs.txt holds the paper's\n"
    "RoeFlux_3d, f, MLP, Encoder and BlackScholes_Jacobian) are costed under the AlphaGrad\n"
    "sparse-tensor model: every edge is a sparse Jacobian (a sparsity type and a 4-D shape).\n"
    "\n"
    "  alphagrad graph  FILE --name T [--json]\n"
    "  alphagrad cost   FILE --name T --order O [--show-order] [--json]\n"
    "  alphagrad search FILE --name T [options] \n"
    "\n"
    "  --order O       fwd | rev | markowitz (the reference's minimal-Markowitz order) |\n"
    "                  greedy (cheapest next step) | @FILE (1-based vertex ids) | @LIB.h5 (the\n"
    "                  library's tensor-model entry for this graph)\n"
    "  --method M      search: anneal (default) | mcts | portfolio (one search per MPI rank;\n"
    "                  rank r runs the r-th of --methods, default anneal, with seed S + r; the\n"
    "                  best order is reduced to rank 0)\n"
    "  --methods LIST  portfolio methods assigned to ranks in turn (default anneal)\n"
    "  --time S        search: wall-clock seconds (default 10)\n"
    "  --seed S        search: random seed (default 1)\n"
    "  --target C      search: stop once an order of cost <= C is found\n"
    "  --out LIB.h5    search: store the order (as a tensor-model entry) if better\n"
    "  --skip-stored   search: with --out, print the stored order and do not search\n"
    "  --quiet         search: no progress lines on stderr\n"
    "  --json          one JSON object on the last line of stdout\n"
    "No lower bound is reported: in this model the state depends on the order of the\n"
    "eliminations, so the scalar model's bounds and proofs do not hold.\n";

typedef struct {
  const char *cmd, *source, *name, *order, *method, *methods, *out;
  double time_limit;
  long seed, target;
  int json, show_order, quiet, skip_stored;
} topts;

static void jstr(const char *s) { ag_cli_json_str(stdout, s); }

static int fail(const topts *o, const char *msg) {
  fprintf(stderr, "alphagrad: %s\n", msg);
  if (o->json) {
    printf("{\"error\": ");
    jstr(msg);
    printf("}\n");
  }
  return 1;
}

static void print_ids(const int *ids, int n) {
  printf("[");
  for (int i = 0; i < n; i++)
    printf("%s%d", i ? ", " : "", ids[i]);
  printf("]");
}

static long cost_fn(const void *graph, const int *order, int len, ag_error *err) {
  return ag_torder_cost(graph, order, len, err);
}

static ag_orderlib_graph lib_graph(const ag_tgraph *g) {
  return (ag_orderlib_graph){g->hash, g->ni, g->nv, g->no, g->neliminable, "tensor", cost_fn, g};
}

/* --order SPEC into ids[neliminable] */
static int resolve(const ag_tgraph *g, const char *spec, int *ids, ag_error *err) {
  if (!strcmp(spec, "fwd") || !strcmp(spec, "forward"))
    ag_torder_forward(g, ids);
  else if (!strcmp(spec, "rev") || !strcmp(spec, "reverse"))
    ag_torder_reverse(g, ids);
  else if (!strcmp(spec, "markowitz"))
    ag_torder_markowitz(g, ids);
  else if (!strcmp(spec, "greedy"))
    ag_torder_greedy(g, ids);
  else if (spec[0] == '@' && ag_cli_is_hdf5(spec + 1)) {
    ag_order_entry e;
    ag_orderlib_graph lg = lib_graph(g);
    int found = ag_orderlib_lookup_g(spec + 1, &lg, NULL, &e, err);
    if (found < 0) return -1;
    if (!found)
      return ag_failc(err, AG_ERR_MISMATCH,
                      "%s holds no tensor-model order for graph '%s' (hash %016llx); store one "
                      "with alphagrad search FILE --name %s --out %s",
                      spec + 1, g->name, (unsigned long long)g->hash, g->name, spec + 1);
    memcpy(ids, e.order, (size_t)e.len * sizeof(int));
    ag_order_entry_clear(&e);
  } else if (spec[0] == '@') {
    char *text = ag_read_file(spec + 1, err);
    if (!text) return -1;
    int *o = NULL, len = 0;
    int rc = ag_order_parse(text, spec + 1, &o, &len, err);
    free(text);
    if (rc) return -1;
    rc = ag_torder_check(g, o, len, err);
    if (rc) {
      char msg[sizeof err->msg];
      snprintf(msg, sizeof msg, "%s", err->msg);
      ag_failc(err, AG_ERR_MISMATCH, "%s: %s", spec + 1, msg);
    } else
      memcpy(ids, o, (size_t)len * sizeof(int));
    free(o);
    return rc;
  } else
    return ag_fail(err, "unknown --order '%s' (fwd, rev, markowitz, greedy or @FILE)", spec);
  return 0;
}

static int cmd_graph(const topts *o, const ag_tgraph *g) {
  int *ids = malloc((size_t)(g->nv + 1) * sizeof(int));
  long f = ag_torder_forward(g, ids), r = ag_torder_reverse(g, ids),
       m = ag_torder_markowitz(g, ids);
  free(ids);
  if (o->json) {
    printf("{\"name\": ");
    jstr(g->name);
    printf(", \"model\": \"tensor\", \"inputs\": %d, \"vertices\": %d, \"outputs\": %d, "
           "\"eliminable\": %d, \"edges\": %d, \"hash\": \"%016llx\", \"output_vertices\": [",
           g->ni, g->nv, g->no, g->neliminable, g->nedges, (unsigned long long)g->hash);
    for (int j = 0; j < g->no; j++)
      printf("%s\"v%d\"", j ? ", " : "", g->outputs[j]);
    printf("], \"fwd\": %ld, \"rev\": %ld, \"markowitz\": %ld}\n", f, r, m);
    return 0;
  }
  printf("graph %s (tensor model)\n", g->name);
  printf("inputs %d  vertices %d  outputs %d  eliminable %d  edges %d\n", g->ni, g->nv, g->no,
         g->neliminable, g->nedges);
  printf("hash %016llx\n", (unsigned long long)g->hash);
  printf("forward %ld  reverse %ld  Markowitz %ld\n", f, r, m);
  printf("outputs:");
  for (int j = 0; j < g->no; j++)
    printf(" v%d", g->outputs[j]);
  printf("\n");
  for (int c = 0; c < g->nv; c++) {
    printf("v%d = %s [%d,%d]%s\n", c + 1, g->prim[c] ? g->prim[c] : "?", g->shape[g->ni + c][0],
           g->shape[g->ni + c][1], g->is_out[c] ? "   # output" : "");
    for (int k = 0; k < g->nvar; k++) {
      const ag_tedge *e = &g->E[(size_t)k * g->nv + c];
      if (e->t)
        printf("  %c%d -> v%d type=%d jac=[%d,%d,%d,%d]\n", k < g->ni ? 'x' : 'v',
               k < g->ni ? k + 1 : k - g->ni + 1, c + 1, e->t, e->o1, e->o2, e->p1, e->p2);
    }
  }
  return 0;
}

static int cmd_cost(const topts *o, const ag_tgraph *g) {
  if (!o->order) {
    fprintf(stderr, "alphagrad: cost needs --order fwd|rev|markowitz|greedy|@FILE\n");
    return 2;
  }
  ag_error err;
  int *ids = malloc((size_t)(g->nv + 1) * sizeof(int));
  long c = resolve(g, o->order, ids, &err) ? -1 : ag_torder_cost(g, ids, g->neliminable, &err);
  if (c < 0) {
    free(ids);
    return fail(o, err.msg);
  }
  if (o->json) {
    printf("{\"cost\": %ld, \"model\": \"tensor\", \"mults\": %ld, \"order\": ", c, c);
    jstr(o->order);
    printf(", \"graph\": ");
    jstr(g->name);
    printf(", \"hash\": \"%016llx\", \"eliminations\": %d", (unsigned long long)g->hash,
           g->neliminable);
    if (o->show_order) {
      printf(", \"vertices\": ");
      print_ids(ids, g->neliminable);
    }
    printf("}\n");
  } else {
    printf("cost %ld  (%s order, %d eliminations, graph %s, tensor model)\n", c, o->order,
           g->neliminable, g->name);
    if (o->show_order) {
      print_ids(ids, g->neliminable);
      printf("\n");
    }
  }
  free(ids);
  return 0;
}

static int parse_method(const char *s) {
  return !strcmp(s, "anneal") ? AG_TSEARCH_ANNEAL : !strcmp(s, "mcts") ? AG_TSEARCH_MCTS : -1;
}

typedef struct {
  const char *method;
  int quiet;
} prog_ctx;

static void progress(long best, double per_s, double el, void *ctx) {
  const prog_ctx *p = ctx;
  if (!p->quiet)
    fprintf(stderr, "[search %s, tensor] %6.1fs  best cost %ld  %.3g iterations/s\n", p->method, el,
            best, per_s);
}

static int cmd_search(const topts *o, const ag_tgraph *g, int argc, char **argv) {
  const int portfolio = !strcmp(o->method, "portfolio");
  int method = portfolio ? AG_TSEARCH_ANNEAL : parse_method(o->method);
  if (method < 0) {
    fprintf(stderr,
            "alphagrad: unknown --method '%s' for a tensor graph (anneal, mcts or "
            "portfolio; the exact solver's bounds do not hold in the tensor model)\n",
            o->method);
    return 2;
  }
  int methods[16], nm = 0;
  {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", o->methods);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
      int k = parse_method(t);
      if (k < 0 || nm == 16) {
        fprintf(stderr, "alphagrad: bad --methods '%s' (comma-separated anneal, mcts)\n",
                o->methods);
        return 2;
      }
      methods[nm++] = k;
    }
  }
  ag_orderlib_graph lg = lib_graph(g);
  if (o->skip_stored) {
    ag_order_entry e;
    ag_error err;
    int found = ag_orderlib_lookup_g(o->out, &lg, NULL, &e, &err);
    if (found > 0) {
      if (o->json) {
        printf("{\"cost\": %ld, \"model\": \"tensor\", \"order\": ", e.cost);
        print_ids(e.order, e.len);
        printf(", \"method\": \"stored\", \"graph\": ");
        jstr(g->name);
        printf(", \"hash\": \"%016llx\", \"stored\": false, \"skipped\": true}\n",
               (unsigned long long)g->hash);
      } else {
        printf("graph %s: %s already holds an order of cost %ld (tensor model); not searching\n",
               g->name, o->out, e.cost);
        print_ids(e.order, e.len);
        printf("\n");
      }
      ag_order_entry_clear(&e);
      return 0;
    }
    ag_order_entry_clear(&e);
  }
  int rank, size;
  int use_mpi = ag_cli_mpi_start(portfolio, &argc, &argv, &rank, &size);
  if (portfolio) method = methods[rank % nm];
  ag_tsearch_opts so;
  ag_tsearch_opts_default(&so);
  so.time_limit = o->time_limit;
  so.seed = (uint64_t)(o->seed + rank);
  so.target = o->target;
  prog_ctx pc = {method == AG_TSEARCH_ANNEAL ? "anneal" : "mcts", o->quiet || rank != 0};
  so.progress = progress;
  so.progress_ctx = &pc;
  ag_tsearch_result r;
  ag_error err;
  int rc = ag_tsearch(g, (ag_tsearch_method)method, &so, &r, &err);
  int ok = rc == 0, all_ok = ok;
  /* a stalled rank must not hang the job: rank 0 waits a grace period, then reports its own */
  const int stalled = use_mpi && size > 1 &&
                      !ag_mpi_fence(MPI_COMM_WORLD, ag_portfolio_grace(o->time_limit), NULL, NULL);
  if (use_mpi && !stalled) MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all_ok) {
    if (!ok) fprintf(stderr, "alphagrad: rank %d: %s\n", rank, err.msg);
    if (ok) ag_tsearch_result_free(&r);
    if (stalled) MPI_Abort(MPI_COMM_WORLD, 1);
    if (use_mpi) MPI_Finalize();
    return 1;
  }
  long *rank_costs = NULL;
  const char *method_name = r.method;
  if (use_mpi && size > 1 && !stalled) { /* the best order of all ranks to rank 0 */
    struct {
      long cost;
      int rank;
    } mine = {r.cost, rank}, best;
    MPI_Allreduce(&mine, &best, 1, MPI_LONG_INT, MPI_MINLOC, MPI_COMM_WORLD);
    if (best.rank != 0) {
      if (rank == best.rank) MPI_Send(r.order, r.len, MPI_INT, 0, 7, MPI_COMM_WORLD);
      if (rank == 0)
        MPI_Recv(r.order, r.len, MPI_INT, best.rank, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    if (rank == 0) rank_costs = malloc((size_t)size * sizeof(long));
    MPI_Gather(&r.cost, 1, MPI_LONG, rank_costs, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    long iters = 0;
    MPI_Reduce(&r.iterations, &iters, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      r.cost = best.cost;
      r.iterations = iters;
    }
  }
  if (portfolio) method_name = "portfolio";
  rc = 0;
  if (rank == 0) {
    long check = ag_torder_cost(g, r.order, r.len, &err);
    if (check != r.cost) {
      fprintf(stderr,
              "alphagrad: internal error: the search reported cost %ld but the order "
              "costs %ld\n",
              r.cost, check);
      rc = 1;
    }
  }
  int stored = -1;
  if (rank == 0 && rc == 0 && o->out) {
    ag_order_entry e;
    memset(&e, 0, sizeof e);
    e.hash = g->hash, e.ni = g->ni, e.nv = g->nv, e.no = g->no, e.neliminable = g->neliminable;
    e.name = g->name, e.order = r.order, e.len = r.len, e.cost = r.cost, e.lower_bound = -1;
    e.method = (char *)method_name;
    e.search_time = r.elapsed, e.budget = o->time_limit;
    e.model = (char *)"tensor";
    stored = ag_orderlib_store_g(o->out, &lg, &e, &err);
    if (stored < 0) { /* the result is printed all the same */
      fprintf(stderr, "alphagrad: the order was not stored: %s\n", err.msg);
      rc = 1;
    }
  }
  if (rank == 0) {
    if (!o->json) {
      printf("graph %s (hash %016llx): best cost %ld (tensor model)\n", g->name,
             (unsigned long long)g->hash, r.cost);
      printf("forward %ld, reverse %ld, Markowitz %ld, greedy %ld\n", r.fwd, r.rev, r.markowitz,
             r.greedy);
      printf(
          "method %s, %ld iterations in %.1f s on %d rank%s, best found after %.2f s, seed %ld\n",
          method_name, r.iterations, r.elapsed, size, size > 1 ? "s" : "", r.time_to_cost, o->seed);
      if (o->out)
        printf("%s %s\n",
               stored < 0 ? "NOT stored (see the error above) in"
               : stored   ? "stored in"
                          : "kept the cheaper stored order in",
               o->out);
      print_ids(r.order, r.len);
      printf("\n");
    } else {
      printf("{\"cost\": %ld, \"objective\": \"tensor\", \"model\": \"tensor\", \"mults\": %ld, "
             "\"order\": ",
             r.cost, r.cost);
      print_ids(r.order, r.len);
      printf(", \"optimal\": false, \"method\": \"%s\", \"ranks\": %d, \"elapsed\": %.3f, "
             "\"time_to_cost\": %.3f, \"iterations\": %ld, \"seed\": %ld, \"fwd\": %ld, "
             "\"rev\": %ld, \"markowitz\": %ld, \"greedy\": %ld, \"graph\": ",
             method_name, size, r.elapsed, r.time_to_cost, r.iterations, o->seed, r.fwd, r.rev,
             r.markowitz, r.greedy);
      jstr(g->name);
      printf(", \"hash\": \"%016llx\"", (unsigned long long)g->hash);
      if (o->out)
        printf(", \"stored\": %s%s", stored > 0 ? "true" : "false",
               stored < 0 ? ", \"store_failed\": true" : "");
      if (stalled) printf(", \"stalled\": true");
      if (rank_costs) {
        printf(", \"rank_costs\": [");
        for (int k = 0; k < size; k++)
          printf("%s%ld", k ? ", " : "", rank_costs[k]);
        printf("]");
      }
      printf("}\n");
    }
  }
  free(rank_costs);
  ag_tsearch_result_free(&r);
  if (stalled) { /* the job cannot finalize with a stalled rank: end it */
    fprintf(stderr,
            "alphagrad: a rank did not reach the end of the portfolio %.0f s after rank 0 did "
            "(stalled or dead); the result above is rank 0's own; ending the job\n",
            ag_portfolio_grace(o->time_limit));
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, rc ? rc : 3);
  }
  if (use_mpi) MPI_Finalize();
  return rc;
}

int ag_cli_is_tensor_source(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-' && argv[i][0] != '@' && access(argv[i], R_OK) == 0 &&
        !ag_cli_is_hdf5(argv[i]) && ag_tgraph_file_is_tensor(argv[i]))
      return 1;
  return 0;
}

int ag_cmd_tensor(int argc, char **argv) {
  topts o = {.cmd = argv[0], .method = "anneal", .methods = "anneal", .time_limit = 10, .seed = 1};
  if (strcmp(o.cmd, "graph") && strcmp(o.cmd, "cost") && strcmp(o.cmd, "search")) {
    fprintf(stderr,
            "alphagrad: %s is not available for a tensor graph (graph, cost and search are; "
            "a tensor graph describes the cost of Jacobian accumulation, not values)\n",
            o.cmd);
    return 2;
  }
  static const char *scalar_only[] = {
      "--at",         "--params",  "-o",      "--function",      "--cuda",
      "--check",      "--profile", "--prior", "--sims-per-move", "--leaf-batch",
      "--nn-backend", "--value",   NULL};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(tensor_usage, stdout);
      return 0;
    }
    for (int k = 0; scalar_only[k]; k++)
      if (!strcmp(a, scalar_only[k])) {
        fprintf(stderr,
                "alphagrad: option %s does not apply to a tensor graph (the SOURCE is a tensor "
                "graph file; alphagrad %s FILE --help)\n",
                a, o.cmd);
        return 2;
      }
    const char **slot = !strcmp(a, "--name")      ? &o.name
                        : !strcmp(a, "--order")   ? &o.order
                        : !strcmp(a, "--method")  ? &o.method
                        : !strcmp(a, "--methods") ? &o.methods
                        : !strcmp(a, "--out")     ? &o.out
                                                  : NULL;
    static const char *numeric[] = {"--time", "--seed", "--target", "--model", "--objective", NULL};
    int num = -1;
    for (int k = 0; numeric[k]; k++)
      if (!strcmp(a, numeric[k])) num = k;
    if (slot || num >= 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "alphagrad: option %s needs a value\n", a);
        return 2;
      }
      const char *v = argv[++i];
      char *end;
      if (slot)
        *slot = v;
      else if (num == 0) {
        o.time_limit = strtod(v, &end);
        if (*end || !(o.time_limit > 0) || !isfinite(o.time_limit)) {
          fprintf(stderr, "alphagrad: --time needs a positive number of seconds, got '%s'\n", v);
          return 2;
        }
      } else if (num == 1 || num == 2) {
        errno = 0;
        long x = strtol(v, &end, 10);
        if (*end || end == v || errno || x < 0) {
          fprintf(stderr, "alphagrad: %s needs a non-negative integer, got '%s'\n", a, v);
          return 2;
        }
        *(num == 1 ? &o.seed : &o.target) = x;
      } else if (strcmp(v, "tensor")) { /* --model / --objective: only the tensor model */
        fprintf(stderr,
                "alphagrad: %s %s: a tensor graph has one cost model, 'tensor' (the AlphaGrad "
                "sparse-tensor multiplications); exec, measured and mults are for scalar graphs\n",
                a, v);
        return 2;
      }
    } else if (!strcmp(a, "--json"))
      o.json = 1;
    else if (!strcmp(a, "--show-order"))
      o.show_order = 1;
    else if (!strcmp(a, "--quiet"))
      o.quiet = 1;
    else if (!strcmp(a, "--skip-stored"))
      o.skip_stored = 1;
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "alphagrad: unknown option '%s' for %s of a tensor graph\n", a, o.cmd);
      return 2;
    } else if (!o.source)
      o.source = a;
    else {
      fprintf(stderr, "alphagrad: unexpected argument '%s'\n", a);
      return 2;
    }
  }
  int is_graph = !strcmp(o.cmd, "graph"), is_cost = !strcmp(o.cmd, "cost");
  if (o.skip_stored && !o.out) {
    fprintf(stderr, "alphagrad: --skip-stored needs --out LIB.h5\n");
    return 2;
  }
  ag_error err;
  ag_tgraph *g = ag_tgraph_read_file(o.source, o.name, &err);
  if (!g) return fail(&o, err.msg);
  int rc = is_graph ? cmd_graph(&o, g) : is_cost ? cmd_cost(&o, g) : cmd_search(&o, g, argc, argv);
  ag_tgraph_free(g);
  return rc;
}
