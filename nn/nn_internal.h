/* Internal: the network object shared by network.c and nn_io.c. */
#ifndef AG_NN_INTERNAL_H
#define AG_NN_INTERNAL_H

#include <stdio.h>

#include "nn/backend.h"
#include "nn/nn.h"

struct ag_nn {
  ag_nn_arch arch;
  ag_nn_layout layout;
  size_t np;
  float *params; /* host copy, authoritative */
  const ag_nn_backend *be;
  void *ctx;
};

#endif
