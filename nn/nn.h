/* Policy/value network over elimination states of any size.

   A state of the elimination game (graph/eliminate.h) becomes a set of tokens, one per
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

#include "base/error.h"

typedef struct {
  int nfeat;   /* per-token input features (AG_NN_NFEAT for features.h) */
  int width;   /* hidden width */
  int layers;  /* message-passing layers */
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
/* FNV-1a over the bytes of the parameter buffer: equal weights, equal checksums */
uint64_t ag_nn_checksum(ag_nn *nn);
/* after writing ag_nn_params() directly (e.g. an MPI broadcast or an optimiser step on the
   host), make the backend see the new values */
void ag_nn_sync(ag_nn *nn);

/* Named parameter groups, in buffer order (nn/README.md lists the layout): "in.W", "in.b",
   then per layer l "layer<l>.W_self", ".W_pred", ".W_succ", ".b", then "policy.w",
   "policy.b", "value.W1", "value.b1", "value.w2", "value.b2". Returns their number
   (AG_NN_NGROUPS(layers)); fills at most max entries of g (g may be NULL). */
typedef struct {
  char name[32];
  size_t off, len;
} ag_nn_group;
#define AG_NN_NGROUPS(layers) (2 + 4 * (layers) + 6)
int ag_nn_groups(const ag_nn *nn, ag_nn_group *g, int max);
/* Number of parameters of an architecture; 0 when it is invalid (err says why, may be NULL). */
size_t ag_nn_arch_nparams(const ag_nn_arch *a, ag_error *err);

/* Forward pass: logits[nact] and the value. logits may be NULL. The CPU backend is
   reentrant (concurrent forward/backward calls on one network are safe while nobody writes
   the parameters); the CUDA backend serialises its calls. */
float ag_nn_forward(ag_nn *nn, const ag_nn_input *in, float *logits);
/* Forward passes of several states at once (the GPU wants large batches): the tokens of all
   states go through the trunk as one matrix. logits[s] (or logits itself) and values may be
   NULL. */
void ag_nn_forward_batch(ag_nn *nn, const ag_nn_input *in, int nstates, float **logits,
                         float *values);

/* Loss of one state: cross-entropy of softmax(logits) against the policy target pi[nact]
   plus value_weight * (value - z)^2; gradients are ADDED to grad[nparams]. Returns the
   total loss; *lp, *lv (may be NULL) get its two terms (*lv includes value_weight).
   The backward pass always runs on the host (CBLAS) from ag_nn_params(), whatever the
   backend. */
float ag_nn_backward(ag_nn *nn, const ag_nn_input *in, const float *pi, float z, float value_weight,
                     float *grad, float *lp, float *lv);

/* Adam with decoupled weight decay (AdamW): m, v moments with bias correction, then
   p -= lr * (m_hat / (sqrt(v_hat) + eps) + weight_decay * p). ag_adam_init sets
   beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 1e-4, step 0, m = v = 0. */
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
   attributes; loading checks the format and that the sizes agree. Saving writes
   path.tmp.<pid> and renames it over path. ag_nn_load: when opt is non-NULL it is
   initialised (ag_adam_init) and then gets the file's optimiser state if it has one (check
   opt->step; lr 1e-3 and the defaults otherwise); free it with ag_adam_free. */
int ag_nn_save(const ag_nn *nn, const ag_adam *opt, const char *path, ag_error *err);
ag_nn *ag_nn_load(const char *path, const char *backend, ag_adam *opt, ag_error *err);
/* Loads weights (and the optimiser state into an ag_adam_init'ed opt of the same size, when
   opt is non-NULL and the file has one) into an existing network; an architecture mismatch
   is an error. Then ag_nn_sync is done. */
int ag_nn_load_into(ag_nn *nn, ag_adam *opt, const char *path, ag_error *err);

#endif
