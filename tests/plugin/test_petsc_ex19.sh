#!/bin/bash
# PETSc's own SNES tutorial ex19 (2-D driven cavity, velocity-vorticity, 4 fields per point,
# upwinded convection, vorticity wall conditions that read the cell inside), compiled
# unmodified from Debian's libpetsc3.18-dev-examples, with alphagrad from options alone
# (-dll_append, the kernels of tests/plugin/ex19_kernels.c: one interior kernel and four
# one-sided wall kernels, geometry parameters). ex19 has no hand-coded Jacobian: its default
# is finite differences with colouring, so each of its TEST option lines (rediscretised
# multigrid with full cycles, trust region, fieldsplit, BiCGStab(l), FAS with NGS smoothing,
# BAIJ matrices: suffix 14 runs on 2 ranks here instead of 4)
# and a grid sequence must print what they print with -snes_fd_color: the same lines, the
# same Newton and linear iterations, the numbers within 1e-3 (compare_runs.awk). Then
# -snes_test_jacobian on every grid of a sequence (below 1e-8), and the application's
# residual against the operator's (equal) with J v against its differences.
# usage: test_petsc_ex19.sh EX19 LIBALPHAGRAD   (EX19 "-": the examples package is missing: skip)
set -u
EX19=$1
LIB=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
if [ "$EX19" = - ]; then
  echo "skipped: PETSc's examples (libpetsc3.18-dev-examples) are not installed"
  exit 77
fi
ag_petsc_env /tmp/ag-test-ex19.XXXXXX oversubscribe
cd "$SRC" || exit 1 # the kernel file is read from here

K=ex19_kernels.c
# ag19 PARAMS BPARAMS: the options into AG (cell kernel constants: prandtl, grashof; wall
# kernel constants: lid velocity, right wall temperature)
ag19() {
  AG=(-dll_append "$LIB" -snes_jacobian alphagrad -snes_jacobian_alphagrad_geometry
      -snes_jacobian_alphagrad_kernel "$K:ex19_cell" -snes_jacobian_alphagrad_params "$1"
      -snes_jacobian_alphagrad_boundary_params "$2")
  for s in xlo xhi ylo yhi; do
    AG+=(-snes_jacobian_alphagrad_boundary_kernel_$s "$K:ex19_wall_$s")
  done
}
# ex19's lid velocity by default: 1/(mx my) of the grid it starts on (4 x 4, refined r times)
lid() { awk -v r="$1" 'BEGIN { m = 4; for (i = 0; i < r; i++) m = 2 * m - 1; printf "%.17g", 1 / (m * m) }'; }

# name | ranks | cell constants | wall constants | ex19's TEST args (src/snes/tutorials/ex19.c)
TESTS=(
  "suffix_1|2|1,1|$(lid 3),1|-da_refine 3 -snes_monitor_short -pc_type mg -ksp_type fgmres -pc_mg_type full"
  "suffix_19|2|1,1|$(lid 3),1|-da_refine 3 -snes_monitor_short -pc_type mg -ksp_type fgmres -pc_mg_type full -snes_type newtontrdc"
  "suffix_17|1|1,1|$(lid 0),1|-snes_monitor_short -ksp_pc_side right"
  "suffix_6|1|1,1|$(lid 1),1|-snes_monitor_short -ksp_monitor_short -pc_type fieldsplit -snes_view -ksp_type fgmres -da_refine 1"
  "suffix_fdcoloring_wp|1|1,1|$(lid 3),1|-da_refine 3 -snes_monitor_short -pc_type mg"
  "suffix_fdcoloring_wp_baij|1|1,1|$(lid 3),1|-da_refine 3 -snes_monitor_short -pc_type mg -dm_mat_type baij"
  "suffix_14_on_2_ranks|2|1,1|$(lid 3),1|-snes_monitor_short -pc_type mg -dm_mat_type baij -mg_coarse_pc_type bjacobi -da_refine 3 -ksp_type fgmres"
  "suffix_cgs|1|1,1|$(lid 1),1|-da_refine 1 -ksp_monitor_short -ksp_type cgs"
  "suffix_bcgsl|2|1,1|$(lid 2),1|-ksp_type bcgsl -ksp_monitor_short -da_refine 2 -ksp_bcgsl_ell 3 -snes_view"
  "suffix_fas|1|1,4e4|100,1|-da_refine 4 -snes_monitor_short -snes_type fas -fas_levels_snes_type ngs -fas_levels_snes_ngs_sweeps 3 -fas_levels_snes_ngs_atol 0.0 -fas_levels_snes_ngs_stol 0.0 -grashof 4e4 -snes_fas_smoothup 6 -snes_fas_smoothdown 6 -lidvelocity 100"
  "grid_sequence|2|1,1|$(lid 0),1|-snes_grid_sequence 2 -pc_type mg -snes_monitor_short -ksp_converged_reason"
)
for t in "${TESTS[@]}"; do
  IFS='|' read -r name np params bparams args <<< "$t"
  ag19 "$params" "$bparams"
  # shellcheck disable=SC2086
  if ! mpiexec -n "$np" "$EX19" $args > "$TMP/fd_$name.out" 2>&1; then
    fail "ex19 $name (-snes_fd_color, its default) failed"; tail "$TMP/fd_$name.out"; continue
  fi
  # the operators' views (appended, one per grid) prove that alphagrad made the Jacobians
  # shellcheck disable=SC2086
  if ! mpiexec -n "$np" "$EX19" $args "${AG[@]}" \
      -snes_jacobian_alphagrad_view "ascii:$TMP/view_$name.txt::append" > "$TMP/ag_$name.out" 2>&1; then
    fail "ex19 $name (alphagrad) failed"; tail -20 "$TMP/ag_$name.out"; continue
  fi
  nop=$(grep -c "alphagrad operator on" "$TMP/view_$name.txt" 2>/dev/null)
  if [ "${nop:-0}" -lt 1 ]; then
    fail "ex19 $name: no alphagrad operator was set up"; continue
  fi
  if cmp=$(awk -v tol=1e-3 -v floor=1e-7 -f "$SRC/compare_runs.awk" "$TMP/fd_$name.out" "$TMP/ag_$name.out"); then
    ok; echo "ok $name ($np ranks, $nop operators): $cmp; $(grep -c "SNES Function norm" "$TMP/ag_$name.out") Newton iterates printed"
  else
    fail "ex19 $name: the output with alphagrad differs from -snes_fd_color's"; echo "$cmp"
  fi
done

step "-snes_test_jacobian on the 3 grids of a sequence, 2 ranks"
ag19 1,1 "$(lid 0),1"
if mpiexec -n 2 "$EX19" -snes_grid_sequence 2 -snes_test_jacobian "${AG[@]}" > "$TMP/tj.out" 2>&1; then
  n=$(grep -c "||J - Jfd||_F/||J||_F =" "$TMP/tj.out")
  worst=$(grep "||J - Jfd||_F/||J||_F =" "$TMP/tj.out" | sed 's/.*||J - Jfd||_F\/||J||_F = *\([^ ,]*\).*/\1/' | sort -g | tail -1)
  if [ "$n" -ge 3 ] && awk -v w="$worst" 'BEGIN {exit !(w < 1e-8)}'; then
    ok; echo "ok -snes_test_jacobian: $n Jacobians on 3 grids, worst ||J - Jfd||/||J|| = $worst"
  else
    fail "-snes_test_jacobian: $n tests, worst $worst"; grep Jfd "$TMP/tj.out" | head
  fi
else
  fail "ex19 -snes_test_jacobian run failed"; tail "$TMP/tj.out"
fi

step "the application's residual against the operator's, J v against differences (MG, 2 ranks)"
ag19 1,1 "$(lid 3),1"
if mpiexec -n 2 "$EX19" -da_refine 3 -pc_type mg -snes_jacobian_alphagrad_check "${AG[@]}" > "$TMP/check.out" 2>&1; then
  nr=$(grep -c "max |F_application - F_operator|" "$TMP/check.out")
  rworst=$(grep "max |F_application - F_operator|" "$TMP/check.out" | sed 's/.*F_operator| = \([^ ]*\) .*/\1/' | sort -g | tail -1)
  jworst=$(grep "|J v - " "$TMP/check.out" | sed 's/.*F(X))\/h| = \([^ ]*\) .*/\1/' | sort -g | tail -1)
  # 4 levels, 2 Newton steps: 8 Jacobians; residuals equal to rounding, J v to FD error
  if [ "$nr" -ge 8 ] && awk -v r="$rworst" -v j="$jworst" 'BEGIN {exit !(r < 1e-14 && j < 1e-6)}'; then
    ok; echo "ok check: $nr Jacobians, residuals differ by at most $rworst, J v by $jworst"
  else
    fail "check: $nr Jacobians, residual difference $rworst, J v $jworst"; grep "alphagrad check" "$TMP/check.out" | head
  fi
else
  fail "ex19 check run failed"; tail "$TMP/check.out"
fi
echo "test_petsc_ex19: $pass checks passed, $fails failed"
[ "$fails" -eq 0 ]
