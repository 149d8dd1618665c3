#!/usr/bin/env bash
# PETSc's SNES tutorials ex5 (2-D Bratu, manufactured solution) and ex19 (2-D driven cavity,
# 4 fields), compiled unmodified from the examples package (build targets petsc_ex5,
# petsc_ex19), with each Jacobian they can use: ex5's hand-coded one, -snes_fd_color (ex19's
# default; it has no hand-coded Jacobian), and alphagrad from options alone (the kernels of
# tests/plugin/ex5_kernels.c and ex19_kernels.c with geometry parameters) with a cold and a
# warm kernel cache. For each: Newton iterations, Jacobians computed (all levels), ms per
# Jacobian without the one-time set-up (hand-coded: SNESJacobianEval / count; fd_color:
# MatFDColorApply / count; alphagrad: AGJacobianEval / count), the one-time set-up inside
# SNESJacobianEval (fd_color: the colouring; alphagrad: orders, code, element lists, COO
# patterns), and the whole solve (SNESSolve), all from -log_view (maxima over the ranks), on
# NP ranks. Two solvers each: PETSc's default (GMRES + ILU(0)) and rediscretised multigrid
# (a Jacobian per level and Newton step).
#
# Usage: bench_petsc_tutorials.sh [BUILD_DIR (build)] [NP (2)] [EX5_N (513)] [EX19_REFINE (6)]
# Prints Markdown tables (BENCHMARKS.md).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
NP=${2:-2}
N=${3:-513}
R=${4:-6}
LIB=$(ls "$BUILD"/lib/libalphagrad.so | head -1)
for ex in ex5 ex19; do
  [ -x "$BUILD/bin/petsc_$ex" ] || { echo "bench_petsc_tutorials.sh: $BUILD/bin/petsc_$ex missing (install libpetsc3.18-dev-examples, build petsc_$ex)" >&2; exit 1; }
done
. "$HERE/../../tests/lib.sh"
# OpenBLAS (PETSc's BLAS here) keeps its threads spinning in sched_yield after each call;
# with a rank per core they steal the cores the timed code runs on (a third of the samples
# in a perf profile of bench_euler2d): one BLAS thread per rank
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
ag_mpi "${MPIEXEC:-mpiexec}"
ag_tmpdir WORK
export AG_JIT_CACHE=$WORK/cache
KDIR=$HERE/../../tests/plugin
AG5=(-dll_append "$LIB" -snes_jacobian alphagrad -snes_jacobian_alphagrad_geometry
     -snes_jacobian_alphagrad_kernel "$KDIR/ex5_kernels.c:ex5_mms1" -snes_jacobian_alphagrad_params 6
     -snes_jacobian_alphagrad_boundary_kernel "$KDIR/ex5_kernels.c:ex5_mms1_boundary"
     -snes_jacobian_alphagrad_boundary_params 6)
m=4; for ((i = 0; i < R; i++)); do m=$((2 * m - 1)); done # ex19's grid: 4 x 4 refined R times
AG19=(-dll_append "$LIB" -snes_jacobian alphagrad -snes_jacobian_alphagrad_geometry
      -snes_jacobian_alphagrad_kernel "$KDIR/ex19_kernels.c:ex19_cell" -snes_jacobian_alphagrad_params 1,1
      -snes_jacobian_alphagrad_boundary_params "$(awk -v m=$m 'BEGIN {printf "%.17g", 1 / (m * m)}'),1")
for s in xlo xhi ylo yhi; do
  AG19+=(-snes_jacobian_alphagrad_boundary_kernel_$s "$KDIR/ex19_kernels.c:ex19_wall_$s")
done

# event NAME FILE: "time count" of a -log_view event (max time over the ranks)
event() { awk -v e="$1" '$1 == e {print $4, $2; exit}' "$2"; }

row() { # row EX SOLVER METHOD ARGS...
  local ex=$1 solver=$2 method=$3
  shift 3
  local log=$WORK/$ex.$solver.${method// /_}.log
  "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$BUILD/bin/petsc_$ex" -snes_converged_reason -log_view "$@" \
    > "$log" 2>&1 || { echo "| $ex | $solver | $method | failed (see $log) |"; return; }
  local its jt jn st kt kn
  its=$(grep -o "iterations [0-9][0-9]*" "$log" | tail -1 | awk '{print $2}')
  read -r jt jn <<< "$(event SNESJacobianEval "$log")"
  read -r st _ <<< "$(event SNESSolve "$log")"
  case $method in
    fd*) read -r kt kn <<< "$(event MatFDColorApply "$log")" ;;
    alpha*) read -r kt kn <<< "$(event AGJacobianEval "$log")" ;;
    *) kt=$jt kn=$jn ;;
  esac
  awk -v x="$ex" -v s="$solver" -v m="$method" -v i="$its" -v jt="$jt" -v jn="$jn" -v kt="$kt" \
      -v kn="$kn" -v st="$st" 'BEGIN {
    su = jt - kt; printf "| %s | %s | %s | %s | %d | %.2f | %s | %.3f |\n", x, s, m, i, jn,
      1000 * kt / kn, (su > 0 ? sprintf("%.3f", su) : "-"), st }'
}

alphagrad_rows() { # alphagrad_rows EX SOLVER ARGS...: a cold and a warm kernel cache
  local ex=$1 solver=$2
  shift 2
  rm -rf "$AG_JIT_CACHE"
  row "$ex" "$solver" "alphagrad (cold cache)" "$@"
  row "$ex" "$solver" "alphagrad (warm cache)" "$@"
}

echo "ex5 $N x $N, ex19 $m x $m x 4 fields; $NP ranks, $(date -u +%F), $(uname -n)"
echo
echo "| tutorial | solver | Jacobian | Newton its | Jacobians | ms per Jacobian | set-up s | SNESSolve s |"
echo "|---|---|---|---|---|---|---|---|"
G5=(-da_grid_x "$N" -da_grid_y "$N")
MG5=(-pc_type mg -pc_mg_levels 6)
row ex5 ilu hand-coded "${G5[@]}"
row ex5 ilu fd_color -snes_fd_color "${G5[@]}"
alphagrad_rows ex5 ilu "${AG5[@]}" "${G5[@]}"
row ex5 mg hand-coded "${G5[@]}" "${MG5[@]}"
row ex5 mg fd_color -snes_fd_color "${G5[@]}" "${MG5[@]}"
alphagrad_rows ex5 mg "${AG5[@]}" "${G5[@]}" "${MG5[@]}"
G19=(-da_refine "$R")
MG19=(-pc_type mg -ksp_type fgmres -pc_mg_type full) # the solver of ex19's first TEST line
row ex19 ilu fd_color -snes_fd_color "${G19[@]}"
alphagrad_rows ex19 ilu "${AG19[@]}" "${G19[@]}"
row ex19 mg fd_color -snes_fd_color "${G19[@]}" "${MG19[@]}"
alphagrad_rows ex19 mg "${AG19[@]}" "${G19[@]}" "${MG19[@]}"
