#!/usr/bin/env bash
# Golden output: `alphagrad graph` and `alphagrad cost` (forward, reverse, Markowitz, the
# shipped order library) on the paper's five scalar kernels, compared with tests/golden/.
# The output has no timings; paths are relative to the source tree. After an intended change
# of the output: AG_GOLDEN_UPDATE=1 ctest -R test_cli_golden, then review the diff.
#   test_golden.sh ALPHAGRAD
set -euo pipefail
AG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/../lib.sh"
cd "${AG_SOURCE_DIR:?}"
ag_tmpdir TMP "${TMPDIR:-/tmp}/ag-golden.XXXXXX"
fails=0
for k in roeflux_1d robotarm_6dof human_heart_dipole propane_combustion g; do
  out=$TMP/$k.txt
  {
    "$AG" graph "examples/paper/$k.c"
    for o in fwd rev markowitz @hdf5-data/paper_orders.h5; do
      "$AG" cost "examples/paper/$k.c" --order "$o"
    done
  } >"$out" 2>&1 || { cat "$out" >&2; echo "FAIL: $k: the command failed" >&2; exit 1; }
  golden=tests/golden/$k.txt
  if [ "${AG_GOLDEN_UPDATE:-0}" = 1 ]; then
    cp "$out" "$golden"
    echo "updated $golden"
  elif ! diff -u "$golden" "$out"; then
    echo "FAIL: $k differs from $golden" >&2
    fails=$((fails + 1))
  else
    echo "ok $k ($(wc -l <"$golden") lines)"
  fi
done
[ "$fails" -eq 0 ]
