/* HDF5 order libraries (orderlib/orderlib.h): round trip of the five paper graphs, keeping
   the best order, several graphs per file, tuned entries (per machine signature, measured
   over exec, format_version 1 kept for plain-only files), lookups (missing graph, mismatched graph
   in a file crafted with the HDF5 API), refusal of foreign, corrupted, truncated and non-HDF5 files
   (with the file left untouched by stores), a byte-by-byte corruption sweep, two concurrent
   writers, a writer SIGKILLed at random moments, h5dump, and the `alphagrad orders` command when
   the alphagrad binary next to this test has it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "graph/orders.h"
#include "kernel/parse_dag.h"
#include "orderlib/orderlib.h"
#include "paper.h"

static char dir[512];
static ag_graph *paper[N_PAPER_TASKS];

/* dir/name into buf */
static const char *tp(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "%s/%s", dir, name);
  return buf;
}

static unsigned char *slurp(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    *size = -1;
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  unsigned char *b = malloc((size_t)n + 1);
  if (fread(b, 1, (size_t)n, f) != (size_t)n) n = -1;
  fclose(f);
  *size = n;
  return b;
}

static void spill(const char *path, const void *b, long n) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(b, 1, (size_t)n, f);
  fclose(f);
}

/* 1 if the file at path has exactly these bytes */
static int same_bytes(const char *path, const unsigned char *b, long n) {
  long m;
  unsigned char *c = slurp(path, &m);
  int same = c && m == n && !memcmp(b, c, (size_t)n);
  free(c);
  return same;
}

static int count_tmp_files(const char *libname) {
  DIR *dd = opendir(dir);
  int k = 0;
  char pre[300];
  snprintf(pre, sizeof pre, "%s.tmp.", libname);
  struct dirent *de;
  while (dd && (de = readdir(dd)))
    if (!strncmp(de->d_name, pre, strlen(pre))) k++;
  if (dd) closedir(dd);
  return k;
}

static void remove_tmp_files(const char *libname) {
  DIR *dd = opendir(dir);
  char pre[300], p[1024];
  snprintf(pre, sizeof pre, "%s.tmp.", libname);
  struct dirent *de;
  while (dd && (de = readdir(dd)))
    if (!strncmp(de->d_name, pre, strlen(pre))) unlink(tp(p, sizeof p, de->d_name));
  if (dd) closedir(dd);
}

/* An entry for graph g with the given order (cost computed); strings are borrowed. */
static ag_order_entry entry_for(const ag_graph *g, int *order, int len, const char *method) {
  const ag_dag *d = &g->dag;
  ag_order_entry e = {0};
  ag_error err;
  e.hash = d->hash;
  e.ni = d->ni;
  e.nv = d->nv;
  e.no = d->no;
  e.neliminable = d->neliminable;
  e.name = g->name;
  e.order = order;
  e.len = len;
  e.cost = ag_order_cost(d, order, len, &err);
  e.lower_bound = -1;
  e.method = (char *)method;
  e.search_time = 1.5;
  e.budget = 60;
  e.date = "2024-06-01T12:34:56Z";
  e.version = "test-0.1";
  return e;
}

static int *baseline(const ag_dag *d, const char *which, int *len) {
  int *o = malloc(((size_t)d->neliminable + 1) * sizeof(int));
  *len = !strcmp(which, "fwd")   ? ag_order_forward(d, o)
         : !strcmp(which, "rev") ? ag_order_reverse(d, o)
                                 : ag_order_markowitz(d, o);
  return o;
}

static int *paper_order(const char *task, int *len) {
  char *text = paper_order_text(task, "AlphaGrad");
  int *o = NULL;
  ag_error err;
  if (!text || ag_order_parse(text, "paper_orders.txt", &o, len, &err)) {
    CHECK(0, "no AlphaGrad order for %s", task);
    *len = 0;
  }
  free(text);
  return o;
}

static void check_same(const ag_order_entry *a, const ag_order_entry *b, const char *what) {
  CHECK(a->hash == b->hash, "%s: hash %016llx vs %016llx", what, (unsigned long long)a->hash,
        (unsigned long long)b->hash);
  CHECK_EQ_LONG(a->ni, b->ni, what);
  CHECK_EQ_LONG(a->nv, b->nv, what);
  CHECK_EQ_LONG(a->no, b->no, what);
  CHECK_EQ_LONG(a->neliminable, b->neliminable, what);
  CHECK_EQ_LONG(a->len, b->len, what);
  CHECK_EQ_LONG(a->cost, b->cost, what);
  CHECK_EQ_LONG(a->lower_bound, b->lower_bound, what);
  CHECK_EQ_LONG(a->optimal, b->optimal, what);
  CHECK(a->len == b->len && a->order && b->order &&
            !memcmp(a->order, b->order, (size_t)a->len * sizeof(int)),
        "%s: orders differ", what);
  CHECK(!strcmp(a->name, b->name), "%s: name '%s' vs '%s'", what, a->name, b->name);
  CHECK(!strcmp(a->method, b->method), "%s: method '%s' vs '%s'", what, a->method, b->method);
  CHECK(!strcmp(a->date, b->date), "%s: date '%s' vs '%s'", what, a->date, b->date);
  CHECK(!strcmp(a->version, b->version), "%s: version '%s' vs '%s'", what, a->version, b->version);
  CHECK(a->search_time == b->search_time, "%s: search_time %g vs %g", what, a->search_time,
        b->search_time);
  CHECK(a->budget == b->budget, "%s: budget %g vs %g", what, a->budget, b->budget);
}

static const ag_order_entry *find_hash(const ag_order_entry *es, int n, uint64_t h) {
  for (int i = 0; i < n; i++)
    if (es[i].hash == h) return &es[i];
  return NULL;
}

#define CHECK_MSG(err, sub, what)                                                                  \
  CHECK(strstr((err).msg, sub) != NULL, "%s: message '%s' lacks '%s'", what, (err).msg, sub)
#define CHECK_CODE(err, want, what)                                                                \
  CHECK((err).code == (want), "%s: code %s, expected %s (%s)", what, ag_status_name((err).code),   \
        ag_status_name(want), (err).msg)

/* ------------------------------------------------------------------ round trip */

static void test_round_trip(void) {
  char lib[1024];
  tp(lib, sizeof lib, "paper.h5");
  ag_error err;
  ag_order_entry want[N_PAPER_TASKS];
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const ag_dag *d = &paper[t]->dag;
    int len;
    int *o = baseline(d, "markowitz", &len);
    want[t] = entry_for(paper[t], o, len, "markowitz");
    CHECK_EQ_LONG(want[t].cost, paper_tasks[t].markowitz, paper_tasks[t].name);
    want[t].search_time = 0.25 * t;
    want[t].budget = 10.0 + t;
    want[t].lower_bound = t == 2 ? 100 : -1;
    int rc = ag_orderlib_store(lib, d, &want[t], &err);
    CHECK(rc == 1, "store %s: rc %d (%s)", paper_tasks[t].name, rc, err.msg);
    /* several graphs per file: all earlier ones are still there */
    ag_order_entry *es;
    int n;
    CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "read: %s", err.msg);
    CHECK_EQ_LONG(n, t + 1, "entries after each store");
    ag_order_entries_free(es, n);
  }
  ag_order_entry *es;
  int n;
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "read: %s", err.msg);
  CHECK_EQ_LONG(n, N_PAPER_TASKS, "entries");
  for (int i = 1; i < n; i++)
    CHECK(es[i - 1].hash < es[i].hash, "entries are sorted by hash");
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const ag_order_entry *got = find_hash(es, n, want[t].hash);
    CHECK(got != NULL, "%s not read back", paper_tasks[t].name);
    if (got) check_same(got, &want[t], paper_tasks[t].name);
    ag_order_entry e;
    int rc = ag_orderlib_lookup(lib, &paper[t]->dag, &e, &err);
    CHECK(rc == 1, "lookup %s: rc %d (%s)", paper_tasks[t].name, rc, err.msg);
    if (rc == 1) check_same(&e, &want[t], paper_tasks[t].name);
    ag_order_entry_clear(&e);
  }
  ag_order_entries_free(es, n);
  for (int t = 0; t < N_PAPER_TASKS; t++)
    free(want[t].order);

  /* NULL strings and date: defaults */
  char lib2[1024];
  tp(lib2, sizeof lib2, "defaults.h5");
  int len;
  int *o = baseline(&paper[3]->dag, "rev", &len);
  ag_order_entry e = entry_for(paper[3], o, len, NULL);
  e.name = NULL;
  e.date = NULL;
  e.version = NULL;
  CHECK(ag_orderlib_store(lib2, &paper[3]->dag, &e, &err) == 1, "store defaults: %s", err.msg);
  ag_order_entry got;
  CHECK(ag_orderlib_lookup(lib2, &paper[3]->dag, &got, &err) == 1, "lookup defaults: %s", err.msg);
  if (got.order) {
    CHECK(!strcmp(got.name, ""), "default name '%s'", got.name);
    CHECK(!strcmp(got.method, "unknown"), "default method '%s'", got.method);
    CHECK(strlen(got.date) == 20 && got.date[10] == 'T' && got.date[19] == 'Z', "default date '%s'",
          got.date);
    CHECK(got.version[0] != 0, "default version empty");
  }
  ag_order_entry_clear(&got);
  free(o);

  /* a graph with nothing to eliminate: an empty order */
  ag_graph *tiny = ag_graph_new("tiny");
  ag_graph_output(tiny,
                  ag_graph_op(tiny, AG_OP_MUL, ag_graph_input(tiny, 0), ag_graph_input(tiny, 1)));
  if (ag_graph_finalize(tiny, &err) == 0) {
    CHECK_EQ_LONG(tiny->dag.neliminable, 0, "tiny graph");
    ag_order_entry t = entry_for(tiny, NULL, 0, "none");
    CHECK(ag_orderlib_store(lib2, &tiny->dag, &t, &err) == 1, "store empty order: %s", err.msg);
    CHECK(ag_orderlib_lookup(lib2, &tiny->dag, &got, &err) == 1, "lookup empty order: %s", err.msg);
    CHECK(got.len == 0 && got.cost == 0 && got.order, "empty order read back");
    ag_order_entry_clear(&got);
  }
  ag_graph_free(tiny);
}

/* ------------------------------------------------------------------ keeping the best */

static void test_keep_best(void) {
  char lib[1024];
  tp(lib, sizeof lib, "paper.h5"); /* holds the Markowitz orders of test_round_trip */
  ag_error err;
  const ag_graph *g = paper[0]; /* RoeFlux_1d: fwd 620, rev 364, markowitz 407, paper 320 */
  const ag_dag *d = &g->dag;
  ag_order_entry *before;
  int nbefore;
  CHECK(ag_orderlib_read(lib, &before, &nbefore, &err) == 0, "read: %s", err.msg);
  long n0;
  unsigned char *b0 = slurp(lib, &n0);

  int len, rc;
  int *fwd = baseline(d, "fwd", &len);
  ag_order_entry e = entry_for(g, fwd, len, "fwd");
  rc = ag_orderlib_store(lib, d, &e, &err);
  CHECK(rc == 0, "worse order: rc %d (%s)", rc, err.msg);
  CHECK(same_bytes(lib, b0, n0), "storing a worse order changed the file");
  CHECK_EQ_LONG(count_tmp_files("paper.h5"), 0, "temporary files left");

  int *mm = baseline(d, "markowitz", &len);
  e = entry_for(g, mm, len, "markowitz-again");
  rc = ag_orderlib_store(lib, d, &e, &err);
  CHECK(rc == 0, "equal order: rc %d (%s)", rc, err.msg);
  CHECK(same_bytes(lib, b0, n0), "storing an equally good order changed the file");

  int *rev = baseline(d, "rev", &len);
  e = entry_for(g, rev, len, "rev");
  rc = ag_orderlib_store(lib, d, &e, &err);
  CHECK(rc == 1, "better order (rev): rc %d (%s)", rc, err.msg);
  ag_order_entry got;
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1, "lookup: %s", err.msg);
  CHECK_EQ_LONG(got.cost, 364, "cost after storing rev");
  CHECK(got.method && !strcmp(got.method, "rev"), "method after storing rev");
  ag_order_entry_clear(&got);

  int *pap = paper_order("RoeFlux_1d", &len);
  ag_order_entry best = entry_for(g, pap, len, "alphagrad-paper");
  best.date = "2024-07-01T00:00:00Z";
  rc = ag_orderlib_store(lib, d, &best, &err);
  CHECK(rc == 1, "better order (paper): rc %d (%s)", rc, err.msg);
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1, "lookup: %s", err.msg);
  check_same(&got, &best, "RoeFlux_1d after storing the paper order");
  ag_order_entry_clear(&got);
  CHECK_EQ_LONG(count_tmp_files("paper.h5"), 0, "temporary files left");

  /* equal cost, proven optimal: the stored order and its provenance stay, the flag is set */
  long n1;
  unsigned char *b1 = slurp(lib, &n1);
  ag_order_entry again = entry_for(g, pap, len, "exact");
  rc = ag_orderlib_store(lib, d, &again, &err);
  CHECK(rc == 0, "equal cost: rc %d (%s)", rc, err.msg);
  CHECK(same_bytes(lib, b1, n1), "storing an equal order without news changed the file");
  again.optimal = 1;
  rc = ag_orderlib_store(lib, d, &again, &err);
  CHECK(rc == 0, "equal cost, optimal: rc %d (%s)", rc, err.msg);
  CHECK(!same_bytes(lib, b1, n1), "optimal=1 was not written");
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1, "lookup: %s", err.msg);
  CHECK_EQ_LONG(got.optimal, 1, "optimal after an equal optimal order");
  CHECK_EQ_LONG(got.lower_bound, 320, "lower_bound after an equal optimal order");
  CHECK(got.method && !strcmp(got.method, "alphagrad-paper"), "method kept: %s", got.method);
  CHECK(got.date && !strcmp(got.date, "2024-07-01T00:00:00Z"), "date kept: %s", got.date);
  ag_order_entry_clear(&got);
  free(b1);

  /* RobotArm_6DOF: a higher lower bound with an equal, then a worse order */
  const ag_graph *g2 = paper[1];
  int len2;
  int *mm2 = baseline(&g2->dag, "markowitz", &len2);
  ag_order_entry e2 = entry_for(g2, mm2, len2, "anneal");
  e2.lower_bound = 200;
  rc = ag_orderlib_store(lib, &g2->dag, &e2, &err);
  CHECK(rc == 0, "equal cost, lower bound: rc %d (%s)", rc, err.msg);
  CHECK(ag_orderlib_lookup(lib, &g2->dag, &got, &err) == 1, "lookup: %s", err.msg);
  CHECK_EQ_LONG(got.lower_bound, 200, "lower_bound raised");
  CHECK_EQ_LONG(got.optimal, 0, "not optimal");
  CHECK(!strcmp(got.method, "markowitz"), "method kept: %s", got.method);
  ag_order_entry_clear(&got);
  int *fwd2 = baseline(&g2->dag, "fwd", &len2);
  ag_order_entry w2 = entry_for(g2, fwd2, len2, "exact-timeout");
  w2.lower_bound = 210;
  rc = ag_orderlib_store(lib, &g2->dag, &w2, &err);
  CHECK(rc == 0, "worse order, higher bound: rc %d (%s)", rc, err.msg);
  CHECK(ag_orderlib_lookup(lib, &g2->dag, &got, &err) == 1, "lookup: %s", err.msg);
  CHECK_EQ_LONG(got.lower_bound, 210, "lower_bound raised by a worse order");
  CHECK_EQ_LONG(got.cost, 288, "cost kept");
  ag_order_entry_clear(&got);
  long n2;
  unsigned char *b2 = slurp(lib, &n2);
  w2.lower_bound = 290; /* above the stored cost 288: contradicts a verified order */
  rc = ag_orderlib_store(lib, &g2->dag, &w2, &err);
  CHECK(rc == -1, "contradictory lower bound accepted: rc %d", rc);
  CHECK_MSG(err, "contradicts", "contradictory bound");
  CHECK_CODE(err, AG_ERR_INPUT, "contradictory bound");
  CHECK(same_bytes(lib, b2, n2), "refused store changed the file");
  free(b2);

  /* the other graphs are untouched */
  ag_order_entry *after;
  int nafter;
  CHECK(ag_orderlib_read(lib, &after, &nafter, &err) == 0, "read: %s", err.msg);
  CHECK_EQ_LONG(nafter, nbefore, "entries");
  for (int t = 2; t < N_PAPER_TASKS; t++) {
    const ag_order_entry *x = find_hash(before, nbefore, paper[t]->dag.hash),
                         *y = find_hash(after, nafter, paper[t]->dag.hash);
    CHECK(x && y, "entry %s", paper_tasks[t].name);
    if (x && y) check_same(x, y, paper_tasks[t].name);
  }
  ag_order_entries_free(after, nafter);
  ag_order_entries_free(before, nbefore);
  free(b0);
  free(fwd);
  free(mm);
  free(rev);
  free(pap);
  free(mm2);
  free(fwd2);
}

/* ------------------------------------------------------------------ refusals on store */

static void test_store_refusals(void) {
  char lib[1024];
  tp(lib, sizeof lib, "paper.h5");
  ag_error err;
  long n0;
  unsigned char *b0 = slurp(lib, &n0);
  const ag_graph *g = paper[4];
  const ag_dag *d = &g->dag;
  int len;
  int *mm = baseline(d, "markowitz", &len);
  ag_order_entry e = entry_for(g, mm, len, "markowitz");

  e.cost -= 1;
  CHECK(ag_orderlib_store(lib, d, &e, &err) == -1, "wrong cost accepted");
  CHECK_MSG(err, "costs", "wrong cost");
  CHECK_MSG(err, lib, "wrong cost names the file");
  CHECK_CODE(err, AG_ERR_INPUT, "wrong cost names the file");
  e.cost += 1;

  int t = mm[0];
  mm[0] = mm[1];
  CHECK(ag_orderlib_store(lib, d, &e, &err) == -1, "invalid order accepted");
  CHECK_MSG(err, "appears twice", "invalid order");
  CHECK_CODE(err, AG_ERR_INPUT, "invalid order");
  mm[0] = t;

  e.len = len - 1;
  CHECK(ag_orderlib_store(lib, d, &e, &err) == -1, "short order accepted");
  e.len = len;

  CHECK(ag_orderlib_store(lib, &paper[0]->dag, &e, &err) == -1, "entry stored for another graph");
  CHECK_MSG(err, "hash", "other graph");
  CHECK_CODE(err, AG_ERR_MISMATCH, "other graph");

  e.nv += 1;
  CHECK(ag_orderlib_store(lib, d, &e, &err) == -1, "wrong sizes accepted");
  CHECK_MSG(err, "nv = 106", "wrong sizes");
  CHECK_CODE(err, AG_ERR_MISMATCH, "wrong sizes");
  e.nv -= 1;

  e.lower_bound = e.cost + 1;
  CHECK(ag_orderlib_store(lib, d, &e, &err) == -1, "lower_bound above cost accepted");
  e.lower_bound = -1;

  CHECK(same_bytes(lib, b0, n0), "refused stores changed the file");
  CHECK_EQ_LONG(count_tmp_files("paper.h5"), 0, "temporary files left");

  char nodir[1024];
  tp(nodir, sizeof nodir, "no/such/dir/lib.h5");
  CHECK(ag_orderlib_store(nodir, d, &e, &err) == -1, "store into a missing directory");
  CHECK_MSG(err, nodir, "missing directory names the file");
  CHECK_CODE(err, AG_ERR_IO, "missing directory names the file");
  free(mm);
  free(b0);
}

/* ------------------------------------------------------------------ lookups */

static void test_lookup_missing(void) {
  char lib[1024];
  tp(lib, sizeof lib, "four.h5");
  ag_error err;
  for (int t = 0; t < 4; t++) {
    int len;
    int *o = baseline(&paper[t]->dag, "rev", &len);
    ag_order_entry e = entry_for(paper[t], o, len, "rev");
    CHECK(ag_orderlib_store(lib, &paper[t]->dag, &e, &err) == 1, "store: %s", err.msg);
    free(o);
  }
  ag_order_entry got;
  int rc = ag_orderlib_lookup(lib, &paper[4]->dag, &got, &err);
  CHECK(rc == 0, "lookup of a graph not in the library: rc %d (%s)", rc, err.msg);
  CHECK(got.order == NULL, "nothing returned");
  rc = ag_orderlib_lookup(lib, &paper[2]->dag, &got, &err);
  CHECK(rc == 1, "lookup: rc %d (%s)", rc, err.msg);
  CHECK_EQ_LONG(got.cost, paper_tasks[2].rev, "cost");
  ag_order_entry_clear(&got);

  char missing[1024];
  tp(missing, sizeof missing, "missing.h5");
  rc = ag_orderlib_lookup(missing, &paper[0]->dag, &got, &err);
  CHECK(rc == -1, "lookup in a missing file: rc %d", rc);
  CHECK_MSG(err, missing, "missing file named");
  CHECK_CODE(err, AG_ERR_IO, "missing file named");
  ag_order_entry *es;
  int n;
  CHECK(ag_orderlib_read(missing, &es, &n, &err) == -1, "read of a missing file");
  CHECK_MSG(err, "No such file", "missing file");
  CHECK_CODE(err, AG_ERR_IO, "missing file");
}

/* A library written with the plain HDF5 API the way another tool (h5py, say) would: default
   file format, variable-length strings, 64-bit integers. Overrides craft broken entries. */
typedef struct {
  const char *format;
  int format_version;
  int nv_delta;       /* added to nv */
  int order_swap_out; /* replace the first order id by an output vertex */
  long cost_delta;    /* added to the cost */
  int optimal;        /* the optimal flag (with lower_bound -1: a contradiction) */
  int no_format;      /* no root attributes at all */
} craft;

static void put_vstr(hid_t loc, const char *name, const char *s) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, &s);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

static void put_ll(hid_t loc, const char *name, long long v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a);
  H5Sclose(sp);
}

static void put_d(hid_t loc, const char *name, double v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(a);
  H5Sclose(sp);
}

static void write_crafted(const char *path, const ag_graph *g, const craft *c) {
  const ag_dag *d = &g->dag;
  int len;
  int *o = baseline(d, "markowitz", &len);
  ag_error err;
  long cost = ag_order_cost(d, o, len, &err);
  if (c->order_swap_out)
    for (int v = d->ni; v < d->n; v++)
      if (d->is_output[v]) {
        o[0] = ag_vertex_id(d, v);
        break;
      }
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (!c->no_format) {
    put_vstr(f, "format", c->format ? c->format : AG_ORDERLIB_FORMAT);
    put_ll(f, "format_version", c->format_version ? c->format_version : 1);
  }
  hid_t gs = H5Gcreate2(f, "graphs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  char hs[17];
  snprintf(hs, sizeof hs, "%016llx", (unsigned long long)d->hash);
  hid_t gr = H5Gcreate2(gs, hs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  put_vstr(gr, "name", g->name);
  put_vstr(gr, "hash", hs);
  put_ll(gr, "ni", d->ni);
  put_ll(gr, "nv", d->nv + c->nv_delta);
  put_ll(gr, "no", d->no);
  put_ll(gr, "neliminable", d->neliminable);
  put_ll(gr, "cost", cost + c->cost_delta);
  put_ll(gr, "lower_bound", -1);
  put_ll(gr, "optimal", c->optimal);
  put_vstr(gr, "method", "h5py");
  put_d(gr, "search_time", 2.5);
  put_d(gr, "budget", 5);
  put_vstr(gr, "date", "2024-01-02T03:04:05Z");
  put_vstr(gr, "version", "other-tool");
  hsize_t dims[1] = {(hsize_t)len};
  hid_t sp = H5Screate_simple(1, dims, NULL);
  hid_t ds = H5Dcreate2(gr, "order", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, o);
  H5Dclose(ds);
  H5Sclose(sp);
  H5Gclose(gr);
  H5Gclose(gs);
  H5Fclose(f);
  free(o);
}

static void test_crafted(void) {
  char lib[1024], hs[17];
  ag_error err;
  ag_order_entry got;
  const ag_graph *g = paper[0];
  const ag_dag *d = &g->dag;
  snprintf(hs, sizeof hs, "%016llx", (unsigned long long)d->hash);

  /* a valid library from another writer */
  tp(lib, sizeof lib, "crafted_ok.h5");
  write_crafted(lib, g, &(craft){0});
  int rc = ag_orderlib_lookup(lib, d, &got, &err);
  CHECK(rc == 1, "lookup in a library written by another tool: rc %d (%s)", rc, err.msg);
  if (rc == 1) {
    CHECK_EQ_LONG(got.cost, 407, "crafted cost");
    CHECK(!strcmp(got.method, "h5py") && !strcmp(got.version, "other-tool") &&
              !strcmp(got.date, "2024-01-02T03:04:05Z") && got.search_time == 2.5 &&
              got.budget == 5 && !strcmp(got.name, "RoeFlux_1d"),
          "crafted fields");
  }
  ag_order_entry_clear(&got);
  /* and a store into it rewrites it in our format, keeping the entry */
  int len;
  int *pap = paper_order("RoeFlux_1d", &len);
  ag_order_entry e = entry_for(g, pap, len, "alphagrad-paper");
  CHECK(ag_orderlib_store(lib, d, &e, &err) == 1, "store into the crafted library: %s", err.msg);
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1, "lookup: %s", err.msg);
  CHECK_EQ_LONG(got.cost, 320, "cost after store");
  ag_order_entry_clear(&got);

  struct {
    craft c;
    const char *file, *msg;
    ag_status code;
  } bad[] = {
      {{.nv_delta = -1},
       "crafted_nv.h5",
       "has nv = 100 but the graph has nv = 101",
       AG_ERR_MISMATCH},
      {{.order_swap_out = 1},
       "crafted_order.h5",
       "is an output and cannot be eliminated",
       AG_ERR_CORRUPT},
      {{.cost_delta = 7},
       "crafted_cost.h5",
       "has cost 414 but its order costs 407",
       AG_ERR_CORRUPT},
      {{.optimal = 1},
       "crafted_optimal.h5",
       "optimal = 1 contradicts lower_bound = -1 and cost = 407",
       AG_ERR_CORRUPT},
      {{.format = "something-else"},
       "crafted_format.h5",
       "not an alphagrad order library",
       AG_ERR_FORMAT},
      {{.format_version = 4}, "crafted_version.h5", "format_version 4 is newer", AG_ERR_MISMATCH},
      {{.no_format = 1}, "crafted_foreign.h5", "no 'format' attribute", AG_ERR_FORMAT},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tp(lib, sizeof lib, bad[i].file);
    write_crafted(lib, g, &bad[i].c);
    memset(&err, 0, sizeof err);
    rc = ag_orderlib_lookup(lib, d, &got, &err);
    CHECK(rc == -1, "%s: lookup rc %d", bad[i].file, rc);
    CHECK(got.order == NULL, "%s: an order was returned", bad[i].file);
    CHECK_MSG(err, bad[i].msg, bad[i].file);
    CHECK_MSG(err, lib, bad[i].file);
    CHECK_CODE(err, bad[i].code, bad[i].file);
    if (i < 3) {
      char want[128];
      snprintf(want, sizeof want, "entry for graph %s", hs);
      CHECK_MSG(err, want, bad[i].file);
    }
    /* a store must neither accept nor replace it */
    long n0;
    unsigned char *b0 = slurp(lib, &n0);
    rc = ag_orderlib_store(lib, d, &e, &err);
    CHECK(rc == -1, "%s: store rc %d", bad[i].file, rc);
    CHECK(same_bytes(lib, b0, n0), "%s: refused store changed the file", bad[i].file);
    CHECK_EQ_LONG(count_tmp_files(bad[i].file), 0, "temporary files left");
    free(b0);
  }
  free(pap);
}

/* ------------------------------------------------------------------ damaged files */

static void expect_refused(const char *path, const char *sub, ag_status code, const char *what) {
  ag_error err;
  ag_order_entry *es = NULL, got;
  int n = 0;
  memset(&err, 0, sizeof err);
  CHECK(ag_orderlib_read(path, &es, &n, &err) == -1, "%s: read accepted", what);
  CHECK(es == NULL && n == 0, "%s: entries returned", what);
  CHECK_MSG(err, path, what);
  if (sub) CHECK_MSG(err, sub, what);
  CHECK_CODE(err, code, what);
  CHECK(ag_orderlib_lookup(path, &paper[0]->dag, &got, &err) == -1, "%s: lookup accepted", what);
  CHECK(got.order == NULL, "%s: lookup returned an order", what);
  long n0;
  unsigned char *b0 = slurp(path, &n0);
  int len;
  int *o = baseline(&paper[0]->dag, "rev", &len);
  ag_order_entry e = entry_for(paper[0], o, len, "rev");
  CHECK(ag_orderlib_store(path, &paper[0]->dag, &e, &err) == -1, "%s: store accepted", what);
  CHECK(same_bytes(path, b0, n0), "%s: refused store changed the file", what);
  free(o);
  free(b0);
}

static void test_damaged(void) {
  char good[1024], p[1024];
  tp(good, sizeof good, "paper.h5");
  long n;
  unsigned char *b = slurp(good, &n);
  CHECK(b && n > 1000, "library size %ld", n);
  if (!b) return;

  tp(p, sizeof p, "truncated.h5");
  spill(p, b, n / 2);
  expect_refused(p, "truncated", AG_ERR_CORRUPT, "truncated to half");

  tp(p, sizeof p, "truncated_end.h5");
  spill(p, b, n - 1);
  expect_refused(p, NULL, AG_ERR_CORRUPT, "truncated by one byte");

  tp(p, sizeof p, "overwritten.h5");
  unsigned char *c = malloc((size_t)n);
  memcpy(c, b, (size_t)n);
  for (long i = n / 2 - 32; i < n / 2 + 32; i++)
    c[i] = (unsigned char)(0xa5 ^ i);
  spill(p, c, n);
  expect_refused(p, NULL, AG_ERR_CORRUPT, "64 bytes overwritten in the middle");

  memcpy(c, b, (size_t)n);
  memset(c, 0, 8);
  tp(p, sizeof p, "nosignature.h5");
  spill(p, c, n);
  expect_refused(p, "not an HDF5 file", AG_ERR_FORMAT, "signature overwritten");
  free(c);

  tp(p, sizeof p, "text.h5");
  spill(p, "this is not HDF5\n", 17);
  expect_refused(p, "not an HDF5 file", AG_ERR_FORMAT, "text file");

  tp(p, sizeof p, "empty.h5");
  spill(p, "", 0);
  expect_refused(p, NULL, AG_ERR_FORMAT, "empty file");

  tp(p, sizeof p, "adir.h5");
  mkdir(p, 0700);
  ag_error err;
  ag_order_entry *es;
  int k;
  CHECK(ag_orderlib_read(p, &es, &k, &err) == -1, "a directory read as a library");
  CHECK_CODE(err, AG_ERR_IO, "a directory");
  rmdir(p);

  /* a valid HDF5 file with a dataset and no format attribute */
  tp(p, sizeof p, "foreign.h5");
  hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dims[1] = {4};
  int data[4] = {1, 2, 3, 4};
  hid_t sp = H5Screate_simple(1, dims, NULL);
  hid_t ds = H5Dcreate2(f, "data", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(ds);
  H5Sclose(sp);
  H5Fclose(f);
  expect_refused(p, "not an alphagrad order library (no 'format' attribute)", AG_ERR_FORMAT,
                 "foreign HDF5 file");
  free(b);
}

/* Every single-byte change of a small library: the read fails, or returns exactly the
   original entries (bytes HDF5 does not use); never different data.
   Runs in a child process that leaves with _exit(): on some corruptions (an object header
   that fails its checksum, e.g. its chunk-size byte at offset 54) HDF5 1.10.8 itself leaks
   the in-memory object header (H5O_t, ~456 bytes), which would otherwise show as an LSan
   report and as "HDF5: infinite loop closing library" at exit. */
static void byte_sweep(void);
static void test_byte_sweep(void) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    byte_sweep();
    fflush(NULL);
    _exit(check_failures ? 1 : 0);
  }
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "byte sweep failed (status %d)", st);
}

static void byte_sweep(void) {
  char lib[1024], p[1024];
  tp(lib, sizeof lib, "sweep.h5");
  tp(p, sizeof p, "sweep_damaged.h5");
  ag_error err;
  for (int t = 3; t < 5; t++) {
    int len;
    int *o = baseline(&paper[t]->dag, "markowitz", &len);
    ag_order_entry e = entry_for(paper[t], o, len, "markowitz");
    CHECK(ag_orderlib_store(lib, &paper[t]->dag, &e, &err) == 1, "store: %s", err.msg);
    free(o);
  }
  ag_order_entry *ref;
  int nref;
  if (ag_orderlib_read(lib, &ref, &nref, &err)) {
    CHECK(0, "read: %s", err.msg);
    return;
  }
  long n;
  unsigned char *b = slurp(lib, &n);
  long refused = 0, harmless = 0, silent = 0;
  for (long off = 0; off < n; off++) {
    b[off] ^= 0x5a;
    spill(p, b, n);
    b[off] ^= 0x5a;
    ag_order_entry *es;
    int k;
    if (ag_orderlib_read(p, &es, &k, &err)) {
      refused++;
      continue;
    }
    int same = k == nref;
    for (int i = 0; same && i < k; i++) {
      const ag_order_entry *x = &es[i], *y = &ref[i];
      same = x->hash == y->hash && x->cost == y->cost && x->len == y->len &&
             !memcmp(x->order, y->order, (size_t)x->len * sizeof(int)) &&
             x->lower_bound == y->lower_bound && x->optimal == y->optimal && x->ni == y->ni &&
             x->nv == y->nv && x->no == y->no && !strcmp(x->name, y->name) &&
             !strcmp(x->method, y->method) && !strcmp(x->date, y->date) &&
             !strcmp(x->version, y->version) && x->search_time == y->search_time &&
             x->budget == y->budget;
    }
    if (same)
      harmless++;
    else {
      silent++;
      CHECK(0, "byte %ld changed: the read returned different data instead of an error", off);
    }
    ag_order_entries_free(es, k);
  }
  printf("byte sweep: %ld bytes, %ld changes refused, %ld harmless (unused bytes), %ld silent\n", n,
         refused, harmless, silent);
  CHECK(refused > n / 2, "only %ld of %ld changes detected", refused, n);
  ag_order_entries_free(ref, nref);
  free(b);
  unlink(p);
}

/* ------------------------------------------------------------------ synthetic graphs */

/* A random graph: 4 inputs, nv binary operations on random earlier values, 3 outputs. */
static ag_graph *synthetic(int k, int nv) {
  char name[64];
  snprintf(name, sizeof name, "synthetic_%d", k);
  ag_graph *g = ag_graph_new(name);
  int *nodes = malloc((size_t)(nv + 4) * sizeof(int));
  for (int i = 0; i < 4; i++)
    nodes[i] = ag_graph_input(g, i);
  static const ag_op ops[] = {AG_OP_ADD, AG_OP_MUL, AG_OP_SUB, AG_OP_DIV};
  for (int i = 0; i < nv; i++) {
    int m = i + 4, a = nodes[m - 1 - (int)check_rand((unsigned)(m < 12 ? m : 12))],
        bb = nodes[check_rand((unsigned)m)];
    nodes[m] = ag_graph_op(g, ops[check_rand(4)], a, bb);
  }
  for (int j = 0; j < 3; j++)
    ag_graph_output(g, nodes[nv + 3 - j]);
  ag_error err;
  if (ag_graph_finalize(g, &err)) {
    CHECK(0, "synthetic graph: %s", err.msg);
    ag_graph_free(g);
    g = NULL;
  }
  free(nodes);
  return g;
}

#define NSYN 48
static ag_graph *syn[NSYN];

/* ------------------------------------------------------------------ concurrent writers */

static void test_concurrent(void) {
  char lib[1024];
  tp(lib, sizeof lib, "concurrent.h5");
  pid_t kids[2];
  for (int c = 0; c < 2; c++) {
    fflush(NULL);
    kids[c] = fork();
    if (kids[c] == 0) {
      for (int i = c; i < 16; i += 2) {
        int len;
        int *o = baseline(&syn[i]->dag, "rev", &len);
        ag_order_entry e = entry_for(syn[i], o, len, "rev");
        ag_error err;
        if (ag_orderlib_store(lib, &syn[i]->dag, &e, &err) != 1) {
          fprintf(stderr, "writer %d: %s\n", c, err.msg);
          _exit(3);
        }
        free(o);
      }
      _exit(0);
    }
  }
  for (int c = 0; c < 2; c++) {
    int st;
    waitpid(kids[c], &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "concurrent writer %d failed", c);
  }
  ag_order_entry *es;
  int n;
  ag_error err;
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "read: %s", err.msg);
  CHECK_EQ_LONG(n, 16, "entries after two concurrent writers (none lost)");
  ag_order_entries_free(es, n);
}

/* ------------------------------------------------------------------ killed writer */

typedef struct {
  int graph;
  long cost;
} ack;

/* Child: for each graph from `start` on, stores the forward order, then the Markowitz
   order; reports every store that returned 1 (the new file is in place) on fd. */
static void writer(const char *lib, int start, int fd) {
  for (int i = start; i < NSYN; i++) {
    const char *which[2] = {"fwd", "markowitz"};
    for (int w = 0; w < 2; w++) {
      int len;
      int *o = baseline(&syn[i]->dag, which[w], &len);
      ag_order_entry e = entry_for(syn[i], o, len, which[w]);
      ag_error err;
      int rc = ag_orderlib_store(lib, &syn[i]->dag, &e, &err);
      if (rc < 0) {
        fprintf(stderr, "killed-writer child: %s\n", err.msg);
        _exit(3);
      }
      if (rc == 1) {
        ack a = {i, e.cost};
        if (write(fd, &a, sizeof a) != (ssize_t)sizeof a) _exit(4);
      }
      free(o);
    }
  }
  _exit(0);
}

static void test_killed_writer(void) {
  char lib[1024];
  const char *libname = "killed.h5";
  tp(lib, sizeof lib, libname);
  long acked[NSYN], seen[NSYN];
  for (int i = 0; i < NSYN; i++)
    acked[i] = seen[i] = -1;
  int kills = 0, midwrite = 0, finished = 0, stray_ok = 0;
  check_seed(*check_rng_state() ^ (uint64_t)(ag_now() * 1e9)); /* a different run each time */
  for (int round = 0; round < 400 && !finished; round++) {
    if (kills >= 20 && midwrite >= 3) break;
    int start = 0;
    while (start < NSYN && acked[start] >= 0)
      start++;
    int pfd[2];
    if (pipe(pfd)) break;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      close(pfd[0]);
      writer(lib, start, pfd[1]);
    }
    close(pfd[1]);
    struct timespec d = {0, (long)check_rand(20001) * 1000L}; /* 0-20 ms */
    nanosleep(&d, NULL);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st)) {
      CHECK(WEXITSTATUS(st) == 0, "writer failed with status %d", WEXITSTATUS(st));
      finished = 1;
    } else
      kills++;
    ack a;
    while (read(pfd[0], &a, sizeof a) == (ssize_t)sizeof a)
      if (a.graph >= 0 && a.graph < NSYN && (acked[a.graph] < 0 || a.cost < acked[a.graph]))
        acked[a.graph] = a.cost;
    close(pfd[0]);

    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", lib, (long)pid);
    struct stat sb;
    if (stat(tmp, &sb) == 0) {
      midwrite++;
      /* a stray temporary file is never the library: whatever it holds, reading it either
         fails cleanly or gives a complete library */
      ag_order_entry *es;
      int n;
      ag_error err;
      if (ag_orderlib_read(tmp, &es, &n, &err) == 0) {
        stray_ok++;
        ag_order_entries_free(es, n);
      }
    }

    struct stat lb;
    int any_acked = 0;
    for (int i = 0; i < NSYN; i++)
      any_acked |= acked[i] >= 0;
    if (stat(lib, &lb)) {
      CHECK(!any_acked, "round %d: library missing after acknowledged stores", round);
      continue;
    }
    ag_order_entry *es;
    int n;
    ag_error err;
    if (ag_orderlib_read(lib, &es, &n, &err)) {
      CHECK(0, "round %d: the library does not read after a SIGKILL: %s", round, err.msg);
      break;
    }
    for (int i = 0; i < NSYN; i++) {
      const ag_order_entry *e = find_hash(es, n, syn[i]->dag.hash);
      if (acked[i] >= 0)
        CHECK(e && e->cost <= acked[i], "round %d: acknowledged store of graph %d lost", round, i);
      if (seen[i] >= 0)
        CHECK(e && e->cost <= seen[i], "round %d: earlier entry of graph %d lost or worse", round,
              i);
      if (e) seen[i] = e->cost;
    }
    ag_order_entries_free(es, n);
  }
  int have = 0;
  for (int i = 0; i < NSYN; i++)
    have += seen[i] >= 0;
  int strays = count_tmp_files(libname);
  printf("killed writer: %d kills, %d during a write (temporary file left; %d of them complete), "
         "%d of %d graphs stored so far, %d stray temporary files\n",
         kills, midwrite, stray_ok, have, NSYN, strays);
  CHECK(kills >= 20, "only %d kills", kills);
  CHECK(midwrite >= 1, "no kill landed during a write (%d kills)", kills);
  CHECK(count_tmp_files("killed.h5") == strays, "stray files");

  /* a last writer runs to the end, with the stray files still around */
  int pfd[2];
  if (pipe(pfd) == 0) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      close(pfd[0]);
      writer(lib, 0, pfd[1]);
    }
    close(pfd[1]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "final writer failed");
    ack a;
    while (read(pfd[0], &a, sizeof a) == (ssize_t)sizeof a) {
    }
    close(pfd[0]);
  }
  ag_order_entry *es;
  int n;
  ag_error err;
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "final read: %s", err.msg);
  if (es) {
    CHECK_EQ_LONG(n, NSYN, "graphs in the library at the end");
    for (int i = 0; i < NSYN; i++) {
      const ag_order_entry *e = find_hash(es, n, syn[i]->dag.hash);
      int len;
      int *f = baseline(&syn[i]->dag, "fwd", &len), *m = baseline(&syn[i]->dag, "markowitz", &len);
      long cf = ag_order_cost(&syn[i]->dag, f, len, &err),
           cm = ag_order_cost(&syn[i]->dag, m, len, &err);
      CHECK(e && e->cost == (cf < cm ? cf : cm), "graph %d: final cost", i);
      free(f);
      free(m);
    }
    ag_order_entries_free(es, n);
  }
  remove_tmp_files(libname);
}

/* ------------------------------------------------------------------ h5dump */

static int have_h5dump(void) { return system("command -v h5dump >/dev/null 2>&1") == 0; }

static char *run_capture(const char *cmd, int *status, const char *errfile) {
  char full[4096];
  snprintf(full, sizeof full, "%s 2>%s", cmd, errfile ? errfile : "/dev/null");
  FILE *p = popen(full, "r");
  if (!p) {
    *status = -1;
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *out = malloc(cap);
  size_t k;
  while ((k = fread(out + n, 1, cap - n - 1, p)) > 0) {
    n += k;
    if (cap - n < 2) out = realloc(out, cap *= 2);
  }
  out[n] = 0;
  int st = pclose(p);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

static void test_h5dump(void) {
  if (!have_h5dump()) {
    printf("note: h5dump not found; h5dump checks skipped\n");
    return;
  }
  char lib[1024], cmd[2048];
  tp(lib, sizeof lib, "paper.h5");
  int st;
  snprintf(cmd, sizeof cmd, "h5dump -H '%s'", lib);
  char *out = run_capture(cmd, &st, NULL);
  CHECK(st == 0, "h5dump -H exit status %d", st);
  CHECK(out && strstr(out, "GROUP \"09cd832c54899612\""), "h5dump -H lacks the graph group");
  free(out);
  snprintf(cmd, sizeof cmd, "h5dump -a /graphs/09cd832c54899612/name -a /format '%s'", lib);
  out = run_capture(cmd, &st, NULL);
  CHECK(st == 0 && out && strstr(out, "\"RoeFlux_1d\"") && strstr(out, "alphagrad-order-library"),
        "h5dump of string attributes: %s", out ? out : "");
  free(out);
  snprintf(cmd, sizeof cmd, "h5dump -d /graphs/09cd832c54899612/order '%s'", lib);
  out = run_capture(cmd, &st, NULL);
  CHECK(st == 0 && out && strstr(out, "8, 82, 27"), "h5dump of the order: %s", out ? out : "");
  free(out);
}

/* ------------------------------------------------------------------ alphagrad orders */

static char agbin[1100];

static int ag_run(const char *args, char **out, char **err) {
  char cmd[4096], ef[1024];
  tp(ef, sizeof ef, "cli_stderr.txt");
  snprintf(cmd, sizeof cmd, "'%s' %s", agbin, args);
  int st;
  *out = run_capture(cmd, &st, ef);
  long n;
  unsigned char *e = slurp(ef, &n);
  *err = e ? (e[n] = 0, (char *)e) : strdup("");
  return st;
}

#define CLI_EXPECT(args, want_rc, where, sub)                                                      \
  do {                                                                                             \
    char *o_, *e_;                                                                                 \
    int rc_ = ag_run(args, &o_, &e_);                                                              \
    const char *s_ = where == 1 ? o_ : e_;                                                         \
    CHECK(rc_ == want_rc && s_ && strstr(s_, sub),                                                 \
          "alphagrad %s: rc %d (want %d); wanted '%s' in %s: %s", args, rc_, want_rc, sub,         \
          where == 1 ? "stdout" : "stderr", s_ ? s_ : "");                                         \
    free(o_);                                                                                      \
    free(e_);                                                                                      \
  } while (0)

static void test_cli(void) {
  char self[1024];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  if (k <= 0) return;
  self[k] = 0;
  char *slash = strrchr(self, '/');
  if (slash) *slash = 0;
  snprintf(agbin, sizeof agbin, "%s/alphagrad", self);
  if (access(agbin, X_OK)) {
    printf("note: %s not found; CLI checks skipped\n", agbin);
    return;
  }
  char *o, *e;
  int rc = ag_run("orders --help", &o, &e);
  int has = rc == 0 && o && strstr(o, "orders list");
  free(o);
  free(e);
  if (!has) {
    printf("note: %s has no 'orders' command yet; CLI checks skipped\n", agbin);
    return;
  }
  char lib[1024], args[4096], ofile[1024], foreign[1024];
  tp(lib, sizeof lib, "paper.h5");
  tp(ofile, sizeof ofile, "exported.txt");
  tp(foreign, sizeof foreign, "foreign.h5");

  snprintf(args, sizeof args, "orders list '%s'", lib);
  rc = ag_run(args, &o, &e);
  CHECK(rc == 0, "orders list: rc %d: %s", rc, e);
  int lines = 0;
  for (char *p = o; p && *p; p++)
    lines += *p == '\n';
  CHECK_EQ_LONG(lines, N_PAPER_TASKS, "orders list: lines");
  CHECK(o && strstr(o, "09cd832c54899612") && strstr(o, "RoeFlux_1d") && strstr(o, "cost=320") &&
            strstr(o, "optimal=yes"),
        "orders list: %s", o);
  free(o);
  free(e);
  snprintf(args, sizeof args, "orders list '%s' --json", lib);
  CLI_EXPECT(args, 0, 1, "\"graphs\": [{\"hash\": \"");
  CLI_EXPECT(args, 0, 1, "\"name\": \"RoeFlux_1d\", \"ni\": 6, \"nv\": 101, \"no\": 3");
  snprintf(args, sizeof args, "orders show '%s' RoeFlux_1d", lib);
  CLI_EXPECT(args, 0, 1, "cost         320");
  CLI_EXPECT(args, 0, 1, "order        [8, 82, 27,");
  snprintf(args, sizeof args, "orders show --json '%s' 09cd832c54899612", lib);
  CLI_EXPECT(args, 0, 1, "\"cost\": 320, \"lower_bound\": 320, \"optimal\": true");
  CLI_EXPECT(args, 0, 1, "\"order\": [8, 82, 27,");
  snprintf(args, sizeof args, "orders export '%s' 09CD832C", lib);
  CLI_EXPECT(args, 0, 1, "[8, 82, 27,");
  snprintf(args, sizeof args, "orders export '%s' RoeFlux_1d -o '%s'", lib, ofile);
  CLI_EXPECT(args, 0, 1, "");
  char src[1024];
  src_path(src, sizeof src, "tests/data/paper_graphs.txt");
  snprintf(args, sizeof args, "cost '%s' --name RoeFlux_1d --order '@%s' --json", src, ofile);
  CLI_EXPECT(args, 0, 1, "\"cost\": 320");

  /* errors */
  CLI_EXPECT("orders", 2, 2, "usage");
  CLI_EXPECT("orders frobnicate x.h5", 2, 2, "unknown command 'frobnicate'");
  CLI_EXPECT("orders list", 2, 2, "needs a library file");
  snprintf(args, sizeof args, "orders show '%s'", lib);
  CLI_EXPECT(args, 2, 2, "needs a graph");
  snprintf(args, sizeof args, "orders list '%s' --bogus", lib);
  CLI_EXPECT(args, 2, 2, "unknown option '--bogus'");
  snprintf(args, sizeof args, "orders show '%s' NoSuchGraph", lib);
  CLI_EXPECT(args, 1, 2, "alphagrad: order library");
  CLI_EXPECT(args, 1, 2, "has no graph 'NoSuchGraph'");
  CLI_EXPECT("orders list /nonexistent/lib.h5", 1, 2,
             "alphagrad: order library /nonexistent/lib.h5: No such file");
  snprintf(args, sizeof args, "orders list '%s'", foreign);
  CLI_EXPECT(args, 1, 2, "not an alphagrad order library");
  snprintf(args, sizeof args, "orders list '%s' --json", foreign);
  CLI_EXPECT(args, 1, 1, "{\"error\": \"order library ");
}

/* ------------------------------------------------------------------ main */

static void rm_dir(void) {
  DIR *dd = opendir(dir);
  struct dirent *de;
  char p[1024];
  while (dd && (de = readdir(dd)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) unlink(tp(p, sizeof p, de->d_name));
  if (dd) closedir(dd);
  rmdir(dir);
}

/* ------------------------------------------------------------------ tuned entries */

/* root attribute format_version of a library */
static long long lib_version(const char *path) {
  long long v = -1;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

static void test_tuned(void) {
  char lib[1024];
  tp(lib, sizeof lib, "tuned.h5");
  ag_error err;
  const ag_graph *g = paper[1]; /* RobotArm_6DOF: fwd 397, rev 301, markowitz 288 */
  const ag_dag *d = &g->dag;
  int len, len2, len3;
  int *rev = baseline(d, "rev", &len), *fwd = baseline(d, "fwd", &len2),
      *mm = baseline(d, "markowitz", &len3);
  const char *sigA = "CPU A | cc 12 | -O3", *sigB = "CPU B | cc 12 | -O3";

  /* a tuned entry on a new graph: the plain entry is created from it; version 2 */
  ag_order_entry t = entry_for(g, rev, len, "anneal");
  t.objective = "exec";
  t.signature = (char *)sigA;
  t.value = 5000;
  t.ns = -1;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 1, "store tuned: %s", err.msg);
  CHECK_EQ_LONG(lib_version(lib), 2, "format_version with a tuned entry");
  ag_order_entry *es;
  int n;
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "read: %s", err.msg);
  CHECK_EQ_LONG(n, 2, "entries after the first tuned store (tuned + plain)");
  int nt = 0;
  for (int i = 0; i < n; i++)
    nt += ag_order_entry_tuned(&es[i]);
  CHECK_EQ_LONG(nt, 1, "tuned entries");
  ag_order_entries_free(es, n);

  /* lookups: plain by default; the tuned one for its signature; plain for another */
  ag_order_entry got;
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1 && !ag_order_entry_tuned(&got),
        "plain lookup: %s", err.msg);
  CHECK_EQ_LONG(got.cost, 301, "plain entry cost");
  ag_order_entry_clear(&got);
  CHECK(ag_orderlib_lookup_for(lib, d, sigA, &got, &err) == 1 && ag_order_entry_tuned(&got),
        "lookup for signature A: %s", err.msg);
  CHECK(got.value == 5000 && got.ns == -1 && !strcmp(got.objective, "exec") &&
            !strcmp(got.signature, sigA),
        "tuned fields read back: %s %s %g %g", got.objective, got.signature, got.value, got.ns);
  ag_order_entry_clear(&got);
  CHECK(ag_orderlib_lookup_for(lib, d, sigB, &got, &err) == 1 && !ag_order_entry_tuned(&got),
        "lookup for another signature falls back to plain: %s", err.msg);
  ag_order_entry_clear(&got);

  /* a worse exec value is kept out; a measured entry replaces exec even with more mults */
  t = entry_for(g, mm, len3, "anneal");
  t.objective = "exec";
  t.signature = (char *)sigA;
  t.value = 6000;
  t.ns = -1;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 0, "worse exec value stored: %s", err.msg);
  t = entry_for(g, fwd, len2, "measured");
  t.objective = "measured";
  t.signature = (char *)sigA;
  t.value = t.ns = 42.5;
  t.gain = 1.25;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 1, "measured over exec: %s", err.msg);
  CHECK(ag_orderlib_lookup_for(lib, d, sigA, &got, &err) == 1 && got.cost == 397 &&
            !strcmp(got.objective, "measured") && got.gain == 1.25,
        "measured entry looked up: cost %ld", got.cost);
  ag_order_entry_clear(&got);
  /* an exec entry never replaces a measured one; a slower measurement neither */
  t.objective = "exec";
  t.ns = -1;
  t.gain = 0;
  t.value = 1;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 0, "exec over measured: %s", err.msg);
  t = entry_for(g, rev, len, "measured");
  t.objective = "measured";
  t.signature = (char *)sigA;
  t.value = t.ns = 50;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 0, "slower measurement stored");
  t.value = t.ns = 40;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 1, "faster measurement: %s", err.msg);
  /* another signature is another slot; the plain entry still holds the fewest mults */
  t.signature = (char *)sigB;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == 1, "second signature: %s", err.msg);
  {
    ag_order_entry e = entry_for(g, mm, len3, "markowitz");
    CHECK(ag_orderlib_store(lib, d, &e, &err) == 1, "plain store beside tuned: %s", err.msg);
  }
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == 0, "read: %s", err.msg);
  CHECK_EQ_LONG(n, 3, "plain + two tuned entries");
  ag_order_entries_free(es, n);
  CHECK(ag_orderlib_lookup(lib, d, &got, &err) == 1 && got.cost == 288, "plain after all: %ld",
        got.cost);
  ag_order_entry_clear(&got);

  /* refusals: unknown objective, tuned without signature, tuned with a lower bound */
  t.objective = "fastest";
  CHECK(ag_orderlib_store(lib, d, &t, &err) == -1 && strstr(err.msg, "unknown objective"),
        "unknown objective: %s", err.msg);
  t.objective = "measured";
  t.signature = "";
  CHECK(ag_orderlib_store(lib, d, &t, &err) == -1 && strstr(err.msg, "signature"),
        "no signature: %s", err.msg);
  t.signature = (char *)sigA;
  t.lower_bound = 100;
  CHECK(ag_orderlib_store(lib, d, &t, &err) == -1, "tuned with a lower bound accepted");

  /* a plain-only library stays format_version 1 (older alphagrad reads it) */
  char lib1[1024];
  tp(lib1, sizeof lib1, "plain_only.h5");
  ag_order_entry e = entry_for(g, rev, len, "rev");
  CHECK(ag_orderlib_store(lib1, d, &e, &err) == 1, "plain store: %s", err.msg);
  CHECK_EQ_LONG(lib_version(lib1), 1, "format_version of a plain-only library");

  /* a tuned entry whose signature does not match its group name is refused as corrupt */
  hid_t f = H5Fopen(lib, H5F_ACC_RDWR, H5P_DEFAULT);
  char hs[17], gname[64];
  ag_orderlib_hash_str(d->hash, hs);
  int renamed = 0;
  hid_t gr = H5Gopen2(f, "graphs", H5P_DEFAULT);
  for (int pass = 0; pass < 2 && gr >= 0 && !renamed; pass++) {
    hsize_t ng = 0;
    H5Gget_num_objs(gr, &ng);
    for (hsize_t i = 0; i < ng && !renamed; i++) {
      H5Lget_name_by_idx(gr, ".", H5_INDEX_NAME, H5_ITER_INC, i, gname, sizeof gname, H5P_DEFAULT);
      if (strlen(gname) == 33) {
        char other[64];
        snprintf(other, sizeof other, "%s-0123456789abcdef", hs);
        renamed = H5Lmove(gr, gname, gr, other, H5P_DEFAULT, H5P_DEFAULT) >= 0;
      }
    }
  }
  if (gr >= 0) H5Gclose(gr);
  H5Fclose(f);
  CHECK(renamed, "could not rename a tuned group");
  CHECK(ag_orderlib_read(lib, &es, &n, &err) == -1 &&
            strstr(err.msg, "signature does not match the group's name"),
        "renamed tuned group: %s", err.msg);
  free(rev);
  free(fwd);
  free(mm);
}

/* ------------------------------------------------------------------ symbolic links */

/* A library reached through a symbolic link is written where the link points: the link
   stays a link, entries stored through it and directly all end up in the real file, and a
   dangling link is refused without creating anything. */
static void test_symlink(void) {
  char realdir[1024], linkdir[1024], real[1200], link[1200], dangling[1200];
  tp(realdir, sizeof realdir, "real");
  tp(linkdir, sizeof linkdir, "links");
  mkdir(realdir, 0755);
  mkdir(linkdir, 0755);
  snprintf(real, sizeof real, "%s/lib.h5", realdir);
  snprintf(link, sizeof link, "%s/lib.h5", linkdir);
  snprintf(dangling, sizeof dangling, "%s/dangling.h5", linkdir);
  CHECK(symlink("../real/lib.h5", link) == 0, "symlink: %s", strerror(errno));
  CHECK(symlink("../real/missing-dir/lib.h5", dangling) == 0, "symlink: %s", strerror(errno));
  ag_error err;
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    const ag_dag *d = &paper[t]->dag;
    int len;
    int *o = baseline(d, "markowitz", &len);
    ag_order_entry e = entry_for(paper[t], o, len, "markowitz");
    /* alternately through the link and directly */
    CHECK(ag_orderlib_store(t % 2 ? real : link, d, &e, &err) == 1, "store %d: %s", t, err.msg);
    free(o);
  }
  struct stat st;
  CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced by a plain file");
  ag_order_entry *es;
  int n;
  CHECK(ag_orderlib_read(real, &es, &n, &err) == 0, "read the real library: %s", err.msg);
  CHECK_EQ_LONG(n, N_PAPER_TASKS, "entries in the real library (stored through link and directly)");
  ag_order_entries_free(es, n);
  CHECK_EQ_LONG(count_tmp_files("lib.h5"), 0, "temporary files left");
  int len;
  int *o = baseline(&paper[0]->dag, "rev", &len);
  ag_order_entry e = entry_for(paper[0], o, len, "rev");
  CHECK(ag_orderlib_store(dangling, &paper[0]->dag, &e, &err) == -1 &&
            strstr(err.msg, "dangling.h5") && strstr(err.msg, "symbolic link"),
        "dangling link: %s", err.msg);
  CHECK(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode), "the dangling link was replaced");
  free(o);
}

int main(void) {
  const char *t = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/ag_orderlib_XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char src[1024];
  src_path(src, sizeof src, "tests/data/paper_graphs.txt");
  ag_error err;
  for (int i = 0; i < N_PAPER_TASKS; i++) {
    paper[i] = ag_parse_dag_file(src, paper_tasks[i].name, &err);
    if (!paper[i]) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
  }
  for (int i = 0; i < NSYN; i++) {
    syn[i] = synthetic(i, 300 + 10 * i);
    if (!syn[i]) return 1;
  }
  for (int i = 0; i < NSYN; i++)
    for (int j = 0; j < i; j++)
      CHECK(syn[i]->dag.hash != syn[j]->dag.hash, "synthetic graphs %d and %d share a hash", i, j);

  test_round_trip();
  test_keep_best();
  test_tuned();
  test_symlink();
  test_store_refusals();
  test_lookup_missing();
  test_crafted();
  test_damaged();
  test_byte_sweep();
  test_h5dump();
  test_cli();
  test_concurrent();
  test_killed_writer();

  for (int i = 0; i < N_PAPER_TASKS; i++)
    ag_graph_free(paper[i]);
  for (int i = 0; i < NSYN; i++)
    ag_graph_free(syn[i]);
  if (check_failures)
    printf("files kept in %s\n", dir);
  else
    rm_dir();
  H5close(); /* release HDF5's library-wide state before the leak checker looks */
  return check_report("test_orderlib");
}
