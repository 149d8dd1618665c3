/* HDF5 order libraries: the one module that reads and writes them (schema in
   hdf5-data/README.md). A library holds several graphs, each keyed by its structural hash,
   with the best known elimination order for it. Writing replaces a file atomically
   (temporary file + rename) and keeps the better of the stored and the new order; reading
   refuses files that are not order libraries and orders whose graph does not match. */
#ifndef AG_ORDERLIB_H
#define AG_ORDERLIB_H

#include <stdint.h>

#include "jacobian/graph.h"

typedef struct {
  uint64_t hash;              /* structural hash of the graph (ag_dag.hash) */
  int ni, nv, no, neliminable; /* the graph's sizes, checked on lookup */
  char *name;                 /* graph name (informative) */
  int *order;                 /* 1-based vertex ids */
  int len;
  long cost;                  /* multiplications under the scalar model */
  long lower_bound;           /* best proven lower bound, -1 if none */
  int optimal;                /* cost proven optimal */
  char *method;               /* "mcts", "anneal", "exact", "portfolio", "markowitz", ... */
  double search_time;         /* seconds spent */
  double budget;              /* seconds allowed */
  char *date;                 /* ISO 8601 UTC, when found */
  char *version;              /* alphagrad version that found it */
} ag_order_entry;

/* All entries of a library. *entries is malloc'ed; free with ag_order_entries_free. */
int ag_orderlib_read(const char *path, ag_order_entry **entries, int *n, ag_error *err);
void ag_order_entries_free(ag_order_entry *entries, int n);
void ag_order_entry_clear(ag_order_entry *e);

/* The stored order for graph d: 1 found (copied into *e), 0 not in this library, -1 error
   (unreadable or foreign file; or an entry with d's hash whose sizes or order do not fit d:
   then err says so and nothing is returned). */
int ag_orderlib_lookup(const char *path, const ag_dag *d, ag_order_entry *e, ag_error *err);

/* Stores e (its hash and sizes must be d's, its order valid for d) unless the library
   already holds an order at least as cheap for this graph; creates the file if absent.
   Returns 1 if written, 0 if the stored order was kept, -1 on error (file untouched). */
int ag_orderlib_store(const char *path, const ag_dag *d, const ag_order_entry *e, ag_error *err);

#endif
