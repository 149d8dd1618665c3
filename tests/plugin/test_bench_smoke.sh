#!/usr/bin/env bash
# Smoke test of the plugin benchmarks (bench/plugin): small grids on 2 ranks. Their Jacobians
# must agree with the second methods they print (hand-coded: 1e-14, also after new kernel
# constants on the same operator; fd_color: 1e-5), the
# operator's residual with the application's (bit for bit), the loops must print their
# figures; a grid fd_color cannot colour is refused with a message. Times are not asserted.
# Usage: test_bench_smoke.sh BIN_DIR
set -u
BIN=$1
. "$(dirname "$0")/../lib.sh"
ag_mpi "${MPIEXEC:-mpiexec}"
ag_tmpdir TMP
export AG_JIT_CACHE=$TMP/cache OPENBLAS_NUM_THREADS=1
fail=0
check() { # check WHAT VALUE MAX
  if awk -v v="$2" -v m="$3" 'BEGIN { exit !(v != "" && v + 0 <= m) }'; then
    echo "ok   $1: $2 (<= $3)"
  else
    echo "FAIL $1: '$2' (want <= $3)"
    fail=1
  fi
}
"$MPIEXEC" -n 2 "${MPIFLAGS[@]}" "$BIN/bench_bratu2d" -da_grid_x 65 -da_grid_y 65 -loop 3 \
  -residual_loop 2 > "$TMP/bratu.out" 2>&1 || { cat "$TMP/bratu.out"; echo "FAIL bench_bratu2d"; exit 1; }
check "bratu: alphagrad against hand-coded" \
  "$(sed -n 's/.*J_hand||_F \/ ||J_alphagrad||_F = \([^,]*\),.*/\1/p' "$TMP/bratu.out")" 1e-14
check "bratu: alphagrad against hand-coded after a new lambda" \
  "$(sed -n 's/^compare after a new lambda.* = \(.*\)$/\1/p' "$TMP/bratu.out")" 1e-14
check "bratu: alphagrad against fd_color" \
  "$(sed -n 's/.*J_fd_color||_F \/ ||J_alphagrad||_F = \([^ ]*\)$/\1/p' "$TMP/bratu.out")" 1e-5
check "bratu: residual, operator against application" \
  "$(sed -n 's/^residual check: .* = \(.*\)$/\1/p' "$TMP/bratu.out")" 0
grep -q "^loop: 3 Jacobians each: alphagrad min" "$TMP/bratu.out" || { echo "FAIL bratu: no loop line"; fail=1; }
grep -q "^floor: " "$TMP/bratu.out" || { echo "FAIL bratu: no floor line"; fail=1; }
for mt in aij baij; do
  "$MPIEXEC" -n 2 "${MPIFLAGS[@]}" "$BIN/bench_euler2d" -da_grid_x 40 -da_grid_y 40 -dm_mat_type $mt \
    -compare -check_residual -loop 2 -snes_max_it 1 > "$TMP/euler.$mt.out" 2>&1 ||
    { cat "$TMP/euler.$mt.out"; echo "FAIL bench_euler2d ($mt)"; exit 1; }
  check "euler $mt: alphagrad against fd_color" \
    "$(sed -n 's/^compare: .* = \([^,]*\), max.*/\1/p' "$TMP/euler.$mt.out")" 1e-5
  check "euler $mt: residual, operator against application" \
    "$(sed -n 's/^residual check: .*(relative \(.*\))$/\1/p' "$TMP/euler.$mt.out")" 0
  grep -q "^loop: 2 Jacobians each" "$TMP/euler.$mt.out" || { echo "FAIL euler $mt: no loop line"; fail=1; }
done
if "$MPIEXEC" -n 1 "${MPIFLAGS[@]}" "$BIN/bench_euler2d" -da_grid_x 32 -da_grid_y 32 -loop 2 \
  > "$TMP/euler32.out" 2>&1; then
  echo "FAIL euler 32 x 32: not refused"
  fail=1
elif grep -q "must be multiples of 5" "$TMP/euler32.out"; then
  echo "ok   euler 32 x 32 refused with a message"
else
  cat "$TMP/euler32.out"
  echo "FAIL euler 32 x 32: no message"
  fail=1
fi
exit $fail
