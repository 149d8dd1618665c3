/* HDF5 helpers shared by the modules that write HDF5 files (orderlib/ order libraries,
   nn/ network models, mcts/ training checkpoints): silencing HDF5's error printing, the
   most specific message of its error stack, the file-access list, opening and checking an
   alphagrad file, scalar attributes and checksummed 1-D datasets. */
#ifndef AG_H5IO_H
#define AG_H5IO_H

#include <hdf5.h>
#include <stddef.h>

#include "base/error.h"

/* HDF5 prints its error stack on every failed call unless told not to: entry points
   silence it and restore the caller's handler on the way out. */
typedef struct {
  H5E_auto2_t func;
  void *data;
} ag_h5_quiet;
void ag_h5_quiet_begin(ag_h5_quiet *q);
void ag_h5_quiet_end(const ag_h5_quiet *q);

/* The most specific message of HDF5's current error stack (call right after the failure);
   buf has at least 200 bytes. */
const char *ag_h5_detail(char *buf);

/* File access: strong close, and no HDF5 file locking (our files are replaced by rename,
   never modified in place; flock fails on some network filesystems). -1 on error. */
hid_t ag_h5_fapl(void);
/* Creates `file` (which must not exist) for writing, in the newest format (checksummed
   metadata, single-chunk dataset indexes), with ag_h5_fapl's access properties. On failure
   -1 with err: "KIND PATH: cannot write/create ..." (BACKEND or IO). `path` is the name the
   user knows (the final file; `file` may be a temporary beside it). */
hid_t ag_h5_create_new(const char *file, const char *kind, const char *path, ag_error *err);

/* Scalar attributes; 0 or -1. Strings are fixed-length, NUL-terminated UTF-8 (in the object
   header, so covered by its checksum; h5dump prints them as plain strings). */
int ag_h5_put_attr(hid_t loc, const char *name, hid_t filetype, hid_t memtype, const void *val);
int ag_h5_put_str(hid_t loc, const char *name, const char *s);
int ag_h5_put_i32(hid_t loc, const char *name, int v);
int ag_h5_put_i64(hid_t loc, const char *name, long long v);
int ag_h5_put_f64(hid_t loc, const char *name, double v);
/* 1-D dataset of n elements of file type ft from memory type mt (chunked, Fletcher-32
   checksummed when n > 0); 0 or -1. */
int ag_h5_put_data(hid_t loc, const char *name, hid_t ft, hid_t mt, const void *x, size_t n);

/* Reads a scalar attribute: AG_H5_STR (*(char **)out, malloc'ed), AG_H5_INT (long long),
   AG_H5_DBL (double; integers accepted). Returns 0, or AG_H5_MISSING, AG_H5_BADTYPE (not of
   the kind asked for) or AG_H5_UNREADABLE (an HDF5 error: a damaged file), with why
   ("is missing", "is not an integer", ...) written. */
enum { AG_H5_STR, AG_H5_INT, AG_H5_DBL };
enum { AG_H5_MISSING = -1, AG_H5_BADTYPE = -2, AG_H5_UNREADABLE = -3 };
int ag_h5_get_attr(hid_t loc, const char *name, int kind, void *out, char *why, size_t whyn);

/* What a reader expects of its kind of file (ag_h5_open_checked). The messages read
   "WHAT PATH: ..."; the flags keep each reader's wording where the readers differ. */
typedef struct {
  const char *what;   /* "order library", "network file", "checkpoint" */
  const char *noun;   /* "an alphagrad order library": "not NOUN (...)"; NULL: the root's
                         attributes are not checked (the reader checks its own group) */
  const char *format; /* the root's string attribute 'format' must be this */
  int max_version;    /* the root's integer attribute 'format_version' must be 1..max_version */
  unsigned flags;     /* AG_H5_OPEN_* */
} ag_h5_kind;
enum {
  /* "not an HDF5 file, or a truncated one" for a file HDF5 does not recognise or cannot
     probe, and no HDF5 detail when the open fails */
  AG_H5_OPEN_TERSE = 1,
  /* a file HDF5 cannot probe "cannot be read (DETAIL)", not "not an HDF5 file, or
     unreadable (DETAIL)"; no 'format': "not NOUN (no 'format' attribute)"; a version outside
     1..max: "format_version V is newer than this alphagrad reads (MAX); upgrade alphagrad" or
     "invalid format_version V", not "format_version V is not supported (this alphagrad
     reads MAX)" */
  AG_H5_OPEN_LIBRARY_WORDING = 2,
};

/* Opens an alphagrad HDF5 file read-only (ag_h5_fapl) and checks it: a regular, non-empty
   HDF5 file that HDF5 opens, and, when kind->noun is set, the root's 'format' and
   'format_version' (into *version, which may be NULL). HDF5's error printing is silenced
   meanwhile. Returns the file id (close with H5Fclose), or -1 with err set: AG_ERR_IO (cannot
   stat or probe, not a regular file), AG_ERR_FORMAT (empty, not HDF5, another 'format'),
   AG_ERR_CORRUPT (HDF5 cannot open it, unreadable or invalid attributes), AG_ERR_MISMATCH (a
   newer format_version). */
hid_t ag_h5_open_checked(const char *path, const ag_h5_kind *kind, long long *version,
                         ag_error *err);

#endif
