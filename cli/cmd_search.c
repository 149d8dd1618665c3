/* alphagrad search SOURCE [--name T] [--method mcts|anneal|exact|portfolio] [--time S]
                   [--seed S] [--out LIB.h5] [--json] [--quiet] [--methods m1,m2,...]
                   [--sims-per-move N] [--prior heuristic|uniform]
   Under mpiexec (or with --method portfolio) every rank searches and rank 0 reports and
   writes. */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/datadir.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "graph/exec_cost.h"
#include "graph/orders.h"
#include "jacobian/profile.h"
#include "kernel/source.h"
#include "mcts/portfolio.h"
#include "mcts/search.h"
#include "nn/nn_eval.h"
#include "orderlib/orderlib.h"
#include "tune/measured.h"

#define AG_DEFAULT_MODEL AG_NN_DEFAULT_MODEL /* nn/nn_eval.h */

static const char *search_usage =
    "usage: alphagrad search SOURCE [--name T] [options]\n"
    "\n"
    "Searches for a cheap elimination order of SOURCE's graph (kernel.c[:function], or a\n"
    "reference DAG file with --name) and prints the best order and its cost.\n"
    "\n"
    "options:\n"
    "  --method M        anneal | mcts | exact | portfolio (default: portfolio, which runs\n"
    "                    one search per MPI rank; on one rank it is anneal)\n"
    "  --methods LIST    portfolio methods assigned to ranks in turn (default anneal,exact,mcts);\n"
    "                    on graphs of more than 1000 eliminable vertices mcts ranks anneal\n"
    "                    and exact anneals without A*: there neither MCTS (with the network\n"
    "                    or not) nor A* beat annealing (BENCHMARKS.md, search at scale)\n"
    "  --objective O     what the order minimises (default measured for C kernels, exec\n"
    "                    for reference DAG files, which have no values to run):\n"
    "                      measured  the search runs under exec, then the best distinct\n"
    "                                candidates (with forward, reverse, Markowitz and the\n"
    "                                mults-optimal order) are compiled and timed on this\n"
    "                                machine; the fastest wins, and an order other than\n"
    "                                forward or reverse only when it is faster than both\n"
    "                      exec      the execution cost model: the multiplications, additions\n"
    "                                and fused multiply-adds the generated code executes,\n"
    "                                weighted by this machine's profile (alphagrad calibrate)\n"
    "                      mults     the paper's scalar cost (|pred| x |succ| per elimination);\n"
    "                                reproduces the paper; the only objective with proofs\n"
    "                                (--method exact)\n"
    "  --profile FILE    machine profile for exec/measured (default: this machine's, written\n"
    "                    by alphagrad calibrate, else built-in weights; docs/profiles.md)\n"
    "  --time S          wall-clock budget in seconds (default 10)\n"
    "  --seed S          random seed (default 1); rank r uses S + r\n"
    "  --out LIB.h5      store the order in this HDF5 order library (kept if better)\n"
    "  --skip-stored     with --out: if LIB.h5 already holds an order for this graph, print\n"
    "                    it and do not search (exit 0); for requeued batch jobs\n"
    "  --sims-per-move N MCTS simulations per committed move (default 200, doubled per episode)\n"
    "  --prior P         MCTS prior: heuristic (softmax of minus Markowitz degree) | uniform\n"
    "  --model M.h5      MCTS guided by a policy/value network (nn/README.md): its prior\n"
    "                    and value replace --prior. Default: the shipped model\n"
    "                    (hdf5-data/" AG_DEFAULT_MODEL ", found through $AG_DATA_DIR, the\n"
    "                    install's share/alphagrad or the source tree) whenever MCTS runs\n"
    "                    and no --prior is given; --model none: the heuristic prior\n"
    "  --value V         with a network: rollout (its prior, greedy-rollout values; the\n"
    "                    default: better on held-out graphs, BENCHMARKS.md), head (its\n"
    "                    value head) or mix (the mean of the two)\n"
    "  --leaf-batch B    MCTS evaluates the leaves of B simulations together, selected with\n"
    "                    virtual loss (one batched network pass; for GPUs; default 1)\n"
    "  --nn-backend B    where the network runs: cpu (default) or cuda (a GPU build and\n"
    "                    device; nn/README.md); use with --leaf-batch for large batches\n"
    "  --target C        stop as soon as an order of cost <= C is found\n"
    "  --quiet           no progress lines\n"
    "  --json            last line of stdout is a JSON object with cost (the objective's\n"
    "                    value), objective, mults, exec, order, lower_bound, optimal, method,\n"
    "                    elapsed, iterations, graph, hash; with measured also ns, ns_batch,\n"
    "                    ns_one, fwd_ns, rev_ns, gain (over the better of forward/reverse),\n"
    "                    candidates and picked\n"
    "Progress (best cost, iterations per second, elapsed) goes to stderr at most once a second.\n"
    "Run under mpiexec -n K for a parallel portfolio; rank 0 prints and writes.\n";

static char prior_label[8192]; /* the MCTS evaluator: heuristic, uniform or a model file */

static void progress(const ag_search_opts *o, long best, double ips, double el, void *ctx) {
  (void)o;
  const char *method = ctx;
  fprintf(stderr, "[search %s] %6.1fs  best cost %ld  %.3g iterations/s\n", method, el, best, ips);
}

static int parse_methods(const char *s, ag_search_method *m, int max) {
  int n = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    int k = ag_search_method_from_name(tok);
    if (k < 0 || n == max) return -1;
    m[n++] = (ag_search_method)k;
  }
  return n;
}

/* The shipped model's path into buf (base/datadir.h: $AG_DATA_DIR, next to the program,
   the source tree, the configured install prefix). 1 found, 0 not. */
static int default_model(char *buf, size_t n) {
  return ag_data_find(NULL, AG_DEFAULT_MODEL, buf, n);
}

int ag_cmd_search(int argc, char **argv) {
  const char *source = NULL, *name = NULL, *method_s = "portfolio",
             *methods_s = "anneal,exact,mcts", *out = NULL, *prior = "heuristic", *model = NULL,
             *value_mode = "rollout", *nn_backend = "cpu", *objective_s = NULL,
             *profile_path = NULL;
  double time_limit = 10;
  long seed = 1, target = 0, sims = 200, leaf_batch = 1;
  int json = 0, quiet = 0, skip_stored = 0, prior_given = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(search_usage, stdout);
      return 0;
    }
    if (!strcmp(a, "--json")) {
      json = 1;
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      quiet = 1;
      continue;
    }
    if (!strcmp(a, "--skip-stored")) {
      skip_stored = 1;
      continue;
    }
    static const char *valued[] = {"--name",          "--method",    "--methods",    "--out",
                                   "--prior",         "--time",      "--seed",       "--target",
                                   "--sims-per-move", "--model",     "--leaf-batch", "--value",
                                   "--nn-backend",    "--objective", "--profile",    NULL};
    int k = -1;
    for (int j = 0; valued[j]; j++)
      if (!strcmp(a, valued[j])) k = j;
    if (k < 0) {
      if (a[0] == '-' && a[1]) {
        fprintf(stderr, "alphagrad: unknown option '%s' for search (see alphagrad search --help)\n",
                a);
        return 2;
      }
      if (source) {
        fprintf(stderr, "alphagrad: unexpected argument '%s'\n", a);
        return 2;
      }
      source = a;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "alphagrad: option %s needs a value\n", a);
      return 2;
    }
    const char *val = argv[++i];
    char *end = NULL;
    switch (k) {
    case 13:
      if (strcmp(val, "measured") && strcmp(val, "exec") && strcmp(val, "mults")) {
        fprintf(stderr, "alphagrad: --objective must be measured, exec or mults, got '%s'\n", val);
        return 2;
      }
      objective_s = val;
      break;
    case 14: profile_path = val; break;
    case 12:
      if (strcmp(val, "cpu") && strcmp(val, "cuda")) {
        fprintf(stderr, "alphagrad: --nn-backend must be cpu or cuda, got '%s'\n", val);
        return 2;
      }
      nn_backend = val;
      break;
    case 11:
      if (strcmp(val, "rollout") && strcmp(val, "head") && strcmp(val, "mix")) {
        fprintf(stderr, "alphagrad: --value must be rollout, head or mix, got '%s'\n", val);
        return 2;
      }
      value_mode = val;
      break;
    case 10:
      leaf_batch = strtol(val, &end, 10);
      if (*end || leaf_batch <= 0 || leaf_batch > 4096) {
        fprintf(stderr, "alphagrad: --leaf-batch needs an integer in 1..4096, got '%s'\n", val);
        return 2;
      }
      break;
    case 9: model = val; break;
    case 4:
      prior = val;
      prior_given = 1;
      break;
    case 0: name = val; break;
    case 1: method_s = val; break;
    case 2: methods_s = val; break;
    case 3: out = val; break;
    case 5:
      time_limit = strtod(val, &end);
      if (*end || !(time_limit > 0) || !isfinite(time_limit)) {
        fprintf(stderr, "alphagrad: --time needs a positive, finite number of seconds, got '%s'\n",
                val);
        return 2;
      }
      break;
    case 6:
      errno = 0;
      seed = strtol(val, &end, 10);
      if (*end || end == val || errno || seed < 0) {
        fprintf(stderr, "alphagrad: --seed needs a non-negative integer, got '%s'\n", val);
        return 2;
      }
      break;
    case 7:
      errno = 0;
      target = strtol(val, &end, 10);
      if (*end || end == val || errno || target < 0) {
        fprintf(stderr, "alphagrad: --target needs a non-negative integer, got '%s'\n", val);
        return 2;
      }
      break;
    default:
      errno = 0;
      sims = strtol(val, &end, 10);
      if (*end || end == val || errno || sims <= 0 || sims > 100000000) {
        fprintf(stderr, "alphagrad: --sims-per-move needs an integer in 1..100000000, got '%s'\n",
                val);
        return 2;
      }
    }
  }
  if (!source) {
    fprintf(stderr, "alphagrad: search needs a SOURCE (see alphagrad search --help)\n");
    return 2;
  }
  if (skip_stored && !out) {
    fprintf(stderr, "alphagrad: --skip-stored needs --out LIB.h5\n");
    return 2;
  }
  int portfolio = !strcmp(method_s, "portfolio");
  int method = portfolio ? -1 : ag_search_method_from_name(method_s);
  if (!portfolio && method < 0) {
    fprintf(stderr,
            "alphagrad: unknown --method '%s' (expected anneal, mcts, exact or portfolio)\n",
            method_s);
    return 2;
  }
  ag_search_method methods[16];
  int nmethods = parse_methods(methods_s, methods, 16);
  if (nmethods <= 0) {
    fprintf(stderr, "alphagrad: bad --methods '%s' (comma-separated anneal, mcts, exact)\n",
            methods_s);
    return 2;
  }
  ag_mcts_params mp;
  ag_mcts_params_default(&mp);
  mp.sims_per_move = (int)sims;
  mp.leaf_batch = (int)leaf_batch;
  if (!strcmp(prior, "uniform"))
    mp.evaluator = &ag_mcts_uniform;
  else if (strcmp(prior, "heuristic")) {
    fprintf(stderr, "alphagrad: unknown --prior '%s' (heuristic or uniform)\n", prior);
    return 2;
  }

  /* MCTS (alone or in the portfolio) is guided by the shipped network unless a prior or
     another model was asked for, or --model none */
  char found[8192];
  int uses_mcts = !strcmp(method_s, "mcts") || (portfolio && strstr(methods_s, "mcts"));
  if (model && !strcmp(model, "none")) {
    model = NULL;
  } else if (!model && !prior_given && uses_mcts && default_model(found, sizeof found)) {
    model = found;
  }
  if (model && prior_given) {
    fprintf(stderr,
            "alphagrad: --prior and --model exclude each other (the network is the prior)\n");
    return 2;
  }
  if (model)
    snprintf(prior_label, sizeof prior_label, "%.4000s (value: %s)", model, value_mode);
  else
    snprintf(prior_label, sizeof prior_label, "%s", prior);
  ag_nn *net = NULL;
  ag_nn_eval *neval = NULL;
  if (model) {
    ag_error nerr;
    ag_adam unused;
    memset(&unused, 0, sizeof unused);
    nerr.msg[0] = 0;
    net = ag_nn_load(model, nn_backend, &unused, &nerr);
    ag_adam_free(&unused);
    if (!net) {
      fprintf(stderr, "alphagrad: %s\n", nerr.msg);
      return 1;
    }
    neval = ag_nn_eval_new(net);
    ag_nn_eval_set_rollout(neval, !strcmp(value_mode, "rollout"));
    ag_nn_eval_set_mix(neval, !strcmp(value_mode, "mix") ? 0.5 : 0);
    mp.evaluator = ag_nn_eval_evaluator(neval);
  }

  /* MPI only when asked for (portfolio) or when started by mpiexec */
  int rank, size;
  int use_mpi = ag_cli_mpi_start(portfolio, &argc, &argv, &rank, &size);
  int rc = 0;
  /* did MCTS run on some rank? (portfolio: rank r runs methods[r % nmethods]) */
  int ran_mcts = !portfolio && uses_mcts;
  for (int r = 0; portfolio && (size > 1 || use_mpi) && r < size; r++)
    if (methods[r % nmethods] == AG_SEARCH_MCTS) ran_mcts = 1;
  ag_error err;
  ag_graph *g = ag_load_source(source, name, &err);
  if (!g) {
    if (rank == 0) fprintf(stderr, "alphagrad: %s\n", err.msg);
    ag_nn_eval_free(neval);
    ag_nn_free(net);
    if (use_mpi) MPI_Finalize();
    return 1;
  }
  if (portfolio && ran_mcts && g->dag.neliminable > AG_PORTFOLIO_MCTS_MAX) {
    ran_mcts = 0;
    if (rank == 0 && !quiet)
      fprintf(stderr,
              "alphagrad: note: %d eliminable vertices: the portfolio's mcts ranks anneal (above "
              "%d vertices MCTS does not beat annealing; BENCHMARKS.md, search at scale)\n",
              g->dag.neliminable, AG_PORTFOLIO_MCTS_MAX);
  }
  /* the objective: measured for C kernels, exec for reference DAGs (no values to run) */
  const char *objective = objective_s ? objective_s : (g->structure_only ? "exec" : "measured");
  const int is_mults = !strcmp(objective, "mults"), is_measured = !strcmp(objective, "measured");
  ag_machine_profile prof;
  memset(&prof, 0, sizeof prof);
  ag_exec_weights_default(&prof.w);
  if (is_measured && g->structure_only) {
    if (rank == 0)
      fprintf(stderr,
              "alphagrad: --objective measured needs a C kernel (graph '%s' comes from a "
              "reference DAG file, without values to run); use --objective exec or mults\n",
              g->name);
    rc = 2;
  } else if (!is_mults && ag_profile_resolve(profile_path, &prof, &err)) {
    if (rank == 0) fprintf(stderr, "alphagrad: %s\n", err.msg);
    rc = 2;
  }
  if (rc) {
    ag_graph_free(g);
    ag_nn_eval_free(neval);
    ag_nn_free(net);
    if (use_mpi) MPI_Finalize();
    return rc;
  }
  char signature[1100];
  ag_profile_signature_str(&prof, signature, sizeof signature);
  if (skip_stored) {
    /* rank 0 reads the library; a missing file holds nothing. mults: the plain entry counts;
       exec/measured: only an entry tuned on this machine's signature */
    int found = 0;
    if (rank == 0 && access(out, F_OK) == 0) {
      ag_order_entry e;
      memset(&e, 0, sizeof e);
      found = ag_orderlib_lookup_for(out, &g->dag, is_mults ? NULL : signature, &e, &err);
      if (found == 1 && !is_mults && !ag_order_entry_tuned(&e)) found = 0;
      if (found < 0) {
        fprintf(stderr, "alphagrad: %s\n", err.msg);
      } else if (found == 1 && json) {
        printf("{\"skipped\": true, \"cost\": %ld, \"optimal\": %s, \"method\": ", e.cost,
               e.optimal ? "true" : "false");
        ag_cli_json_str(stdout, e.method);
        printf(", \"graph\": ");
        ag_cli_json_str(stdout, g->name);
        printf(", \"hash\": \"%016llx\", \"library\": ", (unsigned long long)g->dag.hash);
        ag_cli_json_str(stdout, out);
        printf("}\n");
      } else if (found == 1) {
        printf("graph %s (hash %016llx) is already in %s: cost %ld%s (method %s, %s); skipped "
               "(--skip-stored)\n",
               g->name, (unsigned long long)g->dag.hash, out, e.cost, e.optimal ? ", optimal" : "",
               e.method ? e.method : "?", e.date ? e.date : "?");
      }
      ag_order_entry_clear(&e);
    }
    if (use_mpi) MPI_Bcast(&found, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (found) {
      rc = found < 0;
      fflush(stdout);
      ag_graph_free(g);
      ag_nn_eval_free(neval);
      ag_nn_free(net);
      if (use_mpi) MPI_Finalize();
      return rc;
    }
  }
  if (!is_mults && !portfolio && method == AG_SEARCH_EXACT && rank == 0 && !quiet)
    fprintf(stderr,
            "alphagrad: note: --method exact proves optima of --objective mults only; "
            "under %s it runs its annealing stage (no proof)\n",
            objective);
  ag_exec_weights weights = prof.w;
  const ag_dag dx = ag_dag_with_objective(&g->dag, is_mults ? NULL : &weights);
  ag_search_opts o;
  ag_search_opts_default(&o);
  o.time_limit = time_limit;
  o.seed = (uint64_t)seed;
  o.target_cost = target;
  o.mcts = &mp;
  char label[64];
  snprintf(label, sizeof label, "%s%s%s", portfolio ? "portfolio" : method_s,
           size > 1 ? ", ranks " : "", "");
  if (size > 1) snprintf(label, sizeof label, "%s x%d", portfolio ? "portfolio" : method_s, size);
  if (!quiet && rank == 0) {
    o.progress = progress;
    o.progress_ctx = label;
  }
  ag_search_result r;
  if (use_mpi && (portfolio || size > 1)) {
    if (!portfolio) {
      methods[0] = (ag_search_method)method;
      nmethods = 1;
    }
    rc = ag_search_portfolio(&dx, MPI_COMM_WORLD, methods, nmethods, &o, &r, &err);
  } else {
    rc = ag_search(&dx, (ag_search_method)method, &o, &r, &err);
  }
  if (rc) {
    if (rank == 0) fprintf(stderr, "alphagrad: %s\n", err.msg);
    ag_graph_free(g);
    if (use_mpi) MPI_Finalize();
    return 1;
  }
  /* never report an order that does not check out */
  long check = ag_order_cost(&dx, r.order, r.len, &err);
  if (check != r.cost) {
    if (rank == 0)
      fprintf(stderr,
              "alphagrad: internal error: the search reported cost %ld but the order costs %ld\n",
              r.cost, check);
    rc = 1;
  }
  /* measured: the search's order and the other candidates compiled and timed (rank 0) */
  ag_measure_result mr;
  memset(&mr, 0, sizeof mr);
  int measured = 0;
  if (rc == 0 && rank == 0 && is_measured) {
    ag_measure_opts mo;
    ag_measure_opts_default(&mo);
    mo.weights = weights;
    mo.seed = (uint64_t)seed;
    mo.search_time = time_limit / 4 < 2 ? time_limit / 4 : 2;
    mo.quiet = quiet;
    const int *extra[1] = {r.order};
    const char *labels[1] = {"search"};
    mo.extra = extra;
    mo.extra_labels = labels;
    mo.nextra = 1;
    if (ag_measure_search(g, &mo, &mr, &err)) { /* e.g. no compiler: the exec order stands */
      fprintf(stderr,
              "alphagrad: measuring the candidates failed (%s); the order is the exec search's "
              "(objective exec)\n",
              err.msg);
      objective = "exec";
    } else {
      measured = 1;
      memcpy(r.order, mr.order, (size_t)r.len * sizeof(int));
      r.lower_bound = -1;
      r.optimal = 0;
    }
  }
  const long mults = rc == 0 ? ag_order_cost(&g->dag, r.order, r.len, &err) : -1;
  const ag_dag dxe = ag_dag_with_objective(&g->dag, &weights);
  const long exec = rc == 0 ? ag_order_cost(&dxe, r.order, r.len, &err) : -1;
  if (rc == 0) r.cost = is_mults ? mults : exec;
  int stored = -1, searched = rc == 0;
  if (rc == 0 && rank == 0 && out) {
    ag_order_entry e;
    ag_order_entry_init(&e, &g->dag, g->name, r.order, r.len, mults);
    e.lower_bound = is_mults ? r.lower_bound : -1;
    e.optimal = is_mults && r.optimal;
    e.method = (char *)(portfolio ? "portfolio" : method_s);
    e.search_time = r.elapsed;
    e.budget = time_limit;
    e.date = NULL;    /* orderlib stamps the current UTC time */
    e.version = NULL; /* and its version */
    if (!is_mults) {  /* a tuned entry: what the order was chosen for, on which machine */
      e.objective = (char *)(measured ? "measured" : "exec");
      e.signature = signature;
      e.value = measured ? mr.t.score : (double)exec;
      e.ns = measured ? mr.t.score : -1;
      e.gain =
          measured ? (mr.fwd.score < mr.rev.score ? mr.fwd.score : mr.rev.score) / mr.t.score : 0;
    }
    stored = ag_orderlib_store(out, &g->dag, &e, &err);
    if (stored < 0) { /* the result is printed all the same: a search is not thrown away */
      fprintf(stderr, "alphagrad: the order was not stored: %s\n", err.msg);
      rc = 1;
    }
  }
  if (searched && rank == 0) {
    if (!json) {
      if (measured)
        printf("graph %s (hash %016llx): fastest order %.1f ns per element (batch %.1f, single "
               "%.1f; forward %.1f/%.1f, reverse %.1f/%.1f): %.2fx the better of forward and "
               "reverse; picked %s of %d compiled candidates\n",
               g->name, (unsigned long long)g->dag.hash, mr.t.score, mr.t.ns_batch, mr.t.ns_one,
               mr.fwd.ns_batch, mr.fwd.ns_one, mr.rev.ns_batch, mr.rev.ns_one,
               (mr.fwd.score < mr.rev.score ? mr.fwd.score : mr.rev.score) / mr.t.score, mr.label,
               mr.ncand);
      else
        printf("graph %s (hash %016llx): best cost %ld", g->name, (unsigned long long)g->dag.hash,
               r.cost);
      if (r.lower_bound >= 0)
        printf(", lower bound %ld%s", r.lower_bound, r.optimal ? " (optimal)" : "");
      printf("%sobjective %s: %ld multiplications, execution cost %.2f ns (profile %s)\n",
             measured ? "" : "\n", objective, mults, exec / 1000.0, is_mults ? "-" : prof.source);
      printf("method %s, %ld iterations in %.1f s, best found after %.2f s\n", r.method,
             r.iterations, r.elapsed, r.time_to_cost);
      if (ran_mcts) printf("MCTS prior: %s\n", prior_label);
      if (out)
        printf("%s %s\n",
               stored < 0 ? "NOT stored (see the error above) in"
               : stored   ? "stored in"
                          : "kept the cheaper stored order in",
               out);
      printf("[");
      for (int i = 0; i < r.len; i++)
        printf("%s%d", i ? ", " : "", r.order[i]);
      printf("]\n");
    } else {
      if (measured)
        printf("{\"cost\": %.3f, \"ns\": %.3f, \"ns_batch\": %.3f, \"ns_one\": %.3f, "
               "\"fwd_ns\": %.3f, \"rev_ns\": %.3f, \"gain\": %.4f, \"candidates\": %d, "
               "\"picked\": \"%s\", ",
               mr.t.score, mr.t.score, mr.t.ns_batch, mr.t.ns_one, mr.fwd.score, mr.rev.score,
               (mr.fwd.score < mr.rev.score ? mr.fwd.score : mr.rev.score) / mr.t.score, mr.ncand,
               mr.label);
      else
        printf("{\"cost\": %ld, ", r.cost);
      printf("\"objective\": \"%s\", \"mults\": %ld, \"exec\": %ld, \"profile\": ", objective,
             mults, exec);
      ag_cli_json_str(stdout, is_mults ? "" : prof.source);
      printf(", \"order\": [");
      for (int i = 0; i < r.len; i++)
        printf("%s%d", i ? ", " : "", r.order[i]);
      printf("]");
      if (r.lower_bound >= 0) printf(", \"lower_bound\": %ld", r.lower_bound);
      if (ran_mcts) {
        printf(", \"mcts_prior\": ");
        ag_cli_json_str(stdout, prior_label);
      }
      printf(", \"optimal\": %s, \"method\": \"%s\", \"ranks\": %d, \"elapsed\": %.3f, "
             "\"time_to_cost\": %.3f, \"iterations\": %ld, \"graph\": ",
             r.optimal ? "true" : "false", r.method, size, r.elapsed, r.time_to_cost, r.iterations);
      ag_cli_json_str(stdout, g->name);
      printf(", \"hash\": \"%016llx\"", (unsigned long long)g->dag.hash);
      if (out)
        printf(", \"stored\": %s%s", stored > 0 ? "true" : "false",
               stored < 0 ? ", \"store_failed\": true" : "");
      if (r.stalled) printf(", \"stalled\": true");
      if (r.rank_costs) {
        printf(", \"rank_costs\": [");
        for (int k = 0; k < r.nranks; k++)
          printf("%s%ld", k ? ", " : "", r.rank_costs[k]);
        printf("]");
      }
      printf("}\n");
    }
  }
  const int stalled = r.stalled;
  ag_search_result_free(&r);
  ag_measure_result_free(&mr);
  ag_graph_free(g);
  ag_nn_eval_free(neval);
  ag_nn_free(net);
  if (stalled) { /* a rank never reached the end: the job cannot finalize; end it */
    fprintf(stderr,
            "alphagrad: a rank did not reach the end of the portfolio %.0f s after rank 0 did "
            "(stalled or dead); the result above is rank 0's and what it received; ending the "
            "job\n",
            ag_portfolio_grace(time_limit));
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, rc ? rc : 3);
  }
  if (use_mpi) MPI_Finalize();
  return rc;
}
