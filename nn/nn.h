/* Policy/value network over elimination states of any size (issue 7).

   A state of the elimination game (jacobian/eliminate.h) becomes a set of tokens, one per
   vertex of the remaining graph (inputs, vertices not yet eliminated, outputs), with
   per-token features and the remaining graph's edges (nn/features.h builds them). The
   network is a graph network: an input projection, L message-passing layers

       h <- h + relu(W_self h + W_pred mean_{p in pred} h_p + W_succ mean_{s in succ} h_s + b)

   then a policy head (one logit per eliminable token: w_pol . h + b_pol) and a value head
   (mean and max pooling over tokens -> MLP -> a scalar: the predicted remaining cost divided
   by the state's scale, see features.h). All parameters live in one contiguous float buffer;
   the heavy products go through the backend (CPU: CBLAS from OpenBLAS; CUDA: cuBLAS, when
   built), which the search never sees. */
#ifndef AG_NN_H
#define AG_NN_H

#include <stddef.h>
#include <stdint.h>

#include "jacobian/error.h"

typedef struct {
  int nfeat;  /* per-token input features (AG_NN_NFEAT for features.h) */
  int width;  /* hidden width */
  int layers; /* message-passing layers */
  int vhidden; /* value head hidden width */
} ag_nn_arch;

/* One state's tokens. Edges are CSR lists of token indices. */
typedef struct {
  int n;                      /* tokens */
  const float *x;             /* n * nfeat features, row-major */
  const int *pred_off, *pred; /* predecessors of each token (n + 1 offsets) */
  const int *succ_off, *succ; /* successors */
  int nact;                   /* eliminable tokens (actions) */
  const int *act;             /* their token indices */
} ag_nn_input;

typedef struct ag_nn ag_nn;

/* backend: "cpu" or "cuda" (an error when not built or no device). Parameters initialised
   from seed (He/Xavier scaled). */
ag_nn *ag_nn_new(const ag_nn_arch *a, const char *backend, uint64_t seed, ag_error *err);
void ag_nn_free(ag_nn *nn);
const ag_nn_arch *ag_nn_get_arch(const ag_nn *nn);
const char *ag_nn_backend_name(const ag_nn *nn);
size_t ag_nn_nparams(const ag_nn *nn);
float *ag_nn_params(ag_nn *nn); /* the contiguous buffer (host copy; see ag_nn_sync) */
/* after writing ag_nn_params() directly (e.g. an MPI broadcast or an optimiser step on the
   host), make the backend see the new values */
void ag_nn_sync(ag_nn *nn);

/* Forward pass: logits[nact] and the value. */
float ag_nn_forward(ag_nn *nn, const ag_nn_input *in, float *logits);
/* Forward passes of several states at once (the GPU wants large batches). */
void ag_nn_forward_batch(ag_nn *nn, const ag_nn_input *in, int nstates, float **logits,
                         float *values);

/* Loss of one state: cross-entropy of softmax(logits) against the policy target pi[nact]
   plus value_weight * (value - z)^2; gradients are ADDED to grad[nparams]. Returns the
   total loss; *lp, *lv (may be NULL) get its two terms. */
float ag_nn_backward(ag_nn *nn, const ag_nn_input *in, const float *pi, float z,
                     float value_weight, float *grad, float *lp, float *lv);

/* Adam with decoupled weight decay. */
typedef struct {
  float lr, beta1, beta2, eps, weight_decay;
  long step;
  size_t n;
  float *m, *v; /* malloc'ed, n each */
} ag_adam;
void ag_adam_init(ag_adam *a, size_t n, float lr);
void ag_adam_free(ag_adam *a);
void ag_adam_step(ag_adam *a, float *params, const float *grad);

/* Weights (and optionally the optimiser state) in HDF5, with the architecture as
   attributes; loading checks the format and that the sizes agree. */
int ag_nn_save(const ag_nn *nn, const ag_adam *opt, const char *path, ag_error *err);
ag_nn *ag_nn_load(const char *path, const char *backend, ag_adam *opt, ag_error *err);

#endif
