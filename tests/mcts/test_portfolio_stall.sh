#!/usr/bin/env bash
# A stalled rank does not hang the MPI portfolio (issue 19 item 5): under mpiexec -n 2, rank 1
# is stopped (SIGSTOP) during the search; rank 0 must print and store its result within
# the grace period (max(5 s, half the budget)) after its budget, say a rank stalled, and end
# the job (exit status 3). For the scalar portfolio and the tensor one.
set -u
AG=${1:?usage: test_portfolio_stall.sh path/to/alphagrad [mpiexec]}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
ag_mpi "${2:-}"
fails=0
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
# stop_rank1: SIGSTOP the process of $AG whose environment says it is rank 1
stop_rank1() {
  local d
  for d in /proc/[0-9]*; do
    { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q -- "^$AG .*$TMP/" || continue
    if { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
      kill -STOP "${d#/proc/}" && return 0
    fi
  done
  return 1
}
run_stalled() { # run_stalled NAME ARGS...: search for 2 s with rank 1 stopped after 0.7 s
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s)
  "$MPIEXEC" "${MPIFLAGS[@]}" -n 2 "$AG" search "$@" --method portfolio --time 2 --json --quiet \
    --out "$TMP/$name.h5" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  local mp=$!
  sleep 0.7
  stop_rank1 || bad "$name: rank 1 not found"
  # must end by itself: 2 s budget + 5 s grace + start-up; the watchdog kills a hang
  (sleep 60 && kill -9 $mp) >/dev/null 2>&1 &
  local dog=$!
  wait $mp
  local rc=$?
  kill $dog 2>/dev/null
  t1=$(date +%s)
  [ $rc = 3 ] || bad "$name: exit status $rc (expected 3), after $((t1 - t0)) s"
  [ $((t1 - t0)) -le 30 ] || bad "$name: took $((t1 - t0)) s"
  grep -q '"stalled": true' "$TMP/$name.out" || bad "$name: no result printed: $(cat "$TMP/$name.out")"
  grep -q "a rank did not reach the end of the portfolio" "$TMP/$name.err" || bad "$name: no message: $(cat "$TMP/$name.err")"
  echo "$name: ended in $((t1 - t0)) s with status $rc"
}
run_stalled scalar "$SRC/tests/data/paper_graphs.txt" --name g --objective mults
"$AG" orders list "$TMP/scalar.h5" | grep -q "g .*method=portfolio" || bad "scalar: not stored"
run_stalled tensor "$SRC/tests/data/tensor_graphs.txt" --name f
"$AG" orders list "$TMP/tensor.h5" | grep -q "f .*model=tensor" || bad "tensor: not stored"
# no process of this test is left behind (others may run alphagrad in parallel: only those
# writing into this test's directory count)
sleep 1
for d in /proc/[0-9]*; do
  if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q -- "^$AG .*$TMP/"; then
    bad "left behind: $(tr '\0' ' ' <"$d/cmdline")"
    kill -9 "${d#/proc/}" 2>/dev/null
  fi
done
if [ "$fails" -gt 0 ]; then
  echo "test_portfolio_stall: $fails failed"
  exit 1
fi
echo "test_portfolio_stall: all passed"
