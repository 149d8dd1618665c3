/* GPU benchmark: element Jacobians per second, generated CUDA on the GPU against
   the generated C code on all CPU cores of the same machine, at 10^6 elements, with the
   transfers (inputs and parameters to the device, Jacobians and outputs back) timed apart.
   Kernels: RoeFlux_1d (examples/paper/roeflux_1d.c) and the 2-D Euler kernels of the plugin
   benchmark (bench/plugin/euler2d_kernels.c: Roe flux in x and y, the time term).

   usage: bench_gpu [--n N] [--reps R] [--threads T] [--source-dir DIR]
   Prints one table (markdown) for BENCHMARKS.md. Exit 77 when no GPU can be used (the CPU
   figures are printed anyway). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "gpu/gpu.h"
#include "graph/orders.h"
#include "jacobian/jit.h"
#include "kernel/source.h"

#ifndef AG_DEFAULT_SOURCE_DIR
#define AG_DEFAULT_SOURCE_DIR "."
#endif

typedef struct {
  ag_jit_batch_fn fn;
  int n;                      /* elements of this thread */
  double *in, *p, *out, *jac; /* its own SoA arrays (stride n) */
} chunk;

static pthread_barrier_t bar_start, bar_end;
static int nthreads, reps_total;

static void *worker(void *arg) {
  chunk *c = arg;
  for (int r = 0; r < reps_total; r++) {
    pthread_barrier_wait(&bar_start);
    c->fn(c->n, c->in, c->p, c->out, c->jac);
    pthread_barrier_wait(&bar_end);
  }
  return NULL;
}

static const char *cpu_model(void) {
  static char m[256] = "?";
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "model name", 10)) {
      char *c = strchr(line, ':');
      if (c) {
        snprintf(m, sizeof m, "%s", c + 2);
        m[strcspn(m, "\n")] = 0;
      }
      break;
    }
  if (f) fclose(f);
  return m;
}

int main(int argc, char **argv) {
  long n = 1000000;
  int reps = 10;
  const char *root = getenv("AG_SOURCE_DIR") ? getenv("AG_SOURCE_DIR") : AG_DEFAULT_SOURCE_DIR;
  nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--n") && i + 1 < argc)
      n = atol(argv[++i]);
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      nthreads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--source-dir") && i + 1 < argc)
      root = argv[++i];
    else {
      fprintf(stderr, "usage: bench_gpu [--n N] [--reps R] [--threads T] [--source-dir DIR]\n");
      return 2;
    }
  }
  if (n < nthreads) nthreads = (int)n;
  if (nthreads < 1 || reps < 1 || n < 1 || n > 0x7fffffffL) return 2;
  struct {
    const char *file, *fn, *label;
  } ks[] = {{"examples/paper/roeflux_1d.c", NULL, "RoeFlux_1d"},
            {"bench/plugin/euler2d_kernels.c", "euler2d_roe_x", "euler2d_roe_x"},
            {"bench/plugin/euler2d_kernels.c", "euler2d_roe_y", "euler2d_roe_y"},
            {"bench/plugin/euler2d_kernels.c", "euler2d_time", "euler2d_time"}};
  ag_error err;
  err.msg[0] = 0;
  ag_gpu *g = NULL;
  char gpu_why[sizeof err.msg + 8] = "";
  if (ag_gpu_available(&err) == 0) g = ag_gpu_open(0, &err);
  if (!g) snprintf(gpu_why, sizeof gpu_why, "%s", err.msg);
  printf("# bench_gpu: %ld elements, best of %d; CPU: %s, %d threads (generated C, -O3 "
         "-march=native); GPU: %s\n\n",
         n, reps, cpu_model(), nthreads, g ? ag_gpu_name(g) : gpu_why);
  printf(
      "| kernel | in | out | Jacobian entries | CPU %d threads: Mel/s | GPU kernel: Mel/s | GPU "
      "with transfers: Mel/s | to device ms | kernel ms | to host ms | max rel. diff GPU vs C |\n",
      nthreads);
  printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  int status = 0;
  for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
    char spec[1200];
    if (ks[t].fn)
      snprintf(spec, sizeof spec, "%s/%s:%s", root, ks[t].file, ks[t].fn);
    else
      snprintf(spec, sizeof spec, "%s/%s", root, ks[t].file);
    ag_graph *gr = ag_load_source(spec, NULL, &err);
    if (!gr) {
      fprintf(stderr, "bench_gpu: %s: %s\n", spec, err.msg);
      return 1;
    }
    /* the cheapest baseline order (as the plugin without an order library) */
    int *order = malloc(sizeof(int) * ((size_t)gr->dag.neliminable + 1)), len = gr->dag.neliminable;
    ag_order_best_baseline(&gr->dag, order, NULL);
    ag_jacprog *jp = ag_jacprog_build(gr, order, len, &err);
    free(order);
    ag_jit *cj = jp ? ag_jit_load(jp, NULL, &err) : NULL;
    if (!cj) {
      fprintf(stderr, "bench_gpu: %s: %s\n", spec, err.msg);
      return 1;
    }
    int ni = gr->ninputs, no = gr->noutputs, np = gr->nparams, ne = jp->nentries;
    double tp[64];
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", root, ks[t].file);
    int ntp = ag_source_test_point(path, tp, 64);
    /* inputs: the kernel's test point, perturbed per element */
    size_t N = (size_t)n;
    double *in = malloc(sizeof(double) * N * ni), *p = malloc(sizeof(double) * (N * np + 1));
    double *out = malloc(sizeof(double) * N * no), *jac = malloc(sizeof(double) * N * ne);
    unsigned long long s = 12345;
    for (size_t e = 0; e < N; e++)
      for (int i = 0; i < ni; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        in[(size_t)i * N + e] = (ntp > 0 ? tp[i % ntp] : 0.5) * (1 + 0.02 * (u - 0.5));
      }
    for (size_t e = 0; e < N * np; e++)
      p[e] = 1.0 + 1e-3 * (double)(e % 7);
    /* CPU: each thread its own contiguous SoA block */
    chunk *cs = calloc((size_t)nthreads, sizeof *cs);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    for (int k = 0; k < nthreads; k++) {
      size_t e0 = N * k / nthreads, e1 = N * (k + 1) / nthreads, m = e1 - e0;
      cs[k].fn = cj->batch;
      cs[k].n = (int)m;
      cs[k].in = malloc(sizeof(double) * m * ni);
      cs[k].p = malloc(sizeof(double) * (m * np + 1));
      cs[k].out = malloc(sizeof(double) * m * no);
      cs[k].jac = malloc(sizeof(double) * m * ne);
      for (int i = 0; i < ni; i++)
        memcpy(cs[k].in + (size_t)i * m, in + (size_t)i * N + e0, sizeof(double) * m);
      for (int i = 0; i < np; i++)
        memcpy(cs[k].p + (size_t)i * m, p + (size_t)i * N + e0, sizeof(double) * m);
    }
    reps_total = reps + 1;
    pthread_barrier_init(&bar_start, NULL, (unsigned)nthreads + 1);
    pthread_barrier_init(&bar_end, NULL, (unsigned)nthreads + 1);
    for (int k = 0; k < nthreads; k++)
      pthread_create(&th[k], NULL, worker, &cs[k]);
    double cpu_best = INFINITY;
    for (int r = 0; r < reps_total; r++) { /* the first is a warm-up */
      double t0 = ag_now();
      pthread_barrier_wait(&bar_start);
      pthread_barrier_wait(&bar_end);
      double dt = ag_now() - t0;
      if (r > 0 && dt < cpu_best) cpu_best = dt;
    }
    for (int k = 0; k < nthreads; k++)
      pthread_join(th[k], NULL);
    pthread_barrier_destroy(&bar_start);
    pthread_barrier_destroy(&bar_end);
    /* the reference values for the GPU check (thread chunks back into one SoA) */
    for (int k = 0; k < nthreads; k++) {
      size_t e0 = N * k / nthreads, m = (size_t)cs[k].n;
      for (int q = 0; q < ne; q++)
        memcpy(jac + (size_t)q * N + e0, cs[k].jac + (size_t)q * m, sizeof(double) * m);
      free(cs[k].in), free(cs[k].p), free(cs[k].out), free(cs[k].jac);
    }
    free(cs), free(th);
    char gk_col[400] = "| - | - | - | - | - | - |";
    if (g) {
      ag_gpu_kernel *gk = ag_gpu_kernel_load(g, jp, NULL, &err);
      ag_dptr din = 0, dp = 0, dout = 0, djac = 0;
      double *gjac = malloc(sizeof(double) * N * ne);
      int rc = !gk || !(din = ag_gpu_alloc(g, sizeof(double) * N * ni, &err)) ||
               !(dp = ag_gpu_alloc(g, sizeof(double) * (N * np + 1), &err)) ||
               !(dout = ag_gpu_alloc(g, sizeof(double) * N * no, &err)) ||
               !(djac = ag_gpu_alloc(g, sizeof(double) * N * ne, &err));
      double best_up = INFINITY, best_k = INFINITY, best_down = INFINITY, best_all = INFINITY;
      for (int r = 0; !rc && r <= reps; r++) {
        double t0 = ag_now();
        rc = ag_gpu_upload(g, din, in, sizeof(double) * N * ni, &err) ||
             ag_gpu_upload(g, dp, p, sizeof(double) * N * np, &err) || ag_gpu_sync(g, &err);
        double t1 = ag_now();
        rc = rc || ag_gpu_kernel_eval(g, gk, (int)n, din, np ? dp : 0, dout, djac, &err) ||
             ag_gpu_sync(g, &err);
        double t2 = ag_now();
        rc = rc || ag_gpu_download(g, gjac, djac, sizeof(double) * N * ne, &err) ||
             ag_gpu_download(g, out, dout, sizeof(double) * N * no, &err);
        double t3 = ag_now();
        if (r > 0) { /* the first is a warm-up */
          best_up = fmin(best_up, t1 - t0);
          best_k = fmin(best_k, t2 - t1);
          best_down = fmin(best_down, t3 - t2);
          best_all = fmin(best_all, t3 - t0);
        }
      }
      if (rc) {
        fprintf(stderr, "bench_gpu: %s on the GPU: %s\n", ks[t].label, err.msg);
        status = 1;
      } else {
        double worst = 0;
        for (size_t q = 0; q < N * ne; q++) {
          double a = gjac[q], b = jac[q];
          if (a == b || (isnan(a) && isnan(b))) continue;
          worst = fmax(worst, fabs(a - b) / fmax(fabs(b), 1e-300));
        }
        snprintf(gk_col, sizeof gk_col, "| %.1f | %.1f | %.2f | %.2f | %.2f | %.2g |",
                 1e-6 * n / best_k, 1e-6 * n / best_all, 1e3 * best_up, 1e3 * best_k,
                 1e3 * best_down, worst);
      }
      ag_gpu_free(g, din), ag_gpu_free(g, dp), ag_gpu_free(g, dout), ag_gpu_free(g, djac);
      ag_gpu_kernel_free(g, gk);
      free(gjac);
    }
    printf("| %s | %d | %d | %d | %.1f %s\n", ks[t].label, ni, no, ne, 1e-6 * n / cpu_best, gk_col);
    fflush(stdout);
    free(in), free(p), free(out), free(jac);
    ag_jit_free(cj);
    ag_jacprog_free(jp);
    ag_graph_free(gr);
  }
  printf(
      "\nMel/s: million element Jacobians (outputs and all Jacobian entries) per second. GPU with "
      "transfers: inputs and parameters to the device, kernel, Jacobians and outputs back "
      "(pageable host memory).\n");
  if (g) ag_gpu_close(g);
  if (!g) {
    printf("GPU: skipped: %s\n", gpu_why);
    return status ? status : 77;
  }
  return status;
}
