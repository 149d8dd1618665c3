/* HDF5 order libraries: reading, lookup, and atomic best-keeping stores.
   The schema is documented in hdf5-data/README.md. Summary:

     /                      attributes format = "alphagrad-order-library", format_version = 1
     /graphs/<hash>         one group per graph, named by the 16-hex-digit structural hash,
                            attributes name, hash, ni, nv, no, neliminable, cost, lower_bound,
                            optimal, method, search_time, budget, date, version
     /graphs/<hash>/order   int32[neliminable], 1-based vertex ids
     /graphs/<hash>-<sig>   a tuned entry (format_version 2): the order chosen for the graph on
                            the machine signature whose hash is <sig> (16 hex digits), with the
                            attributes above plus objective, signature, value, ns, gain
     /graphs/<hash>-tensor  an order for a tensor graph (format_version 3; docs/tensor.md): the
                            attributes of a plain entry plus model = "tensor"; cost is the
                            sparse-tensor model's; never applied to a scalar graph or the reverse

   Files are written whole (never modified in place) with the newest HDF5 1.10 file format,
   whose metadata (superblock, object headers, heaps, B-trees) carries checksums; the order
   dataset is chunked with the Fletcher-32 filter, and strings are fixed-length UTF-8 stored
   in the object headers. Corruption anywhere in the file is therefore detected when reading
   rather than returned as data. A store writes path.tmp.<pid>, fsyncs it, reads it back,
   and rename()s it over the library. */
#define _GNU_SOURCE
#include "orderlib/orderlib.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/version.h"
#include "graph/orders.h"
#include "h5/h5io.h"

/* ---------------------------------------------------------------- errors */

/* "order library PATH: message" */
/* Every failure names the library: "order library PATH: ..." (ag_fail_kfile). */
#define LIB "order library"

/* ---------------------------------------------------------------- entries */

void ag_order_entry_clear(ag_order_entry *e) {
  if (!e) return;
  free(e->name);
  free(e->order);
  free(e->method);
  free(e->date);
  free(e->version);
  free(e->objective);
  free(e->signature);
  free(e->model);
  memset(e, 0, sizeof *e);
  e->lower_bound = -1;
}

void ag_order_entry_init(ag_order_entry *e, const ag_dag *d, const char *name, int *order, int len,
                         long cost) {
  memset(e, 0, sizeof *e);
  e->hash = d->hash;
  e->ni = d->ni;
  e->nv = d->nv;
  e->no = d->no;
  e->neliminable = d->neliminable;
  e->name = (char *)name;
  e->order = order;
  e->len = len;
  e->cost = cost;
  e->lower_bound = -1;
}

void ag_order_entries_free(ag_order_entry *entries, int n) {
  if (!entries) return;
  for (int i = 0; i < n; i++)
    ag_order_entry_clear(&entries[i]);
  free(entries);
}

static char *dup_or(const char *s, const char *dflt) { return ag_strdup(s ? s : dflt); }

void ag_order_entry_copy(ag_order_entry *dst, const ag_order_entry *src) {
  *dst = *src;
  dst->name = dup_or(src->name, "");
  dst->method = dup_or(src->method, "");
  dst->date = dup_or(src->date, "");
  dst->version = dup_or(src->version, "");
  dst->objective = dup_or(src->objective, "");
  dst->signature = dup_or(src->signature, "");
  dst->model = dup_or(src->model, "");
  dst->order = ag_malloc((size_t)(src->len > 0 ? src->len : 1) * sizeof(int));
  if (src->len > 0) memcpy(dst->order, src->order, (size_t)src->len * sizeof(int));
}

int ag_order_entry_tuned(const ag_order_entry *e) {
  return e->objective && (!strcmp(e->objective, "exec") || !strcmp(e->objective, "measured"));
}

int ag_order_entry_model_is(const ag_order_entry *e, const char *model) {
  const char *m = e->model ? e->model : "";
  return !strcmp(m, model ? model : "");
}

static int is_tensor(const ag_order_entry *e) { return ag_order_entry_model_is(e, "tensor"); }

static long scalar_cost(const void *graph, const int *order, int len, ag_error *err) {
  return ag_order_cost(graph, order, len, err);
}

ag_orderlib_graph ag_orderlib_scalar(const ag_dag *d) {
  return (ag_orderlib_graph){d->hash, d->ni, d->nv, d->no, d->neliminable, NULL, scalar_cost, d};
}

static uint64_t sig_hash(const char *sig) { return ag_fnv1a(AG_FNV1A_INIT, sig, strlen(sig)); }

/* The group name of an entry: "<hash>", tuned "<hash>-<signature hash>", of a tensor graph
   "<hash>-tensor". */
static void entry_gname(const ag_order_entry *e, char buf[34]) {
  ag_orderlib_hash_str(e->hash, buf);
  if (is_tensor(e))
    memcpy(buf + 16, "-tensor", 8);
  else if (ag_order_entry_tuned(e)) {
    buf[16] = '-';
    ag_orderlib_hash_str(sig_hash(e->signature ? e->signature : ""), buf + 17);
  }
}

/* Same (graph, signature) key: the entries that compete for one slot of the library. */
static int same_key(const ag_order_entry *a, const ag_order_entry *b) {
  int ta = ag_order_entry_tuned(a), tb = ag_order_entry_tuned(b);
  return a->hash == b->hash && ta == tb && is_tensor(a) == is_tensor(b) &&
         (!ta || !strcmp(a->signature, b->signature));
}

void ag_orderlib_hash_str(uint64_t hash, char buf[17]) {
  snprintf(buf, 17, "%016llx", (unsigned long long)hash);
}

int ag_orderlib_hash_parse(const char *s, uint64_t *hash) {
  uint64_t h = 0;
  int i;
  for (i = 0; s[i]; i++) {
    int c = tolower((unsigned char)s[i]), v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else
      return -1;
    if (i == 16) return -1;
    h = h << 4 | (uint64_t)v;
  }
  if (i != 16) return -1;
  *hash = h;
  return 0;
}

/* ---------------------------------------------------------------- reading */

#define CORRUPT "corrupted or unreadable file: "

/* Opens a library for reading and checks the root attributes; returns the file id and the
   id of /graphs, or -1 with err = "order library PATH: ...". */
static hid_t lib_open(const char *path, hid_t *graphs, ag_error *err) {
  static const ag_h5_kind kind = {LIB, "an alphagrad order library", AG_ORDERLIB_FORMAT,
                                  AG_ORDERLIB_FORMAT_VERSION, AG_H5_OPEN_LIBRARY_WORDING};
  char det[200];
  hid_t f = ag_h5_open_checked(path, &kind, NULL, err);
  if (f < 0) return -1;
  htri_t ex = H5Lexists(f, "graphs", H5P_DEFAULT);
  if (ex <= 0) {
    if (ex < 0)
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, CORRUPT "cannot read the root group (%s)",
                    ag_h5_detail(det));
    else
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "group /graphs is missing");
    goto fail;
  }
  *graphs = H5Gopen2(f, "graphs", H5P_DEFAULT);
  if (*graphs < 0) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, CORRUPT "cannot open group /graphs (%s)",
                  ag_h5_detail(det));
    goto fail;
  }
  return f;
fail:
  H5Fclose(f);
  return -1;
}

static void lib_close(hid_t f, hid_t graphs) {
  if (graphs >= 0) H5Gclose(graphs);
  if (f >= 0) H5Fclose(f);
}

/* Reads /graphs/<gname> into e and checks it for internal consistency. */
static int read_entry(hid_t graphs, const char *gname, const char *path, ag_order_entry *e,
                      ag_error *err) {
  char det[200], why[256];
  memset(e, 0, sizeof *e);
  e->lower_bound = -1;
  char hpart[17] = "";
  uint64_t gsig = 0;
  size_t gl = strlen(gname);
  int tuned_name = gl == 33 && gname[16] == '-';
  int tensor_name = gl == 23 && !strcmp(gname + 16, "-tensor");
  if (gl == 16 || tuned_name || tensor_name) memcpy(hpart, gname, 16);
  if ((gl != 16 && !tuned_name && !tensor_name) || ag_orderlib_hash_parse(hpart, &e->hash) ||
      (tuned_name && ag_orderlib_hash_parse(gname + 17, &gsig)))
    return ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                         "unexpected object '/graphs/%.100s' (not a 16-hex-digit hash, hash "
                         "and signature hash, or hash and -tensor)",
                         gname);
  hid_t g = H5Gopen2(graphs, gname, H5P_DEFAULT);
  if (g < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                         CORRUPT "graph %s: cannot open its group (%s)", gname, ag_h5_detail(det));
  hid_t ds = -1, sp = -1, ty = -1;
  char *hashstr = NULL;
  long long v[8];
  static const char *ints[] = {"ni", "nv", "no", "neliminable", "cost", "lower_bound", "optimal"};
  static const char *strs[] = {"name", "hash", "method", "date", "version"};
  char **strdst[] = {&e->name, &hashstr, &e->method, &e->date, &e->version};
  static const char *dbls[] = {"search_time", "budget"};
  double *dbldst[] = {&e->search_time, &e->budget};
  for (int i = 0; i < 14; i++) {
    const char *an = i < 5 ? strs[i] : i < 12 ? ints[i - 5] : dbls[i - 12];
    int rc = i < 5    ? ag_h5_get_attr(g, an, AG_H5_STR, strdst[i], why, sizeof why)
             : i < 12 ? ag_h5_get_attr(g, an, AG_H5_INT, &v[i - 5], why, sizeof why)
                      : ag_h5_get_attr(g, an, AG_H5_DBL, dbldst[i - 12], why, sizeof why);
    if (rc) {
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "%sgraph %s: attribute '%s' %s",
                    rc == AG_H5_UNREADABLE ? CORRUPT : "", gname, an, why);
      goto fail;
    }
  }
  if (tensor_name || H5Aexists(g, "model") > 0) {
    int rc = ag_h5_get_attr(g, "model", AG_H5_STR, &e->model, why, sizeof why);
    if (rc) {
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "%sgraph %s: attribute 'model' %s",
                    rc == AG_H5_UNREADABLE ? CORRUPT : "", gname, why);
      goto fail;
    }
    const char *bad = strcmp(e->model, "tensor")      ? "model is not 'tensor'"
                      : !tensor_name                  ? "a tensor entry under a scalar graph's name"
                      : H5Aexists(g, "objective") > 0 ? "a tensor entry with an objective"
                                                      : NULL;
    if (bad) {
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "graph %s: %s", gname, bad);
      goto fail;
    }
  }
  uint64_t h2;
  if (tuned_name || H5Aexists(g, "objective") > 0) { /* a tuned entry */
    static const char *tstr[] = {"objective", "signature"};
    char **tdst[] = {&e->objective, &e->signature};
    static const char *tdbl[] = {"value", "ns", "gain"};
    double *tddst[] = {&e->value, &e->ns, &e->gain};
    for (int i = 0; i < 5; i++) {
      const char *an = i < 2 ? tstr[i] : tdbl[i - 2];
      int rc = i < 2 ? ag_h5_get_attr(g, an, AG_H5_STR, tdst[i], why, sizeof why)
                     : ag_h5_get_attr(g, an, AG_H5_DBL, tddst[i - 2], why, sizeof why);
      if (rc) {
        ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "%sgraph %s: attribute '%s' %s",
                      rc == AG_H5_UNREADABLE ? CORRUPT : "", gname, an, why);
        goto fail;
      }
    }
    const char *bad = !ag_order_entry_tuned(e)         ? "objective is not exec or measured"
                      : !tuned_name                    ? "a tuned entry under a plain name"
                      : !e->signature[0]               ? "empty signature"
                      : sig_hash(e->signature) != gsig ? "signature does not match the group's name"
                      : !(e->value > 0 && e->value < 1e300) ? "value is not a positive number"
                      : !(e->ns == -1 || (e->ns > 0 && e->ns < 1e300))
                          ? "ns is neither -1 nor positive"
                      : !(e->gain >= 0 && e->gain < 1e300) ? "gain is not a number >= 0"
                      : v[5] != -1                         ? "a tuned entry with a lower bound"
                                                           : NULL;
    if (bad) {
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "graph %s: tuned entry: %s", gname, bad);
      goto fail;
    }
  }
  if (ag_orderlib_hash_parse(hashstr, &h2) || h2 != e->hash) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  "graph %s: attribute 'hash' is '%.100s', not the group's name", gname, hashstr);
    goto fail;
  }
  for (int i = 0; i < 4; i++)
    if (v[i] < 0 || v[i] > 1000000000) {
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                    "graph %s: attribute '%s' = %lld is out of range", gname, ints[i], v[i]);
      goto fail;
    }
  e->ni = (int)v[0];
  e->nv = (int)v[1];
  e->no = (int)v[2];
  e->neliminable = (int)v[3];
  if (e->neliminable > e->nv) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "graph %s: neliminable = %d exceeds nv = %d",
                  gname, e->neliminable, e->nv);
    goto fail;
  }
  if (v[4] < 0 || v[5] < -1 || v[5] > v[4] || (v[6] != 0 && v[6] != 1)) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  "graph %s: inconsistent cost = %lld, lower_bound = %lld, optimal = %lld", gname,
                  v[4], v[5], v[6]);
    goto fail;
  }
  if ((v[6] == 1) != (v[5] == v[4])) { /* optimal exactly when the bound meets the cost */
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  "graph %s: optimal = %lld contradicts lower_bound = %lld and cost = %lld", gname,
                  v[6], v[5], v[4]);
    goto fail;
  }
  e->cost = (long)v[4];
  e->lower_bound = (long)v[5];
  e->optimal = (int)v[6];

  htri_t has = H5Lexists(g, "order", H5P_DEFAULT);
  if (has == 0) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "graph %s: dataset 'order' is missing", gname);
    goto fail;
  }
  ds = has < 0 ? -1 : H5Dopen2(g, "order", H5P_DEFAULT);
  if (ds < 0) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  CORRUPT "graph %s: dataset 'order' cannot be opened (%s)", gname,
                  ag_h5_detail(det));
    goto fail;
  }
  sp = H5Dget_space(ds);
  ty = H5Dget_type(ds);
  hsize_t dims[1] = {0};
  if (sp < 0 || ty < 0 || H5Tget_class(ty) != H5T_INTEGER || H5Sget_simple_extent_ndims(sp) != 1 ||
      H5Sget_simple_extent_dims(sp, dims, NULL) != 1) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  "graph %s: dataset 'order' is not a one-dimensional integer array", gname);
    goto fail;
  }
  if (dims[0] != (hsize_t)e->neliminable) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  "graph %s: the order has %llu vertices but neliminable = %d", gname,
                  (unsigned long long)dims[0], e->neliminable);
    goto fail;
  }
  e->len = (int)dims[0];
  e->order = ag_malloc((size_t)(e->len > 0 ? e->len : 1) * sizeof(int));
  if (e->len > 0 && H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, e->order) < 0) {
    ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                  CORRUPT "graph %s: dataset 'order' cannot be read (%s)", gname,
                  ag_h5_detail(det));
    goto fail;
  }
  unsigned char *seen = ag_calloc((size_t)e->nv + 1, 1);
  for (int i = 0; i < e->len; i++) {
    int id = e->order[i];
    if (id < 1 || id > e->nv || seen[id]) {
      free(seen);
      ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, "graph %s: order position %d: vertex %d is %s",
                    gname, i + 1, id, id < 1 || id > e->nv ? "out of range" : "repeated");
      goto fail;
    }
    seen[id] = 1;
  }
  free(seen);
  free(hashstr);
  H5Tclose(ty);
  H5Sclose(sp);
  H5Dclose(ds);
  H5Gclose(g);
  return 0;
fail:
  free(hashstr);
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  H5Gclose(g);
  ag_order_entry_clear(e);
  return -1;
}

typedef struct {
  char **names;
  int n, cap;
} name_list;

static herr_t collect_cb(hid_t grp, const char *name, const H5L_info_t *info, void *data) {
  (void)grp;
  (void)info;
  name_list *l = data;
  ag_grow((void **)&l->names, &l->cap, l->n, sizeof(char *));
  l->names[l->n++] = ag_strdup(name);
  return 0;
}

static int read_all(const char *path, ag_order_entry **entries, int *n, ag_error *err) {
  hid_t graphs = -1;
  hid_t f = lib_open(path, &graphs, err);
  *entries = NULL;
  *n = 0;
  if (f < 0) return -1;
  name_list l = {0};
  char det[200];
  int rc = 0;
  if (H5Literate(graphs, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_cb, &l) < 0)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path, CORRUPT "cannot list /graphs (%s)",
                       ag_h5_detail(det));
  ag_order_entry *es = ag_calloc((size_t)(l.n > 0 ? l.n : 1), sizeof *es);
  int m = 0;
  for (int i = 0; i < l.n && rc == 0; i++) {
    if (read_entry(graphs, l.names[i], path, &es[m], err))
      rc = -1;
    else
      m++;
  }
  for (int i = 0; i < l.n; i++)
    free(l.names[i]);
  free(l.names);
  lib_close(f, graphs);
  if (rc) {
    ag_order_entries_free(es, m);
    return -1;
  }
  *entries = es;
  *n = m;
  return 0;
}

int ag_orderlib_read(const char *path, ag_order_entry **entries, int *n, ag_error *err) {
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  int rc = read_all(path, entries, n, err);
  ag_h5_quiet_end(&q);
  return rc;
}

/* 0 if the stored entry e fits graph d (sizes, order valid, recomputed cost), else -1 with
   "order library PATH: entry for graph H has ... but the graph has ...". */
static int entry_fits(const char *path, const ag_orderlib_graph *d, const ag_order_entry *e,
                      ag_error *err) {
  char hs[17], have[256] = "", want[256] = "";
  ag_orderlib_hash_str(e->hash, hs);
  const int ev[4] = {e->ni, e->nv, e->no, e->neliminable};
  const int dv[4] = {d->ni, d->nv, d->no, d->neliminable};
  static const char *nm[4] = {"ni", "nv", "no", "neliminable"};
  for (int i = 0; i < 4; i++)
    if (ev[i] != dv[i]) {
      size_t a = strlen(have), b = strlen(want);
      snprintf(have + a, sizeof have - a, "%s%s = %d", a ? ", " : "", nm[i], ev[i]);
      snprintf(want + b, sizeof want - b, "%s%s = %d", b ? ", " : "", nm[i], dv[i]);
    }
  if (have[0])
    return ag_fail_kfile(err, AG_ERR_MISMATCH, LIB, path,
                         "entry for graph %s has %s but the graph has %s", hs, have, want);
  if (e->hash != d->hash) {
    char dh[17];
    ag_orderlib_hash_str(d->hash, dh);
    return ag_fail_kfile(err, AG_ERR_MISMATCH, LIB, path,
                         "entry for graph %s has hash %s but the graph has hash %s", hs, hs, dh);
  }
  ag_error e2;
  long c = d->cost(d->graph, e->order, e->len, &e2);
  if (c < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                         "entry for graph %s has an order that does not fit the graph: %s", hs,
                         e2.msg);
  if (c != e->cost)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                         "entry for graph %s has cost %ld but its order costs %ld on the graph", hs,
                         e->cost, c);
  if (e->lower_bound > c)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, LIB, path,
                         "entry for graph %s has lower_bound %ld above the cost %ld of its order",
                         hs, e->lower_bound, c);
  return 0;
}

/* The whole library is read (and so checked) even though one entry is wanted: a damaged
   file is reported at the first lookup, not only when the damage is in that entry. */
static int lookup(const char *path, const ag_orderlib_graph *d, const char *sig, ag_order_entry *e,
                  ag_error *err) {
  ag_order_entry *es;
  int n;
  if (read_all(path, &es, &n, err)) return -1;
  int rc = 0, k = -1;
  for (int i = 0; i < n; i++) {
    if (es[i].hash != d->hash || !ag_order_entry_model_is(&es[i], d->model)) continue;
    if (ag_order_entry_tuned(&es[i])) {
      if (sig && !strcmp(es[i].signature, sig)) k = i; /* preferred */
    } else if (k < 0)
      k = i;
  }
  if (k >= 0) {
    if (entry_fits(path, d, &es[k], err))
      rc = -1;
    else {
      *e = es[k];
      memset(&es[k], 0, sizeof es[k]);
      rc = 1;
    }
  }
  ag_order_entries_free(es, n);
  return rc;
}

int ag_orderlib_lookup(const char *path, const ag_dag *d, ag_order_entry *e, ag_error *err) {
  memset(e, 0, sizeof *e);
  e->lower_bound = -1;
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  ag_orderlib_graph sg = ag_orderlib_scalar(d);
  int rc = lookup(path, &sg, NULL, e, err);
  ag_h5_quiet_end(&q);
  return rc;
}

int ag_orderlib_lookup_for(const char *path, const ag_dag *d, const char *signature,
                           ag_order_entry *e, ag_error *err) {
  memset(e, 0, sizeof *e);
  e->lower_bound = -1;
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  ag_orderlib_graph sg = ag_orderlib_scalar(d);
  int rc = lookup(path, &sg, signature, e, err);
  ag_h5_quiet_end(&q);
  return rc;
}

int ag_orderlib_lookup_g(const char *path, const ag_orderlib_graph *g, const char *signature,
                         ag_order_entry *e, ag_error *err) {
  memset(e, 0, sizeof *e);
  e->lower_bound = -1;
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  int rc = lookup(path, g, signature, e, err);
  ag_h5_quiet_end(&q);
  return rc;
}

/* ---------------------------------------------------------------- writing */

static int write_entry(hid_t graphs, const ag_order_entry *e) {
  char hs[17], gname[34];
  ag_orderlib_hash_str(e->hash, hs);
  entry_gname(e, gname);
  hid_t g = H5Gcreate2(graphs, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return -1;
  int rc = ag_h5_put_str(g, "name", e->name) | ag_h5_put_str(g, "hash", hs) |
           ag_h5_put_i32(g, "ni", e->ni) | ag_h5_put_i32(g, "nv", e->nv) |
           ag_h5_put_i32(g, "no", e->no) | ag_h5_put_i32(g, "neliminable", e->neliminable) |
           ag_h5_put_i64(g, "cost", e->cost) | ag_h5_put_i64(g, "lower_bound", e->lower_bound) |
           ag_h5_put_i32(g, "optimal", e->optimal) | ag_h5_put_str(g, "method", e->method) |
           ag_h5_put_f64(g, "search_time", e->search_time) | ag_h5_put_f64(g, "budget", e->budget) |
           ag_h5_put_str(g, "date", e->date) | ag_h5_put_str(g, "version", e->version);
  if (is_tensor(e)) rc |= ag_h5_put_str(g, "model", e->model);
  if (ag_order_entry_tuned(e))
    rc |= ag_h5_put_str(g, "objective", e->objective) |
          ag_h5_put_str(g, "signature", e->signature) | ag_h5_put_f64(g, "value", e->value) |
          ag_h5_put_f64(g, "ns", e->ns) | ag_h5_put_f64(g, "gain", e->gain);
  hsize_t dims[1] = {(hsize_t)e->len};
  hid_t sp = H5Screate_simple(1, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
  if (sp < 0 || dcpl < 0) rc = -1;
  if (rc == 0 && e->len > 0) {
    /* chunked so that the Fletcher-32 checksum filter protects the ids */
    hsize_t chunk[1] = {dims[0] < (1u << 20) ? dims[0] : (1u << 20)};
    if (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0) rc = -1;
  }
  if (rc == 0) ds = H5Dcreate2(g, "order", H5T_STD_I32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (ds < 0) rc = -1;
  if (rc == 0 && e->len > 0 &&
      H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, e->order) < 0)
    rc = -1;
  if (ds >= 0 && H5Dclose(ds) < 0) rc = -1;
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  if (H5Gclose(g) < 0) rc = -1;
  return rc;
}

/* Writes a complete library to a new file `file` (which must not exist). */
static int write_h5(const char *file, const ag_order_entry *es, int n, const char *libpath,
                    ag_error *err) {
  char det[200];
  hid_t f = ag_h5_create_new(file, LIB, libpath, err); /* checksummed metadata */
  if (f < 0) return -1;
  int version = 1; /* plain entries only: readable by alphagrad before tuned entries */
  for (int i = 0; i < n; i++) {
    if (ag_order_entry_tuned(&es[i]) && version < 2) version = 2;
    if (is_tensor(&es[i])) version = 3; /* readers before tensor entries refuse the file */
  }
  int rc =
      ag_h5_put_str(f, "format", AG_ORDERLIB_FORMAT) | ag_h5_put_i32(f, "format_version", version);
  hid_t graphs = rc ? -1 : H5Gcreate2(f, "graphs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (graphs < 0) rc = -1;
  for (int i = 0; i < n && rc == 0; i++)
    rc = write_entry(graphs, &es[i]);
  if (rc) ag_h5_detail(det);
  if (graphs >= 0 && H5Gclose(graphs) < 0 && !rc) rc = -1, ag_h5_detail(det);
  if (H5Fclose(f) < 0 && !rc) rc = -1, ag_h5_detail(det);
  if (rc) return ag_fail_kfile(err, AG_ERR_IO, LIB, libpath, "cannot write %s (%s)", file, det);
  return 0;
}

static int same_entry(const ag_order_entry *a, const ag_order_entry *b) {
  return a->hash == b->hash && a->ni == b->ni && a->nv == b->nv && a->no == b->no &&
         a->neliminable == b->neliminable && a->len == b->len && a->cost == b->cost &&
         a->lower_bound == b->lower_bound && a->optimal == b->optimal &&
         !memcmp(a->order, b->order, (size_t)a->len * sizeof(int)) && !strcmp(a->name, b->name) &&
         !strcmp(a->method, b->method) && !strcmp(a->date, b->date) &&
         !strcmp(a->version, b->version) &&
         !memcmp(&a->search_time, &b->search_time, sizeof(double)) &&
         !memcmp(&a->budget, &b->budget, sizeof(double)) &&
         ag_order_entry_tuned(a) == ag_order_entry_tuned(b) && is_tensor(a) == is_tensor(b) &&
         (!ag_order_entry_tuned(a) ||
          (!strcmp(a->objective, b->objective) && !strcmp(a->signature, b->signature) &&
           !memcmp(&a->value, &b->value, sizeof(double)) &&
           !memcmp(&a->ns, &b->ns, sizeof(double)) && !memcmp(&a->gain, &b->gain, sizeof(double))));
}

/* By group name: hash, then the plain entry, then tuned entries by signature hash. */
static int cmp_hash(const void *a, const void *b) {
  char x[34], y[34];
  entry_gname(a, x);
  entry_gname(b, y);
  return strcmp(x, y);
}

static char *dir_of(const char *path) {
  const char *s = strrchr(path, '/');
  if (!s) return ag_strdup(".");
  if (s == path) return ag_strdup("/");
  char *d = ag_strdup(path);
  d[s - path] = 0;
  return d;
}

/* Writes all entries to path.tmp.<pid>, fsyncs, reads back, renames over path, fsyncs the
   directory. The temporary file is removed on any error; path is then untouched. */
static int write_atomic(const char *path, int dirfd, ag_order_entry *es, int n,
                        const struct stat *old, ag_error *err) {
  qsort(es, (size_t)n, sizeof *es, cmp_hash);
  size_t tl = strlen(path) + 32;
  char *tmp = ag_malloc(tl);
  snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
  int rc = 0;
  if (unlink(tmp) && errno != ENOENT) /* leftover of a dead process with our pid */
    rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "cannot remove stale %s: %s", tmp,
                       strerror(errno));
  if (rc == 0) rc = write_h5(tmp, es, n, path, err);
  if (rc == 0) {
    int fd = open(tmp, O_RDWR | O_CLOEXEC);
    if (fd < 0)
      rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "cannot reopen %s: %s", tmp, strerror(errno));
    else {
      if (old) (void)fchmod(fd, old->st_mode & 07777); /* keep the library's permissions */
      if (fsync(fd))
        rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "fsync of %s failed: %s", tmp,
                           strerror(errno));
      if (close(fd) && rc == 0)
        rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "close of %s failed: %s", tmp,
                           strerror(errno));
    }
  }
  if (rc == 0) { /* read back what was written before it replaces anything */
    ag_order_entry *back;
    int nb;
    ag_error e2;
    if (read_all(tmp, &back, &nb, &e2))
      rc = ag_fail_kfile(err, e2.code, LIB, path, "the new file does not read back: %s", e2.msg);
    else {
      int ok = nb == n;
      for (int i = 0; ok && i < n; i++)
        ok = same_entry(&back[i], &es[i]);
      ag_order_entries_free(back, nb);
      if (!ok)
        rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path,
                           "the new file %s does not read back identically", tmp);
    }
  }
  if (rc == 0 && rename(tmp, path))
    rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "cannot rename %s over it: %s", tmp,
                       strerror(errno));
  if (rc == 0 && dirfd >= 0) fsync(dirfd); /* make the rename durable (best effort) */
  if (rc) unlink(tmp);
  free(tmp);
  return rc;
}

static void utc_now(char *buf, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int store(const char *path, const ag_orderlib_graph *d, const ag_order_entry *in,
                 ag_error *err) {
  char hs[17], dh[17];
  ag_orderlib_hash_str(in->hash, hs);
  ag_orderlib_hash_str(d->hash, dh);
  if (in->hash != d->hash)
    return ag_fail_kfile(err, AG_ERR_MISMATCH, LIB, path,
                         "refusing to store: the entry's hash %s is not the graph's hash %s", hs,
                         dh);
  if (in->ni != d->ni || in->nv != d->nv || in->no != d->no || in->neliminable != d->neliminable)
    return ag_fail_kfile(
        err, AG_ERR_MISMATCH, LIB, path,
        "refusing to store graph %s: the entry has ni = %d, nv = %d, no = %d, "
        "neliminable = %d but the graph has ni = %d, nv = %d, no = %d, neliminable = %d",
        hs, in->ni, in->nv, in->no, in->neliminable, d->ni, d->nv, d->no, d->neliminable);
  ag_error e2;
  long c = in->order || in->len == 0 ? d->cost(d->graph, in->order, in->len, &e2) : -1;
  if (c < 0 && !in->order) ag_fail(&e2, "no order");
  if (c < 0)
    return ag_fail_kfile(err, e2.code, LIB, path, "refusing to store graph %s: %s", hs, e2.msg);
  if (c != in->cost)
    return ag_fail_kfile(
        err, AG_ERR_INPUT, LIB, path,
        "refusing to store graph %s: the entry says cost %ld but its order costs %ld", hs, in->cost,
        c);
  if (in->lower_bound < -1 || in->lower_bound > c)
    return ag_fail_kfile(err, AG_ERR_INPUT, LIB, path,
                         "refusing to store graph %s: lower_bound %ld is not in -1..%ld", hs,
                         in->lower_bound, c);
  if (!ag_order_entry_model_is(in, d->model))
    return ag_fail_kfile(err, AG_ERR_MISMATCH, LIB, path,
                         "refusing to store graph %s: an entry of the %s model for a graph of the "
                         "%s model",
                         hs, in->model && in->model[0] ? in->model : "scalar",
                         d->model ? d->model : "scalar");
  int tuned = ag_order_entry_tuned(in);
  if (tuned && d->model)
    return ag_fail_kfile(err, AG_ERR_INPUT, LIB, path,
                         "refusing to store graph %s: tuned entries are for scalar graphs", hs);
  if (in->objective && in->objective[0] && !tuned && strcmp(in->objective, "mults"))
    return ag_fail_kfile(err, AG_ERR_INPUT, LIB, path,
                         "refusing to store graph %s: unknown objective '%.40s' (exec, measured "
                         "or mults)",
                         hs, in->objective);
  if (tuned && (!in->signature || !in->signature[0] || !(in->value > 0 && in->value < 1e300) ||
                in->lower_bound != -1 || !(in->ns == -1 || (in->ns > 0 && in->ns < 1e300)) ||
                !(in->gain >= 0 && in->gain < 1e300)))
    return ag_fail_kfile(err, AG_ERR_INPUT, LIB, path,
                         "refusing to store graph %s: a tuned entry needs a signature, a "
                         "positive value, ns -1 or positive, gain >= 0 and no lower bound",
                         hs);

  /* the entry as it will be stored */
  ag_order_entry e;
  ag_order_entry_copy(&e, in);
  if (!in->method) {
    free(e.method);
    e.method = ag_strdup("unknown");
  }
  if (!in->date || !in->date[0]) {
    char now[32];
    utc_now(now, sizeof now);
    free(e.date);
    e.date = ag_strdup(now);
  }
  if (!in->version) {
    free(e.version);
    e.version = ag_strdup(AG_VERSION);
  }
  if (tuned) e.optimal = 0;
  if (e.optimal) e.lower_bound = e.cost; /* optimal <=> lower_bound == cost */
  e.optimal = e.lower_bound == e.cost;

  /* Serialize stores into the same directory (best effort: advisory lock on the directory,
     released by the kernel if the process dies). */
  char *dir = dir_of(path);
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(dir);
  if (dirfd >= 0)
    while (flock(dirfd, LOCK_EX) && errno == EINTR) {
    }

  int rc = 0, n = 0;
  ag_order_entry *es = NULL;
  struct stat st;
  int exists = stat(path, &st) == 0;
  if (!exists && errno != ENOENT)
    rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path, "%s", strerror(errno));
  else if (exists && read_all(path, &es, &n, err))
    rc = -1;
  if (rc) goto done;

  int k = -1, plain = -1;
  for (int i = 0; i < n; i++) {
    if (same_key(&es[i], &e)) k = i;
    if (es[i].hash == e.hash && !ag_order_entry_tuned(&es[i]) && !is_tensor(&es[i])) plain = i;
  }
  if (k >= 0 && entry_fits(path, d, &es[k], err)) {
    size_t l = strlen(err->msg);
    snprintf(err->msg + l, sizeof err->msg - l, "; not replacing it");
    rc = -1;
    goto done;
  }
  if (tuned) {
    if (k >= 0) {
      ag_order_entry *s = &es[k];
      int sm = !strcmp(s->objective, "measured"), em = !strcmp(e.objective, "measured");
      if (sm > em || (sm == em && s->value <= e.value)) goto done; /* rc = 0: kept */
      ag_order_entry_clear(s);
      *s = e;
    } else {
      es = ag_realloc(es, (size_t)(n + 2) * sizeof *es);
      es[n++] = e;
      if (plain < 0) { /* the graph's first entry: its order is the plain one too */
        ag_order_entry_copy(&es[n], &e);
        free(es[n].objective);
        free(es[n].signature);
        es[n].objective = ag_strdup("");
        es[n].signature = ag_strdup("");
        es[n].value = es[n].ns = es[n].gain = 0;
        n++;
      }
    }
    memset(&e, 0, sizeof e);
    rc = write_atomic(path, dirfd, es, n, exists ? &st : NULL, err);
    if (rc == 0) rc = 1;
    goto done;
  }
  if (k >= 0) {
    ag_order_entry *s = &es[k];
    if (s->cost <= e.cost) {
      /* keep the stored order; a better lower bound (a bound on the optimum of the graph,
         whatever order came with it) still improves the entry */
      if (e.lower_bound > s->cost) {
        rc = ag_fail_kfile(
            err, AG_ERR_INPUT, LIB, path,
            "refusing to store graph %s: lower_bound %ld contradicts the stored order "
            "of cost %ld",
            hs, e.lower_bound, s->cost);
        goto done;
      }
      if (e.lower_bound > s->lower_bound) {
        s->lower_bound = e.lower_bound;
        s->optimal = s->lower_bound == s->cost;
        rc = write_atomic(path, dirfd, es, n, &st, err);
      }
      goto done; /* rc = 0: the stored order was kept */
    }
    /* the new order is cheaper; the stored bound carries over if it is consistent with it */
    if (s->lower_bound > e.lower_bound && s->lower_bound <= e.cost) {
      e.lower_bound = s->lower_bound;
      e.optimal = e.lower_bound == e.cost;
    }
    ag_order_entry_clear(s);
    *s = e;
    memset(&e, 0, sizeof e);
  } else {
    es = ag_realloc(es, (size_t)(n + 1) * sizeof *es);
    es[n++] = e;
    memset(&e, 0, sizeof e);
  }
  rc = write_atomic(path, dirfd, es, n, exists ? &st : NULL, err);
  if (rc == 0) rc = 1;
done:
  if (dirfd >= 0) close(dirfd); /* releases the lock */
  ag_order_entries_free(es, n);
  ag_order_entry_clear(&e);
  return rc;
}

int ag_orderlib_store(const char *path, const ag_dag *d, const ag_order_entry *e, ag_error *err) {
  ag_orderlib_graph g = ag_orderlib_scalar(d);
  return ag_orderlib_store_g(path, &g, e, err);
}

int ag_orderlib_store_g(const char *path, const ag_orderlib_graph *d, const ag_order_entry *e,
                        ag_error *err) {
  /* A library reached through a symbolic link is written where the link points (the
     temporary file, the lock and the rename in the target's directory): renaming over the
     link would replace it with a plain file and leave the real library behind. */
  struct stat ls;
  char *real = NULL;
  for (int hops = 0; lstat(real ? real : path, &ls) == 0 && S_ISLNK(ls.st_mode); hops++) {
    const char *cur = real ? real : path;
    char target[4096];
    ssize_t k = hops < 40 ? readlink(cur, target, sizeof target - 1) : -1;
    if (k < 0) {
      int e = hops < 40 ? errno : ELOOP;
      free(real);
      return ag_fail_kfile(err, AG_ERR_IO, LIB, path,
                           "is a symbolic link that cannot be followed (%s); not writing",
                           strerror(e));
    }
    target[k] = 0;
    char *next;
    if (target[0] == '/')
      next = ag_strdup(target);
    else { /* relative to the link's directory */
      char *dir = dir_of(cur);
      size_t l = strlen(dir) + strlen(target) + 2;
      next = ag_malloc(l);
      snprintf(next, l, "%s/%s", dir, target);
      free(dir);
    }
    free(real);
    real = next;
  }
  if (real) { /* the target may not exist yet (a new library); its directory must */
    char *dir = dir_of(real);
    struct stat ds;
    int ok = stat(dir, &ds) == 0 && S_ISDIR(ds.st_mode);
    free(dir);
    if (!ok) {
      int rc = ag_fail_kfile(err, AG_ERR_IO, LIB, path,
                             "is a symbolic link to %s, whose directory does not exist; not "
                             "writing",
                             real);
      free(real);
      return rc;
    }
  }
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  int rc = store(real ? real : path, d, e, err);
  ag_h5_quiet_end(&q);
  free(real);
  return rc;
}
