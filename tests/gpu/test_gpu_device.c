/* GPU tests that need a device (exit 77, "skipped", without one): for every kernel of the
   repository, the generated CUDA against the C backend (outputs and Jacobian, 1e-12
   relative); the NVRTC cache (hit, corrupt entry rebuilt); the gather and parameter kernels;
   the device COO-to-CSR map (cuSPARSE sort) equal to the host one; the device gather plan
   bitwise equal to its host reference; cuSPARSE SpMV against a host CSR product. */
#include <math.h>
#include <unistd.h>

#include "check.h"
#include "gpu/gpu.h"
#include "graph/orders.h"
#include "jacobian/jit.h"
#include "kernel_list.h"

#define SKIP 77

static ag_gpu *G;
static char cache[512];

/* |a - b| within tol relative to max(|b|, floor); NaN == NaN */
static double relerr(double a, double b, double floor_) {
  if (isnan(a) && isnan(b)) return 0;
  if (isnan(a) || isnan(b)) return INFINITY;
  if (a == b) return 0;
  double d = fabs(b) > floor_ ? fabs(b) : floor_;
  return fabs(a - b) / (d > 0 ? d : 1e-300);
}

static void test_kernels(const char *root) {
  int n = 0, tested = 0;
  kl_entry *ks = kl_collect(root, &n);
  double worst = 0;
  char worst_at[1400] = "";
  for (int i = 0; i < n; i++) {
    ag_error err;
    err.msg[0] = 0;
    ag_graph *g = ag_load_source(ks[i].spec, NULL, &err);
    if (!g) continue;
    int *order = malloc(sizeof(int) * ((size_t)g->dag.neliminable + 1));
    int len = ag_order_markowitz(&g->dag, order);
    ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
    free(order);
    if (!jp) {
      ag_graph_free(g);
      continue;
    }
    ag_jit_opts jo = {0};
    jo.cache_dir = cache;
    ag_jit *cj = ag_jit_load(jp, &jo, &err);
    CHECK(cj, "%s: C backend: %s", ks[i].spec, err.msg);
    ag_gpu_jit_opts go = {cache};
    ag_gpu_kernel *gk = ag_gpu_kernel_load(G, jp, &go, &err);
    CHECK(gk, "%s: CUDA: %s", ks[i].spec, err.msg);
    if (!cj || !gk) {
      ag_jit_free(cj);
      ag_gpu_kernel_free(G, gk);
      ag_jacprog_free(jp);
      ag_graph_free(g);
      continue;
    }
    int ni = g->ninputs, no = g->noutputs, np = g->nparams, ne = jp->nentries;
    const int N = 3001; /* not a multiple of the block size */
    double tp[64];
    int ntp = ag_source_test_point(ks[i].path, tp, 64);
    double *in = malloc(sizeof(double) * (size_t)N * ni),
           *p = malloc(sizeof(double) * ((size_t)N * np + 1));
    double *out = malloc(sizeof(double) * (size_t)N * no),
           *jac = malloc(sizeof(double) * ((size_t)N * ne + 1));
    double *gout = malloc(sizeof(double) * (size_t)N * no),
           *gjac = malloc(sizeof(double) * ((size_t)N * ne + 1));
    double *gprim = malloc(sizeof(double) * (size_t)N * no);
    for (int e = 0; e < N; e++) {
      for (int k = 0; k < ni; k++) {
        double base = ntp > 0 ? tp[k % ntp] : 0.5;
        in[(size_t)k * N + e] =
            base * (1 + 0.05 * (check_unit() - 0.5)) + 0.01 * (check_unit() - 0.5);
      }
      for (int k = 0; k < np; k++)
        p[(size_t)k * N + e] = 0.5 + check_unit();
    }
    cj->batch(N, in, np ? p : NULL, out, jac);
    ag_dptr din = ag_gpu_alloc(G, sizeof(double) * (size_t)N * ni, &err);
    ag_dptr dp = ag_gpu_alloc(G, sizeof(double) * ((size_t)N * np + 1), &err);
    ag_dptr dout = ag_gpu_alloc(G, sizeof(double) * (size_t)N * no, &err);
    ag_dptr djac = ag_gpu_alloc(G, sizeof(double) * ((size_t)N * ne + 1), &err);
    int rc = !din || !dp || !dout || !djac ||
             ag_gpu_upload(G, din, in, sizeof(double) * (size_t)N * ni, &err) ||
             ag_gpu_upload(G, dp, p, sizeof(double) * (size_t)N * np, &err) ||
             ag_gpu_kernel_eval(G, gk, N, din, np ? dp : 0, dout, djac, &err) ||
             ag_gpu_download(G, gout, dout, sizeof(double) * (size_t)N * no, &err) ||
             ag_gpu_download(G, gjac, djac, sizeof(double) * (size_t)N * ne, &err) ||
             ag_gpu_memset0(G, dout, sizeof(double) * (size_t)N * no, &err) ||
             ag_gpu_kernel_eval_primal(G, gk, N, din, np ? dp : 0, dout, &err) ||
             ag_gpu_download(G, gprim, dout, sizeof(double) * (size_t)N * no, &err);
    CHECK(rc == 0, "%s: device: %s", ks[i].spec, err.msg);
    if (rc == 0) {
      double kw = 0;
      for (int e = 0; e < N; e++) {
        double emax = 0; /* scale of this element's Jacobian (entries with cancellation) */
        for (int q = 0; q < ne; q++)
          if (isfinite(jac[(size_t)q * N + e])) emax = fmax(emax, fabs(jac[(size_t)q * N + e]));
        for (int q = 0; q < ne; q++)
          kw = fmax(kw, relerr(gjac[(size_t)q * N + e], jac[(size_t)q * N + e], 1e-3 * emax));
        for (int j = 0; j < no; j++) {
          kw = fmax(kw, relerr(gout[(size_t)j * N + e], out[(size_t)j * N + e], 1e-300));
          kw = fmax(kw, relerr(gprim[(size_t)j * N + e], gout[(size_t)j * N + e], 1e-300));
        }
      }
      CHECK(kw <= 1e-12, "%s: CUDA vs C backend: relative difference %.3g", ks[i].spec, kw);
      if (kw > worst) {
        worst = kw;
        snprintf(worst_at, sizeof worst_at, "%s", ks[i].spec);
      }
      tested++;
    }
    ag_gpu_free(G, din), ag_gpu_free(G, dp), ag_gpu_free(G, dout), ag_gpu_free(G, djac);
    free(in), free(p), free(out), free(jac), free(gout), free(gjac), free(gprim);
    ag_jit_free(cj);
    ag_gpu_kernel_free(G, gk);
    ag_jacprog_free(jp);
    ag_graph_free(g);
  }
  printf("CUDA vs C backend on %d kernels: largest relative difference %.3g (%s)\n", tested, worst,
         worst_at[0] ? worst_at : "-");
  CHECK(tested >= 40, "only %d kernels tested", tested);
  free(ks);
}

static void test_cache(const char *root) {
  char spec[1024];
  snprintf(spec, sizeof spec, "%s/examples/paper/roeflux_1d.c", root);
  ag_error err;
  ag_graph *g = ag_load_source(spec, NULL, &err);
  CHECK(g, "%s", err.msg);
  if (!g) return;
  int order[512];
  int len = ag_order_reverse(&g->dag, order);
  ag_jacprog *jp = ag_jacprog_build(g, order, len, &err);
  char dir[600];
  snprintf(dir, sizeof dir, "%s/cache-test", cache);
  ag_gpu_jit_opts go = {dir};
  long c0 = ag_gpu_compile_count();
  ag_gpu_kernel *k1 = ag_gpu_kernel_load(G, jp, &go, &err);
  CHECK(k1 && k1->compiled && !k1->rebuilt, "first load: %s", k1 ? k1->why : err.msg);
  ag_gpu_kernel *k2 = ag_gpu_kernel_load(G, jp, &go, &err);
  CHECK(k2 && !k2->compiled, "second load is a cache hit");
  CHECK(ag_gpu_compile_count() == c0 + 1, "NVRTC ran %ld times", ag_gpu_compile_count() - c0);
  if (k1) {
    /* corrupt the entry in place (a new inode is not needed: nothing maps the file) */
    FILE *f = fopen(k1->path, "r+b");
    CHECK(f != NULL, "open %s", k1->path);
    if (f) {
      fseek(f, 100, SEEK_SET);
      fputc('X', f);
      fclose(f);
    }
    ag_gpu_kernel *k3 = ag_gpu_kernel_load(G, jp, &go, &err);
    CHECK(k3 && k3->compiled && k3->rebuilt && strstr(k3->why, "trailer"), "corrupt entry: %s",
          k3 ? k3->why : err.msg);
    ag_gpu_kernel_free(G, k3);
    /* truncated */
    CHECK(truncate(k1->path, 50) == 0, "truncate");
    k3 = ag_gpu_kernel_load(G, jp, &go, &err);
    CHECK(k3 && k3->compiled && k3->rebuilt, "truncated entry: %s", k3 ? k3->why : err.msg);
    ag_gpu_kernel_free(G, k3);
  }
  ag_gpu_kernel_free(G, k1);
  ag_gpu_kernel_free(G, k2);
  ag_jacprog_free(jp);
  ag_graph_free(g);
}

static void test_support(void) {
  ag_error err;
  const int n = 1037, ni = 5, nx = 4000, np = 4, nc = 2, naux = 3000;
  double *x = malloc(sizeof(double) * nx), *aux = malloc(sizeof(double) * naux);
  int *idx = malloc(sizeof(int) * n * ni), *aidx = malloc(sizeof(int) * n);
  double c[2] = {1.5, -2.25}, *got = malloc(sizeof(double) * n * ni),
         *gp = malloc(sizeof(double) * n * np);
  for (int i = 0; i < nx; i++)
    x[i] = check_unit();
  for (int i = 0; i < naux; i++)
    aux[i] = check_unit();
  for (int i = 0; i < n * ni; i++)
    idx[i] = (int)(check_unit() * nx);
  for (int e = 0; e < n; e++)
    aidx[e] = (int)(check_unit() * (naux - np));
  ag_dptr dx = ag_gpu_alloc(G, sizeof(double) * nx, &err),
          di = ag_gpu_alloc(G, sizeof(int) * n * ni, &err);
  ag_dptr dd = ag_gpu_alloc(G, sizeof(double) * n * ni, &err), dc = ag_gpu_alloc(G, sizeof c, &err);
  ag_dptr da = ag_gpu_alloc(G, sizeof(double) * naux, &err),
          dai = ag_gpu_alloc(G, sizeof(int) * n, &err);
  ag_dptr dpp = ag_gpu_alloc(G, sizeof(double) * n * np, &err);
  int rc = ag_gpu_upload(G, dx, x, sizeof(double) * nx, &err) ||
           ag_gpu_upload(G, di, idx, sizeof(int) * n * ni, &err) ||
           ag_gpu_upload(G, dc, c, sizeof c, &err) ||
           ag_gpu_upload(G, da, aux, sizeof(double) * naux, &err) ||
           ag_gpu_upload(G, dai, aidx, sizeof(int) * n, &err) ||
           ag_gpu_gather(G, n, ni, dx, di, dd, &err) ||
           ag_gpu_params(G, n, np, nc, dc, da, dai, dpp, &err) ||
           ag_gpu_download(G, got, dd, sizeof(double) * n * ni, &err) ||
           ag_gpu_download(G, gp, dpp, sizeof(double) * n * np, &err);
  CHECK(rc == 0, "support kernels: %s", err.msg);
  int bad = 0;
  for (int e = 0; rc == 0 && e < n; e++) {
    for (int i = 0; i < ni; i++)
      bad += got[i * n + e] != x[idx[e * ni + i]];
    for (int i = 0; i < np; i++)
      bad += gp[i * n + e] != (i < nc ? c[i] : aux[aidx[e] + i - nc]);
  }
  CHECK(bad == 0, "gather/params: %d wrong values", bad);
  ag_gpu_free(G, dx), ag_gpu_free(G, di), ag_gpu_free(G, dd), ag_gpu_free(G, dc);
  ag_gpu_free(G, da), ag_gpu_free(G, dai), ag_gpu_free(G, dpp);
  free(x), free(aux), free(idx), free(aidx), free(got), free(gp);
}

static void test_csr(void) {
  ag_error err;
  /* a stencil-like pattern with duplicates, negative (ignored) entries, empty rows */
  const int nrows = 20000, ncols = 20000;
  const long ncoo = 300000;
  int *ci = malloc(sizeof(int) * ncoo), *cj = malloc(sizeof(int) * ncoo);
  for (long m = 0; m < ncoo; m++) {
    int r = (int)(check_unit() * (nrows - 10));
    ci[m] = check_unit() < 0.05 ? -1 : r;
    cj[m] = (r + (int)(check_unit() * 9) - 4 + ncols) % ncols;
  }
  ag_csr_map h, d;
  int rc1 = ag_csr_map_build(&h, ncoo, ci, cj, nrows, ncols, &err);
  CHECK(rc1 == 0, "host map: %s", err.msg);
  int rc2 = ag_gpu_csr_map_build(G, &d, ncoo, ci, cj, nrows, ncols, &err);
  CHECK(rc2 == 0, "device map: %s", err.msg);
  if (rc1 || rc2) return;
  long nk = h.srcptr[h.nnz];
  CHECK(d.nnz == h.nnz && !memcmp(d.rowptr, h.rowptr, sizeof(int) * (nrows + 1)) &&
            !memcmp(d.colind, h.colind, sizeof(int) * (size_t)h.nnz) &&
            !memcmp(d.srcptr, h.srcptr, sizeof(int) * ((size_t)h.nnz + 1)) &&
            !memcmp(d.src, h.src, sizeof(long) * (size_t)nk) &&
            !memcmp(d.coo_pos, h.coo_pos, sizeof(int) * (size_t)ncoo),
        "device CSR map (cuSPARSE) differs from the host map (nnz %d vs %d)", d.nnz, h.nnz);
  printf("COO -> CSR: %ld entries -> %d non-zeros in %d rows; device map = host map\n", ncoo, h.nnz,
         nrows);
  /* gather plan: x = COO values with signs */
  int *code = malloc(sizeof(int) * (nk + 1));
  double *x = malloc(sizeof(double) * ncoo), *hv = malloc(sizeof(double) * h.nnz),
         *dv = malloc(sizeof(double) * h.nnz);
  for (long m = 0; m < ncoo; m++)
    x[m] = check_unit() - 0.5;
  for (long t = 0; t < nk; t++)
    code[t] = (int)(2 * h.src[t] + (h.src[t] % 2));
  ag_gather_plan_apply_host(h.nnz, h.srcptr, code, x, hv);
  ag_gpu_scatter *sc = ag_gpu_scatter_create(G, h.nnz, h.srcptr, code, &err);
  CHECK(sc, "scatter: %s", err.msg);
  ag_dptr dx = ag_gpu_alloc(G, sizeof(double) * ncoo, &err),
          dvals = ag_gpu_alloc(G, sizeof(double) * h.nnz, &err);
  int rc = !sc || ag_gpu_upload(G, dx, x, sizeof(double) * ncoo, &err) ||
           ag_gpu_scatter_apply(G, sc, dx, dvals, &err) ||
           ag_gpu_download(G, dv, dvals, sizeof(double) * h.nnz, &err);
  CHECK(rc == 0, "scatter: %s", err.msg);
  CHECK(rc || !memcmp(hv, dv, sizeof(double) * h.nnz),
        "device CSR values differ from the host reference");
  /* SpMV */
  double *v = malloc(sizeof(double) * ncols), *yh = malloc(sizeof(double) * nrows),
         *yd = malloc(sizeof(double) * nrows);
  for (int j = 0; j < ncols; j++)
    v[j] = check_unit() - 0.5;
  double ymax = 0, dmax = 0;
  for (int r = 0; r < nrows; r++) {
    double s = 0;
    for (int q = h.rowptr[r]; q < h.rowptr[r + 1]; q++)
      s += hv[q] * v[h.colind[q]];
    yh[r] = s;
    ymax = fmax(ymax, fabs(s));
  }
  ag_dptr drp = ag_gpu_alloc(G, sizeof(int) * (nrows + 1), &err),
          dci = ag_gpu_alloc(G, sizeof(int) * h.nnz, &err);
  ag_dptr dvv = ag_gpu_alloc(G, sizeof(double) * ncols, &err),
          dy = ag_gpu_alloc(G, sizeof(double) * nrows, &err);
  rc = ag_gpu_upload(G, drp, h.rowptr, sizeof(int) * (nrows + 1), &err) ||
       ag_gpu_upload(G, dci, h.colind, sizeof(int) * h.nnz, &err) ||
       ag_gpu_upload(G, dvv, v, sizeof(double) * ncols, &err) ||
       ag_gpu_spmv(G, nrows, ncols, h.nnz, drp, dci, dvals, dvv, dy, &err) ||
       ag_gpu_download(G, yd, dy, sizeof(double) * nrows, &err);
  CHECK(rc == 0, "spmv: %s", err.msg);
  for (int r = 0; rc == 0 && r < nrows; r++)
    dmax = fmax(dmax, fabs(yd[r] - yh[r]));
  CHECK(rc == 0 && dmax <= 1e-13 * ymax, "SpMV: max difference %.3g (max |y| %.3g)", dmax, ymax);
  printf("cuSPARSE SpMV against the host CSR product: max difference %.3g of %.3g\n", dmax, ymax);
  ag_gpu_free(G, drp), ag_gpu_free(G, dci), ag_gpu_free(G, dvv), ag_gpu_free(G, dy);
  ag_gpu_free(G, dx), ag_gpu_free(G, dvals);
  ag_gpu_scatter_free(G, sc);
  free(v), free(yh), free(yd), free(code), free(x), free(hv), free(dv);
  ag_csr_map_free(&h);
  ag_csr_map_free(&d);
  free(ci), free(cj);
}

int main(void) {
  ag_error err;
  err.msg[0] = 0;
  if (ag_gpu_available(&err)) {
    printf("test_gpu_device: skipped: %s\n", err.msg);
    return SKIP;
  }
  G = ag_gpu_open(0, &err);
  if (!G) {
    fprintf(stderr, "test_gpu_device: a device is present but cannot be opened: %s\n", err.msg);
    return 1;
  }
  printf("device: %s; %s\n", ag_gpu_name(G), ag_nvrtc_version());
  const char *root = getenv("AG_SOURCE_DIR");
  if (!root) root = ".";
  snprintf(cache, sizeof cache, "/tmp/ag-test-gpu-%d", (int)getpid());
  test_kernels(root);
  test_cache(root);
  test_support();
  test_csr();
  ag_gpu_close(G);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
  if (system(cmd)) fprintf(stderr, "cannot remove %s\n", cache);
  return check_report("test_gpu_device");
}
