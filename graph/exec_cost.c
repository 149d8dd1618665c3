/* Owns the execution model's default weights (exec_cost.h). */
#include "graph/exec_cost.h"

void ag_exec_weights_default(ag_exec_weights *w) {
  /* picoseconds per element on the reference machine (2-core AMD EPYC KVM guest, gcc 12.2,
     the JIT's flags: -O3 -march=native -ffp-contract=off), measured 2026-12-07 by
     `alphagrad calibrate --seconds 3` twice: 87/62/119 and 86/60/119 (BENCHMARKS.md,
     issue 17). Without contraction an accumulation a*b + c is a mul and an add. */
  w->mul = 86;
  w->add = 60;
  w->fma = 119;
}
