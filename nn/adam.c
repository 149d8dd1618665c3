/* Adam with decoupled weight decay (AdamW), on the host. Deterministic: the same gradients
   from the same state give bit-identical parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "nn/nn.h"

void ag_adam_init(ag_adam *a, size_t n, float lr) {
  a->lr = lr;
  a->beta1 = 0.9f;
  a->beta2 = 0.999f;
  a->eps = 1e-8f;
  a->weight_decay = 1e-4f;
  a->step = 0;
  a->n = n;
  a->m = ag_calloc(n ? n : 1, sizeof(float));
  a->v = ag_calloc(n ? n : 1, sizeof(float));
}

void ag_adam_free(ag_adam *a) {
  if (!a) return;
  free(a->m);
  free(a->v);
  a->m = a->v = NULL;
  a->n = 0;
}

void ag_adam_step(ag_adam *a, float *p, const float *g) {
  a->step++;
  double bc1 = 1.0 - pow((double)a->beta1, (double)a->step);
  double bc2 = 1.0 - pow((double)a->beta2, (double)a->step);
  float b1 = a->beta1, b2 = a->beta2, eps = a->eps;
  float ib1 = (float)(1.0 / bc1), ib2 = (float)(1.0 / bc2), lr = a->lr, wd = a->weight_decay;
  float *m = a->m, *v = a->v;
  for (size_t i = 0; i < a->n; i++) {
    float gi = g[i];
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    float mh = m[i] * ib1, vh = v[i] * ib2;
    p[i] -= lr * (mh / (sqrtf(vh) + eps) + wd * p[i]);
  }
}
