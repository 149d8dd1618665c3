/* The policy/value network (nn/nn.h): gradients against central finite differences for
   every parameter group, forward_batch against forward, invariance under relabelling the
   tokens, a small Adam training run, HDF5 save/load (round trip, optimiser state, foreign,
   truncated, corrupted and mismatching files) and the backends' errors. */
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "nn/nn.h"

static float frand(void) {
  return (float)check_rand(1u << 24) / (float)(1u << 23) - 1.0f;
} /* [-1,1) */

typedef struct {
  int n, nact, nfeat;
  float *x, *pi, z;
  int *po, *pr, *so, *su, *act;
  ag_nn_input in;
} state;

static void state_free(state *s) {
  free(s->x), free(s->pi), free(s->po), free(s->pr), free(s->so), free(s->su), free(s->act);
}

/* CSR pred/succ lists from an edge list (u -> v). */
static void build_csr(state *s, int ne, const int *eu, const int *ev) {
  int n = s->n;
  s->po = calloc((size_t)n + 1, sizeof(int)), s->so = calloc((size_t)n + 1, sizeof(int));
  s->pr = malloc((size_t)(ne ? ne : 1) * sizeof(int)),
  s->su = malloc((size_t)(ne ? ne : 1) * sizeof(int));
  for (int e = 0; e < ne; e++)
    s->po[ev[e] + 1]++, s->so[eu[e] + 1]++;
  for (int i = 0; i < n; i++)
    s->po[i + 1] += s->po[i], s->so[i + 1] += s->so[i];
  int *fp = calloc((size_t)n, sizeof(int)), *fs = calloc((size_t)n, sizeof(int));
  for (int e = 0; e < ne; e++) {
    s->pr[s->po[ev[e]] + fp[ev[e]]++] = eu[e];
    s->su[s->so[eu[e]] + fs[eu[e]]++] = ev[e];
  }
  free(fp), free(fs);
}

static void finish(state *s) {
  ag_nn_input in = {s->n, s->x, s->po, s->pr, s->so, s->su, s->nact, s->act};
  s->in = in;
}

/* A random DAG of n tokens with random features, actions, targets. */
static state random_state(int n, int nfeat, int soft) {
  state s = {0};
  s.n = n, s.nfeat = nfeat;
  s.x = malloc((size_t)n * nfeat * sizeof(float));
  for (int i = 0; i < n * nfeat; i++)
    s.x[i] = frand();
  int *eu = malloc((size_t)n * n * sizeof(int)), *ev = malloc((size_t)n * n * sizeof(int)), ne = 0;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (check_rand(100) < 40) eu[ne] = i, ev[ne] = j, ne++;
  build_csr(&s, ne, eu, ev);
  free(eu), free(ev);
  s.act = malloc((size_t)n * sizeof(int));
  for (int i = 0; i < n; i++)
    if (check_rand(100) < 60 || (i == n - 1 && s.nact == 0)) s.act[s.nact++] = i;
  s.pi = malloc((size_t)s.nact * sizeof(float));
  double sum = 0;
  for (int k = 0; k < s.nact; k++)
    sum += s.pi[k] = soft ? 0.05f + (float)check_rand(1000) / 1000.0f : 0.0f;
  if (!soft) s.pi[check_rand((unsigned)s.nact)] = 1.0f, sum = 1;
  for (int k = 0; k < s.nact; k++)
    s.pi[k] = (float)(s.pi[k] / sum);
  s.z = (float)check_rand(2000) / 1000.0f;
  finish(&s);
  return s;
}

/* The loss from the forward pass alone, in double. */
static double loss_fwd(ag_nn *nn, const state *s, float vw) {
  float *lg = malloc((size_t)(s->nact ? s->nact : 1) * sizeof(float));
  float v = ag_nn_forward(nn, &s->in, lg);
  double mx = -1e300, se = 0, L = 0;
  for (int k = 0; k < s->nact; k++)
    if (lg[k] > mx) mx = lg[k];
  for (int k = 0; k < s->nact; k++)
    se += exp(lg[k] - mx);
  for (int k = 0; k < s->nact; k++)
    L += s->pi[k] * (mx + log(se) - lg[k]);
  free(lg);
  return L + vw * ((double)v - s->z) * ((double)v - s->z);
}

/* Finite-difference check of the derivative of the loss along d (len entries at p + off; d
   NULL: the unit vector) against want. Returns the smallest relative error over a few steps,
   central differences and, for small steps, one-sided ones: the loss has kinks (ReLU, max
   pooling) where backward gives a one-sided derivative. *fd_out: the central difference at
   the first step. */
static double fd_check(ag_nn *nn, const state *s, float vw, float *p, size_t off, size_t len,
                       const float *d, double want, double floor, double *fd_out) {
  static const float hs[5] = {1e-3f, 3e-3f, 3e-4f, 1e-4f, 1e-2f};
  float *p0 = malloc(len * sizeof(float));
  memcpy(p0, p + off, len * sizeof(float));
  double best = 1e300, l0 = loss_fwd(nn, s, vw);
  for (int e = 0; e < 5; e++) {
    double lpm[2];
    for (int sg = 0; sg < 2; sg++) {
      for (size_t i = 0; i < len; i++)
        p[off + i] = p0[i] + (sg ? -hs[e] : hs[e]) * (d ? d[i] : 1.0f);
      lpm[sg] = loss_fwd(nn, s, vw);
    }
    memcpy(p + off, p0, len * sizeof(float));
    double c[3] = {(lpm[0] - lpm[1]) / (2.0 * hs[e]), (lpm[0] - l0) / hs[e], (l0 - lpm[1]) / hs[e]};
    if (e == 0 && fd_out) *fd_out = c[0];
    for (int k = 0; k < (hs[e] <= 1e-3f ? 3 : 1); k++) {
      double r = fabs(c[k] - want) / fmax(fmax(fabs(c[k]), fabs(want)), floor);
      if (r < best) best = r;
    }
  }
  free(p0);
  return best;
}

static double entropy(const state *s) {
  double h = 0;
  for (int k = 0; k < s->nact; k++)
    if (s->pi[k] > 0) h -= s->pi[k] * log(s->pi[k]);
  return h;
}

static void test_gradients(void) {
  ag_nn_arch a = {5, 8, 2, 6};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", 7, &err);
  CHECK(nn != NULL, "%s", err.msg);
  if (!nn) return;
  size_t np = ag_nn_nparams(nn);
  int ng = ag_nn_groups(nn, NULL, 0);
  CHECK_EQ_LONG(ng, AG_NN_NGROUPS(a.layers), "number of groups");
  ag_nn_group *g = malloc((size_t)ng * sizeof *g);
  ag_nn_groups(nn, g, ng);
  size_t tot = 0;
  for (int k = 0; k < ng; k++) {
    CHECK(g[k].off == tot, "group %s at %zu, expected %zu", g[k].name, g[k].off, tot);
    tot += g[k].len;
  }
  CHECK(tot == np, "groups cover %zu of %zu parameters", tot, np);
  /* random (non-zero) biases so that every group has a gradient */
  float *p = ag_nn_params(nn);
  for (int k = 0; k < ng; k++)
    if (strchr(g[k].name, 'b'))
      for (size_t i = 0; i < g[k].len; i++)
        p[g[k].off + i] = 0.3f * frand();
  ag_nn_sync(nn);
  int *checked = calloc((size_t)ng, sizeof(int)), bad = 0, nchk = 0;
  double worst_dir = 0;
  float *grad = malloc(np * sizeof(float));
  const float vw = 0.7f;
  for (int t = 0; t < 4; t++) {
    state s = random_state(4 + t * 2, a.nfeat, t % 2);
    memset(grad, 0, np * sizeof(float));
    float lp, lv;
    float L = ag_nn_backward(nn, &s.in, s.pi, s.z, vw, grad, &lp, &lv);
    double Lf = loss_fwd(nn, &s, vw);
    CHECK(fabs(L - Lf) <= 1e-5 * (1 + fabs(Lf)), "backward loss %g, forward loss %g", L, Lf);
    CHECK(fabsf(L - lp - lv) <= 1e-5f * (1 + fabsf(L)), "loss terms %g + %g != %g", lp, lv, L);
    for (int k = 0; k < ng; k++) {
      if (!strcmp(g[k].name, "policy.b")) {
        /* softmax is shift-invariant and pi sums to 1: this gradient is exactly zero */
        CHECK(fabsf(grad[g[k].off]) < 1e-6f, "policy.b gradient %g, expected 0", grad[g[k].off]);
        checked[k]++;
        continue;
      }
      /* directional derivative along a random direction over the whole group (mostly uphill,
         so large and little affected by the float rounding of the loss): tight tolerance */
      double gd = 0, fdd = 0;
      float *d = malloc(g[k].len * sizeof(float));
      for (size_t i = 0; i < g[k].len; i++)
        d[i] = (grad[g[k].off + i] < 0 ? -0.5f : 0.5f) + 0.5f * frand(), /* little cancellation */
            gd += (double)d[i] * grad[g[k].off + i];
      double r_best = fd_check(nn, &s, vw, p, g[k].off, g[k].len, d, gd, 0.25, &fdd);
      CHECK(r_best <= 2e-3, "%s (graph %d): directional derivative %g, finite differences %g",
            g[k].name, t, gd, fdd);
      if (r_best > worst_dir) worst_dir = r_best;
      free(d);
      for (size_t i = g[k].off; i < g[k].off + g[k].len; i++) {
        if (fabsf(grad[i]) < 2e-2f) continue;
        double fd = 0, err_best = fd_check(nn, &s, vw, p, i, 1, NULL, grad[i], 0, &fd);
        nchk++;
        checked[k]++;
        if (getenv("NN_VERBOSE")) fprintf(stderr, "%s %g %g\n", g[k].name, grad[i], err_best);
        if (err_best > 1e-2) {
          bad++;
          fprintf(stderr, "  (kink?) %s[%zu]: backward %g, finite differences %g\n", g[k].name,
                  i - g[k].off, grad[i], fd);
        }
      }
    }
    state_free(&s);
  }
  /* an entry whose probes straddle a ReLU or max-pooling kink (a pre-activation or a pooling
     tie within ~1e-4 of the current point) can miss at every step: allow 1% of them; the
     group checks above have no such allowance */
  CHECK(bad <= nchk / 100, "%d of %d gradient entries off by more than 1e-2 (relative)", bad, nchk);
  for (int k = 0; k < ng; k++)
    CHECK(checked[k] > 0, "group %s: no entry with a non-negligible gradient was checked",
          g[k].name);
  printf("gradient check: %d entries in %d groups, %d off (kinks); group directional "
         "derivatives: worst relative error %.2e\n",
         nchk, ng, bad, worst_dir);
  free(checked), free(grad), free(g);
  ag_nn_free(nn);
}

static void test_batch_and_permutation(void) {
  ag_nn_arch a = {6, 16, 3, 12};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", 11, &err);
  CHECK(nn != NULL, "%s", err.msg);
  if (!nn) return;
  enum { NS = 6 };
  state s[NS];
  ag_nn_input in[NS];
  float *lb[NS], vb[NS];
  for (int i = 0; i < NS; i++) {
    s[i] = random_state(3 + 5 * i, a.nfeat, 1);
    in[i] = s[i].in;
    lb[i] = malloc((size_t)s[i].nact * sizeof(float));
  }
  ag_nn_forward_batch(nn, in, NS, lb, vb);
  double md = 0;
  for (int i = 0; i < NS; i++) {
    float *l1 = malloc((size_t)s[i].nact * sizeof(float));
    float v1 = ag_nn_forward(nn, &s[i].in, l1);
    md = fmax(md, fabs(v1 - vb[i]) / (1 + fabs(v1)));
    for (int k = 0; k < s[i].nact; k++)
      md = fmax(md, fabs(l1[k] - lb[i][k]) / (1 + fabs(l1[k])));
    free(l1);
  }
  CHECK(md < 1e-5, "forward_batch differs from forward by %g", md);

  /* relabel the tokens of each state and permute its action list */
  double mp = 0;
  for (int i = 0; i < NS; i++) {
    const state *o = &s[i];
    int n = o->n, *perm = malloc((size_t)n * sizeof(int)),
        *sig = malloc((size_t)o->nact * sizeof(int));
    for (int k = 0; k < n; k++)
      perm[k] = k;
    for (int k = n - 1; k > 0; k--) {
      int j = (int)check_rand((unsigned)k + 1), t = perm[k];
      perm[k] = perm[j], perm[j] = t;
    }
    for (int k = 0; k < o->nact; k++)
      sig[k] = o->nact - 1 - k;
    state q = {0};
    q.n = n, q.nfeat = a.nfeat, q.nact = o->nact;
    q.x = malloc((size_t)n * a.nfeat * sizeof(float));
    for (int t = 0; t < n; t++)
      memcpy(q.x + (size_t)perm[t] * a.nfeat, o->x + (size_t)t * a.nfeat,
             (size_t)a.nfeat * sizeof(float));
    int ne = o->po[n], *eu = malloc((size_t)(ne ? ne : 1) * sizeof(int)),
        *ev = malloc((size_t)(ne ? ne : 1) * sizeof(int)), m = 0;
    for (int t = n - 1; t >= 0; t--) /* a different edge order too */
      for (int j = o->po[t]; j < o->po[t + 1]; j++)
        eu[m] = perm[o->pr[j]], ev[m] = perm[t], m++;
    build_csr(&q, ne, eu, ev);
    free(eu), free(ev);
    q.act = malloc((size_t)o->nact * sizeof(int));
    q.pi = malloc((size_t)o->nact * sizeof(float));
    for (int k = 0; k < o->nact; k++)
      q.act[k] = perm[o->act[sig[k]]], q.pi[k] = o->pi[sig[k]];
    finish(&q);
    float *l0 = malloc((size_t)o->nact * sizeof(float)),
          *l1 = malloc((size_t)o->nact * sizeof(float));
    float v0 = ag_nn_forward(nn, &o->in, l0), v1 = ag_nn_forward(nn, &q.in, l1);
    mp = fmax(mp, fabs(v0 - v1) / (1 + fabs(v0)));
    for (int k = 0; k < o->nact; k++)
      mp = fmax(mp, fabs(l1[k] - l0[sig[k]]) / (1 + fabs(l0[sig[k]])));
    free(l0), free(l1), free(perm), free(sig);
    state_free(&q);
  }
  CHECK(mp < 1e-5, "relabelling changes the outputs by %g", mp);
  printf("forward_batch vs forward: %.1e, relabelling: %.1e\n", md, mp);

  /* degenerate states: no actions; no tokens at all */
  float *grad = calloc(ag_nn_nparams(nn), sizeof(float)), lp = -1, lv = -1;
  state e = random_state(3, a.nfeat, 1);
  e.in.nact = 0;
  float L = ag_nn_backward(nn, &e.in, e.pi, 0.5f, 1.0f, grad, &lp, &lv);
  CHECK(lp == 0 && fabsf(L - lv) < 1e-6f && isfinite(L), "no actions: loss %g = %g + %g", L, lp,
        lv);
  e.in.n = 0;
  float v = ag_nn_forward(nn, &e.in, NULL);
  L = ag_nn_backward(nn, &e.in, e.pi, 0.5f, 1.0f, grad, &lp, &lv);
  CHECK(isfinite(v) && isfinite(L), "empty state: value %g loss %g", v, L);
  state_free(&e);
  free(grad);
  for (int i = 0; i < NS; i++)
    free(lb[i]), state_free(&s[i]);
  ag_nn_free(nn);
}

/* Sum of the losses' excess over their minimum (CE - H(pi) + value term), mean over states;
   with grad: the mean gradient. */
static double batch_loss(ag_nn *nn, state *s, int ns, float *grad) {
  size_t np = ag_nn_nparams(nn);
  double tot = 0;
  if (grad) memset(grad, 0, np * sizeof(float));
  float *gtmp = calloc(np, sizeof(float));
  for (int i = 0; i < ns; i++)
    tot += ag_nn_backward(nn, &s[i].in, s[i].pi, s[i].z, 1.0f, grad ? grad : gtmp, NULL, NULL) -
           entropy(&s[i]);
  if (grad)
    for (size_t k = 0; k < np; k++)
      grad[k] /= (float)ns;
  free(gtmp);
  return tot / ns;
}

static void train(ag_nn *nn, ag_adam *opt, state *s, int ns, int steps, float *grad) {
  for (int t = 0; t < steps; t++) {
    batch_loss(nn, s, ns, grad);
    ag_adam_step(opt, ag_nn_params(nn), grad);
    ag_nn_sync(nn);
  }
}

static void write_bytes(const char *path, const void *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f) fwrite(buf, 1, n, f), fclose(f);
}
static void *read_bytes(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  void *b = malloc(*n ? *n : 1);
  if (fread(b, 1, *n, f) != *n) *n = 0;
  fclose(f);
  return b;
}

static void expect_load_error(const char *path, const char *want, ag_status code) {
  ag_error err = {0};
  ag_adam o;
  ag_nn *nn = ag_nn_load(path, "cpu", &o, &err);
  CHECK(nn == NULL, "loaded %s, expected an error '%s'", path, want);
  if (nn) ag_nn_free(nn), ag_adam_free(&o);
  CHECK(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
  CHECK(err.code == code, "'%s': code %s, expected %s", err.msg, ag_status_name(err.code),
        ag_status_name(code));
}

/* A network file written with the plain HDF5 API: architecture a with nparams as the
   architecture says, and a params dataset of n floats, all `fill` (issue 19 item 6). */
static void craft_model(const char *path, const ag_nn_arch *a, size_t n, float fill,
                        long nparams_delta) {
  ag_error e;
  size_t np = ag_nn_arch_nparams(a, &e);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t sp = H5Screate(H5S_SCALAR), st = H5Tcopy(H5T_C_S1);
  H5Tset_size(st, 13);
  hid_t at = H5Acreate2(f, "format", st, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(at, st, "alphagrad-nn");
  H5Aclose(at);
  const char *nm[5] = {"format_version", "nfeat", "width", "layers", "vhidden"};
  int val[5] = {1, a->nfeat, a->width, a->layers, a->vhidden};
  for (int k = 0; k < 5; k++) {
    at = H5Acreate2(f, nm[k], H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, H5T_NATIVE_INT, &val[k]);
    H5Aclose(at);
  }
  long long npl = (long long)np + nparams_delta;
  at = H5Acreate2(f, "nparams", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(at, H5T_NATIVE_LLONG, &npl);
  H5Aclose(at);
  hsize_t dims[1] = {n};
  hid_t ds_sp = H5Screate_simple(1, dims, NULL);
  hid_t ds = H5Dcreate2(f, "params", H5T_IEEE_F32LE, ds_sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  float *x = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++)
    x[i] = i == n / 2 ? fill : 0.01f;
  H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
  free(x);
  H5Dclose(ds);
  H5Sclose(ds_sp);
  H5Tclose(st);
  H5Sclose(sp);
  H5Fclose(f);
}

/* edited architectures fail before anything of their size is allocated; non-finite
   parameters are refused on reading and on writing */
static void test_model_limits(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/ag_nn_limits_%d.h5", (int)getpid());
  ag_nn_arch a = {6, 16, 2, 16}, huge = {6, 8192, 64, 16}, wide = {6, 32, 2, 16};
  ag_error e;
  size_t np = ag_nn_arch_nparams(&a, &e);
  craft_model(path, &huge, np, 0.01f, 0); /* 52 GB of parameters asked for */
  expect_load_error(path, "more than this alphagrad loads", AG_ERR_LIMIT);
  craft_model(path, &wide, np, 0.01f, 0); /* consistent attributes, a dataset of another size */
  expect_load_error(path, "/params has", AG_ERR_CORRUPT);
  craft_model(path, &a, np, NAN, 0);
  expect_load_error(path, "is nan, not a finite number", AG_ERR_CORRUPT);
  craft_model(path, &a, np, INFINITY, 0);
  expect_load_error(path, "is inf, not a finite number", AG_ERR_CORRUPT);
  ag_nn *nn = ag_nn_new(&a, "cpu", 3, &e);
  ag_nn_params(nn)[7] = NAN;
  unlink(path);
  CHECK(ag_nn_save(nn, NULL, path, &e) != 0 && strstr(e.msg, "parameter 7 is nan"),
        "a NaN network was written: %s", e.msg);
  CHECK(access(path, F_OK) != 0, "a file was left behind");
  ag_nn_free(nn);
  unlink(path);
}

static void test_train_and_io(void) {
  ag_nn_arch a = {6, 16, 2, 16};
  ag_error err;
  ag_nn *nn = ag_nn_new(&a, "cpu", 3, &err);
  CHECK(nn != NULL, "%s", err.msg);
  if (!nn) return;
  size_t np = ag_nn_nparams(nn);
  enum { NS = 8 };
  state s[NS];
  for (int i = 0; i < NS; i++)
    s[i] = random_state(5 + i, a.nfeat, i % 2);
  float *grad = malloc(np * sizeof(float));
  ag_adam opt;
  ag_adam_init(&opt, np, 3e-3f);
  double L0 = batch_loss(nn, s, NS, NULL);
  train(nn, &opt, s, NS, 300, grad);
  double L1 = batch_loss(nn, s, NS, NULL);
  CHECK(L1 < L0 / 10, "training: excess loss %g -> %g, expected a 10x reduction", L0, L1);
  printf("training: excess loss %.4f -> %.5f in 300 Adam steps\n", L0, L1);

  /* save with the optimiser state; reload; outputs and continued training identical */
  char path[256], tpath[256], bpath[256];
  snprintf(path, sizeof path, "/tmp/test_nn_%ld.h5", (long)getpid());
  snprintf(tpath, sizeof tpath, "/tmp/test_nn_%ld_trunc.h5", (long)getpid());
  snprintf(bpath, sizeof bpath, "/tmp/test_nn_%ld_bad.h5", (long)getpid());
  CHECK(ag_nn_save(nn, &opt, path, &err) == 0, "save: %s", err.msg);
  ag_adam opt2;
  ag_nn *nn2 = ag_nn_load(path, "cpu", &opt2, &err);
  CHECK(nn2 != NULL, "load: %s", err.msg);
  if (nn2) {
    CHECK(!memcmp(ag_nn_get_arch(nn2), &a, sizeof a), "architecture differs after load");
    CHECK(!strcmp(ag_nn_backend_name(nn2), "cpu"), "backend %s", ag_nn_backend_name(nn2));
    CHECK(!memcmp(ag_nn_params(nn), ag_nn_params(nn2), np * sizeof(float)), "parameters differ");
    CHECK(opt2.step == opt.step && opt2.lr == opt.lr && opt2.beta1 == opt.beta1 &&
              opt2.beta2 == opt.beta2 && opt2.eps == opt.eps &&
              opt2.weight_decay == opt.weight_decay && opt2.n == np,
          "optimiser hyperparameters or step differ (step %ld vs %ld)", opt2.step, opt.step);
    CHECK(!memcmp(opt.m, opt2.m, np * sizeof(float)) && !memcmp(opt.v, opt2.v, np * sizeof(float)),
          "optimiser moments differ");
    int same = 1;
    for (int i = 0; i < NS; i++) {
      float l1[32], l2[32];
      float v1 = ag_nn_forward(nn, &s[i].in, l1), v2 = ag_nn_forward(nn2, &s[i].in, l2);
      same &= v1 == v2 && !memcmp(l1, l2, (size_t)s[i].nact * sizeof(float));
    }
    CHECK(same, "forward outputs differ after reload");
    train(nn, &opt, s, NS, 5, grad);
    train(nn2, &opt2, s, NS, 5, grad);
    CHECK(!memcmp(ag_nn_params(nn), ag_nn_params(nn2), np * sizeof(float)),
          "continued training after reload is not bit-identical");
    ag_nn_free(nn2);
    ag_adam_free(&opt2);
  }

  /* load_into: same architecture replaces the weights; a different one is refused */
  ag_nn *nn3 = ag_nn_new(&a, "cpu", 99, &err);
  CHECK(ag_nn_save(nn, NULL, path, &err) == 0, "save without optimiser: %s", err.msg);
  CHECK(ag_nn_load_into(nn3, NULL, path, &err) == 0, "load_into: %s", err.msg);
  CHECK(!memcmp(ag_nn_params(nn), ag_nn_params(nn3), np * sizeof(float)),
        "load_into: parameters differ");
  ag_nn_free(nn3);
  ag_nn_arch b = a;
  b.width = 12;
  ag_nn *nn4 = ag_nn_new(&b, "cpu", 1, &err);
  CHECK(ag_nn_load_into(nn4, NULL, path, &err) != 0, "load_into accepted another architecture");
  CHECK(strstr(err.msg, "architecture mismatch") && strstr(err.msg, "width=16") &&
            strstr(err.msg, "width=12"),
        "mismatch message: %s", err.msg);
  CHECK(err.code == AG_ERR_MISMATCH, "architecture mismatch: code %s (%s)",
        ag_status_name(err.code), err.msg);
  ag_nn_free(nn4);
  /* no optimiser state in the file: a fresh one */
  ag_adam o3;
  ag_nn *nn5 = ag_nn_load(path, "cpu", &o3, &err);
  CHECK(nn5 && o3.step == 0 && o3.n == np, "load without optimiser state: %s",
        nn5 ? "bad state" : err.msg);
  if (nn5) ag_nn_free(nn5), ag_adam_free(&o3);

  /* broken files */
  expect_load_error("/tmp/does/not/exist.h5", "No such file", AG_ERR_IO);
  write_bytes(bpath, "hello, world\n", 13);
  expect_load_error(bpath, "not an HDF5 file", AG_ERR_FORMAT);
  write_bytes(bpath, "", 0);
  expect_load_error(bpath, "empty file", AG_ERR_FORMAT);
  size_t n;
  unsigned char *bytes = read_bytes(path, &n);
  CHECK(bytes && n > 1000, "cannot read back %s", path);
  if (bytes) {
    write_bytes(tpath, bytes, n / 2);
    expect_load_error(tpath, "network file", AG_ERR_CORRUPT);
    write_bytes(tpath, bytes, n - 100);
    expect_load_error(tpath, "network file", AG_ERR_CORRUPT);
    /* flip bytes inside the parameter data: a Fletcher-32 checksum error */
    float *pp = ag_nn_params(nn);
    size_t at = 0;
    for (size_t k = 0; k + 4 * sizeof(float) <= n; k++)
      if (!memcmp(bytes + k, pp + np / 2, 4 * sizeof(float))) at = k;
    CHECK(at > 0, "parameter data not found in the file");
    if (at) {
      bytes[at + 1] ^= 0x5a;
      write_bytes(tpath, bytes, n);
      expect_load_error(tpath, "corrupted", AG_ERR_CORRUPT);
    }
    free(bytes);
  }
  /* foreign HDF5 files: none of our attributes; ours but inconsistent sizes */
  hid_t f = H5Fcreate(bpath, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  expect_load_error(bpath, "not an alphagrad network file", AG_ERR_FORMAT);
  craft_model(bpath, &a, np, 0.01f, 1); /* nparams one more than the architecture has */
  expect_load_error(bpath, "inconsistent file", AG_ERR_CORRUPT);
  unlink(path), unlink(tpath), unlink(bpath);
  free(grad);
  ag_adam_free(&opt);
  for (int i = 0; i < NS; i++)
    state_free(&s[i]);
  ag_nn_free(nn);
}

static void test_backends(void) {
  ag_nn_arch a = {4, 8, 1, 8};
  ag_error err = {0};
  ag_nn *nn = ag_nn_new(&a, "cuda", 1, &err);
  if (nn) { /* a machine with a GPU: the CUDA trunk must agree with the CPU one */
    ag_nn *c = ag_nn_new(&a, "cpu", 1, &err);
    state s = random_state(20, a.nfeat, 1);
    float l1[20], l2[20];
    float v1 = ag_nn_forward(nn, &s.in, l1), v2 = ag_nn_forward(c, &s.in, l2);
    double md = fabs(v1 - v2);
    for (int k = 0; k < s.nact; k++)
      md = fmax(md, fabs(l1[k] - l2[k]));
    CHECK(md < 1e-4, "cuda and cpu differ by %g", md);
    printf("cuda backend present: agrees with cpu to %.1e\n", md);
    state_free(&s);
    ag_nn_free(c);
    ag_nn_free(nn);
  } else {
    CHECK(strstr(err.msg, "cuda") != NULL, "cuda error message: %s", err.msg);
    CHECK(!strstr(err.msg, "is not built") || err.code == AG_ERR_UNSUPPORTED,
          "cuda backend: code %s (%s)", ag_status_name(err.code), err.msg);
    printf("cuda backend: %s\n", err.msg);
  }
  CHECK(ag_nn_new(&a, "tpu", 1, &err) == NULL && strstr(err.msg, "unknown backend"),
        "unknown backend: %s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "unknown backend: code %s (%s)", ag_status_name(err.code),
        err.msg);
  ag_nn_arch bad = {0, 8, 1, 8};
  CHECK(ag_nn_new(&bad, "cpu", 1, &err) == NULL && strstr(err.msg, "invalid architecture"),
        "invalid architecture: %s", err.msg);
  CHECK(err.code == AG_ERR_INPUT, "invalid architecture: code %s (%s)", ag_status_name(err.code),
        err.msg);
  /* the same seed gives the same parameters, another seed others */
  ag_nn *x = ag_nn_new(&a, "cpu", 5, &err), *y = ag_nn_new(&a, "cpu", 5, &err),
        *z = ag_nn_new(&a, "cpu", 6, &err);
  size_t np = ag_nn_nparams(x);
  CHECK(!memcmp(ag_nn_params(x), ag_nn_params(y), np * sizeof(float)), "same seed, other weights");
  CHECK(memcmp(ag_nn_params(x), ag_nn_params(z), np * sizeof(float)), "other seed, same weights");
  ag_nn_free(x), ag_nn_free(y), ag_nn_free(z);
}

int main(void) {
  if (getenv("AG_TEST_SEED"))
    check_seed(strtoull(getenv("AG_TEST_SEED"), NULL, 0) | 1); /* explore */
  test_gradients();
  test_batch_and_permutation();
  test_train_and_io();
  test_model_limits();
  test_backends();
  return check_report("test_nn");
}
