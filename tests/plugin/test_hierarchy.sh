#!/bin/bash
# The operator follows its DMDA through DMCoarsen/DMRefine: rediscretised -pc_type mg,
# -snes_grid_sequence and both together, on 1 and 2 ranks, with the kernels of bratu_geom.c
# (the grid's spacings as geometry parameters, so one kernel file serves every grid):
#   - from options alone (-dll_append, -snes_jacobian_alphagrad_kernel ..._geometry) in an
#     application that never names alphagrad, against its hand-coded Jacobian: the same
#     Newton and linear iteration histories, residual norms equal to 1e-6 relative;
#   - through the API with the operator as the residual too (-mode operator -geometry);
#   - -snes_test_jacobian on every level of grid sequencing.
# usage: test_hierarchy.sh BINDIR LIBALPHAGRAD
set -u
BIN=$1
LIB=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
ag_petsc_env /tmp/ag-test-hierarchy.XXXXXX oversubscribe
cd "$SRC" || exit 1 # the kernel files are read from here

ag_geometry_opts "$LIB" bratu_geom.c bratu bratu_boundary 6
MON=(-snes_monitor -ksp_converged_reason)

run() { ag_run "$@"; } # run NAME NP ARGS...: output in $TMP/NAME.out (tests/lib.sh)
# the iteration history: Newton iteration numbers and linear iteration counts, in order
history() { grep -E "SNES Function norm|Linear solve" "$1" | awk '{print ($2 == "SNES") ? "newton " $1 : "linear " $NF}'; }
norms() { grep "SNES Function norm" "$1" | awk '{print $NF}'; }
# compare NAME_A NAME_B: same history, norms within 1e-6 relative (or both below 1e-12)
compare() {
  local a=$TMP/$1.out b=$TMP/$2.out
  if ! diff <(history "$a") <(history "$b") > "$TMP/diff.txt"; then
    fail "$2: iteration history differs from $1"; head -20 "$TMP/diff.txt"; return
  fi
  if ! paste <(norms "$a") <(norms "$b") | awk '{d = $1 - $2; if (d < 0) d = -d;
         s = ($1 > 0 ? $1 : -$1); if (d > 1e-6 * s && d > 1e-12) exit 1}'; then
    fail "$2: residual norms differ from $1"; paste <(norms "$a") <(norms "$b"); return
  fi
  ok
  echo "ok $2 = $1: $(history "$a" | grep -c newton) Newton iterates, $(history "$a" | grep linear | awk '{s += $2} END {print s}') linear iterations"
}

for np in 1 2; do
  i=0
  for opts in "-da_grid_x 17 -da_grid_y 17 -pc_type mg -pc_mg_levels 3" \
              "-da_grid_x 5 -da_grid_y 5 -snes_grid_sequence 2" \
              "-da_grid_x 5 -da_grid_y 5 -snes_grid_sequence 2 -pc_type mg -pc_mg_levels 2"; do
    i=$((i + 1))
    echo "== $np rank(s): $opts"
    # shellcheck disable=SC2086
    run hand$np.$i "$np" "$BIN/bratu2d_plain" $opts "${MON[@]}" || continue
    # shellcheck disable=SC2086
    run dll$np.$i "$np" "$BIN/bratu2d_plain" $opts "${MON[@]}" "${AG[@]}" \
      -snes_jacobian_alphagrad_view "ascii:$TMP/view$np.$i.txt::append" && compare hand$np.$i dll$np.$i
    # the application has its own Jacobian: the views show that the operators made them
    nder=$(grep -c "derived by DMCoarsen/DMRefine" "$TMP/view$np.$i.txt" 2>/dev/null)
    [ "${nder:-0}" -ge 1 ] && ok || fail "dll$np.$i: no operator was set up on a derived grid"
    # shellcheck disable=SC2086
    run api$np.$i "$np" "$BIN/bratu2d_api" -mode operator -geometry -snes_jacobian alphagrad \
      $opts "${MON[@]}" && compare hand$np.$i api$np.$i
  done
  # -snes_test_jacobian on every grid of the sequence (9 x 9, 17 x 17)
  if run tj$np "$np" "$BIN/bratu2d_plain" -da_grid_x 9 -da_grid_y 9 -snes_grid_sequence 1 \
      -snes_test_jacobian "${AG[@]}"; then
    n=$(grep -c "||J - Jfd||_F/||J||_F" "$TMP/tj$np.out")
    worst=$(grep "||J - Jfd||_F/||J||_F" "$TMP/tj$np.out" | sed 's/.*||J - Jfd||_F\/||J||_F = *\([^ ,]*\).*/\1/' | sort -g | tail -1)
    if [ "$n" -ge 2 ] && awk -v w="$worst" 'BEGIN {exit !(w < 1e-6)}'; then
      ok; echo "ok tj$np: $n Jacobians tested on 2 grids, worst ||J - Jfd||/||J|| = $worst"
    else
      fail "tj$np: -snes_test_jacobian: $n tests, worst $worst"; grep "Jfd" "$TMP/tj$np.out" | head
    fi
  fi
done
echo "test_hierarchy: $pass checks passed, $fails failed"
[ "$fails" -eq 0 ]
