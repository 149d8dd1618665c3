/* alphagrad: command-line front of the library.
     alphagrad graph    SOURCE [--name T] [--json]
     alphagrad cost     SOURCE [--name T] --order fwd|rev|markowitz|@FILE [--model exec|mults]
                        [--profile FILE] [--show-order] [--json]
     alphagrad jacobian SOURCE --at x1,x2,... [--params p1,...] [--order ...] [--check] [--json]
   SOURCE is path/kernel.c[:function] or a reference DAG text file with --name. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/version.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "graph/orders.h"
#include "jacobian/codegen_c.h"
#include "jacobian/codegen_cuda.h"
#include "jacobian/jacobian.h"
#include "jacobian/profile.h"
#include "kernel/source.h"
#include "orderlib/orderlib.h"

static const char *usage_text =
    "usage: alphagrad COMMAND SOURCE [options]\n"
    "\n"
    "commands:\n"
    "  graph      print inputs, vertices, outputs, eliminable vertices, edges and hash\n"
    "  cost       print the cost of an elimination order (multiplications or the execution\n"
    "             cost model)\n"
    "  jacobian   evaluate outputs and the exact Jacobian at a point\n"
    "  codegen    write C code for the outputs and exact Jacobian (-o FILE, --function F,\n"
    "             --cuda: a CUDA file instead)\n"
    "  search     search for a cheap elimination order (alphagrad search --help)\n"
    "  orders     inspect HDF5 order libraries (alphagrad orders --help)\n"
    "  train      self-play training of the policy/value network (alphagrad train --help)\n"
    "\n"
    "SOURCE:\n"
    "  path/kernel.c[:function]    a kernel in the supported C subset\n"
    "  path/graphs.txt --name T    a graph of a reference DAG text file\n"
    "  path/tensor.txt --name T    a tensor graph (the paper's tensor tasks, costed under the\n"
    "                              AlphaGrad sparse-tensor model: graph, cost and search only;\n"
    "                              alphagrad cost tensor.txt --help, docs/tensor.md)\n"
    "\n"
    "options:\n"
    "  --name T        graph section of a DAG text file (or kernel function of a .c file)\n"
    "  --order O       fwd | rev | markowitz | @FILE: a text file of 1-based vertex ids\n"
    "                  (commas, spaces or brackets), or an HDF5 order library (the order\n"
    "                  stored for this graph). cost: required. jacobian: default is the\n"
    "                  cheapest of fwd, rev and markowitz\n"
    "  --show-order    cost: also print the order\n"
    "  --model M       cost: mults (default; the paper's multiplications) | exec (the\n"
    "                  execution cost model: ps per element under the machine profile,\n"
    "                  docs/profiles.md); --json reports both. With --order @LIB.h5, exec\n"
    "                  prefers the entry tuned on this machine\n"
    "  --profile FILE  cost: machine profile for exec (default: this machine's calibrated\n"
    "                  profile, else the built-in weights); another machine's is refused\n"
    "  --at V,...      jacobian: the point (one value per input)\n"
    "  --params P,...  jacobian: parameter values of a kernel with a third argument\n"
    "  --check         jacobian: also compare with central finite differences\n"
    "  -o FILE         codegen: output file (default: stdout)\n"
    "  --function F    codegen: name of the generated entry points (default: the graph name\n"
    "                  followed by _jac); see docs/codegen.md for the signatures\n"
    "  --cuda          codegen: CUDA kernels F_cuda / F_cuda_primal (one element per thread)\n"
    "                  and host launchers, for nvcc (docs/codegen.md, CUDA)\n"
    "  --json          machine-readable output\n"
    "  -h, --help      this text;  --version  the version\n";

typedef struct {
  const char *cmd, *source, *name, *order, *at, *params, *out_path, *function, *model, *profile;
  int json, show_order, check, cuda;
} options;

static int json_mode; /* --json: errors also go to stdout as {"error": "..."} */
static void json_str(const char *s);

static int die(const char *msg) {
  fprintf(stderr, "alphagrad: %s\n", msg);
  if (json_mode) {
    printf("{\"error\": ");
    json_str(msg);
    printf("}\n");
  }
  return 1;
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "alphagrad: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(run 'alphagrad --help' for usage)\n");
  return 2;
}

static void json_str(const char *s) { ag_cli_json_str(stdout, s); }

static void json_num(double x) {
  if (isfinite(x))
    printf("%.17g", x);
  else
    printf("null"); /* JSON has no inf/nan */
}

/* "v1,v2,..." (commas, optionally with spaces): every field a finite number; an empty field
   ("0.01,,0.02", a trailing comma) or inf/NaN/overflow is refused naming the field. */
static int parse_values(const char *s, double **out, int *n, const char *what) {
  int cap = 8, m = 0;
  double *v = malloc((size_t)cap * sizeof(double));
  const char *p = s;
  for (;;) {
    while (*p == ' ')
      p++;
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    const char *why = end == p                          ? "cannot read a number"
                      : errno == ERANGE || !isfinite(x) ? "not a finite double"
                                                        : NULL;
    if (why) {
      free(v);
      fprintf(stderr, "alphagrad: %s: value %d: %s at '%s'\n", what, m + 1, why, p);
      return -1;
    }
    if (m == cap) v = realloc(v, (size_t)(cap *= 2) * sizeof(double));
    v[m++] = x;
    p = end;
    while (*p == ' ')
      p++;
    if (!*p) break;
    if (*p != ',') {
      free(v);
      fprintf(stderr, "alphagrad: %s: expected ',' after value %d at '%s'\n", what, m, p);
      return -1;
    }
    p++;
  }
  *out = v;
  *n = m;
  return 0;
}

static void vertex_label(const ag_graph *g, int node, char *buf, size_t n) {
  const ag_dag *d = &g->dag;
  int e = g->node_elim[node];
  if (e >= 0 && e < d->ni)
    snprintf(buf, n, "x%d", e + 1);
  else if (e >= d->ni)
    snprintf(buf, n, "v%d", ag_vertex_id(d, e));
  else if (g->nodes[node].op == AG_OP_CONST) {
    if (isnan(g->nodes[node].value))
      snprintf(buf, n, "c");
    else
      snprintf(buf, n, "%.17g", g->nodes[node].value);
  } else if (g->nodes[node].op == AG_OP_PARAM)
    snprintf(buf, n, "p%d", (int)g->nodes[node].value + 1);
  else if (n > 48 && g->nodes[node].op > AG_OP_CONST && g->nodes[node].op != AG_OP_SELECT &&
           g->nodes[node].op != AG_OP_IPOW) {
    /* a passive value (a condition on the data, what only a condition reads, a value of
       parameters): written out, it has no vertex */
    const ag_node *nd = &g->nodes[node];
    char a[160] = "", b[160] = "";
    vertex_label(g, nd->a, a, n / 3 < sizeof a ? n / 3 : sizeof a);
    if (nd->b >= 0) vertex_label(g, nd->b, b, n / 3 < sizeof b ? n / 3 : sizeof b);
    snprintf(buf, n, "%s(%s%s%s)", ag_op_name(nd->op), a, nd->b >= 0 ? ", " : "", b);
  } else
    snprintf(buf, n, "passive%d", node);
}

/* --order SPEC: fwd|rev|markowitz|@FILE, where FILE is an order text file or an HDF5
   order library (the stored order for this graph). */

/* signature: prefer the library's entry tuned on this machine signature (NULL: the plain
   entry, the best by multiplications) */
static int resolve_order(const ag_graph *g, const char *spec, const char *signature, int **order,
                         int *len, ag_error *err) {
  if (spec[0] == '@' && ag_cli_is_hdf5(spec + 1)) {
    ag_order_entry e;
    int found = ag_orderlib_lookup_for(spec + 1, &g->dag, signature, &e, err);
    if (found < 0) return -1;
    if (!found)
      return ag_failc(err, AG_ERR_MISMATCH,
                      "%s holds no order for graph '%s' (hash %016llx); store one with "
                      "alphagrad search SOURCE --out %s",
                      spec + 1, g->name, (unsigned long long)g->dag.hash, spec + 1);
    *order = malloc((size_t)(e.len + 1) * sizeof(int));
    memcpy(*order, e.order, (size_t)e.len * sizeof(int));
    *len = e.len;
    ag_order_entry_clear(&e);
    return 0;
  }
  return ag_order_resolve(&g->dag, spec, order, len, err);
}

static int cmd_graph(const options *o, ag_graph *g) {
  const ag_dag *d = &g->dag;
  int nedges = d->pred_off[d->n];
  if (o->json) {
    printf("{\"name\": ");
    json_str(g->name);
    printf(
        ", \"inputs\": %d, \"vertices\": %d, \"outputs\": %d, \"eliminable\": %d, \"edges\": %d, "
        "\"params\": %d, \"hash\": \"%016llx\", \"output_vertices\": [",
        d->ni, d->nv, d->no, d->neliminable, nedges, g->nparams, (unsigned long long)d->hash);
    for (int j = 0; j < d->no; j++) {
      char b[64];
      vertex_label(g, g->outputs[j], b, sizeof b);
      printf("%s", j ? ", " : "");
      json_str(b);
    }
    printf("], \"graph\": [");
    for (int v = d->ni; v < d->n; v++) {
      const ag_node *nd = &g->nodes[d->vert_node[v]];
      printf("%s{\"id\": %d, \"op\": ", v > d->ni ? ", " : "", ag_vertex_id(d, v));
      json_str(ag_op_name(nd->op));
      printf(", \"operands\": [");
      int k = 0;
      for (int a = 0; a < 2; a++) {
        int x = a ? nd->b : nd->a;
        if (x < 0) continue;
        char b[64];
        vertex_label(g, x, b, sizeof b);
        printf("%s", k++ ? ", " : "");
        json_str(b);
      }
      printf("], \"output\": %s}", d->is_output[v] ? "true" : "false");
    }
    printf("]}\n");
    return 0;
  }
  printf("graph %s\n", g->name);
  printf("inputs %d  vertices %d  outputs %d  eliminable %d  edges %d  params %d\n", d->ni, d->nv,
         d->no, d->neliminable, nedges, g->nparams);
  printf("hash %016llx\n", (unsigned long long)d->hash);
  printf("outputs:");
  for (int j = 0; j < d->no; j++) {
    char b[64];
    vertex_label(g, g->outputs[j], b, sizeof b);
    printf(" %s", b);
  }
  printf("\n");
  for (int v = d->ni; v < d->n; v++) {
    const ag_node *nd = &g->nodes[d->vert_node[v]];
    char a[64], b[64], c[200];
    vertex_label(g, nd->a, a, sizeof a);
    if (nd->b >= 0) vertex_label(g, nd->b, b, sizeof b);
    if (nd->op == AG_OP_SELECT) { /* its condition is passive: no edge */
      vertex_label(g, nd->cond, c, sizeof c);
      printf("v%d = select(%s ? %s : %s)%s\n", ag_vertex_id(d, v), c, a, b,
             d->is_output[v] ? "   # output" : "");
      continue;
    }
    printf("v%d = %s(%s%s%s)%s\n", ag_vertex_id(d, v), ag_op_name(nd->op), a,
           nd->b >= 0 ? ", " : "", nd->b >= 0 ? b : "", d->is_output[v] ? "   # output" : "");
  }
  return 0;
}

static int cmd_cost(const options *o, ag_graph *g) {
  if (!o->order) return usage_error("%s", "cost needs --order fwd|rev|markowitz|@FILE");
  const char *model = o->model ? o->model : "mults";
  if (strcmp(model, "mults") && strcmp(model, "exec"))
    return usage_error("unknown --model '%s' (exec or mults)", model);
  const int is_exec = !strcmp(model, "exec");
  ag_error err;
  ag_machine_profile prof;
  if (ag_profile_resolve(o->profile, &prof, &err)) return die(err.msg);
  char signature[1100];
  ag_profile_signature_str(&prof, signature, sizeof signature);
  int *order, len;
  if (resolve_order(g, o->order, is_exec ? signature : NULL, &order, &len, &err))
    return die(err.msg);
  long mults = ag_order_cost(&g->dag, order, len, &err);
  const ag_dag dx = ag_dag_with_objective(&g->dag, &prof.w);
  long exec = mults < 0 ? -1 : ag_order_cost(&dx, order, len, &err);
  if (mults < 0 || exec < 0) {
    free(order);
    return die(err.msg);
  }
  long c = is_exec ? exec : mults;
  if (o->json) {
    printf("{\"cost\": %ld, \"model\": \"%s\", \"mults\": %ld, \"exec\": %ld, \"profile\": ", c,
           model, mults, exec);
    json_str(prof.source);
    printf(", \"order\": ");
    json_str(o->order);
    printf(", \"graph\": ");
    json_str(g->name);
    printf(", \"hash\": \"%016llx\", \"eliminations\": %d", (unsigned long long)g->dag.hash, len);
    if (o->show_order) {
      printf(", \"vertices\": [");
      for (int i = 0; i < len; i++)
        printf("%s%d", i ? ", " : "", order[i]);
      printf("]");
    }
    printf("}\n");
  } else {
    printf("cost %ld  (%s order, %d eliminations, graph %s)\n", c, o->order, len, g->name);
    if (is_exec) /* (mults: the line stays as it was, scripts parse it) */
      printf("model exec: %ld multiplications, execution cost %.2f ns per element (profile %s)\n",
             mults, exec / 1000.0, prof.source);
    if (o->show_order) {
      printf("[");
      for (int i = 0; i < len; i++)
        printf("%s%d", i ? ", " : "", order[i]);
      printf("]\n");
    }
  }
  free(order);
  return 0;
}

static int best_baseline(const ag_dag *d, int **order, int *len, const char **which) {
  static const char *names[] = {"fwd", "rev", "markowitz"};
  long best = -1;
  for (int i = 0; i < 3; i++) {
    int *o, n;
    ag_error err;
    if (ag_order_resolve(d, names[i], &o, &n, &err)) return -1;
    long c = ag_order_cost(d, o, n, &err);
    if (best < 0 || c < best) {
      if (best >= 0) free(*order);
      best = c;
      *order = o;
      *len = n;
      *which = names[i];
    } else {
      free(o);
    }
  }
  return 0;
}

static int cmd_jacobian(const options *o, ag_graph *g) {
  const ag_dag *d = &g->dag;
  if (!o->at) return usage_error("%s", "jacobian needs --at v1,v2,... (one value per input)");
  double *x = NULL, *p = NULL;
  int nx, np = 0;
  if (parse_values(o->at, &x, &nx, "--at")) return 2;
  if (nx != d->ni) {
    fprintf(stderr, "alphagrad: --at has %d values but graph '%s' has %d inputs\n", nx, g->name,
            d->ni);
    free(x);
    return 2;
  }
  if (o->params && parse_values(o->params, &p, &np, "--params")) {
    free(x);
    return 2;
  }
  if (np != g->nparams) {
    fprintf(stderr, "alphagrad: graph '%s' has %d parameters but --params gives %d\n", g->name,
            g->nparams, np);
    free(x);
    free(p);
    return 2;
  }
  ag_error err;
  int *order = NULL, len = 0;
  const char *which = o->order;
  int rc = o->order ? resolve_order(g, o->order, NULL, &order, &len, &err)
                    : best_baseline(d, &order, &len, &which);
  if (rc) {
    free(x);
    free(p);
    return die(err.msg);
  }
  ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
  free(order);
  if (!jp) {
    free(x);
    free(p);
    return die(err.msg);
  }
  double *work = malloc(ag_jacprog_work_size(jp) * sizeof(double));
  double *out = malloc((size_t)d->no * sizeof(double));
  double *vals = malloc((size_t)(jp->nentries + 1) * sizeof(double));
  double *J = malloc((size_t)d->no * d->ni * sizeof(double));
  ag_jacprog_eval(jp, x, p, out, vals, work);
  ag_jacprog_dense(jp, vals, J);
  /* non-finite values are flagged, never silent: JSON has no inf or NaN (they print as
     null), so the "nonfinite" field says which entries they are */
  int nbad_out = 0, nbad_jac = 0;
  for (int j = 0; j < d->no; j++) {
    nbad_out += !isfinite(out[j]);
    for (int i = 0; i < d->ni; i++)
      nbad_jac += !isfinite(J[j * d->ni + i]);
  }
  if (nbad_out)
    fprintf(stderr,
            "alphagrad: warning: %d output%s not finite at this point (outside the domain of "
            "an operation?)\n",
            nbad_out, nbad_out == 1 ? " is" : "s are");
  if (nbad_jac) {
    fprintf(stderr, "alphagrad: warning: %d Jacobian entr%s not finite at this point:", nbad_jac,
            nbad_jac == 1 ? "y is" : "ies are");
    int shown = 0;
    for (int j = 0; j < d->no && shown < 8; j++)
      for (int i = 0; i < d->ni && shown < 8; i++)
        if (!isfinite(J[j * d->ni + i]))
          fprintf(stderr, "%s d out[%d]/d in[%d] = %g", shown++ ? "," : "", j, i, J[j * d->ni + i]);
    fprintf(stderr,
            "%s (a derivative that does not exist here: sqrt, cbrt or pow(x, 0.5) at 0, "
            "acos or asin at +-1, atan2 or hypot at (0, 0), ...)\n",
            nbad_jac > shown ? ", ..." : "");
  }
  /* --check: central differences at several steps (relative 1e-2 .. 1e-8 of max(1, |x|));
     per entry the smallest difference counts, so neither truncation (large steps) nor
     cancellation in the kernel (small steps) makes a correct Jacobian look wrong.
     Non-finite entries are not compared. */
  double fd_err = -1;
  int fd_skipped = 0;
  if (o->check) {
    double *xp = malloc((size_t)d->ni * sizeof(double)),
           *fp = malloc((size_t)d->no * sizeof(double)),
           *fm = malloc((size_t)d->no * sizeof(double)),
           *best = malloc((size_t)d->no * sizeof(double));
    fd_err = 0;
    for (int i = 0; i < d->ni; i++) {
      for (int j = 0; j < d->no; j++)
        best[j] = INFINITY;
      for (int k = 2; k <= 8; k++) {
        memcpy(xp, x, (size_t)d->ni * sizeof(double));
        double h = pow(10.0, -k) * fmax(1.0, fabs(x[i]));
        xp[i] = x[i] + h;
        ag_graph_eval(g, xp, p, fp, work);
        xp[i] = x[i] - h;
        ag_graph_eval(g, xp, p, fm, work);
        for (int j = 0; j < d->no; j++) {
          double fd = (fp[j] - fm[j]) / (2 * h), ex = J[j * d->ni + i];
          double e = fabs(fd - ex) / fmax(1.0, fabs(ex));
          if (e < best[j]) best[j] = e; /* NaN never wins */
        }
      }
      for (int j = 0; j < d->no; j++) {
        if (!isfinite(J[j * d->ni + i])) {
          fd_skipped++;
          continue;
        }
        if (best[j] > fd_err || isnan(best[j])) fd_err = best[j];
      }
    }
    free(xp);
    free(fp);
    free(fm);
    free(best);
  }
  if (o->json) {
    printf("{\"graph\": ");
    json_str(g->name);
    printf(", \"order\": ");
    json_str(which);
    printf(", \"outputs\": [");
    for (int j = 0; j < d->no; j++) {
      printf("%s", j ? ", " : "");
      json_num(out[j]);
    }
    printf("], \"jacobian\": [");
    for (int j = 0; j < d->no; j++) {
      printf("%s[", j ? ", " : "");
      for (int i = 0; i < d->ni; i++) {
        printf("%s", i ? ", " : "");
        json_num(J[j * d->ni + i]);
      }
      printf("]");
    }
    printf("], \"nonzeros\": %d, \"finite\": %s", jp->nentries,
           nbad_out + nbad_jac ? "false" : "true");
    if (nbad_out + nbad_jac) { /* which values print as null, and what they are */
      printf(", \"nonfinite\": [");
      int k = 0;
      for (int j = 0; j < d->no; j++)
        if (!isfinite(out[j]))
          printf("%s{\"output\": %d, \"value\": \"%s\"}", k++ ? ", " : "", j,
                 isnan(out[j]) ? "nan"
                 : out[j] > 0  ? "inf"
                               : "-inf");
      for (int j = 0; j < d->no; j++)
        for (int i = 0; i < d->ni; i++) {
          double v = J[j * d->ni + i];
          if (!isfinite(v))
            printf("%s{\"row\": %d, \"col\": %d, \"value\": \"%s\"}", k++ ? ", " : "", j, i,
                   isnan(v) ? "nan"
                   : v > 0  ? "inf"
                            : "-inf");
        }
      printf("]");
    }
    if (o->check) {
      printf(", \"fd_max_rel_error\": ");
      json_num(fd_err);
      printf(", \"fd_skipped\": %d", fd_skipped);
    }
    printf("}\n");
  } else {
    printf("graph %s, order %s (%ld multiplications), %d structural non-zeros\n", g->name, which,
           jp->mults, jp->nentries);
    for (int j = 0; j < d->no; j++) {
      printf("out[%d] = % .17g   d/dx:", j, out[j]);
      for (int i = 0; i < d->ni; i++)
        printf(" % .10g", J[j * d->ni + i]);
      printf("\n");
    }
    if (o->check) {
      printf("max relative difference to central finite differences: %.3g", fd_err);
      if (fd_skipped) printf(" (%d non-finite entries not compared)", fd_skipped);
      printf("\n");
    }
  }
  free(work);
  free(out);
  free(vals);
  free(J);
  free(x);
  free(p);
  ag_jacprog_free(jp);
  return 0;
}

static int cmd_codegen(const options *o, ag_graph *g) {
  ag_error err;
  int *order = NULL, len = 0;
  const char *which = o->order;
  int rc = o->order ? resolve_order(g, o->order, NULL, &order, &len, &err)
                    : best_baseline(&g->dag, &order, &len, &which);
  if (rc) return die(err.msg);
  ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
  free(order);
  if (!jp) return die(err.msg);
  char fname[256];
  if (o->function)
    snprintf(fname, sizeof fname, "%s", o->function);
  else
    snprintf(fname, sizeof fname, "%s_jac", g->name);
  /* write to a temporary file next to the target, then rename: a build never sees half */
  char tmp[4096];
  FILE *f = stdout;
  if (o->out_path) {
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", o->out_path, (int)getpid());
    f = fopen(tmp, "w");
    if (!f) {
      ag_jacprog_free(jp);
      ag_failc(&err, AG_ERR_IO, "%.900s: cannot write: %s", tmp, strerror(errno));
      return die(err.msg);
    }
  }
  rc = o->cuda ? ag_codegen_cuda(jp, fname, f, &err) : ag_codegen_c(jp, fname, f, &err);
  if (o->out_path) {
    if (fclose(f) != 0 && rc == 0) rc = ag_failc(&err, AG_ERR_IO, "%s: write error", tmp);
    if (rc == 0 && rename(tmp, o->out_path) != 0)
      rc = ag_failc(&err, AG_ERR_IO, "cannot rename %s to %s: %s", tmp, o->out_path,
                    strerror(errno));
    if (rc) remove(tmp);
  }
  long mults = jp->mults;
  int nentries = jp->nentries;
  ag_jacprog_free(jp);
  if (rc) return die(err.msg);
  if (o->out_path && o->json) {
    printf("{\"file\": ");
    json_str(o->out_path);
    printf(", \"function\": ");
    json_str(fname);
    printf(", \"language\": \"%s\"", o->cuda ? "cuda" : "c");
    printf(", \"order\": ");
    json_str(which);
    printf(", \"cost\": %ld, \"nonzeros\": %d, \"hash\": \"%016llx\"}\n", mults, nentries,
           (unsigned long long)g->dag.hash);
  } else if (o->out_path) {
    if (o->cuda)
      printf("wrote %s: CUDA kernels %s_cuda and %s_cuda_primal, order %s (%ld multiplications), "
             "%d non-zeros\n",
             o->out_path, fname, fname, which, mults, nentries);
    else
      printf("wrote %s: %s and %s_batch, order %s (%ld multiplications), %d non-zeros\n",
             o->out_path, fname, fname, which, mults, nentries);
  }
  return 0;
}

int main(int argc, char **argv) {
  /* tensor graph files (the paper's tensor tasks) have their own graph, cost and search */
  if (argc > 2 && strcmp(argv[1], "orders") && strcmp(argv[1], "train") &&
      strcmp(argv[1], "calibrate") && ag_cli_is_tensor_source(argc - 1, argv + 1))
    return ag_cmd_tensor(argc - 1, argv + 1);
  /* subcommands with their own options */
  if (argc > 1 && !strcmp(argv[1], "search")) return ag_cmd_search(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "orders")) return ag_cmd_orders(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "train")) return ag_cmd_train(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "calibrate")) return ag_cmd_calibrate(argc - 1, argv + 1);
  options o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
      fputs(usage_text, stdout);
      return 0;
    }
    if (!strcmp(a, "--version")) {
      printf("alphagrad %s\n", AG_VERSION);
      return 0;
    }
    const char **slot = !strcmp(a, "--name")       ? &o.name
                        : !strcmp(a, "--order")    ? &o.order
                        : !strcmp(a, "--at")       ? &o.at
                        : !strcmp(a, "--params")   ? &o.params
                        : !strcmp(a, "-o")         ? &o.out_path
                        : !strcmp(a, "--function") ? &o.function
                        : !strcmp(a, "--model")    ? &o.model
                        : !strcmp(a, "--profile")  ? &o.profile
                                                   : NULL;
    if (slot) {
      if (i + 1 >= argc) return usage_error("option %s needs a value", a);
      *slot = argv[++i];
    } else if (!strcmp(a, "--json"))
      o.json = 1;
    else if (!strcmp(a, "--show-order"))
      o.show_order = 1;
    else if (!strcmp(a, "--check"))
      o.check = 1;
    else if (!strcmp(a, "--cuda"))
      o.cuda = 1;
    else if (a[0] == '-' && a[1])
      return usage_error("unknown option '%s'", a);
    else if (!o.cmd)
      o.cmd = a;
    else if (!o.source)
      o.source = a;
    else
      return usage_error("unexpected argument '%s'", a);
  }
  if (!o.cmd) {
    fputs(usage_text, stderr);
    return 2;
  }
  int (*run)(const options *, ag_graph *) = !strcmp(o.cmd, "graph")      ? cmd_graph
                                            : !strcmp(o.cmd, "cost")     ? cmd_cost
                                            : !strcmp(o.cmd, "jacobian") ? cmd_jacobian
                                            : !strcmp(o.cmd, "codegen")  ? cmd_codegen
                                                                         : NULL;
  if (!run)
    return usage_error(
        "unknown command '%s' (expected graph, cost, jacobian, codegen, search or orders)", o.cmd);
  if (!o.source)
    return usage_error("%s needs a SOURCE (kernel.c[:function] or graphs.txt --name T)", o.cmd);
  json_mode = o.json;
  ag_error err;
  ag_graph *g = ag_load_source(o.source, o.name, &err);
  if (!g) return die(err.msg);
  int rc = run(&o, g);
  ag_graph_free(g);
  return rc;
}
