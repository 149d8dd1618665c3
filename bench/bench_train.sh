#!/usr/bin/env bash
# Self-play episodes per second of data-parallel training (bench_train) on 1 and 2 MPI
# ranks (or the rank counts in $RANKS), same graphs and per-rank episode count; prints
# episodes/s per rank count and the scaling ratio against 1 rank.
# usage: bench/bench_train.sh path/to/bench_train [bench_train options...]
set -eu
B=${1:?usage: bench_train.sh path/to/bench_train [options]}
shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
base=
for n in ${RANKS:-1 2}; do
  out=$(mpiexec -n "$n" "$B" "$@")
  echo "$out" | grep -v '^EPISODES_PER_S'
  eps=$(echo "$out" | awk '/^EPISODES_PER_S/ {print $3}')
  [ -z "$base" ] && base=$eps
  awk -v n="$n" -v e="$eps" -v b="$base" 'BEGIN {printf "ranks %d: %.3f episodes/s, scaling %.2fx over 1 rank (ideal %dx)\n", n, e, e / b, n}'
done
