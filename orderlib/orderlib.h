/* HDF5 order libraries: the one module that reads and writes them (schema in
   hdf5-data/README.md). A library holds several graphs, each keyed by its structural hash,
   with the best known elimination order for it. Writing replaces a file atomically
   (temporary file + rename) and keeps the better of the stored and the new order; reading
   refuses files that are not order libraries and orders whose graph does not match.
   Serial HDF5 file access (in an MPI job, let one rank write). Not thread-safe: Debian's
   HDF5 is built without thread safety, so call these from one thread at a time. */
#ifndef AG_ORDERLIB_H
#define AG_ORDERLIB_H

#include <stdint.h>

#include "graph/graph.h"

typedef struct {
  uint64_t hash;               /* structural hash of the graph (ag_dag.hash) */
  int ni, nv, no, neliminable; /* the graph's sizes, checked on lookup */
  char *name;                  /* graph name (informative) */
  int *order;                  /* 1-based vertex ids */
  int len;
  long cost;          /* multiplications under the scalar model */
  long lower_bound;   /* best proven lower bound, -1 if none */
  int optimal;        /* cost proven optimal */
  char *method;       /* "mcts", "anneal", "exact", "portfolio", "markowitz", ... */
  double search_time; /* seconds spent */
  double budget;      /* seconds allowed */
  char *date;         /* ISO 8601 UTC, when found */
  char *version;      /* alphagrad version that found it */
  /* What the order was chosen for. A plain entry (objective NULL, "" or "mults") holds the
     best known order by multiplications, one per graph. A tuned entry (objective "exec" or
     "measured") holds the order chosen on one machine signature (signature: "cpu | compiler
     | flags", ag_profile_signature_str), one per graph and signature; its lower_bound is -1
     and cost is still the order's multiplications. */
  char *objective;
  char *signature;
  double value; /* tuned: the objective's value (exec: ps per element; measured: ns) */
  double ns;    /* measured ns per element (sqrt(batched x single)), -1 when not measured */
  double gain;  /* measured gain over the best of forward and reverse, 0 when not measured */
  /* The cost model of the graph: NULL or "" for scalar graphs (ag_dag), "tensor" for tensor
     graphs (tensor/tensor_model.h: the AlphaGrad sparse-tensor model; cost is that model's
     multiplications). An entry only ever applies to a graph of its own model. */
  char *model;
} ag_order_entry;

/* What the library needs to know of a graph to store or look up its order: its key, sizes
   and model, and how to recompute an order's cost (returns -1 with err set for an order
   that does not fit). ag_orderlib_scalar describes a scalar graph. */
typedef struct {
  uint64_t hash;
  int ni, nv, no, neliminable;
  const char *model; /* NULL: scalar */
  long (*cost)(const void *graph, const int *order, int len, ag_error *err);
  const void *graph;
} ag_orderlib_graph;
ag_orderlib_graph ag_orderlib_scalar(const ag_dag *d);
/* 1 if e belongs to graphs of model `model` (NULL: scalar). */
int ag_order_entry_model_is(const ag_order_entry *e, const char *model);

/* 1 if e is a tuned entry (objective exec or measured). */
int ag_order_entry_tuned(const ag_order_entry *e);

#define AG_ORDERLIB_FORMAT "alphagrad-order-library" /* root attribute `format` */
/* root attribute `format_version`: 1 for libraries of plain scalar entries only (readable by
   older alphagrad), 2 when tuned entries are present, 3 when tensor-model entries are */
#define AG_ORDERLIB_FORMAT_VERSION 3

/* All entries of a library, sorted by hash. *entries is malloc'ed; free with
   ag_order_entries_free. -1 with err = "order library PATH: ..." when the file is missing,
   not HDF5, not an order library, of a newer format_version, corrupted or truncated, or
   holds an internally inconsistent entry. Every entry read has len == neliminable, vertex
   ids distinct and in 1..nv, -1 <= lower_bound <= cost, optimal 0 or 1. */
int ag_orderlib_read(const char *path, ag_order_entry **entries, int *n, ag_error *err);
void ag_order_entries_free(ag_order_entry *entries, int n);
/* An entry for graph d (hash and sizes) named name, with order[len] of cost cost (borrowed
   pointers, not freed by this); everything else zero, lower_bound -1. */
void ag_order_entry_init(ag_order_entry *e, const ag_dag *d, const char *name, int *order, int len,
                         long cost);
/* Frees the fields of *e and zeroes it (lower_bound = -1). */
void ag_order_entry_clear(ag_order_entry *e);
/* Deep copy; NULL strings of src become "". */
void ag_order_entry_copy(ag_order_entry *dst, const ag_order_entry *src);

/* The 16-hex-digit lowercase form of a hash (the group name), and its inverse (16 hex
   digits, either case; 0 ok, -1 otherwise). */
void ag_orderlib_hash_str(uint64_t hash, char buf[17]);
int ag_orderlib_hash_parse(const char *s, uint64_t *hash);

/* The stored order for graph d: 1 found (copied into *e; free with ag_order_entry_clear),
   0 not in this library, -1 error (missing, unreadable or foreign file; or an entry with
   d's hash whose sizes, order or cost do not fit d: then err says so, e.g. "order library X:
   entry for graph H has nv = 100 but the graph has nv = 101", and nothing is returned). */
int ag_orderlib_lookup(const char *path, const ag_dag *d, ag_order_entry *e, ag_error *err);
/* Like ag_orderlib_lookup, but prefers the tuned entry of machine signature `signature` (NULL:
   plain entries only); falls back to the plain entry. */
int ag_orderlib_lookup_for(const char *path, const ag_dag *d, const char *signature,
                           ag_order_entry *e, ag_error *err);

/* Stores e (its hash and sizes must be d's, its order valid for d and e->cost its recomputed
   cost, -1 <= lower_bound <= cost) unless the library already holds an order at least as
   cheap for this graph; creates the file if absent. Returns 1 if the new order was written,
   0 if the stored order was kept, -1 on error (file untouched; a file that exists but is
   not a readable order library is never overwritten).
   When the stored order is kept but e brings a higher lower_bound (a bound on the graph's
   optimum, valid whatever order came with it; optimal = 1 means lower_bound = cost), the
   stored entry's lower_bound/optimal are raised and the file is rewritten; 0 is returned.
   A lower_bound above the stored cost is refused as contradictory.
   NULL fields: name -> "", method -> "unknown", date (or "") -> now (ISO 8601 UTC),
   version -> this alphagrad's version. optimal is normalized to (lower_bound == cost).
   The write is atomic: all entries go to PATH.tmp.<pid> in the same directory, which is
   fsync'ed, read back and rename()d over PATH; concurrent stores in one directory are
   serialized with flock() on the directory (best effort). A PATH that is a symbolic link
   is written where it points (the link stays); a dangling link is refused.
   Tuned entries (ag_order_entry_tuned) are kept per (graph, signature): a measured entry
   replaces an exec one, and within one objective the lower value wins. Storing a tuned
   entry for a graph without a plain entry stores its order as the plain entry too. */
int ag_orderlib_store(const char *path, const ag_dag *d, const ag_order_entry *e, ag_error *err);

/* The same three for any graph described by g (a tensor graph, say); e->model must be g's.
   Entries of another model are never returned, nor replaced. */
int ag_orderlib_lookup_g(const char *path, const ag_orderlib_graph *g, const char *signature,
                         ag_order_entry *e, ag_error *err);
int ag_orderlib_store_g(const char *path, const ag_orderlib_graph *g, const ag_order_entry *e,
                        ag_error *err);

#endif
