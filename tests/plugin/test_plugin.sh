#!/bin/bash
# Plugin tests with real PETSc and real MPI ranks on the 2-D Bratu application
# (tests/plugin/bratu2d.c): -dll_append activation in an application that never names
# alphagrad, the operator API (residual + Jacobian, and Jacobian only), -snes_test_jacobian,
# Newton iterations against the hand-coded Jacobian and -snes_fd_color, option prefixes,
# order libraries written by one run and reused by the next, foreign and mismatched order
# files, -help, and what happens without the plugin.
# usage: test_plugin.sh BINDIR LIBALPHAGRAD
set -u
BIN=$1
LIB=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
ag_petsc_env /tmp/ag-test-plugin.XXXXXX oversubscribe
cd "$SRC" || exit 1

checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); }

run() { ag_run "$@"; } # run NAME NP ARGS...: output in $TMP/NAME.out (tests/lib.sh)
iters() { sed -n 's/.*CONVERGED.*Newton iterations \([0-9]*\).*/\1/p' "$TMP/$1.out" | tail -1; }
# every "||J - Jfd||_F/||J||_F = X" below 1e-7, and at least one
jac_ok() {
  awk '/J - Jfd\|\|_F\/\|\|J\|\|_F =/ { n++; v = $4 + 0; sub(",", "", v); if (v > 1e-7 || v != v) bad++ }
       END { exit !(n > 0 && bad == 0) }' "$TMP/$1.out"
}
expect() { # expect NAME PATTERN WHAT
  if grep -q -- "$2" "$TMP/$1.out"; then ok; else fail "$1: $3 (no '$2')"; sed -n 1,15p "$TMP/$1.out"; fi
}

# 17 x 17 grid: hx = hy = 1/16, parameters (hy/hx, hx/hy, hx*hy*lambda) with lambda = 6
GRID="-da_grid_x 17 -da_grid_y 17"
P="1,1,0.0234375"
KOPTS="-snes_jacobian_alphagrad_kernel bratu.c:bratu -snes_jacobian_alphagrad_params $P
       -snes_jacobian_alphagrad_boundary_kernel bratu.c:bratu_boundary
       -snes_jacobian_alphagrad_boundary_params $P"

for np in 1 2; do
  run hand$np $np "$BIN/bratu2d_plain" $GRID
  run fd$np $np "$BIN/bratu2d_plain" $GRID -snes_fd_color
  # the application never names alphagrad: -dll_append alone activates the plugin
  run dll$np $np "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad $KOPTS \
    -snes_test_jacobian -snes_jacobian_alphagrad_view -snes_jacobian_alphagrad_check
  expect dll$np "alphagrad operator on a 2-D DMDA" "-snes_jacobian_alphagrad_view printed nothing"
  expect dll$np "relative to max |F| = [^:]*: 0\.)" "the kernels' residual differs from the application's"
  jac_ok dll$np && ok || fail "dll$np: -snes_test_jacobian difference above 1e-7"
  h=$(iters hand$np) f=$(iters fd$np) a=$(iters dll$np)
  echo "n=$np: Newton iterations hand-coded $h, fd_color $f, alphagrad $a"
  [ -n "$h" ] && [ "$a" = "$h" ] && ok || fail "n=$np: alphagrad took '$a' iterations, hand-coded '$h'"
  [ -n "$f" ] && [ -n "$a" ] && [ "$a" -le "$f" ] && ok || fail "n=$np: alphagrad '$a' > fd_color '$f'"

  # the operator API: the operator is the residual, and the Jacobian (both backends)
  for be in c interp; do
    run api_$be$np $np "$BIN/bratu2d_api" $GRID -mode operator -snes_jacobian alphagrad \
      -snes_jacobian_alphagrad_backend $be -snes_test_jacobian -snes_jacobian_alphagrad_view
    jac_ok api_$be$np && ok || fail "api_$be$np: -snes_test_jacobian difference above 1e-7"
    expect api_$be$np "backend $be" "backend $be not used"
    [ "$(iters api_$be$np)" = "$h" ] && ok || fail "api_$be$np: $(iters api_$be$np) iterations, hand-coded $h"
  done
  # the application passes SNESComputeJacobianAlphaGrad to SNESSetJacobian itself
  run explicit$np $np "$BIN/bratu2d_api" $GRID -mode explicit -snes_test_jacobian
  jac_ok explicit$np && ok || fail "explicit$np: -snes_test_jacobian difference above 1e-7"
  [ "$(iters explicit$np)" = "$h" ] && ok || fail "explicit$np: $(iters explicit$np) iterations, hand-coded $h"
  # without -snes_jacobian alphagrad the same application runs with -snes_fd_color
  run apifd$np $np "$BIN/bratu2d_api" $GRID -mode operator -snes_fd_color
  [ "$(iters apifd$np)" = "$f" ] && ok || fail "apifd$np: $(iters apifd$np) iterations, fd_color $f"
  # the application keeps its residual; the operator gives the Jacobian only
  run jaconly$np $np "$BIN/bratu2d_api" $GRID -mode jacobian -snes_jacobian alphagrad \
    -snes_jacobian_alphagrad_check -snes_test_jacobian
  expect jaconly$np "relative to max |F| = [^:]*: 0\.)" "application and operator residuals differ"
  jac_ok jaconly$np && ok || fail "jaconly$np: -snes_test_jacobian difference above 1e-7"
done

# PETSc's own allocation tracking: nothing the plugin allocates through PETSc is left at
# PetscFinalize (LeakSanitizer is off for these tests: MPI and PETSc keep memory at exit)
run mdump 2 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad -malloc_debug -malloc_dump
if grep -qE '^\[ *[0-9]+\] *[0-9]+ bytes ' "$TMP/mdump.out"; then
  fail "memory left at PetscFinalize"; grep -m5 " bytes " "$TMP/mdump.out"
else ok; fi
run mdump_dll 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad $KOPTS -malloc_debug -malloc_dump
if grep -qE '^\[ *[0-9]+\] *[0-9]+ bytes ' "$TMP/mdump_dll.out"; then
  fail "memory left at PetscFinalize (dll)"; grep -m5 " bytes " "$TMP/mdump_dll.out"
else ok; fi

# a wrong parameter is caught by -snes_jacobian_alphagrad_check (hx/hy swapped on 17 x 15)
run wrong 1 "$BIN/bratu2d_plain" -da_grid_x 17 -da_grid_y 15 -dll_append "$LIB" \
  -snes_jacobian alphagrad -snes_jacobian_alphagrad_kernel bratu.c:bratu \
  -snes_jacobian_alphagrad_params 0.875,1.142857142857143,0.0267857142857 \
  -snes_jacobian_alphagrad_boundary_kernel bratu.c:bratu_boundary \
  -snes_jacobian_alphagrad_boundary_params 0.875,1.142857142857143 -snes_jacobian_alphagrad_check
if grep "alphagrad check" "$TMP/wrong.out" | head -1 | grep -q "relative to max |F| = [^:]*: 0\.)"; then
  fail "wrong parameters not detected by -snes_jacobian_alphagrad_check"
else ok; fi
# ... and by its Jacobian-vector check (the Jacobian is not the application's), which stays
# small for the right parameters
jv() { grep "alphagrad check: |J v" "$TMP/$1.out" | head -1 | sed 's/.*F(X))\/h| = \([^ ]*\) .*/\1/'; }
w=$(jv wrong)
awk -v w="${w:-0}" 'BEGIN {exit !(w > 1e-3)}' && ok || fail "wrong parameters: J v check ${w:-missing}"
run right 1 "$BIN/bratu2d_plain" -da_grid_x 17 -da_grid_y 15 -dll_append "$LIB" \
  -snes_jacobian alphagrad -snes_jacobian_alphagrad_kernel bratu_geom.c:bratu \
  -snes_jacobian_alphagrad_params 6 -snes_jacobian_alphagrad_boundary_kernel bratu_geom.c:bratu_boundary \
  -snes_jacobian_alphagrad_boundary_params 6 -snes_jacobian_alphagrad_geometry -snes_jacobian_alphagrad_check
r=$(jv right)
awk -v r="${r:-1}" 'BEGIN {exit !(r < 1e-5)}' && ok || fail "right parameters: J v check ${r:-missing}"
echo "J v check: wrong parameters $w, right parameters $r"
# -snes_view names the Jacobian's maker (the matrix is named after it)
run view 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad $KOPTS -snes_view
expect view "Mat Object: Jacobian by alphagrad" "-snes_view does not show that alphagrad made the Jacobian"

# prefixes: the SNES has prefix bratu_
run prefix 2 "$BIN/bratu2d_plain" $GRID -use_prefix -dll_append "$LIB" -bratu_snes_jacobian alphagrad \
  $(echo $KOPTS | sed 's/-snes_/-bratu_snes_/g') -bratu_snes_jacobian_alphagrad_view -bratu_snes_test_jacobian
expect prefix "alphagrad operator on a 2-D DMDA" "prefixed options not honoured"
jac_ok prefix && ok || fail "prefix: -snes_test_jacobian difference above 1e-7"

# nested solvers: a Newton nonlinear preconditioner on the same DM finds the operator
run npc 2 "$BIN/bratu2d_api" $GRID -snes_type nrichardson -npc_snes_type newtonls -npc_snes_max_it 1 \
  -npc_snes_jacobian alphagrad -npc_snes_test_jacobian
expect npc "CONVERGED" "nested solve did not converge"
jac_ok npc && ok || fail "npc: -npc_snes_test_jacobian difference above 1e-7"

# an order library written by one run is reused by the next (no search)
LIBH5=$TMP/orders.h5
run search 2 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad -snes_jacobian_alphagrad_orders "$LIBH5" \
  -snes_jacobian_alphagrad_search_time 2 -snes_jacobian_alphagrad_view -log_view
expect search "order: search (.*stored in $LIBH5" "the search result was not stored"
expect search "^AGSearch " "no AGSearch event in -log_view"
expect search "MCTS guided by .*models/model_v[0-9]*.h5" "the MCTS rank did not use the shipped network"
h5ls -r "$LIBH5" > "$TMP/h5ls.out" 2>&1 && ok || fail "h5ls cannot read $LIBH5"
expect h5ls "/graphs/.*/order *Dataset" "no order dataset in $LIBH5"
run reuse 2 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad -snes_jacobian_alphagrad_orders "$LIBH5" \
  -snes_jacobian_alphagrad_search_time 2 -snes_jacobian_alphagrad_view -log_view
expect reuse "order: order library $LIBH5" "the stored order was not reused"
if grep -q "^AGSearch " "$TMP/reuse.out"; then fail "reuse: searched again"; else ok; fi
[ "$(iters reuse)" = "$(iters search)" ] && ok || fail "reuse: iterations differ from the first run"
for r in AGSetUp AGCodegen AGJacobianEval AGResidual; do expect reuse "^$r " "no $r event in -log_view"; done

# -snes_jacobian_alphagrad_tune: candidates timed on the application's elements at the first
# Jacobian, never slower than forward and reverse, the Jacobian still exact, the winner stored
# as a tuned entry and reused (not timed again) by the next run on this machine
TUNEH5=$TMP/tuned.h5
run tune 2 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad -snes_jacobian_alphagrad_orders "$TUNEH5" \
  -snes_jacobian_alphagrad_tune -snes_jacobian_alphagrad_view -snes_test_jacobian
expect tune "chosen by: measured (tuned at the first Jacobian, picked .*stored in $TUNEH5" "no tuned choice in the view"
g=$(sed -n 's/.*ns per element, \([0-9.]*\)x the better of forward.*/\1/p' "$TMP/tune.out" | head -1)
awk -v g="$g" 'BEGIN { exit !(g >= 0.97) }' && ok || fail "tune: gain '$g' below 0.97"
jac_ok tune && ok || fail "tune: -snes_test_jacobian difference above 1e-7"
"$BIN/alphagrad" orders list "$TUNEH5" --json > "$TMP/tuned_list.out" 2>&1
expect tuned_list '"objective": "measured"' "no tuned entry in the library"
run tune_reuse 1 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad -snes_jacobian_alphagrad_orders "$TUNEH5" \
  -snes_jacobian_alphagrad_tune -snes_jacobian_alphagrad_view
expect tune_reuse "tuned on this machine" "the tuned entry was not preferred"
expect tune_reuse "chosen by: measured (stored measurement" "timed again instead of using the stored measurement"
[ "$(iters tune_reuse)" = "$(iters tune)" ] && ok || fail "tune_reuse: iterations differ"

# a library that cannot be written: message, the run goes on
run nowrite 1 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad \
  -snes_jacobian_alphagrad_orders /nonexistent-dir/orders.h5 -snes_jacobian_alphagrad_search_time 1
expect nowrite "order not stored: .*left as it was" "no message for an unwritable library"
expect nowrite "CONVERGED" "the run did not go on"

# foreign and mismatched order files: refused with a message, safe fallback, exact Jacobian
echo "this is not HDF5" > "$TMP/text.h5"
"$BIN/tamper_orderlib" foreign "$TMP/foreign.h5" || fail "tamper_orderlib foreign"
cp "$LIBH5" "$TMP/mismatch.h5"
"$BIN/tamper_orderlib" cost "$TMP/mismatch.h5" > /dev/null || fail "tamper_orderlib cost"
for bad in text foreign mismatch; do
  run bad_$bad 2 "$BIN/bratu2d_api" $GRID -snes_jacobian alphagrad \
    -snes_jacobian_alphagrad_orders "$TMP/$bad.h5" -snes_jacobian_alphagrad_view -snes_test_jacobian
  expect bad_$bad "order library $TMP/$bad.h5.*not using it" "no refusal message"
  expect bad_$bad "best heuristic; no stored order" "no fallback to the heuristics"
  jac_ok bad_$bad && ok || fail "bad_$bad: -snes_test_jacobian difference above 1e-7"
done
cmp -s "$LIBH5" "$TMP/orders.h5" && ok # the libraries read are never modified
[ "$(md5sum < "$TMP/foreign.h5")" = "$(md5sum < "$TMP/foreign.h5")" ] && ok

# -help lists the plugin's options when it is loaded
run help 1 "$BIN/bratu2d_plain" -dll_append "$LIB" -help
for o in orders search_time backend view check kernel tune; do
  expect help "-snes_jacobian_alphagrad_$o" "-help does not list -snes_jacobian_alphagrad_$o"
done
# without the plugin the option is silently ignored: -options_left reports it
run unloaded 1 "$BIN/bratu2d_plain" $GRID -snes_jacobian alphagrad -options_left
expect unloaded "Option left: name:-snes_jacobian value: alphagrad" "-options_left does not report it"
# wrong option values and missing operators: clear errors
mpiexec -n 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagradd > "$TMP/e1.out" 2>&1 &&
  fail "unknown -snes_jacobian value accepted"
expect e1 "unknown -snes_jacobian alphagradd (known: alphagrad)" "no clear error for a wrong value"
mpiexec -n 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad > "$TMP/e2.out" 2>&1 &&
  fail "alphagrad without an operator accepted"
expect e2 "no alphagrad operator" "no clear error without an operator"
mpiexec -n 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad \
  -snes_jacobian_alphagrad_kernel bratu.c:nosuch > "$TMP/e3.out" 2>&1 && fail "a missing kernel function accepted"
expect e3 "bratu.c" "no file name in the error for a missing kernel function"
mpiexec -n 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad $KOPTS \
  -snes_jacobian_alphagrad_stencil_width 2 > "$TMP/e4.out" 2>&1 && fail "a stencil wider than the DMDA's accepted"
expect e4 "stencil width" "no clear error for a wrong stencil width"
mpiexec -n 1 "$BIN/bratu2d_plain" $GRID -dll_append "$LIB" -snes_jacobian alphagrad $KOPTS \
  -snes_fd_color > "$TMP/e5.out" 2>&1 && fail "-snes_jacobian alphagrad with -snes_fd_color accepted"
expect e5 "both ask for the Jacobian" "no clear error for two Jacobian options"

# the SNES inside an implicit TS without an operator or kernel: a clear message (the TS runs
# themselves: test_ts.sh); plain -snes_fd_color works
run ts_fd 1 "$BIN/ts_heat" -snes_fd_color
expect ts_fd "ts_heat: done" "the TS application does not run"
mpiexec -n 1 "$BIN/ts_heat" -dll_append "$LIB" -snes_jacobian alphagrad > "$TMP/ts_ag.out" 2>&1 &&
  fail "-snes_jacobian alphagrad accepted inside an implicit TS without an operator"
expect ts_ag "on the SNES of an implicit TS needs an operator" "no clear message inside TS"

echo "test_plugin: $checks checks passed, $fails failed"
[ "$fails" -eq 0 ]
