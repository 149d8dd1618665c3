/* Owns the execution model's default weights (exec_cost.h). */
#include "graph/exec_cost.h"

void ag_exec_weights_default(ag_exec_weights *w) {
  /* picoseconds per element on the reference machine (2-core KVM guest, AVX-512, gcc 12.2,
     JIT flags with FMA contraction; `alphagrad calibrate`, BENCHMARKS.md issue 17) */
  w->mul = 100;
  w->add = 100;
  w->fma = 100;
}
