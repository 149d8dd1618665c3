/* Measured choice between elimination orders: compiled programs timed interleaved on sample
   element data, on this machine; the fastest wins, and an order other than forward or reverse
   wins only when it is measurably faster than both (the never-slower rule).

   Timing: every candidate runs in every round (rounds rotate the candidates' order, so that
   drift of the machine's speed hits all alike); a candidate's time is its minimum over
   rounds, for the batched entry point (FNAME_batch over n elements, structure of arrays)
   and for the single-element one (FNAME called per element into one buffer). The score of a
   candidate is the geometric mean of the two, nanoseconds per element. */
#ifndef AG_TUNE_TIMING_H
#define AG_TUNE_TIMING_H

#include "jacobian/jit.h"

typedef struct {
  int n;          /* elements per batch call; default 4104 (4096 and a padding of 8: a stride
                     of 4096 doubles makes the streams collide in cache, BENCHMARKS.md) */
  int rounds;     /* interleaved rounds; default 7 */
  double seconds; /* timing budget for all candidates together; default 1.5 */
  /* sample elements: nsample rows of inputs (ni each) and parameters (np each, may be
     NULL when np == 0), element-major; the timed elements cycle through them with a
     relative perturbation of 1e-3. NULL: inputs 1 + 0.25 sin(i + 0.7 k) */
  const double *x, *p;
  int nsample;
} ag_tune_opts;

typedef struct {
  double ns_batch, ns_one; /* ns per element (outputs and all Jacobian entries) */
  double score;            /* sqrt(ns_batch * ns_one) */
} ag_tune_time;

void ag_tune_opts_default(ag_tune_opts *o);

/* Times the compiled programs jits[0..k-1] (all of the same graph) interleaved; t[k]. */
int ag_tune_time_all(ag_jit *const *jits, int k, const ag_tune_opts *o, ag_tune_time *t,
                     ag_error *err);

/* The index of the winner among k timed candidates: the lowest score, except that a
   candidate other than the baselines fwd and rev (indices, -1 if absent) wins only when its
   score is below margin (e.g. 0.99) times the better baseline's; else that baseline wins. */
int ag_tune_pick(const ag_tune_time *t, int k, int fwd, int rev, double margin);

#endif
