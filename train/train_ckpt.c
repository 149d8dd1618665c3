/* Training checkpoints (train/train.h: ag_trainer_save / ag_trainer_load).

   One HDF5 file: the model file of nn/nn_io.c (root attributes, /params, /adam) written
   by ag_nn_save, then reopened to add

     /trainer   attributes format = "alphagrad-trainer", format_version = 1, episodes,
                steps (int64), ngraphs (int32), elapsed (float64, seconds of training), and
                for information seed, sims_per_move, batch, steps_per_episode, buffer
                (the capacity); datasets rng uint64[4] (xoshiro256** state),
                graph_hash uint64[ngraphs] (ag_dag.hash), graph_neliminable int32[ngraphs],
                best_cost int64[ngraphs], best_order int32[sum neliminable] (1-based
                vertex ids, graph after graph)
     /buffer    attributes capacity, size, head (int32): the ring (slots 0..size-1 are
                filled, head is the next slot written); datasets graph, len, nact
                int32[size], z float32[size], prefix int32[sum len] (elimination indices,
                slot after slot), pi float32[sum nact]

   Non-empty datasets are chunked with Fletcher-32 checksums, the metadata is checksummed
   (newest HDF5 format), and the file is written to path.tmp.<pid>, fsynced and renamed
   over path. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "graph/orders.h"
#include "h5/h5io.h"
#include "train/train_internal.h"

#define CK_FORMAT         "alphagrad-trainer"
#define CK_FORMAT_VERSION 1

/* Every failure names the file: "checkpoint PATH: ..." (ag_fail_kfile). */
#define CKF "checkpoint"

/* ---------------------------------------------------------------- writing */

static int write_groups(const ag_trainer *tr, hid_t f) {
  int ng = tr->ngraphs, rc = 0;
  hid_t g = H5Gcreate2(f, "trainer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return -1;
  double elapsed = tr->elapsed0 + (ag_now() - tr->t0);
  rc |=
      ag_h5_put_str(g, "format", CK_FORMAT) | ag_h5_put_i32(g, "format_version", CK_FORMAT_VERSION);
  rc |= ag_h5_put_i64(g, "episodes", tr->episodes) | ag_h5_put_i64(g, "steps", tr->steps);
  rc |= ag_h5_put_i32(g, "ngraphs", ng) | ag_h5_put_f64(g, "elapsed", elapsed);
  rc |= ag_h5_put_i64(g, "seed", (long long)tr->p.seed) |
        ag_h5_put_i32(g, "sims_per_move", tr->p.sims_per_move);
  rc |= ag_h5_put_i32(g, "batch", tr->p.batch) |
        ag_h5_put_i32(g, "steps_per_episode", tr->p.steps_per_episode);
  rc |= ag_h5_put_i32(g, "buffer", tr->cap);
  uint64_t *hash = ag_malloc((size_t)(ng + 1) * sizeof(uint64_t));
  int *nel = ag_malloc((size_t)(ng + 1) * sizeof(int)), tot = 0;
  long long *best = ag_malloc((size_t)(ng + 1) * sizeof(long long));
  for (int k = 0; k < ng; k++) {
    hash[k] = tr->graphs[k]->hash;
    nel[k] = tr->graphs[k]->neliminable;
    best[k] = tr->best[k];
    tot += nel[k];
  }
  int *orders = ag_malloc((size_t)(tot + 1) * sizeof(int));
  for (int k = 0, o = 0; k < ng; k++) {
    if (tr->best[k] >= 0)
      memcpy(orders + o, tr->best_order[k], (size_t)nel[k] * sizeof(int));
    else
      memset(orders + o, 0, (size_t)nel[k] * sizeof(int));
    o += nel[k];
  }
  if (rc == 0)
    rc = ag_h5_put_data(g, "rng", H5T_STD_U64LE, H5T_NATIVE_UINT64, tr->rng.s, 4) |
         ag_h5_put_data(g, "graph_hash", H5T_STD_U64LE, H5T_NATIVE_UINT64, hash, (size_t)ng) |
         ag_h5_put_data(g, "graph_neliminable", H5T_STD_I32LE, H5T_NATIVE_INT, nel, (size_t)ng) |
         ag_h5_put_data(g, "best_cost", H5T_STD_I64LE, H5T_NATIVE_LLONG, best, (size_t)ng) |
         ag_h5_put_data(g, "best_order", H5T_STD_I32LE, H5T_NATIVE_INT, orders, (size_t)tot);
  free(hash);
  free(nel);
  free(best);
  free(orders);
  if (H5Gclose(g) < 0) rc = -1;
  if (rc) return rc;

  g = H5Gcreate2(f, "buffer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return -1;
  int n = tr->size;
  rc = ag_h5_put_i32(g, "capacity", tr->cap) | ag_h5_put_i32(g, "size", n) |
       ag_h5_put_i32(g, "head", tr->head);
  int *gr = ag_malloc((size_t)(n + 1) * sizeof(int)),
      *len = ag_malloc((size_t)(n + 1) * sizeof(int)),
      *nact = ag_malloc((size_t)(n + 1) * sizeof(int));
  float *z = ag_malloc((size_t)(n + 1) * sizeof(float));
  size_t tl = 0, ta = 0;
  for (int i = 0; i < n; i++) {
    const sample *sm = &tr->buf[i];
    gr[i] = sm->graph, len[i] = sm->len, nact[i] = sm->nact, z[i] = sm->z;
    tl += (size_t)sm->len;
    ta += (size_t)sm->nact;
  }
  int *prefix = ag_malloc((tl + 1) * sizeof(int));
  float *pi = ag_malloc((ta + 1) * sizeof(float));
  tl = ta = 0;
  for (int i = 0; i < n; i++) {
    const sample *sm = &tr->buf[i];
    memcpy(prefix + tl, sm->prefix, (size_t)sm->len * sizeof(int));
    memcpy(pi + ta, sm->pi, (size_t)sm->nact * sizeof(float));
    tl += (size_t)sm->len;
    ta += (size_t)sm->nact;
  }
  if (rc == 0)
    rc = ag_h5_put_data(g, "graph", H5T_STD_I32LE, H5T_NATIVE_INT, gr, (size_t)n) |
         ag_h5_put_data(g, "len", H5T_STD_I32LE, H5T_NATIVE_INT, len, (size_t)n) |
         ag_h5_put_data(g, "nact", H5T_STD_I32LE, H5T_NATIVE_INT, nact, (size_t)n) |
         ag_h5_put_data(g, "z", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, z, (size_t)n) |
         ag_h5_put_data(g, "prefix", H5T_STD_I32LE, H5T_NATIVE_INT, prefix, tl) |
         ag_h5_put_data(g, "pi", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, pi, ta);
  free(gr);
  free(len);
  free(nact);
  free(z);
  free(prefix);
  free(pi);
  if (H5Gclose(g) < 0) rc = -1;
  return rc;
}

int ag_trainer_save(const ag_trainer *tr, const char *path, ag_error *err) {
  size_t tl = strlen(path) + 32;
  char *tmp = ag_malloc(tl);
  snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
  /* the model part, written (atomically) to tmp by the network's own writer */
  int rc = ag_nn_save(tr->nn, tr->opt, tmp, err);
  if (rc) {
    free(tmp);
    return -1;
  }
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  hid_t fapl = ag_h5_fapl();
  hid_t f = fapl < 0 ? -1 : H5Fopen(tmp, H5F_ACC_RDWR, fapl);
  if (fapl >= 0) H5Pclose(fapl);
  if (f < 0)
    rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "cannot reopen %s to add the trainer state", tmp);
  else {
    if (write_groups(tr, f))
      rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "cannot write the trainer state to %s", tmp);
    if (H5Fclose(f) < 0 && rc == 0)
      rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "cannot close %s", tmp);
  }
  ag_h5_quiet_end(&q);
  if (rc == 0) {
    int fd = open(tmp, O_RDWR | O_CLOEXEC);
    if (fd < 0)
      rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "cannot reopen %s: %s", tmp, strerror(errno));
    else {
      if (fsync(fd))
        rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "fsync of %s failed: %s", tmp,
                           strerror(errno));
      if (close(fd) && rc == 0)
        rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "close of %s failed: %s", tmp,
                           strerror(errno));
    }
  }
  if (rc == 0 && rename(tmp, path))
    rc = ag_fail_kfile(err, AG_ERR_IO, CKF, path, "cannot rename %s over it: %s", tmp,
                       strerror(errno));
  if (rc) unlink(tmp);
  free(tmp);
  return rc;
}

/* ---------------------------------------------------------------- reading */

#define CORRUPT "corrupted or truncated file: "

/* integer (kind 1) or float (kind 2) or string (kind 0, malloc'ed) scalar attribute;
   0, or -1 missing, -2 wrong type/unreadable */
/* 0, -1 missing, -2 unreadable or of another kind */
static int get_attr(hid_t loc, const char *name, int kind, void *out) {
  char why[128];
  int rc = ag_h5_get_attr(loc, name, kind, out, why, sizeof why);
  return rc == AG_H5_MISSING ? -1 : rc ? -2 : 0;
}

/* reads the 1-D dataset loc/name of exactly n elements of class cls into x */
static int get_data(hid_t loc, const char *grp, const char *name, H5T_class_t cls, hid_t mt,
                    void *x, size_t n, const char *path, ag_error *err) {
  htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
  if (ex < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot read /%s/%s", grp, name);
  if (ex == 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, "dataset /%s/%s is missing", grp, name);
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot open /%s/%s", grp, name);
  hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t dims[1] = {0};
  int rc = 0;
  if (sp < 0 || ty < 0)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot read /%s/%s", grp, name);
  else if (H5Tget_class(ty) != cls || H5Sget_simple_extent_ndims(sp) != 1)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, "/%s/%s is not a 1-D %s dataset", grp, name,
                       cls == H5T_FLOAT ? "float" : "integer");
  else if (H5Sget_simple_extent_dims(sp, dims, NULL) != 1 || dims[0] != (hsize_t)n)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                       "inconsistent file: /%s/%s has %llu entries, expected %zu", grp, name,
                       (unsigned long long)dims[0], n);
  else if (n > 0 && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                       CORRUPT "cannot read /%s/%s (checksum or I/O error)", grp, name);
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return rc;
}

static int get_int(hid_t loc, const char *grp, const char *name, long long *v, const char *path,
                   ag_error *err) {
  int rc = get_attr(loc, name, 1, v);
  if (rc == -1)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, "attribute /%s/%s is missing", grp, name);
  if (rc)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                         CORRUPT "attribute /%s/%s is unreadable or not an integer", grp, name);
  return 0;
}

/* opens path and its /trainer group after checking the format */
static int open_ckpt(const char *path, hid_t *fo, hid_t *go, ag_error *err) {
  /* the format attributes are in /trainer (a checkpoint is also a network file) */
  static const ag_h5_kind kind = {CKF, NULL, NULL, 0, AG_H5_OPEN_TERSE};
  *fo = *go = -1;
  hid_t f = ag_h5_open_checked(path, &kind, NULL, err);
  if (f < 0) return -1;
  htri_t ex = H5Lexists(f, "trainer", H5P_DEFAULT);
  if (ex <= 0) {
    H5Fclose(f);
    if (ex < 0)
      return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot read the root group");
    return ag_fail_kfile(err, AG_ERR_FORMAT, CKF, path,
                         "not a training checkpoint (no /trainer group; a model file?)");
  }
  hid_t g = H5Gopen2(f, "trainer", H5P_DEFAULT);
  if (g < 0) {
    H5Fclose(f);
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot open /trainer");
  }
  char *format = NULL;
  long long ver = 0;
  int rc = 0;
  if (get_attr(g, "format", 0, &format) || strcmp(format, CK_FORMAT))
    rc = ag_fail_kfile(err, AG_ERR_FORMAT, CKF, path,
                       "not a training checkpoint (/trainer attribute 'format' is not '%s')",
                       CK_FORMAT);
  else if ((rc = get_int(g, "trainer", "format_version", &ver, path, err)) == 0 &&
           (ver < 1 || ver > CK_FORMAT_VERSION))
    rc = ag_fail_kfile(err, ver > CK_FORMAT_VERSION ? AG_ERR_MISMATCH : AG_ERR_CORRUPT, CKF, path,
                       "format_version %lld is not supported (this alphagrad reads %d)", ver,
                       CK_FORMAT_VERSION);
  free(format);
  if (rc) {
    H5Gclose(g);
    H5Fclose(f);
    return -1;
  }
  *fo = f;
  *go = g;
  return 0;
}

int ag_trainer_checkpoint_info(const char *path, long *episodes, ag_error *err) {
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  hid_t f, g;
  int rc = open_ckpt(path, &f, &g, err);
  long long e = 0;
  if (rc == 0) {
    rc = get_int(g, "trainer", "episodes", &e, path, err);
    H5Gclose(g);
    H5Fclose(f);
  }
  ag_h5_quiet_end(&q);
  if (rc == 0 && episodes) *episodes = (long)e;
  return rc;
}

typedef struct {
  long long episodes, steps;
  double elapsed;
  uint64_t rng[4];
  long long *best;
  int *best_order; /* concatenated */
  int cap, size, head;
  sample *buf; /* size entries */
} ck_state;

static void ck_state_free(ck_state *s) {
  free(s->best);
  free(s->best_order);
  if (s->buf)
    for (int i = 0; i < s->size; i++)
      ag_train_sample_free(&s->buf[i]);
  free(s->buf);
}

static int read_state(ag_trainer *tr, hid_t f, hid_t g, const char *path, ck_state *s,
                      ag_error *err) {
  int ng = tr->ngraphs;
  long long v;
  if (get_int(g, "trainer", "ngraphs", &v, path, err)) return -1;
  if (v != ng)
    return ag_fail_kfile(
        err, AG_ERR_MISMATCH, CKF, path,
        "the checkpoint is for %lld graph%s, this run trains %d: a checkpoint resumes "
        "only the same graphs in the same order",
        v, v == 1 ? "" : "s", ng);
  if (get_int(g, "trainer", "episodes", &s->episodes, path, err) ||
      get_int(g, "trainer", "steps", &s->steps, path, err))
    return -1;
  if (s->episodes < 0 || s->steps < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, "negative counters");
  if (get_attr(g, "elapsed", 2, &s->elapsed)) s->elapsed = 0;
  uint64_t *hash = ag_malloc((size_t)(ng + 1) * sizeof(uint64_t));
  int *nel = ag_malloc((size_t)(ng + 1) * sizeof(int));
  int rc = get_data(g, "trainer", "rng", H5T_INTEGER, H5T_NATIVE_UINT64, s->rng, 4, path, err);
  if (rc == 0)
    rc = get_data(g, "trainer", "graph_hash", H5T_INTEGER, H5T_NATIVE_UINT64, hash, (size_t)ng,
                  path, err);
  if (rc == 0)
    rc = get_data(g, "trainer", "graph_neliminable", H5T_INTEGER, H5T_NATIVE_INT, nel, (size_t)ng,
                  path, err);
  int tot = 0;
  for (int k = 0; rc == 0 && k < ng; k++) {
    const ag_dag *d = tr->graphs[k];
    if (hash[k] != d->hash || nel[k] != d->neliminable)
      rc = ag_fail_kfile(
          err, AG_ERR_MISMATCH, CKF, path,
          "graph %d of %d is not the checkpoint's (structural hash %016llx, %d eliminable "
          "vertices; the checkpoint has %016llx, %d): a checkpoint resumes only the same "
          "graphs in the same order",
          k + 1, ng, (unsigned long long)d->hash, d->neliminable, (unsigned long long)hash[k],
          nel[k]);
    tot += d->neliminable;
  }
  free(hash);
  free(nel);
  if (rc) return -1;
  s->best = ag_malloc((size_t)(ng + 1) * sizeof(long long));
  s->best_order = ag_malloc((size_t)(tot + 1) * sizeof(int));
  if (get_data(g, "trainer", "best_cost", H5T_INTEGER, H5T_NATIVE_LLONG, s->best, (size_t)ng, path,
               err) ||
      get_data(g, "trainer", "best_order", H5T_INTEGER, H5T_NATIVE_INT, s->best_order, (size_t)tot,
               path, err))
    return -1;
  for (int k = 0, o = 0; k < ng; k++) {
    const ag_dag *d = tr->graphs[k];
    if (s->best[k] >= 0 && ag_order_validate(d, s->best_order + o, d->neliminable, NULL))
      return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                           "inconsistent file: the best order of graph %d is invalid", k + 1);
    o += d->neliminable;
  }

  /* the buffer */
  htri_t ex = H5Lexists(f, "buffer", H5P_DEFAULT);
  if (ex <= 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                         ex < 0 ? CORRUPT "cannot read the root group"
                                : "group /buffer is missing");
  hid_t b = H5Gopen2(f, "buffer", H5P_DEFAULT);
  if (b < 0) return ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, CORRUPT "cannot open /buffer");
  long long cap, size, head;
  rc = get_int(b, "buffer", "capacity", &cap, path, err) ||
       get_int(b, "buffer", "size", &size, path, err) ||
       get_int(b, "buffer", "head", &head, path, err);
  if (!rc && (cap < 1 || cap > (1LL << 30) || size < 0 || size > cap || head < 0 || head >= cap ||
              (size < cap && head != size)))
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                       "inconsistent buffer: capacity %lld, size %lld, head %lld", cap, size, head);
  int *gr = NULL, *len = NULL, *nact = NULL, *prefix = NULL;
  float *z = NULL, *pi = NULL;
  if (!rc) {
    s->cap = (int)cap, s->size = (int)size, s->head = (int)head;
    size_t n = (size_t)size;
    gr = ag_malloc((n + 1) * sizeof(int));
    len = ag_malloc((n + 1) * sizeof(int));
    nact = ag_malloc((n + 1) * sizeof(int));
    z = ag_malloc((n + 1) * sizeof(float));
    rc = get_data(b, "buffer", "graph", H5T_INTEGER, H5T_NATIVE_INT, gr, n, path, err) ||
         get_data(b, "buffer", "len", H5T_INTEGER, H5T_NATIVE_INT, len, n, path, err) ||
         get_data(b, "buffer", "nact", H5T_INTEGER, H5T_NATIVE_INT, nact, n, path, err) ||
         get_data(b, "buffer", "z", H5T_FLOAT, H5T_NATIVE_FLOAT, z, n, path, err);
  }
  size_t tl = 0, ta = 0;
  for (int i = 0; !rc && i < s->size; i++) {
    if (gr[i] < 0 || gr[i] >= ng || len[i] < 0 || len[i] >= tr->graphs[gr[i]]->neliminable ||
        nact[i] < 1 || nact[i] > tr->graphs[gr[i]]->neliminable - len[i])
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path, "inconsistent buffer entry %d", i);
    tl += (size_t)(rc ? 0 : len[i]);
    ta += (size_t)(rc ? 0 : nact[i]);
  }
  if (!rc) {
    prefix = ag_malloc((tl + 1) * sizeof(int));
    pi = ag_malloc((ta + 1) * sizeof(float));
    rc = get_data(b, "buffer", "prefix", H5T_INTEGER, H5T_NATIVE_INT, prefix, tl, path, err) ||
         get_data(b, "buffer", "pi", H5T_FLOAT, H5T_NATIVE_FLOAT, pi, ta, path, err);
  }
  if (!rc) {
    s->buf = ag_calloc((size_t)s->size + 1, sizeof(sample));
    tl = ta = 0;
    for (int i = 0; !rc && i < s->size; i++) {
      const ag_dag *d = tr->graphs[gr[i]];
      sample *sm = &s->buf[i];
      sm->graph = gr[i], sm->len = len[i], sm->nact = nact[i], sm->z = z[i];
      sm->prefix = ag_malloc((size_t)(len[i] + 1) * sizeof(int));
      sm->pi = ag_malloc((size_t)(nact[i] + 1) * sizeof(float));
      memcpy(sm->prefix, prefix + tl, (size_t)len[i] * sizeof(int));
      memcpy(sm->pi, pi + ta, (size_t)nact[i] * sizeof(float));
      tl += (size_t)len[i];
      ta += (size_t)nact[i];
      for (int j = 0; j < len[i]; j++)
        if (sm->prefix[j] < d->ni || sm->prefix[j] >= d->n || d->is_output[sm->prefix[j]])
          rc = ag_fail_kfile(err, AG_ERR_CORRUPT, CKF, path,
                             "inconsistent buffer entry %d: not an eliminable vertex", i);
    }
  }
  free(gr);
  free(len);
  free(nact);
  free(z);
  free(prefix);
  free(pi);
  H5Gclose(b);
  return rc ? -1 : 0;
}

int ag_trainer_load(ag_trainer *tr, const char *path, ag_error *err) {
  ck_state s;
  memset(&s, 0, sizeof s);
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  hid_t f, g;
  int rc = open_ckpt(path, &f, &g, err);
  if (rc == 0) {
    rc = read_state(tr, f, g, path, &s, err);
    H5Gclose(g);
    H5Fclose(f);
  }
  ag_h5_quiet_end(&q);
  /* the network and Adam (nn_io.c checks the architecture; nothing changes on failure) */
  if (rc == 0 && ag_nn_load_into(tr->nn, tr->opt, path, err)) rc = -1;
  if (rc) {
    ck_state_free(&s);
    return -1;
  }
  /* commit */
  for (int i = 0; i < tr->cap; i++)
    ag_train_sample_free(&tr->buf[i]);
  if (s.cap == tr->cap) {
    for (int i = 0; i < s.size; i++)
      tr->buf[i] = s.buf[i];
    tr->size = s.size;
    tr->head = s.head;
  } else {
    /* another capacity: keep the newest states, oldest first */
    int k = s.size < tr->cap ? s.size : tr->cap;
    int first = s.size < s.cap ? 0 : s.head; /* the oldest slot */
    for (int j = 0; j < s.size; j++) {
      int src = (first + j) % s.size;
      int dst = j - (s.size - k);
      if (dst >= 0)
        tr->buf[dst] = s.buf[src];
      else
        ag_train_sample_free(&s.buf[src]);
    }
    tr->size = k;
    tr->head = k % tr->cap;
  }
  free(s.buf);
  s.buf = NULL;
  s.size = 0;
  tr->episodes = (long)s.episodes;
  tr->steps = (long)s.steps;
  memcpy(tr->rng.s, s.rng, sizeof s.rng);
  for (int k = 0, o = 0; k < tr->ngraphs; k++) {
    int ne = tr->graphs[k]->neliminable;
    tr->best[k] = (long)s.best[k];
    memcpy(tr->best_order[k], s.best_order + o, (size_t)ne * sizeof(int));
    o += ne;
  }
  tr->elapsed0 = s.elapsed;
  tr->t0 = ag_now();
  ck_state_free(&s);
  return 0;
}
