/* GPU code without a GPU (runs on every machine): the generated CUDA of every kernel in the
   repository compiles with NVRTC (PTX for sm_80, CUBIN for sm_90) when built with CUDA; the
   host COO-to-CSR map against a dense reference, the map from row-sorted entries in any
   within-row order (as cuSPARSE leaves them), the gather plan's host reference, and the
   clear errors of the device functions where there is no device. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "gpu/gpu.h"
#include "graph/orders.h"
#include "jacobian/codegen_cuda.h"
#include "kernel_list.h"

static ag_jacprog *program(ag_graph *g, ag_error *err) {
  int *order = malloc(sizeof(int) * ((size_t)g->dag.neliminable + 1));
  int len = ag_order_markowitz(&g->dag, order);
  ag_jacprog *jp = ag_jacprog_build(g, order, len, err);
  free(order);
  return jp;
}

static void test_codegen(const char *root) {
  int n = 0, ok = 0, compiled = 0;
  kl_entry *ks = kl_collect(root, &n);
  CHECK(n >= 40, "found %d kernels under %s", n, root);
  int cuda = ag_gpu_built_with_cuda();
  printf("%s; %d kernel functions\n",
         cuda ? ag_nvrtc_version() : "built without CUDA: NVRTC not run", n);
  for (int i = 0; i < n; i++) {
    ag_error err;
    err.msg[0] = 0;
    ag_graph *g = ag_load_source(ks[i].spec, NULL, &err);
    if (!g) continue; /* not a kernel the front end takes (helpers) */
    ag_jacprog *jp = program(g, &err);
    CHECK(jp, "%s: %s", ks[i].spec, err.msg);
    if (!jp) {
      ag_graph_free(g);
      continue;
    }
    char *src = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&src, &len);
    int rc = ag_codegen_cuda(jp, "k", f, &err);
    fclose(f);
    CHECK(rc == 0, "%s: %s", ks[i].spec, err.msg);
    CHECK(strstr(src, "extern \"C\" __global__") && strstr(src, "k_cuda(") &&
              strstr(src, "k_cuda_primal(") && strstr(src, "k_cuda_launch("),
          "%s: entry points missing", ks[i].spec);
    ok++;
    if (cuda) {
      for (int variant = 0; variant < 2; variant++) {
        char *img = NULL, *log = NULL;
        size_t sz = 0;
        rc = ag_nvrtc_compile(src, "k.cu", variant ? 90 : 80, variant, &img, &sz, &log, &err);
        CHECK(rc == 0 && sz > 100, "%s: NVRTC (%s): %s", ks[i].spec,
              variant ? "sm_90" : "compute_80", err.msg);
        if (rc == 0 && !variant)
          CHECK(strstr(img, ".entry k_cuda(") != NULL, "%s: PTX lacks the kernel", ks[i].spec);
        if (rc == 0) compiled++;
        free(img);
        free(log);
      }
    }
    free(src);
    ag_jacprog_free(jp);
    ag_graph_free(g);
  }
  printf("generated CUDA for %d kernels; %d NVRTC compilations succeeded\n", ok, compiled);
  CHECK(ok >= 40, "only %d kernels", ok);
  if (cuda) CHECK(compiled == 2 * ok, "%d of %d compilations", compiled, 2 * ok);
  free(ks);
  /* a syntax error is reported with NVRTC's log */
  if (cuda) {
    ag_error err;
    char *img, *log;
    size_t sz;
    int rc = ag_nvrtc_compile("extern \"C\" __global__ void f() { int x = ; }", "bad.cu", 80, 0,
                              &img, &sz, &log, &err);
    CHECK(rc < 0 && strstr(err.msg, "bad.cu") && strstr(err.msg, "error"), "bad source: %s",
          err.msg);
    free(log);
  }
}

/* dense reference of a COO pattern with values */
static void test_map(void) {
  for (int trial = 0; trial < 50; trial++) {
    int nrows = 1 + (int)(check_rand(30)), ncols = 1 + (int)(check_rand(40));
    long ncoo = (long)(check_rand(400));
    int *ci = malloc(sizeof(int) * ((size_t)ncoo + 1)),
        *cj = malloc(sizeof(int) * ((size_t)ncoo + 1));
    double *v = malloc(sizeof(double) * ((size_t)ncoo + 1));
    for (long m = 0; m < ncoo; m++) {
      ci[m] = (check_rand(10) == 0) ? -1 : (int)(check_rand((unsigned)nrows));
      cj[m] = (check_rand(12) == 0) ? -1 : (int)(check_rand((unsigned)ncols));
      v[m] = (double)(check_rand(1000)) / 7.0 - 50;
    }
    ag_csr_map m;
    ag_error err;
    int rc = ag_csr_map_build(&m, ncoo, ci, cj, nrows, ncols, &err);
    CHECK(rc == 0, "trial %d: %s", trial, err.msg);
    if (rc) continue;
    double *dense = calloc((size_t)nrows * ncols, sizeof(double));
    char *has = calloc((size_t)nrows * ncols, 1);
    for (long t = 0; t < ncoo; t++)
      if (ci[t] >= 0 && cj[t] >= 0) {
        dense[(size_t)ci[t] * ncols + cj[t]] += v[t];
        has[(size_t)ci[t] * ncols + cj[t]] = 1;
      }
    int want_nnz = 0;
    for (int k = 0; k < nrows * ncols; k++)
      want_nnz += has[k];
    CHECK_EQ_LONG(m.nnz, want_nnz, "nnz");
    double *vals = malloc(sizeof(double) * ((size_t)m.nnz + 1));
    ag_csr_map_apply(&m, v, vals);
    int bad = 0;
    for (int r = 0; r < nrows; r++)
      for (int q = m.rowptr[r]; q < m.rowptr[r + 1]; q++) {
        if (q > m.rowptr[r] && m.colind[q] <= m.colind[q - 1]) bad++;
        if (!has[(size_t)r * ncols + m.colind[q]]) bad++;
        if (fabs(vals[q] - dense[(size_t)r * ncols + m.colind[q]]) > 1e-9) bad++;
        for (int t = m.srcptr[q]; t < m.srcptr[q + 1]; t++) {
          if (t > m.srcptr[q] && m.src[t] <= m.src[t - 1]) bad++; /* ascending COO order */
          if (m.coo_pos[m.src[t]] != q || ci[m.src[t]] != r || cj[m.src[t]] != m.colind[q]) bad++;
        }
      }
    for (long t = 0; t < ncoo; t++)
      if ((ci[t] < 0 || cj[t] < 0) != (m.coo_pos[t] < 0)) bad++;
    CHECK(bad == 0, "trial %d: %d mismatches", trial, bad);
    CHECK(m.rowptr[nrows] == m.nnz, "rowptr end");

    /* row-sorted input in a shuffled within-row order (the device path) gives the same map */
    long nk = 0;
    for (long t = 0; t < ncoo; t++)
      nk += ci[t] >= 0 && cj[t] >= 0;
    int *rows = malloc(sizeof(int) * ((size_t)nk + 1)),
        *cols = malloc(sizeof(int) * ((size_t)nk + 1));
    long *perm = malloc(sizeof(long) * ((size_t)nk + 1));
    int *rp = calloc((size_t)nrows + 1, sizeof(int));
    long u = 0;
    for (int r = 0; r < nrows; r++) {
      long start = u;
      for (long t = ncoo - 1; t >= 0; t--) /* reversed COO order within the row */
        if (ci[t] == r && cj[t] >= 0) {
          rows[u] = r;
          cols[u] = cj[t];
          perm[u++] = t;
        }
      for (long a = u - 1; a > start; a--) { /* and shuffled */
        long b = start + (long)(check_rand((unsigned)(a - start + 1)));
        int tc = cols[a];
        cols[a] = cols[b];
        cols[b] = tc;
        long tp = perm[a];
        perm[a] = perm[b];
        perm[b] = tp;
      }
      rp[r + 1] = (int)u;
    }
    ag_csr_map m2;
    rc = ag_csr_map_from_row_sorted(&m2, ncoo, nrows, ncols, nk, rows, cols, perm,
                                    trial % 2 ? rp : NULL, &err);
    CHECK(rc == 0, "from_row_sorted: %s", err.msg);
    if (rc == 0) {
      CHECK(m2.nnz == m.nnz && !memcmp(m2.rowptr, m.rowptr, sizeof(int) * ((size_t)nrows + 1)) &&
                !memcmp(m2.colind, m.colind, sizeof(int) * (size_t)m.nnz) &&
                !memcmp(m2.srcptr, m.srcptr, sizeof(int) * ((size_t)m.nnz + 1)) &&
                !memcmp(m2.src, m.src, sizeof(long) * (size_t)nk) &&
                !memcmp(m2.coo_pos, m.coo_pos, sizeof(int) * (size_t)ncoo),
            "trial %d: the map from row-sorted entries differs", trial);
      ag_csr_map_free(&m2);
    }
    /* the gather plan with signs: code 2*i (+x[i]) or 2*i+1 (-x[i]) */
    {
      int *code = malloc(sizeof(int) * ((size_t)nk + 1));
      double *x = malloc(sizeof(double) * ((size_t)ncoo + 1)),
             *w = malloc(sizeof(double) * ((size_t)ncoo + 1));
      double *g1 = malloc(sizeof(double) * ((size_t)m.nnz + 1)),
             *g2 = malloc(sizeof(double) * ((size_t)m.nnz + 1));
      for (long t = 0; t < ncoo; t++) {
        x[t] = v[t];
        w[t] = (t % 3 == 0) ? -v[t] : v[t];
      }
      for (int q = 0; q < m.nnz; q++)
        for (int t = m.srcptr[q]; t < m.srcptr[q + 1]; t++)
          code[t] = (int)(2 * m.src[t] + (m.src[t] % 3 == 0));
      ag_gather_plan_apply_host(m.nnz, m.srcptr, code, x, g1);
      ag_csr_map_apply(&m, w, g2);
      CHECK(!memcmp(g1, g2, sizeof(double) * (size_t)m.nnz), "trial %d: gather plan", trial);
      free(code), free(x), free(w), free(g1), free(g2);
    }
    free(rows), free(cols), free(perm), free(rp);
    free(vals), free(dense), free(has);
    ag_csr_map_free(&m);
    free(ci), free(cj), free(v);
  }
  /* errors */
  {
    ag_csr_map m;
    ag_error err;
    int ci[] = {0, 5}, cj[] = {0, 0};
    CHECK(ag_csr_map_build(&m, 2, ci, cj, 3, 3, &err) < 0 && strstr(err.msg, "outside"), "%s",
          err.msg);
    int rows[] = {0, 2}, cols[] = {0, 1};
    long perm[] = {0, 1};
    CHECK(ag_csr_map_from_row_sorted(&m, 2, 2, 3, 2, rows, cols, perm, NULL, &err) < 0,
          "row 2 of 2 accepted");
    int rows2[] = {1, 0};
    CHECK(ag_csr_map_from_row_sorted(&m, 2, 2, 3, 2, rows2, cols, perm, NULL, &err) < 0,
          "unsorted rows accepted");
  }
}

static void test_no_device(void) {
  ag_error err;
  err.msg[0] = 0;
  if (ag_gpu_available(&err) == 0) {
    printf("a CUDA device is available (device tests: test_gpu_device)\n");
    return;
  }
  printf("no device: %s\n", err.msg);
  CHECK(strstr(err.msg, "built without CUDA") || strstr(err.msg, "no CUDA"), "message: %s",
        err.msg);
  ag_error e2;
  ag_gpu *g = ag_gpu_open(0, &e2);
  CHECK(!g && !strcmp(e2.msg, err.msg), "open without a device: %s", e2.msg);
}

int main(void) {
  const char *root = getenv("AG_SOURCE_DIR");
  if (!root) root = ".";
  test_codegen(root);
  test_map();
  test_no_device();
  return check_report("test_gpu_codegen");
}
