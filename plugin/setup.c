/* Set-up of kernels: elimination order, Jacobian program, host code; a kernel's view. */
/* The order is taken from an order library, else the best of forward, reverse and
   Markowitz, optionally improved by a search over the ranks and stored back; then the
   Jacobian program and its compiled code (or the interpreter). */
#include "base/datadir.h"
#include "gpu/gpu.h"
#include "graph/orders.h"
#include "jacobian/profile.h"
#include "mcts/portfolio.h"
#include "nn/nn_eval.h"
#include "orderlib/orderlib.h"
#include "plugin/plugin_impl.h"
#include "tune/measured.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ag_plugin_opts_default(ag_plugin_opts *o) {
  memset(o, 0, sizeof *o);
  o->backend = AG_BACKEND_C;
  o->batch = 128;
}

static void append_h5_files(const char *dir, char *buf, size_t n) {
  DIR *dp = opendir(dir);
  if (!dp) return;
  struct dirent *e;
  char *names[64];
  int count = 0;
  while ((e = readdir(dp)) && count < 64) {
    size_t l = strlen(e->d_name);
    if (l > 3 && !strcmp(e->d_name + l - 3, ".h5")) names[count++] = strdup(e->d_name);
  }
  closedir(dp);
  /* sorted: a stable search order */
  for (int i = 1; i < count; i++)
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  for (int i = 0; i < count; i++) {
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%s/%s", used ? "," : "", dir, names[i]);
    free(names[i]);
  }
}

/* The data directories (base/datadir.h), anchored at this library: wherever it was installed. */
static void data_dirs(char *dirs, size_t n) {
  ag_data_dirs((const void *)&ag_plugin_shipped_libraries, dirs, n);
}

/* The shipped network model (AG_NN_DEFAULT_MODEL) in the first data directory that has
   it: 1 found (path in buf), 0 not. */
static int shipped_model(char *buf, size_t n) {
  return ag_data_find((const void *)&ag_plugin_shipped_libraries, AG_NN_DEFAULT_MODEL, buf, n);
}

void ag_plugin_shipped_libraries(char *buf, size_t n) {
  buf[0] = 0;
  char dirs[5 * PETSC_MAX_PATH_LEN];
  data_dirs(dirs, sizeof dirs);
  if (getenv("AG_DATA_DIR") && *getenv("AG_DATA_DIR")) {
    append_h5_files(dirs, buf, n);
    return;
  }
  for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    if (access(d, R_OK) == 0) {
      append_h5_files(d, buf, n);
      if (buf[0]) return; /* the first directory that has libraries */
    }
  }
}

static void jit_opts(const ag_plugin_opts *o, ag_jit_opts *jo) {
  memset(jo, 0, sizeof *jo);
  if (o->cache_dir[0]) jo->cache_dir = o->cache_dir;
}

/* This machine's signature (CPU, compiler, flags; jacobian/profile.h), computed once. */
static const char *machine_signature(const ag_plugin_opts *o) {
  static char sig[1100];
  if (!sig[0]) {
    ag_jit_opts jo;
    ag_machine_profile p;
    jit_opts(o, &jo);
    ag_profile_signature(&p, &jo);
    ag_profile_signature_str(&p, sig, sizeof sig);
  }
  return sig;
}

/* Rank 0 looks the graph up in the libraries; 1 found (into e), 0 not. An entry tuned on
   this machine is preferred within a library. Unusable libraries (missing, foreign, corrupt,
   an entry that does not fit the graph) are reported and skipped. */
static int lookup(AGKernel k, const char *libs, const char *sig, ag_order_entry *e, char *from,
                  size_t nfrom) {
  char list[sizeof(((ag_plugin_opts *)0)->orders) + 4 * PETSC_MAX_PATH_LEN];
  snprintf(list, sizeof list, "%s", libs);
  for (char *save = NULL, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
    ag_error err;
    err.code = AG_OK;
    err.msg[0] = 0;
    if (access(p, F_OK) != 0) continue; /* not created yet (a search may store into it) */
    int rc = ag_orderlib_lookup_for(p, &k->g->dag, sig, e, &err);
    if (rc == 1) {
      snprintf(from, nfrom, "%s", p);
      return 1;
    }
    if (rc < 0)
      (void)PetscPrintf(PETSC_COMM_SELF, "alphagrad: kernel %s: %s; not using it\n", k->source,
                        err.msg);
  }
  return 0;
}

/* The first library of -snes_jacobian_alphagrad_orders (where results are stored), "" none. */
static void first_library(const ag_plugin_opts *o, char *buf, size_t n) {
  snprintf(buf, n, "%s", o->orders);
  char *comma = strchr(buf, ',');
  if (comma) *comma = 0;
}

static PetscErrorCode search_and_store(AGKernel k, const ag_plugin_opts *o, int *order,
                                       long *cost) {
  const ag_dag *d = &k->g->dag;
  PetscMPIInt rank, size;
  ag_error err;
  PetscFunctionBegin;
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)k), &rank));
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)k), &size));
  ag_search_opts so;
  ag_search_opts_default(&so);
  so.time_limit = o->search_time;
  so.seed = 1;
  static const ag_search_method methods[] = {AG_SEARCH_ANNEAL, AG_SEARCH_MCTS};
  /* the MCTS ranks (odd ones) are guided by the shipped network when it is found (its
     prior, rollout values); a model that does not load leaves them with the heuristic */
  char model[PETSC_MAX_PATH_LEN] = "";
  ag_nn *net = NULL;
  ag_nn_eval *neval = NULL;
  ag_mcts_params mp;
  ag_mcts_params_default(&mp);
  if (size > 1 && shipped_model(model, sizeof model) && rank % 2 == 1) {
    ag_adam unused;
    memset(&unused, 0, sizeof unused);
    ag_error merr;
    merr.code = AG_OK;
    merr.msg[0] = 0;
    net = ag_nn_load(model, "cpu", &unused, &merr);
    ag_adam_free(&unused);
    if (net) {
      neval = ag_nn_eval_new(net);
      ag_nn_eval_set_rollout(neval, 1);
      mp.evaluator = ag_nn_eval_evaluator(neval);
      so.mcts = &mp;
    } else {
      PetscCall(
          PetscPrintf(PETSC_COMM_SELF, "alphagrad: %s; MCTS uses the heuristic prior\n", merr.msg));
    }
  }
  ag_search_result r;
  memset(&r, 0, sizeof r);
  PetscCall(PetscLogEventBegin(AG_Search, 0, 0, 0, 0));
  int rc = ag_search_portfolio(d, PetscObjectComm((PetscObject)k), methods, 2, &so, &r, &err);
  PetscCall(PetscLogEventEnd(AG_Search, 0, 0, 0, 0));
  ag_nn_eval_free(neval);
  ag_nn_free(net);
  AGCheckCore(PetscObjectComm((PetscObject)k), rc == 0, err, "alphagrad: search for kernel %s: %s",
              k->source, err.msg);
  k->search_time = r.elapsed;
  if (r.cost < *cost) {
    memcpy(order, r.order, sizeof(int) * (size_t)r.len);
    *cost = r.cost;
  }
  char first[sizeof o->orders];
  first_library(o, first, sizeof first);
  PetscCall(PetscSNPrintf(k->origin, sizeof k->origin, "search (%s, %.1f s on %d rank%s%s%s)",
                          r.method ? r.method : "portfolio", r.elapsed, size, size > 1 ? "s" : "",
                          model[0] ? "; MCTS guided by " : "", model[0] ? model : ""));
  if (rank == 0) {
    if (!first[0]) {
      PetscCall(PetscPrintf(PETSC_COMM_SELF,
                            "alphagrad: kernel %s: found an order of cost %ld; not stored (give "
                            "a library with -snes_jacobian_alphagrad_orders to keep it)\n",
                            k->source, *cost));
    } else {
      ag_order_entry e;
      ag_order_entry_init(&e, d, k->g->name, order, d->neliminable, *cost);
      e.lower_bound = r.lower_bound > *cost ? -1 : r.lower_bound;
      e.method = (char *)(r.method ? r.method : "portfolio");
      e.search_time = r.elapsed;
      e.budget = o->search_time;
      int st = ag_orderlib_store(first, d, &e, &err);
      if (st < 0)
        PetscCall(PetscPrintf(PETSC_COMM_SELF,
                              "alphagrad: kernel %s: order not stored: %s (the library is left "
                              "as it was)\n",
                              k->source, err.msg));
      else {
        size_t l = strlen(k->origin);
        snprintf(k->origin + l, sizeof k->origin - l,
                 st == 1 ? ", stored in %s" : ", %s kept its better order", first);
      }
    }
  }
  ag_search_result_free(&r);
  PetscFunctionReturn(0);
}

PetscErrorCode ag_kernel_order(AGKernel k, const ag_plugin_opts *o) {
  const ag_dag *d = &k->g->dag;
  PetscMPIInt rank;
  PetscLogDouble t0, t1;
  ag_error err;
  PetscFunctionBegin;
  if (k->jp) PetscFunctionReturn(0);
  err.code = AG_OK;
  err.msg[0] = 0;
  PetscCall(PetscTime(&t0));
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)k), &rank));
  int n = d->neliminable;
  int *order;
  PetscCall(PetscMalloc1(n + 1, &order));
  long base[AG_NBASELINES];
  ag_order_baseline_costs(d, base);
  k->cost_fwd = base[0];
  k->cost_rev = base[1];
  k->cost_mkw = base[2];

  /* rank 0 decides, every rank gets the same order */
  int found = 0;
  long cost = -1;
  if (rank == 0) {
    char libs[sizeof o->orders + 4 * PETSC_MAX_PATH_LEN], shipped[4 * PETSC_MAX_PATH_LEN];
    ag_plugin_shipped_libraries(shipped, sizeof shipped);
    snprintf(libs, sizeof libs, "%s%s%s", o->orders, o->orders[0] && shipped[0] ? "," : "",
             shipped);
    ag_order_entry e;
    memset(&e, 0, sizeof e);
    char from[PETSC_MAX_PATH_LEN];
    if (lookup(k, libs, machine_signature(o), &e, from, sizeof from)) {
      found = 1;
      memcpy(order, e.order, sizeof(int) * (size_t)n);
      cost = e.cost;
      snprintf(k->origin, sizeof k->origin, "order library %s (%s, %s%s%s)", from,
               e.method ? e.method : "?", e.date ? e.date : "?", e.optimal ? ", optimal" : "",
               ag_order_entry_tuned(&e) ? ", tuned on this machine" : "");
      if (ag_order_entry_tuned(&e)) {
        snprintf(k->objective, sizeof k->objective, "%s", e.objective);
        if (!strcmp(e.objective, "measured")) { /* no need to time again */
          k->tuned = PETSC_TRUE;
          k->tune_ns = e.ns;
          k->tune_gain = e.gain;
          snprintf(k->tune_what, sizeof k->tune_what, "stored measurement (%s)",
                   e.date ? e.date : "?");
        }
      }
      ag_order_entry_clear(&e);
    }
  }
  PetscCallMPI(MPI_Bcast(&found, 1, MPI_INT, 0, PetscObjectComm((PetscObject)k)));
  PetscCallMPI(MPI_Bcast(k->objective, (int)sizeof k->objective, MPI_CHAR, 0,
                         PetscObjectComm((PetscObject)k)));
  {
    int tuned = k->tuned;
    PetscCallMPI(MPI_Bcast(&tuned, 1, MPI_INT, 0, PetscObjectComm((PetscObject)k)));
    k->tuned = (PetscBool)tuned;
  }
  if (!k->objective[0]) PetscCall(PetscStrcpy(k->objective, "mults"));
  if (!found) {
    const char *names[AG_NBASELINES] = {"forward", "reverse", "Markowitz"};
    int best = 0;
    cost = ag_order_best_baseline(d, order, &best);
    PetscCall(PetscSNPrintf(k->origin, sizeof k->origin, "%s (best heuristic; no stored order)",
                            names[best]));
    if (o->search_time > 0 && n > 0) PetscCall(search_and_store(k, o, order, &cost));
  }
  PetscCallMPI(MPI_Bcast(order, n, MPI_INT, 0, PetscObjectComm((PetscObject)k)));
  PetscCallMPI(MPI_Bcast(&cost, 1, MPI_LONG, 0, PetscObjectComm((PetscObject)k)));
  PetscCallMPI(
      MPI_Bcast(k->origin, (int)sizeof k->origin, MPI_CHAR, 0, PetscObjectComm((PetscObject)k)));
  long check = ag_order_cost(d, order, n, &err);
  AGCheckCore(PetscObjectComm((PetscObject)k), check >= 0, err, "alphagrad: kernel %s: %s",
              k->source, err.msg);
  PetscCheck(check == cost, PetscObjectComm((PetscObject)k), PETSC_ERR_PLIB,
             "alphagrad: kernel %s: order cost %ld but %ld recorded (%s)", k->source, check, cost,
             err.msg);
  k->order = order;
  k->len = n;
  k->cost = cost;

  k->jp = ag_jacprog_build(k->g, order, n, &err);
  AGCheckCore(PetscObjectComm((PetscObject)k), k->jp, err, "alphagrad: kernel %s: %s", k->source,
              err.msg);

  PetscCall(PetscTime(&t1));
  k->setup_time = t1 - t0;
  PetscFunctionReturn(0);
}

/* Code of the kernels ks[0..n-1] (orders chosen): with the C backend each rank compiles its
   share into the cache (kernel i on rank i % size), then every rank loads them all. */
PetscErrorCode ag_kernels_code(AGKernel *ks, PetscInt n, const ag_plugin_opts *o,
                               const ag_backend_ops *ops, MPI_Comm comm) {
  PetscMPIInt rank, size;
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscLogEventBegin(AG_Codegen, 0, 0, 0, 0));
  PetscCall(PetscTime(&t0));
  int interp = o->backend == AG_BACKEND_INTERP;
  ag_jit_opts jo;
  jit_opts(o, &jo);
  int *compiled;
  PetscCall(PetscCalloc1(n + 1, &compiled));
  if (!interp)
    for (PetscInt i = 0; i < n; i++) {
      if (ks[i]->ready || i % size != rank) continue;
      ag_error err;
      err.code = AG_OK;
      err.msg[0] = 0;
      ag_jit *j = ag_jit_load(ks[i]->jp, &jo, &err); /* a failure shows again below */
      if (j) compiled[i] = j->compiled ? (j->rebuilt ? 2 : 1) : 0;
      ag_jit_free(j);
    }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, compiled, (int)n, MPI_INT, MPI_MAX, comm));
  for (PetscInt i = 0; i < n; i++) {
    AGKernel k = ks[i];
    if (k->ready) continue;
    if (interp) {
      k->ev = ag_interpreter(k->jp);
      k->backend = AG_BACKEND_INTERP;
      PetscCall(PetscStrcpy(k->code_what, "interpreter (as asked)"));
    } else {
      k->ev = ag_jit_or_interp(k->jp, &jo);
      int local_c = k->ev->jit != NULL, all_c;
      PetscCallMPI(MPI_Allreduce(&local_c, &all_c, 1, MPI_INT, MPI_MIN, comm));
      if (all_c) {
        k->backend = AG_BACKEND_C;
        PetscCall(PetscStrcpy(k->code_what, compiled[i] == 2
                                                ? "compiled now (the cached entry was invalid)"
                                            : compiled[i] ? "compiled now"
                                                          : "cache hit"));
      } else {
        /* every rank the same way */
        if (k->ev->jit) {
          ag_evaluator_free(k->ev);
          k->ev = ag_interpreter(k->jp);
        }
        k->backend = AG_BACKEND_INTERP;
        PetscCall(PetscStrcpy(k->code_what, "interpreter (no compiled code: compiling or "
                                            "loading failed, see the warning above)"));
      }
    }
    if (ops->kernel_code) { /* e.g. cuda: the Jacobian on the device, the residual above */
      PetscCall(ops->kernel_code(k, o));
      k->backend = ops->id;
    }
    k->ready = PETSC_TRUE;
    if (o->verbose)
      PetscCall(PetscPrintf(PetscObjectComm((PetscObject)k),
                            "alphagrad: kernel %s: order %s, cost %ld, code %s%s%s\n", k->source,
                            k->origin, k->cost, k->code_what,
                            k->gk ? "; Jacobian on the GPU: " : "", k->gk ? k->gpu_what : ""));
  }
  PetscCall(PetscTime(&t1));
  for (PetscInt i = 0; i < n; i++)
    ks[i]->code_time = t1 - t0;
  PetscCall(PetscFree(compiled));
  PetscCall(PetscLogEventEnd(AG_Codegen, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_kernel_view(AGKernel k, const char *role, PetscViewer v) {
  const ag_dag *d = &k->g->dag;
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(v, "%s kernel %s\n", role, k->source));
  PetscCall(PetscViewerASCIIPushTab(v));
  PetscCall(PetscViewerASCIIPrintf(v,
                                   "graph: %d inputs, %d parameters (%" PetscInt_FMT
                                   " constant), %d outputs, %d vertices, hash %016llx\n",
                                   d->ni, k->g->nparams, k->nconst, d->no, d->nv,
                                   (unsigned long long)d->hash));
  if (k->ready) {
    PetscCall(PetscViewerASCIIPrintf(v, "order: %s\n", k->origin));
    PetscCall(PetscViewerASCIIPrintf(
        v, "cost: %ld multiplications (forward %ld, reverse %ld, Markowitz %ld)\n", k->cost,
        k->cost_fwd, k->cost_rev, k->cost_mkw));
    if (k->tuned && k->tune_fwd_ns > 0)
      PetscCall(PetscViewerASCIIPrintf(
          v,
          "chosen by: measured (%s): %.1f ns per element, %.2fx the better of forward (%.1f "
          "ns) and reverse (%.1f ns); %d candidates timed on %d of the application's elements\n",
          k->tune_what, k->tune_ns, k->tune_gain, k->tune_fwd_ns, k->tune_rev_ns, k->tune_ncand,
          k->tune_nsample));
    else if (k->tuned && k->tune_ns > 0)
      PetscCall(PetscViewerASCIIPrintf(
          v,
          "chosen by: measured (%s): %.1f ns per element, %.2fx the better of forward and "
          "reverse\n",
          k->tune_what, k->tune_ns, k->tune_gain));
    else if (k->tuned)
      PetscCall(PetscViewerASCIIPrintf(v, "chosen by: %s (%s)\n", k->objective, k->tune_what));
    else
      PetscCall(PetscViewerASCIIPrintf(v, "chosen by: %s%s\n", k->objective,
                                       !strcmp(k->objective, "mults")
                                           ? " (not timed; -snes_jacobian_alphagrad_tune times "
                                             "candidates on this machine)"
                                           : ""));
    PetscCall(PetscViewerASCIIPrintf(v, "Jacobian entries: %d; backend %s, code: %s\n",
                                     k->jp->nentries, AGBackends[k->backend], k->code_what));
    if (k->ev && k->ev->jit)
      PetscCall(PetscViewerASCIIPrintf(v, "shared object: %s\n", k->ev->jit->path));
    if (k->gk)
      PetscCall(PetscViewerASCIIPrintf(v,
                                       "Jacobian on the GPU: %s, %s (the residual: generated C)\n",
                                       k->gpu_what, ((ag_gpu_kernel *)k->gk)->path));
    PetscCall(PetscViewerASCIIPrintf(v, "set-up time: order %.3f s, code %.3f s (all kernels)\n",
                                     k->setup_time, k->code_time));
  } else {
    PetscCall(PetscViewerASCIIPrintf(v, "(not set up yet)\n"));
  }
  PetscCall(PetscViewerASCIIPopTab(v));
  PetscFunctionReturn(0);
}

/* Rank 0 stores the tuned order in the first order library (as a tuned entry). */
static void store_tuned(AGKernel k, const ag_plugin_opts *o) {
  char first[sizeof o->orders];
  first_library(o, first, sizeof first);
  if (!first[0]) return;
  ag_order_entry e;
  ag_error err;
  ag_order_entry_init(&e, &k->g->dag, k->g->name, k->order, k->len, k->cost);
  e.method = "tune";
  e.objective = "measured";
  e.signature = (char *)machine_signature(o);
  e.value = e.ns = k->tune_ns;
  e.gain = k->tune_gain;
  int st = ag_orderlib_store(first, &k->g->dag, &e, &err);
  if (st < 0)
    (void)PetscPrintf(PETSC_COMM_SELF, "alphagrad: kernel %s: tuned order not stored: %s\n",
                      k->source, err.msg);
  else {
    size_t l = strlen(k->tune_what);
    snprintf(k->tune_what + l, sizeof k->tune_what - l, "%s %s",
             st == 1 ? "; stored in" : "; kept the faster entry of", first);
  }
}

PetscErrorCode ag_kernel_tune(AGKernel k, const ag_plugin_opts *o, const double *xs,
                              const double *ps, int nsample, MPI_Comm comm) {
  PetscMPIInt rank;
  PetscFunctionBegin;
  if (k->tuned || !k->ready || k->len == 0) PetscFunctionReturn(0);
  k->tuned = PETSC_TRUE; /* once, whatever happens */
  if (k->backend != AG_BACKEND_C) {
    PetscCall(PetscSNPrintf(k->tune_what, sizeof k->tune_what,
                            "not tuned: the %s backend runs no generated C",
                            AGBackends[k->backend]));
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  const ag_dag *d = &k->g->dag;
  int *order;
  PetscCall(PetscMalloc1(k->len + 1, &order));
  double st[5] = {0}; /* score, fwd score, rev score, candidates, changed */
  char label[32] = "", msg[sizeof k->tune_what] = "";
  int ok = 0;
  if (rank == 0) {
    ag_measure_opts mo;
    ag_measure_opts_default(&mo);
    jit_opts(o, &mo.jit);
    ag_machine_profile prof;
    ag_error err;
    if (ag_profile_resolve(NULL, &prof, &err) == 0) mo.weights = prof.w;
    mo.timing.x = xs;
    mo.timing.p = ps;
    mo.timing.nsample = nsample;
    mo.quiet = !o->verbose;
    mo.search_time = o->search_time > 0 && o->search_time < 2 ? o->search_time : 1;
    const int *extra[1] = {k->order};
    const char *labels[1] = {"set-up"};
    mo.extra = extra;
    mo.extra_labels = labels;
    mo.nextra = 1;
    ag_measure_result mr;
    memset(&mr, 0, sizeof mr);
    PetscCall(PetscLogEventBegin(AG_Search, 0, 0, 0, 0));
    int rc = ag_measure_search(k->g, &mo, &mr, &err);
    PetscCall(PetscLogEventEnd(AG_Search, 0, 0, 0, 0));
    if (rc) {
      snprintf(msg, sizeof msg, "tuning failed: %.120s", err.msg);
      (void)PetscPrintf(PETSC_COMM_SELF, "alphagrad: kernel %s: %s; the order stays\n", k->source,
                        msg);
    } else {
      ok = 1;
      memcpy(order, mr.order, sizeof(int) * (size_t)k->len);
      st[0] = mr.t.score;
      st[1] = mr.fwd.score;
      st[2] = mr.rev.score;
      st[3] = mr.ncand;
      snprintf(label, sizeof label, "%s", mr.label);
    }
    ag_measure_result_free(&mr);
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  if (!ok) {
    PetscCallMPI(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm));
    PetscCall(PetscStrcpy(k->tune_what, msg));
    PetscCall(PetscFree(order));
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Bcast(order, k->len, MPI_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(st, 4, MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(label, (int)sizeof label, MPI_CHAR, 0, comm));
  if (memcmp(order, k->order, sizeof(int) * (size_t)k->len)) {
    ag_error err;
    err.code = AG_OK;
    err.msg[0] = 0;
    ag_jacprog *jp = ag_jacprog_build(k->g, order, k->len, &err);
    AGCheckCore(comm, jp, err, "alphagrad: kernel %s: tuned order: %s", k->source, err.msg);
    PetscCheck(jp->nentries == k->jp->nentries, comm, PETSC_ERR_PLIB,
               "alphagrad: kernel %s: the tuned order has %d Jacobian entries, not %d", k->source,
               jp->nentries, k->jp->nentries);
    ag_jit_opts jo;
    jit_opts(o, &jo);
    ag_evaluator *ev = ag_jit_or_interp(jp, &jo); /* rank 0 compiled it: a cache hit */
    int local = ev->jit != NULL, all;
    PetscCallMPI(MPI_Allreduce(&local, &all, 1, MPI_INT, MPI_MIN, comm));
    if (!all) { /* every rank keeps the code it has */
      ag_evaluator_free(ev);
      ag_jacprog_free(jp);
      PetscCall(PetscStrcpy(k->tune_what, "tuning found a faster order but its code did not "
                                          "load on every rank; the order stays"));
      PetscCall(PetscFree(order));
      PetscFunctionReturn(0);
    }
    ag_evaluator_free(k->ev);
    ag_jacprog_free(k->jp);
    k->ev = ev;
    k->jp = jp;
    memcpy(k->order, order, sizeof(int) * (size_t)k->len);
    k->cost = ag_order_cost(d, order, k->len, &err);
  }
  PetscCall(PetscFree(order));
  PetscCall(PetscStrcpy(k->objective, "measured"));
  k->tune_ns = st[0];
  k->tune_fwd_ns = st[1];
  k->tune_rev_ns = st[2];
  k->tune_gain = PetscMin(st[1], st[2]) / st[0];
  k->tune_ncand = (int)st[3];
  k->tune_nsample = nsample;
  PetscCall(PetscSNPrintf(k->tune_what, sizeof k->tune_what,
                          "tuned at the first Jacobian, picked %s", label));
  if (rank == 0) store_tuned(k, o);
  PetscCallMPI(MPI_Bcast(k->tune_what, (int)sizeof k->tune_what, MPI_CHAR, 0, comm));
  if (o->verbose)
    PetscCall(PetscPrintf(comm,
                          "alphagrad: kernel %s: tuned: %s, %.1f ns per element, %.2fx the better "
                          "of forward and reverse\n",
                          k->source, label, k->tune_ns, k->tune_gain));
  PetscFunctionReturn(0);
}
