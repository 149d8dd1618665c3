#!/bin/bash
# PETSc's own SNES tutorial ex5 (2-D Bratu, manufactured solution -mms 1), compiled
# unmodified from Debian's libpetsc3.18-dev-examples, with alphagrad from options alone
# (-dll_append, the kernels of tests/plugin/ex5_kernels.c, geometry parameters): its own
# TEST option lines with rediscretised multigrid (suffix 6: 8 levels) and grid sequencing
# (suffix 4, suffix 2 with -pc_mg_galerkin) on 2 ranks print exactly what they print with
# ex5's hand-coded Jacobian (every Newton and linear iteration, every residual norm as
# printed), and -snes_test_jacobian agrees on every grid of a sequence.
# usage: test_petsc_ex5.sh EX5 LIBALPHAGRAD   (EX5 "-": the examples package is missing: skip)
set -u
EX5=$1
LIB=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
if [ "$EX5" = - ]; then
  echo "skipped: PETSc's examples (libpetsc3.18-dev-examples) are not installed"
  exit 77
fi
ag_petsc_env /tmp/ag-test-ex5.XXXXXX oversubscribe
cd "$SRC" || exit 1 # the kernel file is read from here

ag_geometry_opts "$LIB" ex5_kernels.c ex5_mms1 ex5_mms1_boundary 6
# ex5's TEST blocks (src/snes/tutorials/ex5.c), without -snes_view (it names the Jacobian)
T6="-snes_converged_reason -ksp_converged_reason -da_grid_x 129 -da_grid_y 129 -pc_type mg -pc_mg_levels 8 -mg_levels_ksp_type chebyshev -mg_levels_ksp_chebyshev_esteig 0,0.5,0,1.1 -mg_levels_ksp_max_it 2"
T4="-snes_grid_sequence 2 -snes_monitor_short -ksp_converged_reason -snes_converged_reason -pc_type mg -snes_atol -1 -ksp_atol -1"
T2="-pc_type mg -ksp_converged_reason -pc_mg_galerkin pmat -snes_grid_sequence 3 -mg_levels_ksp_norm_type unpreconditioned -snes_monitor_short -mg_levels_ksp_chebyshev_esteig 0.5,1.1 -mg_levels_pc_type sor -pc_mg_type full -ksp_atol -1."

# grids beyond the first each run must have an operator for: 7 coarser multigrid levels;
# 2 refinements (suffix 4: and their multigrid levels); 3 refinements
declare -A want=([6]=7 [4]=2 [2]=3)
for t in 6 4 2; do
  eval "args=\$T$t"
  # shellcheck disable=SC2086,SC2154
  if ! mpiexec -n 2 "$EX5" $args > "$TMP/hand$t.out" 2>&1; then
    fail "ex5 suffix $t (hand-coded Jacobian) failed"; tail "$TMP/hand$t.out"; continue
  fi
  # the operators' views (appended, one per grid) prove that alphagrad made the Jacobians
  # shellcheck disable=SC2086
  if ! mpiexec -n 2 "$EX5" $args "${AG[@]}" -snes_jacobian_alphagrad_view "ascii:$TMP/view$t.txt::append" \
      > "$TMP/ag$t.out" 2>&1; then
    fail "ex5 suffix $t (alphagrad) failed"; tail -20 "$TMP/ag$t.out"; continue
  fi
  nop=$(grep -c "alphagrad operator on" "$TMP/view$t.txt" 2>/dev/null)
  nder=$(grep -c "derived by DMCoarsen/DMRefine" "$TMP/view$t.txt" 2>/dev/null)
  if [ "${nop:-0}" -lt "$((${want[$t]} + 1))" ] || [ "${nder:-0}" -lt "${want[$t]}" ]; then
    fail "ex5 suffix $t: ${nop:-0} operators (${nder:-0} derived) set up, expected at least $((${want[$t]} + 1)) (${want[$t]} derived)"
    continue
  fi
  if diff "$TMP/hand$t.out" "$TMP/ag$t.out" > "$TMP/diff$t.txt"; then
    ok
    echo "ok suffix $t: identical output ($(grep -c "Linear solve" "$TMP/ag$t.out") linear solves, $(grep -c "SNES Function norm" "$TMP/ag$t.out") Newton iterates printed; $nop operators, $nder of them derived)"
  else
    fail "ex5 suffix $t: the output with alphagrad differs from the hand-coded Jacobian's"
    head -20 "$TMP/diff$t.txt"
  fi
done
if mpiexec -n 2 "$EX5" -da_grid_x 9 -da_grid_y 9 -snes_grid_sequence 1 -snes_test_jacobian \
    "${AG[@]}" > "$TMP/tj.out" 2>&1; then
  n=$(grep -c "||J - Jfd||_F/||J||_F =" "$TMP/tj.out")
  worst=$(grep "||J - Jfd||_F/||J||_F =" "$TMP/tj.out" | sed 's/.*||J - Jfd||_F\/||J||_F = *\([^ ,]*\).*/\1/' | sort -g | tail -1)
  if [ "$n" -ge 2 ] && awk -v w="$worst" 'BEGIN {exit !(w < 1e-8)}'; then
    ok; echo "ok -snes_test_jacobian: $n Jacobians on 2 grids, worst ||J - Jfd||/||J|| = $worst"
  else
    fail "-snes_test_jacobian: $n tests, worst $worst"; grep Jfd "$TMP/tj.out" | head
  fi
else
  fail "ex5 -snes_test_jacobian run failed"; tail "$TMP/tj.out"
fi
# a kernel whose derivative is infinite at the initial guess (sqrt(u) at u = 0): the plugin
# names the kernel and the cell, and with -snes_check_jacobian_domain_error SNES stops with
# DIVERGED_JACOBIAN_DOMAIN instead of failing somewhere in the linear solve
mpiexec -n 2 "$EX5" -da_grid_x 9 -da_grid_y 9 -dll_append "$LIB" -snes_jacobian alphagrad \
  -snes_jacobian_alphagrad_kernel nonfinite_kernels.c:nf_cell -snes_jacobian_alphagrad_params 1 \
  -snes_jacobian_alphagrad_boundary_kernel nonfinite_kernels.c:nf_boundary -snes_converged_reason \
  -snes_check_jacobian_domain_error > "$TMP/nf.out" 2>&1
if grep -q "non-finite entry (inf or NaN) from the cell boundary kernel nonfinite_kernels.c:nf_boundary at cell (0, 0, 0)" "$TMP/nf.out" &&
   grep -q "DIVERGED_JACOBIAN_DOMAIN" "$TMP/nf.out"; then
  ok; echo "ok non-finite Jacobian: named and reported as DIVERGED_JACOBIAN_DOMAIN"
else
  fail "non-finite Jacobian not reported"; cat "$TMP/nf.out"
fi
echo "test_petsc_ex5: $pass checks passed, $fails failed"
[ "$fails" -eq 0 ]
