/* Elimination orders: baselines (forward, reverse, minimal Markowitz), validation,
   scalar cost, and parsing of order text ("1, 2, 3" or "[1 2 3]"). Orders hold 1-based
   vertex ids, as printed by `alphagrad graph` and stored in paper_orders.txt. */
#ifndef AG_ORDERS_H
#define AG_ORDERS_H

#include "graph/eliminate.h"
#include "graph/graph.h"

/* Each fills order[0..neliminable-1] and returns its length. */
int ag_order_forward(const ag_dag *d, int *order);
int ag_order_reverse(const ag_dag *d, int *order);
/* Greedy minimal |pred|*|succ|, ties to the lowest vertex id. */
int ag_order_markowitz(const ag_dag *d, int *order);
/* The baselines by index: 0 forward, 1 reverse, 2 Markowitz; their names. */
#define AG_NBASELINES 3
int ag_order_baseline(const ag_dag *d, int which, int *order);
const char *ag_order_baseline_name(int which);
/* The cost of each baseline into cost[0..2]. */
void ag_order_baseline_costs(const ag_dag *d, long cost[AG_NBASELINES]);
/* The cheapest baseline (ties to the earlier of forward, reverse, Markowitz): its order into
   order (may be NULL; vertex ids, neliminable entries), its index into *which (may be NULL);
   returns its cost. */
long ag_order_best_baseline(const ag_dag *d, int *order, int *which);
/* The same greedy rule from elimination state s (modified) to the end: appends the
   elimination indices (not vertex ids) to order at *len; returns the cost added. */
long ag_order_markowitz_complete(ag_elim *s, int *order, int *len);

/* 0 if order is a permutation of exactly the eliminable vertices of d; else a message
   naming the offending position and id. */
int ag_order_validate(const ag_dag *d, const int *order, int len, ag_error *err);
/* Validates, then returns the multiplication count (or -1 with err set). */
long ag_order_cost(const ag_dag *d, const int *order, int len, ag_error *err);

/* Parses ids separated by commas, whitespace or brackets. `where` names the source in
   messages (e.g. a file name); errors report where:line:col. *order is malloc'ed. */
int ag_order_parse(const char *text, const char *where, int **order, int *len, ag_error *err);
/* Resolves "fwd|forward|rev|reverse|markowitz|@FILE" for d; *order is malloc'ed. */
int ag_order_resolve(const ag_dag *d, const char *spec, int **order, int *len, ag_error *err);

#endif
