/* The CUDA backend of the network against the CPU backend, on a machine with an
   NVIDIA GPU (scripts/gpu_check.sh runs it there); skipped (exit 77) where no CUDA device is
   usable or the backend is not built.

   Inputs: real elimination states: the tokens (nn/features.h) of the five paper graphs after
   0, 10, 20, ... steps of their Markowitz order, 256 states in all; a network of the
   shipped models' size (width 64, 4 layers) with random weights.
   Tolerance (stated): every logit and value of the CUDA backend within
     1e-4 * (1 + |cpu value|)
   of the CPU backend's, single (ag_nn_forward) and batched (ag_nn_forward_batch of all 256
   states). Both backends compute in single precision with the same parameters; they differ
   in summation order only (cuBLAS vs OpenBLAS GEMMs, the gathers), which gives relative
   differences of order 1e-6 for these sizes; 1e-4 leaves room for deeper networks.
   Also prints evaluations per second of both backends at batch 1 and 256. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "graph/orders.h"
#include "nn/features.h"
#include "nn/nn.h"
#include "paper.h"

enum { NSTATES = 256 };

static double rate(ag_nn *nn, const ag_nn_input *in, int n, int batch, float **lg, float *val) {
  int reps = 0;
  double t0 = ag_now(), t;
  do {
    if (batch == 1)
      for (int i = 0; i < n; i++)
        val[i] = ag_nn_forward(nn, &in[i], lg[i]);
    else
      ag_nn_forward_batch(nn, in, n, lg, val);
    reps++;
    t = ag_now() - t0;
  } while (t < 0.5);
  return (double)reps * n / t;
}

int main(void) {
  ag_nn_arch a = {.nfeat = AG_NN_NFEAT, .width = 64, .layers = 4, .vhidden = 64};
  ag_error err;
  err.msg[0] = 0;
  ag_nn *gpu = ag_nn_new(&a, "cuda", 7, &err);
  if (!gpu) {
    printf("SKIP: no CUDA backend here: %s\n", err.msg);
    return 77;
  }
  ag_nn *cpu = ag_nn_new(&a, "cpu", 7, &err);
  CHECK(cpu != NULL, "cpu: %s", err.msg);
  if (!cpu) return 1;
  CHECK(ag_nn_checksum(cpu) == ag_nn_checksum(gpu), "same seed, same parameters");

  /* 256 real states over the five paper graphs */
  ag_graph *g[N_PAPER_TASKS];
  ag_nn_tokens tok[NSTATES];
  ag_nn_input in[NSTATES];
  int ns = 0;
  for (int t = 0; t < N_PAPER_TASKS; t++) {
    char path[4096], rel[256];
    snprintf(rel, sizeof rel, "examples/paper/%s", paper_tasks[t].kernel);
    src_path(path, sizeof path, rel);
    g[t] = ag_load_source(path, NULL, &err);
    CHECK(g[t] != NULL, "%s: %s", path, err.msg);
  }
  for (int round = 0; ns < NSTATES; round++)
    for (int t = 0; t < N_PAPER_TASKS && ns < NSTATES; t++) {
      const ag_dag *d = &g[t]->dag;
      int steps = (round * 10) % (d->neliminable > 1 ? d->neliminable - 1 : 1);
      int *ord = malloc(sizeof(int) * (size_t)(d->neliminable + 1));
      ag_order_markowitz(d, ord);
      ag_elim *s = ag_elim_new(d);
      for (int k = 0; k < steps; k++)
        ag_elim_step(s, ag_vertex_index(d, ord[k]));
      ag_nn_tokens_init(&tok[ns]);
      ag_nn_tokens_build(&tok[ns], d, s);
      in[ns] = tok[ns].in;
      ns++;
      ag_elim_free(s);
      free(ord);
    }
  float *lc[NSTATES], *lg[NSTATES], vc[NSTATES], vg[NSTATES], vb[NSTATES];
  float *lb[NSTATES];
  for (int i = 0; i < NSTATES; i++) {
    lc[i] = malloc(sizeof(float) * (size_t)(in[i].nact + 1));
    lg[i] = malloc(sizeof(float) * (size_t)(in[i].nact + 1));
    lb[i] = malloc(sizeof(float) * (size_t)(in[i].nact + 1));
  }
  double worst = 0, worst_b = 0;
  for (int i = 0; i < NSTATES; i++) {
    vc[i] = ag_nn_forward(cpu, &in[i], lc[i]);
    vg[i] = ag_nn_forward(gpu, &in[i], lg[i]);
  }
  ag_nn_forward_batch(gpu, in, NSTATES, lb, vb);
  for (int i = 0; i < NSTATES; i++) {
    double tol = 1 + fabs(vc[i]);
    worst = fmax(worst, fabs(vg[i] - vc[i]) / tol);
    worst_b = fmax(worst_b, fabs(vb[i] - vc[i]) / tol);
    for (int k = 0; k < in[i].nact; k++) {
      worst = fmax(worst, fabs(lg[i][k] - lc[i][k]) / (1 + fabs(lc[i][k])));
      worst_b = fmax(worst_b, fabs(lb[i][k] - lc[i][k]) / (1 + fabs(lc[i][k])));
    }
  }
  CHECK(worst <= 1e-4, "single forward: cuda vs cpu differ by %.3g (relative)", worst);
  CHECK(worst_b <= 1e-4, "batched forward: cuda vs cpu differ by %.3g (relative)", worst_b);
  printf("cuda vs cpu, %d real states, width 64, 4 layers: max relative difference %.2e "
         "(single), %.2e (batch of %d); tolerance 1e-4\n",
         NSTATES, worst, worst_b, NSTATES);
  printf("evaluations/s: cpu batch 1 %.0f, batch %d %.0f; cuda batch 1 %.0f, batch %d %.0f\n",
         rate(cpu, in, NSTATES, 1, lc, vc), NSTATES, rate(cpu, in, NSTATES, NSTATES, lc, vc),
         rate(gpu, in, NSTATES, 1, lg, vg), NSTATES, rate(gpu, in, NSTATES, NSTATES, lb, vb));
  for (int i = 0; i < NSTATES; i++) {
    free(lc[i]);
    free(lg[i]);
    free(lb[i]);
    ag_nn_tokens_free(&tok[i]);
  }
  for (int t = 0; t < N_PAPER_TASKS; t++)
    ag_graph_free(g[t]);
  ag_nn_free(cpu);
  ag_nn_free(gpu);
  return check_report("test_nn_backends");
}
