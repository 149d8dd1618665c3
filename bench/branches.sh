#!/usr/bin/env bash
# Branches on data in the generated code (issue 18): is the batch entry point of a kernel
# written with if/else and early returns vectorised, and how fast is it against the same
# function written branch-free with fmin/fabs/copysign?
#   bench/kernels/muscl_if.c    MUSCL minmod reconstruction (5 components) + Harten's fix,
#                               with branches and returns
#   bench/kernels/muscl_fmax.c  the same function, branch-free
# For each: `alphagrad codegen` (the default order), compiled with the JIT's flags
# (AG_JIT_DEFAULT_CFLAGS) plus -fopt-info-vec-optimized: the compiler's own report says
# whether the loop of FNAME_batch is vectorised. Then both batch functions are timed
# interleaved in one process (n elements, structure of arrays, inputs uniform in [-1, 1];
# the best of REPS rounds), ns per element (outputs and Jacobian), and the ratio.
# usage: bench/branches.sh BUILD_DIR [N=4096] [REPS=200]
set -eu
B=${1:?usage: bench/branches.sh BUILD_DIR [N] [REPS]}
N=${2:-4096}
REPS=${3:-200}
SRC=$(cd "$(dirname "$0")/.." && pwd)
AG=$B/bin/alphagrad
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${AG_CC:-cc}
FLAGS="-O3 -march=native -ffp-contract=off -fno-math-errno -fPIC"
echo "machine: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $($CC --version | head -1)"
for k in muscl_if muscl_fmax; do
  "$AG" codegen "$SRC/bench/kernels/$k.c" -o "$T/${k}_jac.c" --function "${k}_jac" | sed 's/^/  /'
  "$CC" $FLAGS -fopt-info-vec-all="$T/$k.vec" -c "$T/${k}_jac.c" -o "$T/$k.o"
  # the block loop of FNAME_batch: the `for (int b = 0; b < B; b++)` after its ivdep pragma
  lo=$(grep -n "^void ${k}_jac_batch(" "$T/${k}_jac.c" | cut -d: -f1)
  loop=$(awk -v lo="$lo" 'NR > lo && /for \(int b = 0; b < [0-9]+; b\+\+\)/ { print NR; exit }' "$T/${k}_jac.c")
  vec=$(grep -E "${k}_jac.c:${loop}:[0-9]+: optimized: loop vectorized" "$T/$k.vec" | head -1)
  if [ -n "$loop" ] && [ -n "$vec" ]; then
    echo "  $k: the element loop of ${k}_jac_batch (line $loop) is vectorised: $(echo "$vec" | sed 's/.*optimized: //')"
  else
    echo "  $k: the element loop of ${k}_jac_batch (line ${loop:-?}) is NOT vectorised: $(grep -E "${k}_jac.c:${loop:-0}:[0-9]+: missed" "$T/$k.vec" | head -1 | sed 's/.*missed: //')"
  fi
done
cat >"$T/drv.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
void muscl_if_jac_batch(int n, const double *in, const double *p, double *out, double *jac);
void muscl_fmax_jac_batch(int n, const double *in, const double *p, double *out, double *jac);
extern const int muscl_if_jac_nentries, muscl_fmax_jac_nentries;
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
int main(int argc, char **argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  double *in = malloc(sizeof(double) * 20 * n), *out = malloc(sizeof(double) * 13 * n);
  int ne = muscl_if_jac_nentries > muscl_fmax_jac_nentries ? muscl_if_jac_nentries : muscl_fmax_jac_nentries;
  double *jac = malloc(sizeof(double) * ne * n);
  srand(7);
  for (long i = 0; i < 20L * n; i++) in[i] = 2.0 * rand() / RAND_MAX - 1.0;
  double best[2] = {1e30, 1e30};
  for (int r = 0; r < reps; r++)
    for (int w = 0; w < 2; w++) {
      double t0 = now();
      if (w == 0) muscl_if_jac_batch(n, in, NULL, out, jac);
      else muscl_fmax_jac_batch(n, in, NULL, out, jac);
      double t = (now() - t0) / n * 1e9;
      if (t < best[w]) best[w] = t;
    }
  printf("n = %d, best of %d rounds, interleaved: branches %.2f ns/element, fmin/fabs %.2f "
         "ns/element, ratio branches/fmin %.3f\n", n, reps, best[0], best[1], best[0] / best[1]);
  return 0;
}
C
"$CC" -O2 "$T/drv.c" "$T/muscl_if.o" "$T/muscl_fmax.o" -o "$T/drv" -lm
"$T/drv" "$N" "$REPS"
