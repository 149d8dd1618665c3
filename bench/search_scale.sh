#!/bin/bash
# The default search (`alphagrad search`, the portfolio) on large graphs on 1 and 2 MPI
# ranks: the cost reached in SECONDS, relative to the best of forward, reverse and
# Markowitz under the same objective (issue 21; figures in BENCHMARKS.md).
#   bash bench/search_scale.sh [BUILD_DIR] [SECONDS] [OBJECTIVE]
# Writes the generated graphs with bench_scale --write into a temporary folder.
set -euo pipefail
B=${1:-build}
T=${2:-20}
OBJ=${3:-exec}
SRC=$(cd "$(dirname "$0")/.." && pwd)
A=$B/bin/alphagrad
MPIEXEC=${MPIEXEC:-mpiexec}
[ "$(id -u)" = 0 ] && MPIEXEC="$MPIEXEC --allow-run-as-root"
TD=${AG_TENSOR_DIR:-$SRC/../shared/reference/tensor/scalarized}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$B/bin/bench_scale" --write "$W" >/dev/null
graphs=("$SRC/bench/kernels/muscl2d_cell.c" "$SRC/bench/kernels/muscl3d_cell.c")
[ -f "$TD/Encoder.txt" ] && graphs+=("$TD/Encoder.txt")
for g in spring-net-10x8-3 roe-stencil-40 robot-chain-100-22 roe-stencil-110 spring-net-16x16-3; do
  graphs+=("$W/$g.txt")
done
field() { python3 -c "import sys,json; print(json.loads(sys.stdin.readlines()[-1])['$1'])"; }
printf "%-22s %8s %12s %10s %10s %9s\n" graph vertices "best base" "1 rank" "2 ranks" "2r/1r"
for g in "${graphs[@]}"; do
  best=
  for o in fwd rev markowitz; do
    c=$($A cost "$g" --order $o --model "$OBJ" --json | field cost)
    if [ -z "$best" ] || [ "$c" -lt "$best" ]; then best=$c; fi
  done
  nv=$($A graph "$g" | sed -n 2p | awk '{print $4}')
  c1=$(OPENBLAS_NUM_THREADS=1 $A search "$g" --time "$T" --objective "$OBJ" --json --quiet | field cost)
  c2=$(OPENBLAS_NUM_THREADS=1 $MPIEXEC -n 2 $A search "$g" --time "$T" --objective "$OBJ" --json --quiet | field cost)
  printf "%-22s %8s %12s %10.3f %10.3f %9.3f\n" "$(basename "$g" | sed 's/\.[a-z]*$//')" "$nv" "$best" \
    "$(echo "$c1/$best" | bc -l)" "$(echo "$c2/$best" | bc -l)" "$(echo "$c2/$c1" | bc -l)"
done
