#!/usr/bin/env bash
# PETSc's SNES tutorial ex5 (compiled unmodified from the examples package: build target
# petsc_ex5) with three Jacobians: its hand-coded one, -snes_fd_color, and alphagrad from
# options alone (tests/plugin/ex5_kernels.c with geometry parameters). For each: Newton
# iterations, Jacobians computed (all levels), ms per Jacobian without the one-time set-up
# (hand-coded: SNESJacobianEval / count; fd_color: MatFDColorApply / count; alphagrad:
# AGJacobianEval / count), the one-time set-up inside SNESJacobianEval (fd_color: the
# coloring; alphagrad: orders, code, element lists, COO patterns, with a cold and a warm
# kernel cache), and the whole solve (SNESSolve), all from -log_view (maxima over the ranks),
# on NP ranks. Two solvers: the default (GMRES + ILU) on an N x N grid, and rediscretised
# multigrid (-pc_type mg, L levels: a Jacobian per level and Newton step).
#
# Usage: bench_petsc_ex5.sh [BUILD_DIR (build)] [N (513)] [NP (2)] [L (6)]
# Prints a Markdown table (BENCHMARKS.md).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
N=${2:-513}
NP=${3:-2}
L=${4:-6}
EX5=$BUILD/bin/petsc_ex5
LIB=$(ls "$BUILD"/lib/libalphagrad.so | head -1)
[ -x "$EX5" ] || { echo "bench_petsc_ex5.sh: $EX5 missing (install libpetsc3.18-dev-examples, build petsc_ex5)" >&2; exit 1; }
. "$HERE/../../tests/lib.sh"
ag_mpi "${MPIEXEC:-mpiexec}"
ag_tmpdir WORK
export AG_JIT_CACHE=$WORK/cache
KDIR=$HERE/../../tests/plugin
AG=(-dll_append "$LIB" -snes_jacobian alphagrad
    -snes_jacobian_alphagrad_kernel "$KDIR/ex5_kernels.c:ex5_mms1" -snes_jacobian_alphagrad_params 6
    -snes_jacobian_alphagrad_boundary_kernel "$KDIR/ex5_kernels.c:ex5_mms1_boundary"
    -snes_jacobian_alphagrad_boundary_params 6 -snes_jacobian_alphagrad_geometry)

# event NAME FILE: "time count" of a -log_view event (max time over the ranks)
event() { awk -v e="$1" '$1 == e {print $4, $2; exit}' "$2"; }

row() { # row SOLVER METHOD ARGS...
  local solver=$1 method=$2
  shift 2
  local log=$WORK/$solver.$method.log
  "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$EX5" -da_grid_x "$N" -da_grid_y "$N" -snes_converged_reason \
    -log_view "$@" > "$log" 2>&1 || { echo "| $solver | $method | failed (see $log) |"; return; }
  local its jt jn st kt kn
  its=$(grep -o "iterations [0-9]*" "$log" | tail -1 | awk '{print $2}')
  read -r jt jn <<< "$(event SNESJacobianEval "$log")"
  read -r st _ <<< "$(event SNESSolve "$log")"
  case $method in
    fd*) read -r kt kn <<< "$(event MatFDColorApply "$log")" ;;
    alpha*) read -r kt kn <<< "$(event AGJacobianEval "$log")" ;;
    *) kt=$jt kn=$jn ;;
  esac
  awk -v s="$solver" -v m="$method" -v i="$its" -v jt="$jt" -v jn="$jn" -v kt="$kt" -v kn="$kn" \
      -v st="$st" 'BEGIN {
    su = jt - kt; printf "| %s | %s | %s | %d | %.2f | %s | %.3f |\n", s, m, i, jn, 1000 * kt / kn,
      (su > 0 ? sprintf("%.3f", su) : "-"), st }'
}

echo "ex5 $N x $N, $NP ranks, $(date -u +%F), $(uname -n)"
echo
echo "| solver | Jacobian | Newton its | Jacobians | ms per Jacobian | set-up s | SNESSolve s |"
echo "|---|---|---|---|---|---|---|"
for solver in ilu mg; do
  extra=()
  [ "$solver" = mg ] && extra=(-pc_type mg -pc_mg_levels "$L")
  row "$solver" hand-coded "${extra[@]}"
  row "$solver" fd_color -snes_fd_color "${extra[@]}"
  rm -rf "$AG_JIT_CACHE"
  row "$solver" "alphagrad (cold cache)" "${AG[@]}" "${extra[@]}"
  row "$solver" "alphagrad (warm cache)" "${AG[@]}" "${extra[@]}"
done
