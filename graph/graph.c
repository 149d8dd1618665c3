/* Owns the graph IR: the builder, finalisation into the DAG, the structural hashes (graph.h). */
#include "graph/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "graph/exec_cost.h"

ag_graph *ag_graph_new(const char *name) {
  ag_graph *g = ag_calloc(1, sizeof *g);
  g->name = ag_strdup(name ? name : "graph");
  return g;
}

static void dag_free(ag_dag *d) {
  free(d->pred_off);
  free(d->pred);
  free(d->vert_node);
  free(d->out_index);
  free(d->is_output);
  free(d->pred_cls);
  memset(d, 0, sizeof *d);
}

void ag_graph_free(ag_graph *g) {
  if (!g) return;
  dag_free(&g->dag);
  free(g->name);
  free(g->nodes);
  free(g->input_node);
  free(g->param_node);
  free(g->outputs);
  free(g->node_active);
  free(g->node_elim);
  free(g);
}

static int push_node(ag_graph *g, int op, int a, int b, double value) {
  ag_grow((void **)&g->nodes, &g->cap, g->nnodes, sizeof(ag_node));
  g->nodes[g->nnodes] = (ag_node){op, a, b, value, -1};
  g->finalized = 0;
  return g->nnodes++;
}

int ag_graph_input(ag_graph *g, int k) {
  if (k >= g->ninputs) {
    ag_grow((void **)&g->input_node, &g->input_cap, k, sizeof(int));
    for (int i = g->ninputs; i <= k; i++)
      g->input_node[i] = -1;
    g->ninputs = k + 1;
  }
  if (g->input_node[k] < 0) g->input_node[k] = push_node(g, AG_OP_INPUT, -1, -1, k);
  return g->input_node[k];
}

int ag_graph_param(ag_graph *g, int k) {
  if (k >= g->nparams) {
    ag_grow((void **)&g->param_node, &g->param_cap, k, sizeof(int));
    for (int i = g->nparams; i <= k; i++)
      g->param_node[i] = -1;
    g->nparams = k + 1;
  }
  if (g->param_node[k] < 0) g->param_node[k] = push_node(g, AG_OP_PARAM, -1, -1, k);
  return g->param_node[k];
}

int ag_graph_const(ag_graph *g, double v) { return push_node(g, AG_OP_CONST, -1, -1, v); }

static int is_const(const ag_graph *g, int n) { return n >= 0 && g->nodes[n].op == AG_OP_CONST; }

int ag_graph_op(ag_graph *g, ag_op op, int a, int b) {
  if (op == AG_OP_SELECT) abort(); /* it has a condition: ag_graph_select */
  int arity = ag_op_arity(op);
  if (arity == 1) b = -1;
  if (!g->structure_only && is_const(g, a) && (arity == 1 || is_const(g, b)))
    return ag_graph_const(g,
                          ag_op_eval(op, g->nodes[a].value, arity == 2 ? g->nodes[b].value : 0, 0));
  return push_node(g, op, a, b, 0);
}

int ag_graph_ipow(ag_graph *g, int a, int n) {
  if (!g->structure_only && is_const(g, a)) return ag_graph_const(g, pow(g->nodes[a].value, n));
  return push_node(g, AG_OP_IPOW, a, -1, n);
}

int ag_graph_select(ag_graph *g, int cond, int a, int b) {
  if (a == b) return a;
  if (!g->structure_only && is_const(g, cond)) return g->nodes[cond].value != 0 ? a : b;
  if (!g->structure_only && is_const(g, a) && is_const(g, b) &&
      !memcmp(&g->nodes[a].value, &g->nodes[b].value, sizeof(double)))
    return a;
  int n = push_node(g, AG_OP_SELECT, a, b, 0);
  g->nodes[n].cond = cond;
  return n;
}

int ag_graph_output(ag_graph *g, int node) {
  ag_grow((void **)&g->outputs, &g->output_cap, g->noutputs, sizeof(int));
  g->outputs[g->noutputs] = node;
  g->finalized = 0;
  return g->noutputs++;
}

/* Nodes whose value varies per element (they depend on a parameter or an input): 1. */
static unsigned char *passive_varying(const ag_graph *g) {
  unsigned char *var = ag_calloc((size_t)g->nnodes + 1, 1);
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    var[i] = nd->op == AG_OP_PARAM || nd->op == AG_OP_INPUT || (nd->a >= 0 && var[nd->a]) ||
             (nd->b >= 0 && var[nd->b]) || (nd->cond >= 0 && var[nd->cond]);
  }
  return var;
}

/* Class of the local partial of node nd with respect to operand `which` (0: a, 1: b), as
   the code generator emits it (exec_cost.h). */
static int partial_class(const ag_graph *g, const unsigned char *varying, const ag_node *nd,
                         int which) {
  int other = which ? nd->a : nd->b;
  int other_const = other >= 0 && !g->node_active[other] && !varying[other];
  switch (nd->op) {
  case AG_OP_ADD:
  case AG_OP_SUB:
  case AG_OP_NEG: return AG_EDGE_UNIT;
  case AG_OP_MUL: return other_const ? AG_EDGE_CONST : AG_EDGE_VAR;
  case AG_OP_DIV: return (!which && other_const) ? AG_EDGE_CONST : AG_EDGE_VAR;
  default: return AG_EDGE_VAR;
  }
}

#define mix ag_hash_mix

int ag_graph_finalize(ag_graph *g, ag_error *err) {
  dag_free(&g->dag);
  free(g->node_active);
  free(g->node_elim);
  g->node_active = g->node_elim = NULL;
  g->finalized = 0;
  if (g->ninputs == 0) return ag_fail(err, "graph '%s' has no inputs", g->name);
  if (g->noutputs == 0) return ag_fail(err, "graph '%s' has no outputs", g->name);
  for (int k = 0; k < g->ninputs; k++)
    ag_graph_input(g, k); /* unused inputs still count */

  ag_dag *d = &g->dag;
  /* Values used only where they are not differentiated (conditions, floor, a select's
     condition, copysign's sign), directly or through other such values: no vertex, no
     partials (a branch's `a * b <= 0` computes a * b for the condition alone). */
  unsigned char *used = ag_calloc((size_t)g->nnodes + 1, 1),
                *dused = ag_calloc((size_t)g->nnodes + 1, 1),
                *cond_only = ag_calloc((size_t)g->nnodes + 1, 1);
  for (int j = 0; j < g->noutputs; j++)
    if (g->outputs[j] >= 0 && g->outputs[j] < g->nnodes)
      used[g->outputs[j]] = dused[g->outputs[j]] = 1;
  for (int i = g->nnodes - 1; i >= 0; i--) {
    const ag_node *nd = &g->nodes[i];
    cond_only[i] = used[i] && !dused[i];
    int dm = ag_op_diff_mask((ag_op)nd->op);
    if (nd->a >= 0) used[nd->a] = 1, dused[nd->a] |= (dm & 1) && !cond_only[i];
    if (nd->b >= 0) used[nd->b] = 1, dused[nd->b] |= (dm & 2) && !cond_only[i];
    if (nd->cond >= 0) used[nd->cond] = 1;
  }
  free(used);
  free(dused);
  g->node_active = ag_calloc((size_t)g->nnodes, sizeof(int));
  g->node_elim = ag_malloc((size_t)g->nnodes * sizeof(int));
  int nv = 0;
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    int act = nd->op == AG_OP_INPUT, dm = ag_op_diff_mask((ag_op)nd->op);
    if (nd->a >= 0 && (dm & 1)) act |= g->node_active[nd->a];
    if (nd->b >= 0 && (dm & 2)) act |= g->node_active[nd->b];
    g->node_active[i] = act && !(cond_only[i] && nd->op != AG_OP_INPUT);
    g->node_elim[i] = -1;
    if (g->node_active[i] && nd->op != AG_OP_INPUT) nv++;
  }
  free(cond_only);
  d->ni = g->ninputs;
  d->nv = nv;
  d->no = g->noutputs;
  d->n = d->ni + nv;
  d->vert_node = ag_malloc((size_t)d->n * sizeof(int));
  for (int k = 0; k < d->ni; k++) {
    g->node_elim[g->input_node[k]] = k;
    d->vert_node[k] = g->input_node[k];
  }
  int next = d->ni;
  for (int i = 0; i < g->nnodes; i++)
    if (g->node_active[i] && g->nodes[i].op != AG_OP_INPUT) {
      g->node_elim[i] = next;
      d->vert_node[next++] = i;
    }

  d->pred_off = ag_calloc((size_t)d->n + 1, sizeof(int));
  d->pred = ag_malloc((size_t)(2 * nv + 1) * sizeof(int));
  d->pred_cls = ag_malloc((size_t)(2 * nv + 1));
  unsigned char *varying = passive_varying(g);
  int m = 0;
  for (int v = d->ni; v < d->n; v++) {
    const ag_node *nd = &g->nodes[d->vert_node[v]];
    int p[2], c[2], np = 0, dm = ag_op_diff_mask((ag_op)nd->op);
    if (nd->a >= 0 && (dm & 1) && g->node_active[nd->a])
      c[np] = partial_class(g, varying, nd, 0), p[np++] = g->node_elim[nd->a];
    if (nd->b >= 0 && (dm & 2) && g->node_active[nd->b])
      c[np] = partial_class(g, varying, nd, 1), p[np++] = g->node_elim[nd->b];
    if (np == 2 && p[0] == p[1]) { /* x*x: one edge, the partials add */
      np = 1;
      c[0] = nd->op == AG_OP_MUL ? AG_EDGE_VAR : ag_edge_add_class(c[0], c[1]);
    }
    if (np == 2 && p[0] > p[1]) {
      int t = p[0];
      p[0] = p[1], p[1] = t, t = c[0], c[0] = c[1], c[1] = t;
    }
    for (int j = 0; j < np; j++)
      d->pred_cls[m] = (unsigned char)c[j], d->pred[m++] = p[j];
    d->pred_off[v + 1] = m;
  }
  free(varying);
  for (int v = 0; v < d->ni; v++)
    d->pred_off[v + 1] = 0;

  d->is_output = ag_calloc((size_t)d->n, 1);
  d->out_index = ag_malloc((size_t)d->no * sizeof(int));
  for (int j = 0; j < d->no; j++) {
    int node = g->outputs[j];
    if (node < 0 || node >= g->nnodes) {
      dag_free(d);
      return ag_fail(err, "graph '%s': output %d refers to no node", g->name, j + 1);
    }
    d->out_index[j] = g->node_elim[node];
    if (d->out_index[j] >= d->ni) d->is_output[d->out_index[j]] = 1;
  }
  d->neliminable = 0;
  for (int v = d->ni; v < d->n; v++)
    d->neliminable += !d->is_output[v];

  uint64_t h = mix(mix(mix(0x6167726164ULL, (uint64_t)d->ni), (uint64_t)d->nv), (uint64_t)d->no);
  for (int v = d->ni; v < d->n; v++) {
    h = mix(h, (uint64_t)(d->pred_off[v + 1] - d->pred_off[v]));
    for (int j = d->pred_off[v]; j < d->pred_off[v + 1]; j++)
      h = mix(h, (uint64_t)d->pred[j]);
  }
  for (int j = 0; j < d->no; j++)
    h = mix(h, (uint64_t)(int64_t)d->out_index[j]);
  d->hash = h;
  g->finalized = 1;
  return 0;
}

uint64_t ag_graph_hash_full(const ag_graph *g) {
  uint64_t h = mix(0x66756c6cULL, (uint64_t)g->nnodes);
  for (int i = 0; i < g->nnodes; i++) {
    const ag_node *nd = &g->nodes[i];
    uint64_t bits;
    memcpy(&bits, &nd->value, sizeof bits);
    h = mix(mix(mix(mix(h, (uint64_t)nd->op), (uint64_t)(int64_t)nd->a), (uint64_t)(int64_t)nd->b),
            bits);
    if (nd->cond >= 0) h = mix(h, (uint64_t)nd->cond);
  }
  for (int j = 0; j < g->noutputs; j++)
    h = mix(h, (uint64_t)g->outputs[j]);
  return mix(h, (uint64_t)g->ninputs);
}
