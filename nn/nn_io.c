/* Network weights and optimiser state in HDF5 (nn/nn.h, schema in nn/README.md):

     /          attributes format = "alphagrad-nn", format_version = 1, nfeat, width, layers,
                vhidden (int32), nparams (int64), layout (string), version (string)
     /params    float32[nparams], the parameter buffer (chunked, Fletcher-32)
     /adam      optional group: attributes lr, beta1, beta2, eps, weight_decay (float64),
                step (int64); datasets m, v float32[nparams] (chunked, Fletcher-32)

   Written with the newest HDF5 format (checksummed metadata) to path.tmp.<pid>, fsynced and
   renamed over path, so a reader sees either the old file or the new one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jacobian/alloc.h"
#include "nn/nn_internal.h"

#ifndef AG_VERSION
#define AG_VERSION "unknown"
#endif

#define NN_FORMAT "alphagrad-nn"
#define NN_FORMAT_VERSION 1
#define NN_LAYOUT                                                                                  \
  "in.W[nfeat][width] in.b[width] {W_self[width][width] W_pred[width][width] "                     \
  "W_succ[width][width] b[width]}*layers policy.w[width] policy.b[1] "                            \
  "value.W1[2*width][vhidden] value.b1[vhidden] value.w2[vhidden] value.b2[1]"

static int nn_fail(ag_error *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int nn_fail(ag_error *err, const char *path, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ag_fail(err, "network file %s: %s", path, msg);
}

typedef struct {
  H5E_auto2_t func;
  void *data;
} h5_quiet;
static void quiet_begin(h5_quiet *q) {
  q->func = NULL;
  q->data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
static void quiet_end(const h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

static herr_t detail_cb(unsigned n, const H5E_error2_t *e, void *data) {
  char *buf = data;
  if (n == 0 && e && e->desc) snprintf(buf, 200, "%s", e->desc);
  return 0;
}
static const char *h5_detail(char *buf) {
  strcpy(buf, "HDF5 error");
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail_cb, buf);
  return buf;
}

static hid_t make_fapl(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
#if H5_VERSION_GE(1, 10, 7)
  H5Pset_file_locking(fapl, 0, 1); /* files are replaced by rename, never modified in place */
#endif
  return fapl;
}

/* ---------------------------------------------------------------- writing */

static int put_attr(hid_t loc, const char *name, hid_t ft, hid_t mt, const void *val) {
  hid_t sp = H5Screate(H5S_SCALAR);
  if (sp < 0) return -1;
  hid_t a = H5Acreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a < 0 || H5Awrite(a, mt, val) < 0 ? -1 : 0;
  if (a >= 0 && H5Aclose(a) < 0) rc = -1;
  H5Sclose(sp);
  return rc;
}
static int put_str(hid_t loc, const char *name, const char *s) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return -1;
  H5Tset_size(t, strlen(s) + 1);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  H5Tset_cset(t, H5T_CSET_UTF8);
  int rc = put_attr(loc, name, t, t, s);
  H5Tclose(t);
  return rc;
}
static int put_i32(hid_t loc, const char *name, int v) {
  return put_attr(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}
static int put_i64(hid_t loc, const char *name, long long v) {
  return put_attr(loc, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &v);
}
static int put_f64(hid_t loc, const char *name, double v) {
  return put_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static int put_floats(hid_t loc, const char *name, const float *x, size_t n) {
  hsize_t dims[1] = {n}, chunk[1] = {n < 65536 ? n : 65536};
  hid_t sp = H5Screate_simple(1, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
  int rc = sp < 0 || dcpl < 0 ? -1 : 0;
  if (rc == 0 && (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0)) rc = -1;
  if (rc == 0) ds = H5Dcreate2(loc, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) rc = -1;
  if (ds >= 0 && H5Dclose(ds) < 0) rc = -1;
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  return rc;
}

static int write_h5(const ag_nn *nn, const ag_adam *opt, const char *file, const char *path,
                    ag_error *err) {
  char det[200];
  hid_t fapl = make_fapl();
  if (fapl < 0) return nn_fail(err, path, "cannot write (%s)", h5_detail(det));
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  hid_t f = H5Fcreate(file, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (f < 0) return nn_fail(err, path, "cannot create %s (%s)", file, h5_detail(det));
  const ag_nn_arch *a = &nn->arch;
  int rc = put_str(f, "format", NN_FORMAT) | put_i32(f, "format_version", NN_FORMAT_VERSION) |
           put_i32(f, "nfeat", a->nfeat) | put_i32(f, "width", a->width) |
           put_i32(f, "layers", a->layers) | put_i32(f, "vhidden", a->vhidden) |
           put_i64(f, "nparams", (long long)nn->np) | put_str(f, "layout", NN_LAYOUT) |
           put_str(f, "version", AG_VERSION);
  if (rc == 0) rc = put_floats(f, "params", nn->params, nn->np);
  if (rc == 0 && opt) {
    hid_t g = H5Gcreate2(f, "adam", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
      rc = -1;
    else {
      rc = put_f64(g, "lr", opt->lr) | put_f64(g, "beta1", opt->beta1) |
           put_f64(g, "beta2", opt->beta2) | put_f64(g, "eps", opt->eps) |
           put_f64(g, "weight_decay", opt->weight_decay) | put_i64(g, "step", opt->step);
      if (rc == 0) rc = put_floats(g, "m", opt->m, nn->np);
      if (rc == 0) rc = put_floats(g, "v", opt->v, nn->np);
      if (H5Gclose(g) < 0) rc = -1;
    }
  }
  if (rc) h5_detail(det);
  if (H5Fclose(f) < 0 && !rc) rc = -1, h5_detail(det);
  if (rc) return nn_fail(err, path, "cannot write %s (%s)", file, det);
  return 0;
}

int ag_nn_save(const ag_nn *nn, const ag_adam *opt, const char *path, ag_error *err) {
  if (opt && opt->n != nn->np)
    return nn_fail(err, path, "optimiser state has %zu entries, the network %zu parameters",
                   opt->n, nn->np);
  h5_quiet q;
  quiet_begin(&q);
  size_t tl = strlen(path) + 32;
  char *tmp = ag_malloc(tl);
  snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
  int rc = 0;
  if (unlink(tmp) && errno != ENOENT)
    rc = nn_fail(err, path, "cannot remove stale %s: %s", tmp, strerror(errno));
  if (rc == 0) rc = write_h5(nn, opt, tmp, path, err);
  if (rc == 0) {
    int fd = open(tmp, O_RDWR | O_CLOEXEC);
    if (fd < 0)
      rc = nn_fail(err, path, "cannot reopen %s: %s", tmp, strerror(errno));
    else {
      if (fsync(fd)) rc = nn_fail(err, path, "fsync of %s failed: %s", tmp, strerror(errno));
      if (close(fd) && rc == 0)
        rc = nn_fail(err, path, "close of %s failed: %s", tmp, strerror(errno));
    }
  }
  if (rc == 0 && rename(tmp, path))
    rc = nn_fail(err, path, "cannot rename %s over it: %s", tmp, strerror(errno));
  if (rc) unlink(tmp);
  free(tmp);
  quiet_end(&q);
  return rc;
}

/* ---------------------------------------------------------------- reading */

#define CORRUPT "corrupted or unreadable file: "

/* Scalar attribute: kind 0 string (malloc'ed char*), 1 integer (long long), 2 float (double).
   Returns 0, or -1 missing, -2 wrong type, -3 unreadable, with *why. */
static int get_attr(hid_t loc, const char *name, int kind, void *out, const char **why) {
  htri_t ex = H5Aexists(loc, name);
  if (ex < 0) return *why = "cannot be read", -3;
  if (ex == 0) return *why = "is missing", -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a < 0) return *why = "cannot be opened", -3;
  hid_t ft = H5Aget_type(a), sp = H5Aget_space(a), mt = -1;
  int rc = 0;
  if (ft < 0 || sp < 0) {
    rc = -3, *why = "cannot be read";
    goto done;
  }
  if (H5Sget_simple_extent_type(sp) != H5S_SCALAR && H5Sget_simple_extent_npoints(sp) != 1) {
    rc = -2, *why = "is not a scalar";
    goto done;
  }
  H5T_class_t cls = H5Tget_class(ft);
  if (kind == 0) {
    if (cls != H5T_STRING || H5Tis_variable_str(ft) != 0) {
      rc = -2, *why = "is not a fixed-length string";
      goto done;
    }
    size_t sz = H5Tget_size(ft);
    char *buf = ag_calloc(sz + 2, 1);
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    H5Tset_size(mt, sz + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    if (H5Aread(a, mt, buf) < 0) {
      free(buf);
      rc = -3, *why = "cannot be read";
      goto done;
    }
    *(char **)out = buf;
  } else if (kind == 1) {
    if (cls != H5T_INTEGER) {
      rc = -2, *why = "is not an integer";
      goto done;
    }
    if (H5Aread(a, H5T_NATIVE_LLONG, out) < 0) rc = -3, *why = "cannot be read";
  } else {
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
      rc = -2, *why = "is not a number";
      goto done;
    }
    if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0) rc = -3, *why = "cannot be read";
  }
done:
  if (mt >= 0) H5Tclose(mt);
  if (sp >= 0) H5Sclose(sp);
  if (ft >= 0) H5Tclose(ft);
  H5Aclose(a);
  return rc;
}

/* Reads the float32[n] dataset loc/name into x. */
static int get_floats(hid_t loc, const char *name, const char *where, float *x, size_t n,
                      const char *path, ag_error *err) {
  char det[200];
  htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
  if (ex < 0) return nn_fail(err, path, CORRUPT "cannot read %s (%s)", where, h5_detail(det));
  if (ex == 0) return nn_fail(err, path, "dataset %s is missing", where);
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0) return nn_fail(err, path, CORRUPT "cannot open %s (%s)", where, h5_detail(det));
  hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t dims[1] = {0};
  int rc = 0;
  if (sp < 0 || ty < 0)
    rc = nn_fail(err, path, CORRUPT "cannot read %s (%s)", where, h5_detail(det));
  else if (H5Tget_class(ty) != H5T_FLOAT || H5Sget_simple_extent_ndims(sp) != 1)
    rc = nn_fail(err, path, "%s is not a 1-D float dataset", where);
  else if (H5Sget_simple_extent_dims(sp, dims, NULL) != 1 || dims[0] != (hsize_t)n)
    rc = nn_fail(err, path, "%s has %llu entries, the architecture needs %zu", where,
                 (unsigned long long)dims[0], n);
  else if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
    rc = nn_fail(err, path, CORRUPT "cannot read %s (%s)", where, h5_detail(det));
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return rc;
}

/* Reads a whole network file: architecture, parameters (malloc'ed) and, when the file has
   it and want_opt, the optimiser state into *opt (ag_adam_init'ed here; *has_opt = 1). */
static int read_file(const char *path, ag_nn_arch *arch, float **params, int want_opt,
                     ag_adam *opt, int *has_opt, ag_error *err) {
  char det[200];
  const char *why = "";
  struct stat st;
  *params = NULL;
  *has_opt = 0;
  if (stat(path, &st)) return nn_fail(err, path, "%s", strerror(errno));
  if (!S_ISREG(st.st_mode)) return nn_fail(err, path, "not a regular file");
  if (st.st_size == 0) return nn_fail(err, path, "empty file (not an HDF5 file)");
  htri_t is = H5Fis_hdf5(path);
  if (is < 0) return nn_fail(err, path, "not an HDF5 file, or unreadable (%s)", h5_detail(det));
  if (is == 0) return nn_fail(err, path, "not an HDF5 file");
  hid_t fapl = make_fapl();
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  if (f < 0) h5_detail(det);
  H5Pclose(fapl);
  if (f < 0) return nn_fail(err, path, "corrupted or truncated HDF5 file (%s)", det);
  char *format = NULL;
  long long ver = 0, v[5];
  int rc = get_attr(f, "format", 0, &format, &why);
  if (rc == -1 || rc == -2) {
    rc = nn_fail(err, path, "not an alphagrad network file (attribute 'format' %s)", why);
    goto out;
  }
  if (rc) {
    rc = nn_fail(err, path, CORRUPT "attribute 'format' %s", why);
    goto out;
  }
  if (strcmp(format, NN_FORMAT)) {
    rc = nn_fail(err, path, "not an alphagrad network file (format is '%.100s', expected '%s')",
                 format, NN_FORMAT);
    goto out;
  }
  if ((rc = get_attr(f, "format_version", 1, &ver, &why))) {
    rc = nn_fail(err, path, "%sattribute 'format_version' %s", rc == -3 ? CORRUPT : "", why);
    goto out;
  }
  if (ver > NN_FORMAT_VERSION || ver < 1) {
    rc = nn_fail(err, path, "format_version %lld is not supported (this alphagrad reads %d)", ver,
                 NN_FORMAT_VERSION);
    goto out;
  }
  static const char *const names[5] = {"nfeat", "width", "layers", "vhidden", "nparams"};
  for (int k = 0; k < 5; k++)
    if ((rc = get_attr(f, names[k], 1, &v[k], &why))) {
      rc = nn_fail(err, path, "%sattribute '%s' %s", rc == -3 ? CORRUPT : "", names[k], why);
      goto out;
    }
  for (int k = 0; k < 4; k++)
    if (v[k] < 0 || v[k] > 1 << 20) {
      rc = nn_fail(err, path, "attribute '%s' = %lld is out of range", names[k], v[k]);
      goto out;
    }
  arch->nfeat = (int)v[0], arch->width = (int)v[1], arch->layers = (int)v[2];
  arch->vhidden = (int)v[3];
  ag_error e2;
  size_t np = ag_nn_arch_nparams(arch, &e2);
  if (!np) {
    rc = nn_fail(err, path, "%s", e2.msg);
    goto out;
  }
  if ((long long)np != v[4]) {
    rc = nn_fail(err, path,
                 "inconsistent file: attribute nparams = %lld, but the architecture (nfeat=%d "
                 "width=%d layers=%d vhidden=%d) has %zu parameters",
                 v[4], arch->nfeat, arch->width, arch->layers, arch->vhidden, np);
    goto out;
  }
  *params = ag_malloc(np * sizeof(float));
  if ((rc = get_floats(f, "params", "/params", *params, np, path, err))) goto out;
  if (want_opt) {
    htri_t ex = H5Lexists(f, "adam", H5P_DEFAULT);
    if (ex < 0) {
      rc = nn_fail(err, path, CORRUPT "cannot read the root group (%s)", h5_detail(det));
      goto out;
    }
    if (ex > 0) {
      hid_t g = H5Gopen2(f, "adam", H5P_DEFAULT);
      if (g < 0) {
        rc = nn_fail(err, path, CORRUPT "cannot open group /adam (%s)", h5_detail(det));
        goto out;
      }
      ag_adam_init(opt, np, 1e-3f);
      static const char *const hn[5] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
      float *dst[5] = {&opt->lr, &opt->beta1, &opt->beta2, &opt->eps, &opt->weight_decay};
      for (int k = 0; k < 5 && rc == 0; k++) {
        double d;
        if ((rc = get_attr(g, hn[k], 2, &d, &why)))
          rc = nn_fail(err, path, "%sattribute /adam/%s %s", rc == -3 ? CORRUPT : "", hn[k], why);
        else
          *dst[k] = (float)d;
      }
      long long step = 0;
      if (rc == 0 && (rc = get_attr(g, "step", 1, &step, &why)))
        rc = nn_fail(err, path, "%sattribute /adam/step %s", rc == -3 ? CORRUPT : "", why);
      if (rc == 0 && step < 0) rc = nn_fail(err, path, "attribute /adam/step = %lld < 0", step);
      opt->step = (long)step;
      if (rc == 0) rc = get_floats(g, "m", "/adam/m", opt->m, np, path, err);
      if (rc == 0) rc = get_floats(g, "v", "/adam/v", opt->v, np, path, err);
      H5Gclose(g);
      if (rc)
        ag_adam_free(opt);
      else
        *has_opt = 1;
    }
  }
out:
  free(format);
  H5Fclose(f);
  if (rc) {
    free(*params);
    *params = NULL;
  }
  return rc ? -1 : 0;
}

ag_nn *ag_nn_load(const char *path, const char *backend, ag_adam *opt, ag_error *err) {
  h5_quiet q;
  quiet_begin(&q);
  ag_nn_arch a;
  float *params;
  ag_adam o;
  int has_opt;
  int rc = read_file(path, &a, &params, opt != NULL, &o, &has_opt, err);
  quiet_end(&q);
  if (rc) return NULL;
  ag_nn *nn = ag_nn_new(&a, backend, 0, err);
  if (!nn) {
    free(params);
    if (has_opt) ag_adam_free(&o);
    return NULL;
  }
  memcpy(nn->params, params, nn->np * sizeof(float));
  free(params);
  ag_nn_sync(nn);
  if (opt) {
    if (has_opt)
      *opt = o;
    else
      ag_adam_init(opt, nn->np, 1e-3f);
  }
  return nn;
}

int ag_nn_load_into(ag_nn *nn, ag_adam *opt, const char *path, ag_error *err) {
  h5_quiet q;
  quiet_begin(&q);
  ag_nn_arch a;
  float *params;
  ag_adam o;
  int has_opt;
  int rc = read_file(path, &a, &params, opt != NULL, &o, &has_opt, err);
  quiet_end(&q);
  if (rc) return -1;
  const ag_nn_arch *b = &nn->arch;
  if (a.nfeat != b->nfeat || a.width != b->width || a.layers != b->layers ||
      a.vhidden != b->vhidden) {
    free(params);
    if (has_opt) ag_adam_free(&o);
    return nn_fail(err, path,
                   "architecture mismatch: the file has nfeat=%d width=%d layers=%d vhidden=%d, "
                   "the network nfeat=%d width=%d layers=%d vhidden=%d",
                   a.nfeat, a.width, a.layers, a.vhidden, b->nfeat, b->width, b->layers,
                   b->vhidden);
  }
  memcpy(nn->params, params, nn->np * sizeof(float));
  free(params);
  ag_nn_sync(nn);
  if (has_opt) {
    if (opt->m && opt->n == nn->np) {
      memcpy(opt->m, o.m, nn->np * sizeof(float));
      memcpy(opt->v, o.v, nn->np * sizeof(float));
      opt->lr = o.lr, opt->beta1 = o.beta1, opt->beta2 = o.beta2, opt->eps = o.eps;
      opt->weight_decay = o.weight_decay, opt->step = o.step;
      ag_adam_free(&o);
    } else {
      ag_adam_free(opt);
      *opt = o;
    }
  }
  return 0;
}
