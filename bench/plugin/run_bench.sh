#!/usr/bin/env bash
# Plugin benchmark: time per Jacobian of the 2-D Euler residual of bench_euler2d,
# -snes_jacobian alphagrad against -snes_fd_color, from -log_view.
#
# Usage: run_bench.sh [path/to/bench_euler2d] [N (320: N x N cells)] [NP (2)]
# Env:   MPIEXEC (mpiexec), JACOBIANS (5: Newton iterations = Jacobian evaluations per run),
#        KEEP=dir (keep the -log_view files there), MAT_TYPE (aij: DMCreateMatrix's default;
#        baij: -dm_mat_type baij in every run, 4 x 4 blocks)
#
# Runs (all with NP processes):
#   fd_color              -snes_fd_color
#   alphagrad (cold)      -snes_jacobian alphagrad, empty kernel cache: set-up compiles
#   alphagrad (warm)      the same again, kernels from the cache: the per-Jacobian figures
#   compare               one Jacobian of each at the initial state, their difference
#   test                  20 x 20, 1 process: -snes_test_jacobian (dense FD, step 1e-9)
#   loop                  LOOP (15) Jacobians of each kind in alternation in one process
#                         (-loop), min and median per call: robust against a busy machine;
#                         then the memory floor: the matrix's values written once by every
#                         rank at the same time, timed, and both medians as multiples of it;
#                         then LOOP residuals of each kind (the application's own compiled
#                         residual, the operator's) in alternation
# Per-Jacobian times exclude the one-time set-up: MatFDColorApply / count for fd_color
# (SNESJacobianEval also holds the coloring set-up), AGJacobianEval / count for alphagrad
# (SNESJacobianEval also holds AGSetUp and the COO pattern of the first call). All times are
# -log_view's maxima over the processes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/bin/bench_euler2d}
N=${2:-320}
NP=${3:-2}
NJ=${JACOBIANS:-5}
[ -x "$BIN" ] || { echo "run_bench.sh: $BIN is not an executable (build the target bench_euler2d)" >&2; exit 1; }
. "$(dirname "$0")/../../tests/lib.sh"
# OpenBLAS (PETSc's BLAS here) keeps its threads spinning in sched_yield after each call;
# with a rank per core they steal the cores the timed code runs on (a third of the samples
# in a perf profile of bench_euler2d): one BLAS thread per rank
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
ag_mpi "${MPIEXEC:-mpiexec}"
ag_tmpdir WORK

# a fixed number of Newton iterations, each with a new Jacobian; the linear solve is cheap
# and allowed to fail (it is not what is timed)
MT=(-dm_mat_type "${MAT_TYPE:-aij}")
OPTS=("${MT[@]}" -da_grid_x "$N" -da_grid_y "$N" -snes_max_it "$NJ" -snes_lag_jacobian 1
      -snes_rtol 1e-50 -snes_atol 0 -snes_stol 0 -snes_max_linear_solve_fail 1000
      -ksp_type gmres -ksp_max_it 10 -ksp_rtol 1e-3 -pc_type bjacobi)

run() { # run NAME ARGS...
  local name=$1
  shift
  if ! "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$BIN" "${OPTS[@]}" "$@" -log_view ":$WORK/$name.log" > "$WORK/$name.out" 2>&1; then
    cat "$WORK/$name.out" >&2
    echo "run_bench.sh: the $name run failed" >&2
    exit 1
  fi
}
# ev FILE EVENT: "count max-time" of a -log_view event (0 0 if absent)
ev() { awk -v e="$2" '$1 == e { print $2, $4; found = 1; exit } END { if (!found) print 0, 0 }' "$1"; }
cnt() { ev "$1" "$2" | awk '{ print $1 }'; }
tim() { ev "$1" "$2" | awk '{ print $2 }'; }

echo "bench_euler2d: ${N} x ${N} cells, dof 4 ($((4 * N * N)) unknowns), $NP processes, $NJ Jacobians per run, matrices ${MAT_TYPE:-aij}"
echo "machine: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $(date -u '+%Y-%m-%d %H:%M UTC')"

run fd -snes_fd_color
AG_JIT_CACHE=$WORK/cache run ag_cold -snes_jacobian alphagrad
AG_JIT_CACHE=$WORK/cache run ag -snes_jacobian alphagrad
AG_JIT_CACHE=$WORK/cache "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$BIN" "${MT[@]}" -da_grid_x "$N" -da_grid_y "$N" -compare \
  -snes_max_it 0 > "$WORK/compare.out" 2>&1 || { cat "$WORK/compare.out" >&2; echo "run_bench.sh: the compare run failed" >&2; exit 1; }
AG_JIT_CACHE=$WORK/cache "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$BIN" "${MT[@]}" -da_grid_x "$N" -da_grid_y "$N" -loop "${LOOP:-15}" \
  -residual_loop "${LOOP:-15}" -snes_max_it 0 > "$WORK/loop.out" 2>&1 || { cat "$WORK/loop.out" >&2; echo "run_bench.sh: the loop run failed" >&2; exit 1; }
# exactness at a small size against PETSc's dense finite-difference Jacobian (1 process)
AG_JIT_CACHE=$WORK/cache "$MPIEXEC" -n 1 "${MPIFLAGS[@]}" "$BIN" -da_grid_x 20 -da_grid_y 20 -snes_jacobian alphagrad \
  -snes_test_jacobian -snes_test_err 1e-9 -snes_max_it 3 > "$WORK/test.out" 2>&1 ||
  { cat "$WORK/test.out" >&2; echo "run_bench.sh: the -snes_test_jacobian run failed" >&2; exit 1; }
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$WORK"/*.log "$WORK"/*.out "$KEEP"/; fi

F=$WORK/fd.log A=$WORK/ag.log C=$WORK/ag_cold.log
awk -v fj="$(tim $F SNESJacobianEval)" -v fn="$(cnt $F SNESJacobianEval)" \
    -v fa="$(tim $F MatFDColorApply)" -v fan="$(cnt $F MatFDColorApply)" \
    -v ff="$(tim $F MatFDColorFunc)" -v ffn="$(cnt $F MatFDColorFunc)" \
    -v fs="$(tim $F MatFDColorSetUp)" -v fc="$(tim $F MatFDColorCreate)" \
    -v aj="$(tim $A SNESJacobianEval)" -v an="$(cnt $A SNESJacobianEval)" \
    -v ae="$(tim $A AGJacobianEval)" -v aen="$(cnt $A AGJacobianEval)" \
    -v as="$(tim $A AGSetUp)" -v acg="$(tim $A AGCodegen)" \
    -v acoo="$(tim $A MatSetValuesCOO)" -v apre="$(tim $A MatSetPreallCOO)" \
    -v cs="$(tim $C AGSetUp)" -v ccg="$(tim $C AGCodegen)" -v cj="$(tim $C SNESJacobianEval)" '
function ms(t, n) { return n > 0 ? 1e3 * t / n : 0 }
BEGIN {
  if (fan == 0 || aen == 0) { print "run_bench.sh: events missing from -log_view" > "/dev/stderr"; exit 1 }
  printf "\n%-34s %14s %14s\n", "", "fd_color", "alphagrad"
  printf "%-34s %14d %14d\n", "Jacobians (SNESJacobianEval count)", fn, an
  printf "%-34s %14.1f %14.1f\n", "ms per Jacobian, steady state", ms(fa, fan), ms(ae, aen)
  printf "%-34s %14s %14s\n", "  (event)", "MatFDColorApply", "AGJacobianEval"
  printf "%-34s %14.1f %14.1f\n", "ms per Jacobian, SNESJacobianEval", ms(fj, fn), ms(aj, an)
  printf "%-34s %14.3f %14.3f\n", "one-time set-up, s", fc + fs, as
  printf "%-34s %14s %14s\n", "  (event)", "MatFDColor*", "AGSetUp"
  printf "%-34s %14s %14.3f\n", "alphagrad set-up, cold cache, s", "", cs
  printf "%-34s %14s %14.3f\n", "  of which AGCodegen, s", "", ccg
  printf "%-34s %14s %14.3f\n", "first-call overhead, s", "", aj - ae - as
  printf "%-34s %14s %14s\n", "  (SNESJacobianEval - AGSetUp", "", ""
  printf "%-34s %14s %14s\n", "   - AGJacobianEval)", "", ""
  printf "%-34s %14s %14.3f\n", "  of which MatSetPreallCOO, s", "", apre
  printf "%-34s %14.1f %14.1f\n", "  residuals / MatSetValuesCOO, ms", ms(ff, fan), ms(acoo, aen)
  printf "%-34s %14s %14s\n", "  per Jacobian", sprintf("(%d evals)", ffn / fan), ""
  printf "\nratio fd_color / alphagrad per Jacobian: %.2f (steady state), %.2f (SNESJacobianEval incl. set-up); target >= 10\n", \
    (fa / fan) / (ae / aen), (fj / fn) / (aj / an)
}'
echo
grep "^loop: [0-9]" "$WORK/loop.out" | sed 's/^loop: /alternating loop (same process, timed per call between barriers): /'
grep "^floor:" "$WORK/loop.out" | sed 's/^floor: /memory floor (values written once, measured in the same run): /'
grep "^residual loop:" "$WORK/loop.out" | sed 's/^residual loop: /residuals, alternating (the application'"'"'s compiled residual and the operator'"'"'s): /'
grep "^compare:" "$WORK/compare.out" | sed 's/^compare: /Jacobian difference at the initial state (full size): /'
echo "Jacobian vs dense finite differences (20 x 20, -snes_test_jacobian -snes_test_err 1e-9): worst ||J - Jfd||_F/||J||_F =" \
  "$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' "$WORK/test.out" | sort -g | tail -1)"
grep "^bench_euler2d: .*Newton" "$WORK/ag.out" | sed 's/^/alphagrad run: /'
grep "^bench_euler2d: .*Newton" "$WORK/fd.out" | sed 's/^/fd_color run:  /'
