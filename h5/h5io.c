/* HDF5 helpers shared by orderlib/, nn/ and train/: typed I/O, one open-and-check (h5io.h). */
#include "h5/h5io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"

void ag_h5_quiet_begin(ag_h5_quiet *q) {
  q->func = NULL;
  q->data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void ag_h5_quiet_end(const ag_h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

static herr_t detail_cb(unsigned n, const H5E_error2_t *e, void *data) {
  char *buf = data;
  if (n == 0 && e && e->desc) snprintf(buf, 200, "%s", e->desc);
  return 0;
}

const char *ag_h5_detail(char *buf) {
  strcpy(buf, "HDF5 error");
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail_cb, buf);
  return buf;
}

hid_t ag_h5_fapl(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
#if H5_VERSION_GE(1, 10, 7)
  H5Pset_file_locking(fapl, 0, 1);
#endif
  return fapl;
}

hid_t ag_h5_create_new(const char *file, const char *kind, const char *path, ag_error *err) {
  char det[200];
  hid_t fapl = ag_h5_fapl();
  if (fapl < 0)
    return ag_fail_kfile(err, AG_ERR_BACKEND, kind, path, "cannot write (%s)", ag_h5_detail(det));
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  hid_t f = H5Fcreate(file, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (f < 0)
    return ag_fail_kfile(err, AG_ERR_IO, kind, path, "cannot create %s (%s)", file,
                         ag_h5_detail(det));
  return f;
}

int ag_h5_put_attr(hid_t loc, const char *name, hid_t filetype, hid_t memtype, const void *val) {
  hid_t sp = H5Screate(H5S_SCALAR);
  if (sp < 0) return -1;
  hid_t a = H5Acreate2(loc, name, filetype, sp, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a < 0 || H5Awrite(a, memtype, val) < 0 ? -1 : 0;
  if (a >= 0 && H5Aclose(a) < 0) rc = -1;
  H5Sclose(sp);
  return rc;
}

int ag_h5_put_str(hid_t loc, const char *name, const char *s) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return -1;
  H5Tset_size(t, strlen(s) + 1);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  H5Tset_cset(t, H5T_CSET_UTF8);
  int rc = ag_h5_put_attr(loc, name, t, t, s);
  H5Tclose(t);
  return rc;
}

int ag_h5_put_i32(hid_t loc, const char *name, int v) {
  return ag_h5_put_attr(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

int ag_h5_put_i64(hid_t loc, const char *name, long long v) {
  return ag_h5_put_attr(loc, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &v);
}

int ag_h5_put_f64(hid_t loc, const char *name, double v) {
  return ag_h5_put_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

int ag_h5_put_data(hid_t loc, const char *name, hid_t ft, hid_t mt, const void *x, size_t n) {
  hsize_t dims[1] = {n}, chunk[1] = {n < 65536 ? n : 65536};
  hid_t sp = H5Screate_simple(1, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
  int rc = sp < 0 || dcpl < 0 ? -1 : 0;
  if (rc == 0 && n > 0 && (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0))
    rc = -1;
  if (rc == 0) ds = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (ds < 0) rc = -1;
  if (rc == 0 && n > 0 && H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) rc = -1;
  if (ds >= 0 && H5Dclose(ds) < 0) rc = -1;
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  return rc;
}

int ag_h5_get_attr(hid_t loc, const char *name, int kind, void *out, char *why, size_t whyn) {
  char det[200];
  htri_t ex = H5Aexists(loc, name);
  if (ex < 0) {
    snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
    return AG_H5_UNREADABLE;
  }
  if (ex == 0) {
    snprintf(why, whyn, "is missing");
    return AG_H5_MISSING;
  }
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a < 0) {
    snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
    return AG_H5_UNREADABLE;
  }
  hid_t ft = H5Aget_type(a), sp = H5Aget_space(a), mt = -1;
  int rc = AG_H5_UNREADABLE;
  if (ft < 0 || sp < 0) {
    snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
    goto done;
  }
  if (H5Sget_simple_extent_npoints(sp) != 1) {
    snprintf(why, whyn, "is not a single value");
    rc = AG_H5_BADTYPE;
    goto done;
  }
  H5T_class_t cls = H5Tget_class(ft);
  if (kind == AG_H5_STR) {
    if (cls != H5T_STRING) {
      snprintf(why, whyn, "is not a string");
      rc = AG_H5_BADTYPE;
      goto done;
    }
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    if (H5Tis_variable_str(ft) > 0) {
      char *p = NULL;
      H5Tset_size(mt, H5T_VARIABLE);
      if (H5Aread(a, mt, &p) < 0) {
        snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
        goto done;
      }
      *(char **)out = ag_strdup(p ? p : "");
      if (p) H5free_memory(p);
    } else {
      size_t sz = H5Tget_size(ft);
      if (sz == 0 || sz > (1u << 20)) {
        snprintf(why, whyn, "has an unreasonable size (%zu bytes)", sz);
        rc = AG_H5_BADTYPE;
        goto done;
      }
      H5Tset_size(mt, sz + 1);
      H5Tset_strpad(mt, H5T_STR_NULLTERM);
      char *buf = ag_calloc(sz + 2, 1);
      if (H5Aread(a, mt, buf) < 0) {
        free(buf);
        snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
        goto done;
      }
      *(char **)out = buf;
    }
  } else if (kind == AG_H5_INT) {
    if (cls != H5T_INTEGER) {
      snprintf(why, whyn, "is not an integer");
      rc = AG_H5_BADTYPE;
      goto done;
    }
    if (H5Aread(a, H5T_NATIVE_LLONG, out) < 0) {
      snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
      goto done;
    }
  } else {
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
      snprintf(why, whyn, "is not a number");
      rc = AG_H5_BADTYPE;
      goto done;
    }
    if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0) {
      snprintf(why, whyn, "cannot be read (%s)", ag_h5_detail(det));
      goto done;
    }
  }
  rc = 0;
done:
  if (mt >= 0) H5Tclose(mt);
  if (sp >= 0) H5Sclose(sp);
  if (ft >= 0) H5Tclose(ft);
  H5Aclose(a);
  return rc;
}

#define CORRUPT "corrupted or unreadable file: "

static hid_t open_checked(const char *path, const ag_h5_kind *k, long long *version,
                          ag_error *err) {
  const char *w = k->what;
  const int terse = k->flags & AG_H5_OPEN_TERSE, lib = k->flags & AG_H5_OPEN_LIBRARY_WORDING;
  char det[200], why[256];
  struct stat st;
  if (stat(path, &st)) return ag_fail_kfile(err, AG_ERR_IO, w, path, "%s", strerror(errno));
  if (!S_ISREG(st.st_mode)) return ag_fail_kfile(err, AG_ERR_IO, w, path, "not a regular file");
  if (st.st_size == 0)
    return ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "empty file (not an HDF5 file)");
  htri_t is = H5Fis_hdf5(path);
  if (is <= 0 && terse)
    return ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "not an HDF5 file, or a truncated one");
  if (is < 0)
    return ag_fail_kfile(err, AG_ERR_IO, w, path,
                         lib ? "cannot be read (%s)" : "not an HDF5 file, or unreadable (%s)",
                         ag_h5_detail(det));
  if (is == 0) return ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "not an HDF5 file");
  hid_t fapl = ag_h5_fapl();
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  if (f < 0) ag_h5_detail(det);
  H5Pclose(fapl);
  if (f < 0 && terse)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, w, path, "corrupted or truncated HDF5 file");
  if (f < 0)
    return ag_fail_kfile(err, AG_ERR_CORRUPT, w, path, "corrupted or truncated HDF5 file (%s)",
                         det);
  if (!k->noun) return f;
  char *format = NULL;
  long long ver = 0;
  int rc = ag_h5_get_attr(f, "format", AG_H5_STR, &format, why, sizeof why);
  if (rc == AG_H5_MISSING && lib)
    ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "not %s (no 'format' attribute)", k->noun);
  else if (rc == AG_H5_MISSING || rc == AG_H5_BADTYPE)
    ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "not %s (attribute 'format' %s)", k->noun, why);
  else if (rc)
    ag_fail_kfile(err, AG_ERR_CORRUPT, w, path, CORRUPT "attribute 'format' %s", why);
  else if (strcmp(format, k->format))
    rc = ag_fail_kfile(err, AG_ERR_FORMAT, w, path, "not %s (format is '%.100s', expected '%s')",
                       k->noun, format, k->format);
  else if ((rc = ag_h5_get_attr(f, "format_version", AG_H5_INT, &ver, why, sizeof why)))
    ag_fail_kfile(err, AG_ERR_CORRUPT, w, path, "%sattribute 'format_version' %s",
                  rc == AG_H5_UNREADABLE ? CORRUPT : "", why);
  else if ((ver > k->max_version || ver < 1) && !lib)
    rc = ag_fail_kfile(err, ver > k->max_version ? AG_ERR_MISMATCH : AG_ERR_CORRUPT, w, path,
                       "format_version %lld is not supported (this alphagrad reads %d)", ver,
                       k->max_version);
  else if (ver > k->max_version)
    rc = ag_fail_kfile(err, AG_ERR_MISMATCH, w, path,
                       "format_version %lld is newer than this alphagrad reads (%d); upgrade "
                       "alphagrad",
                       ver, k->max_version);
  else if (ver < 1)
    rc = ag_fail_kfile(err, AG_ERR_CORRUPT, w, path, "invalid format_version %lld", ver);
  free(format);
  if (rc) {
    H5Fclose(f);
    return -1;
  }
  if (version) *version = ver;
  return f;
}

hid_t ag_h5_open_checked(const char *path, const ag_h5_kind *kind, long long *version,
                         ag_error *err) {
  ag_h5_quiet q;
  ag_h5_quiet_begin(&q);
  hid_t f = open_checked(path, kind, version, err);
  ag_h5_quiet_end(&q);
  return f;
}
