/* The COO-to-CSR map on the host: the reference of the device path and its last step. */
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu.h"

void ag_csr_map_free(ag_csr_map *m) {
  if (!m) return;
  free(m->rowptr);
  free(m->colind);
  free(m->srcptr);
  free(m->src);
  free(m->coo_pos);
  memset(m, 0, sizeof *m);
}

typedef struct {
  int col;
  long m;
} colsrc;

static int cmp_colsrc(const void *a, const void *b) {
  const colsrc *x = a, *y = b;
  if (x->col != y->col) return x->col < y->col ? -1 : 1;
  return x->m < y->m ? -1 : x->m > y->m;
}

int ag_csr_map_from_row_sorted(ag_csr_map *m, long ncoo, int nrows, int ncols, long nkept,
                               const int *rows, const int *cols, const long *perm,
                               const int *rowptr_sorted, ag_error *err) {
  memset(m, 0, sizeof *m);
  if (nrows < 0 || ncols < 0 || nkept < 0 || nkept > ncoo)
    return ag_fail(err, "csr map: bad sizes (%d rows, %d columns, %ld of %ld entries)", nrows,
                   ncols, nkept, ncoo);
  if (nkept > 0x7fffffffL)
    return ag_failc(err, AG_ERR_LIMIT, "csr map: %ld entries exceed 32-bit CSR indices", nkept);
  m->nrows = nrows;
  m->ncols = ncols;
  m->ncoo = ncoo;
  m->rowptr = calloc((size_t)nrows + 1, sizeof(int));
  m->colind = malloc(sizeof(int) * ((size_t)nkept + 1));
  m->srcptr = malloc(sizeof(int) * ((size_t)nkept + 2));
  m->src = malloc(sizeof(long) * ((size_t)nkept + 1));
  m->coo_pos = malloc(sizeof(int) * ((size_t)ncoo + 1));
  colsrc *seg = malloc(sizeof(colsrc) * ((size_t)nkept + 1));
  if (!m->rowptr || !m->colind || !m->srcptr || !m->src || !m->coo_pos || !seg) {
    free(seg);
    ag_csr_map_free(m);
    return ag_failc(err, AG_ERR_LIMIT, "csr map: out of memory (%ld entries)", ncoo);
  }
  for (long i = 0; i < ncoo; i++)
    m->coo_pos[i] = -1;
  int nnz = 0;
  long t = 0;
  for (int r = 0; r < nrows; r++) {
    long t0 = t;
    if (rowptr_sorted) {
      if (rowptr_sorted[r] != t0 || rowptr_sorted[r + 1] < t0 || rowptr_sorted[r + 1] > nkept) {
        free(seg);
        ag_csr_map_free(m);
        return ag_failc(err, AG_ERR_BACKEND,
                        "csr map: row pointer of the sorted entries is inconsistent at row %d", r);
      }
      t = rowptr_sorted[r + 1];
    } else {
      while (t < nkept && rows[t] == r)
        t++;
    }
    long len = t - t0;
    for (long u = 0; u < len; u++) {
      long s = t0 + u;
      if (rows[s] != r || cols[s] < 0 || cols[s] >= ncols || perm[s] < 0 || perm[s] >= ncoo) {
        free(seg);
        ag_csr_map_free(m);
        return ag_failc(err, AG_ERR_BACKEND,
                        "csr map: sorted entry %ld (row %d, column %d, COO index %ld) is not "
                        "in row %d or out of range",
                        s, rows[s], cols[s], perm[s], r);
      }
      seg[u].col = cols[s];
      seg[u].m = perm[s];
    }
    qsort(seg, (size_t)len, sizeof *seg, cmp_colsrc);
    for (long u = 0; u < len; u++) {
      if (u == 0 || seg[u].col != seg[u - 1].col) {
        m->colind[nnz] = seg[u].col;
        m->srcptr[nnz] = (int)(t0 + u);
        nnz++;
      }
      m->src[t0 + u] = seg[u].m;
      m->coo_pos[seg[u].m] = nnz - 1;
    }
    m->rowptr[r + 1] = nnz;
  }
  free(seg);
  if (t != nkept) {
    ag_csr_map_free(m);
    return ag_failc(err, AG_ERR_BACKEND, "csr map: %ld sorted entries, %ld of them in rows 0..%d",
                    nkept, t, nrows - 1);
  }
  m->srcptr[nnz] = (int)nkept;
  m->nnz = nnz;
  return 0;
}

typedef struct {
  int row, col;
  long m;
} coo_ent;

static int cmp_row(const void *a, const void *b) {
  const coo_ent *x = a, *y = b;
  if (x->row != y->row) return x->row < y->row ? -1 : 1;
  return x->m < y->m ? -1 : x->m > y->m;
}

int ag_csr_map_build(ag_csr_map *m, long ncoo, const int *ci, const int *cj, int nrows, int ncols,
                     ag_error *err) {
  memset(m, 0, sizeof *m);
  if (ncoo < 0) return ag_fail(err, "csr map: %ld entries", ncoo);
  coo_ent *e = malloc(sizeof(coo_ent) * ((size_t)ncoo + 1));
  if (!e) return ag_failc(err, AG_ERR_LIMIT, "csr map: out of memory (%ld entries)", ncoo);
  long nk = 0;
  for (long i = 0; i < ncoo; i++) {
    if (ci[i] < 0 || cj[i] < 0) continue;
    if (ci[i] >= nrows || cj[i] >= ncols) {
      free(e);
      return ag_fail(err, "csr map: COO entry %ld (%d, %d) outside the %d x %d matrix", i, ci[i],
                     cj[i], nrows, ncols);
    }
    e[nk].row = ci[i];
    e[nk].col = cj[i];
    e[nk].m = i;
    nk++;
  }
  qsort(e, (size_t)nk, sizeof *e, cmp_row);
  int *rows = malloc(sizeof(int) * ((size_t)nk + 1)),
      *cols = malloc(sizeof(int) * ((size_t)nk + 1));
  long *perm = malloc(sizeof(long) * ((size_t)nk + 1));
  int rc = -1;
  if (!rows || !cols || !perm) {
    ag_failc(err, AG_ERR_LIMIT, "csr map: out of memory (%ld entries)", ncoo);
  } else {
    for (long t = 0; t < nk; t++) {
      rows[t] = e[t].row;
      cols[t] = e[t].col;
      perm[t] = e[t].m;
    }
    rc = ag_csr_map_from_row_sorted(m, ncoo, nrows, ncols, nk, rows, cols, perm, NULL, err);
  }
  free(e);
  free(rows);
  free(cols);
  free(perm);
  return rc;
}

void ag_csr_map_apply(const ag_csr_map *m, const double *coo_vals, double *vals) {
  for (int q = 0; q < m->nnz; q++) {
    double s = 0;
    for (int t = m->srcptr[q]; t < m->srcptr[q + 1]; t++)
      s += coo_vals[m->src[t]];
    vals[q] = s;
  }
}

void ag_gather_plan_apply_host(int nnz, const int *ptr, const int *code, const double *x,
                               double *vals) {
  for (int q = 0; q < nnz; q++) {
    double s = 0;
    for (int t = ptr[q]; t < ptr[q + 1]; t++) {
      double v = x[code[t] >> 1];
      s += (code[t] & 1) ? -v : v;
    }
    vals[q] = s;
  }
}
