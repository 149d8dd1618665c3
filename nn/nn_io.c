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
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/version.h"
#include "h5/h5io.h"
#include "nn/nn_internal.h"

#define NN_FORMAT         "alphagrad-nn"
#define NN_FORMAT_VERSION 1
#define NN_LAYOUT                                                                                  \
  "in.W[nfeat][width] in.b[width] {W_self[width][width] W_pred[width][width] "                     \
  "W_succ[width][width] b[width]}*layers policy.w[width] policy.b[1] "                             \
  "value.W1[2*width][vhidden] value.b1[vhidden] value.w2[vhidden] value.b2[1]"

/* Every failure names the file: "network file PATH: ..." (ag_fail_kfile). */
#define NNF "network file"

/* ---------------------------------------------------------------- writing */

static int write_h5(const ag_nn *nn, const ag_adam *opt, const char *file, const char *path,
                    ag_error *err) {
  char det[200];
  hid_t f = ag_h5_create_new(file, NNF, path, err);
  if (f < 0) return -1;
  const ag_nn_arch *a = &nn->arch;
  int rc = ag_h5_put_str(f, "format", NN_FORMAT) |
           ag_h5_put_i32(f, "format_version", NN_FORMAT_VERSION) |
           ag_h5_put_i32(f, "nfeat", a->nfeat) | ag_h5_put_i32(f, "width", a->width) |
           ag_h5_put_i32(f, "layers", a->layers) | ag_h5_put_i32(f, "vhidden", a->vhidden) |
           ag_h5_put_i64(f, "nparams", (long long)nn->np) | ag_h5_put_str(f, "layout", NN_LAYOUT) |
           ag_h5_put_str(f, "version", AG_VERSION);
  if (rc == 0)
    rc = ag_h5_put_data(f, "params", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nn->params, nn->np);
  if (rc == 0 && opt) {
    hid_t g = H5Gcreate2(f, "adam", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
      rc = -1;
    else {
      rc = ag_h5_put_f64(g, "lr", opt->lr) | ag_h5_put_f64(g, "beta1", opt->beta1) |
           ag_h5_put_f64(g, "beta2", opt->beta2) | ag_h5_put_f64(g, "eps", opt->eps) |
           ag_h5_put_f64(g, "weight_decay", opt->weight_decay) |
           ag_h5_put_i64(g, "step", opt->step);
      if (rc == 0) rc = ag_h5_put_data(g, "m", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, opt->m, nn->np);
      if (rc == 0) rc = ag_h5_put_data(g, "v", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, opt->v, nn->np);
      if (H5Gclose(g) < 0) rc = -1;
    }
  }
  if (rc) ag_h5_detail(det);
  if (H5Fclose(f) < 0 && !rc) rc = -1, ag_h5_detail(det);
  if (rc) return ag_fail_kfile(err, AG_ERR_IO, NNF, path, "cannot write %s (%s)", file, det);
  return 0;
}

/* the index of the first non-finite entry of x[n], or -1 */
static long first_nonfinite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return (long)i;
  return -1;
}

int ag_nn_save(const ag_nn *nn, const ag_adam *opt, const char *path, ag_error *err) {
  if (opt && opt->n != nn->np)
    return ag_fail_kfile(err, AG_ERR_MISMATCH, NNF, path,
                         "optimiser state has %zu entries, the network %zu parameters", opt->n,
                         nn->np);
  long bad = first_nonfinite(nn->params, nn->np);
  if (bad >= 0) /* a diverged training run must not leave a model that searches use */
    return ag_fail_kfile(err, AG_ERR_INPUT, NNF, path,
                         "not writing: parameter %ld is %g (training diverged? lower --lr)", bad,
                         (double)nn->params[bad]);
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  size_t tl = strlen(path) + 32;
  char *tmp = ag_malloc(tl);
  snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
  int rc = 0;
  if (unlink(tmp) && errno != ENOENT)
    rc = ag_fail_kfile(err, AG_ERR_IO, NNF, path, "cannot remove stale %s: %s", tmp,
                       strerror(errno));
  if (rc == 0) rc = write_h5(nn, opt, tmp, path, err);
  if (rc == 0) {
    int fd = open(tmp, O_RDWR | O_CLOEXEC);
    if (fd < 0)
      rc = ag_fail_kfile(err, AG_ERR_IO, NNF, path, "cannot reopen %s: %s", tmp, strerror(errno));
    else {
      if (fsync(fd))
        rc = ag_fail_kfile(err, AG_ERR_IO, NNF, path, "fsync of %s failed: %s", tmp,
                           strerror(errno));
      if (close(fd) && rc == 0)
        rc = ag_fail_kfile(err, AG_ERR_IO, NNF, path, "close of %s failed: %s", tmp,
                           strerror(errno));
    }
  }
  if (rc == 0 && rename(tmp, path))
    rc = ag_fail_kfile(err, AG_ERR_IO, NNF, path, "cannot rename %s over it: %s", tmp,
                       strerror(errno));
  if (rc) unlink(tmp);
  free(tmp);
  ag_h5_quiet_end(&q);
  return rc;
}

/* ---------------------------------------------------------------- reading */

#define CORRUPT "corrupted or unreadable file: "

/* Reads the float32[n] dataset loc/name into x. */
static int get_floats(hid_t loc, const char *name, const char *where, float *x, size_t n,
                      const char *path, ag_error *err) {
  char det[200];
  htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
  if (ex < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot read %s (%s)", where,
                         ag_h5_detail(det));
  if (ex == 0) return ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "dataset %s is missing", where);
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot open %s (%s)", where,
                         ag_h5_detail(det));
  hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t dims[1] = {0};
  int rc = 0;
  if (sp < 0 || ty < 0)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot read %s (%s)", where,
                       ag_h5_detail(det));
  else if (H5Tget_class(ty) != H5T_FLOAT || H5Sget_simple_extent_ndims(sp) != 1)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "%s is not a 1-D float dataset", where);
  else if (H5Sget_simple_extent_dims(sp, dims, NULL) != 1 || dims[0] != (hsize_t)n)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path,
                       "%s has %llu entries, the architecture needs %zu", where,
                       (unsigned long long)dims[0], n);
  else if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot read %s (%s)", where,
                       ag_h5_detail(det));
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return rc;
}

/* Reads a whole network file: architecture, parameters (malloc'ed) and, when the file has
   it and want_opt, the optimiser state into *opt (ag_adam_init'ed here; *has_opt = 1). */
static int read_file(const char *path, ag_nn_arch *arch, float **params, int want_opt, ag_adam *opt,
                     int *has_opt, ag_error *err) {
  char det[200];
  char why[256] = "";
  *params = NULL;
  *has_opt = 0;
  static const ag_h5_kind kind = {NNF, "an alphagrad network file", NN_FORMAT, NN_FORMAT_VERSION,
                                  0};
  hid_t f = ag_h5_open_checked(path, &kind, NULL, err);
  if (f < 0) return -1;
  long long v[5];
  int rc;
  static const char *const names[5] = {"nfeat", "width", "layers", "vhidden", "nparams"};
  for (int k = 0; k < 5; k++)
    if ((rc = ag_h5_get_attr(f, names[k], 1, &v[k], why, sizeof why))) {
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "%sattribute '%s' %s",
                         rc == -3 ? CORRUPT : "", names[k], why);
      goto out;
    }
  for (int k = 0; k < 4; k++)
    if (v[k] < 0 || v[k] > 1 << 20) {
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "attribute '%s' = %lld is out of range",
                         names[k], v[k]);
      goto out;
    }
  arch->nfeat = (int)v[0], arch->width = (int)v[1], arch->layers = (int)v[2];
  arch->vhidden = (int)v[3];
  ag_error e2;
  size_t np = ag_nn_arch_nparams(arch, &e2);
  if (!np) {
    rc = ag_fail_kfile(err, e2.code, NNF, path, "%s", e2.msg);
    goto out;
  }
  if ((long long)np != v[4]) {
    rc =
        ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path,
                      "inconsistent file: attribute nparams = %lld, but the architecture (nfeat=%d "
                      "width=%d layers=%d vhidden=%d) has %zu parameters",
                      v[4], arch->nfeat, arch->width, arch->layers, arch->vhidden, np);
    goto out;
  }
  /* the dataset must have the architecture's size before anything that size is allocated
     (edited attributes could ask for gigabytes), and a network is at most 256 M floats */
  if (np > (size_t)1 << 28) {
    rc = ag_fail_kfile(err, AG_ERR_LIMIT, NNF, path,
                       "the architecture (width=%d layers=%d) has %zu parameters, more than "
                       "this alphagrad loads (%zu)",
                       arch->width, arch->layers, np, (size_t)1 << 28);
    goto out;
  }
  {
    hid_t ds = H5Lexists(f, "params", H5P_DEFAULT) > 0 ? H5Dopen2(f, "params", H5P_DEFAULT) : -1;
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t dims[1] = {0};
    int okd = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
              H5Sget_simple_extent_dims(sp, dims, NULL) == 1 && dims[0] == (hsize_t)np;
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    if (ds >= 0 && !okd) {
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path,
                         "/params has %llu entries, the architecture needs %zu",
                         (unsigned long long)dims[0], np);
      goto out;
    }
  }
  *params = ag_malloc(np * sizeof(float));
  if ((rc = get_floats(f, "params", "/params", *params, np, path, err))) goto out;
  {
    long bad = first_nonfinite(*params, np);
    if (bad >= 0) {
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "parameter %ld is %g, not a finite number",
                         bad, (double)(*params)[bad]);
      goto out;
    }
  }
  if (want_opt) {
    htri_t ex = H5Lexists(f, "adam", H5P_DEFAULT);
    if (ex < 0) {
      rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot read the root group (%s)",
                         ag_h5_detail(det));
      goto out;
    }
    if (ex > 0) {
      hid_t g = H5Gopen2(f, "adam", H5P_DEFAULT);
      if (g < 0) {
        rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, CORRUPT "cannot open group /adam (%s)",
                           ag_h5_detail(det));
        goto out;
      }
      ag_adam_init(opt, np, 1e-3f);
      static const char *const hn[5] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
      float *dst[5] = {&opt->lr, &opt->beta1, &opt->beta2, &opt->eps, &opt->weight_decay};
      for (int k = 0; k < 5 && rc == 0; k++) {
        double d;
        if ((rc = ag_h5_get_attr(g, hn[k], 2, &d, why, sizeof why)))
          rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "%sattribute /adam/%s %s",
                             rc == -3 ? CORRUPT : "", hn[k], why);
        else
          *dst[k] = (float)d;
      }
      long long step = 0;
      if (rc == 0 && (rc = ag_h5_get_attr(g, "step", 1, &step, why, sizeof why)))
        rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "%sattribute /adam/step %s",
                           rc == -3 ? CORRUPT : "", why);
      if (rc == 0 && step < 0)
        rc = ag_fail_kfile(err, AG_ERR_CORRUPT, NNF, path, "attribute /adam/step = %lld < 0", step);
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
  H5Fclose(f);
  if (rc) {
    free(*params);
    *params = NULL;
  }
  return rc ? -1 : 0;
}

ag_nn *ag_nn_load(const char *path, const char *backend, ag_adam *opt, ag_error *err) {
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  ag_nn_arch a;
  float *params;
  ag_adam o;
  int has_opt;
  int rc = read_file(path, &a, &params, opt != NULL, &o, &has_opt, err);
  ag_h5_quiet_end(&q);
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
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  ag_nn_arch a;
  float *params;
  ag_adam o;
  int has_opt;
  int rc = read_file(path, &a, &params, opt != NULL, &o, &has_opt, err);
  ag_h5_quiet_end(&q);
  if (rc) return -1;
  const ag_nn_arch *b = &nn->arch;
  if (a.nfeat != b->nfeat || a.width != b->width || a.layers != b->layers ||
      a.vhidden != b->vhidden) {
    free(params);
    if (has_opt) ag_adam_free(&o);
    return ag_fail_kfile(
        err, AG_ERR_MISMATCH, NNF, path,
        "architecture mismatch: the file has nfeat=%d width=%d layers=%d vhidden=%d, "
        "the network nfeat=%d width=%d layers=%d vhidden=%d",
        a.nfeat, a.width, a.layers, a.vhidden, b->nfeat, b->width, b->layers, b->vhidden);
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
