#!/bin/bash
# The operator's view on the 2-D Bratu application against tests/golden/bratu_view.txt:
# -snes_jacobian_alphagrad_view ascii:FILE must write the view into FILE (and not to stdout).
# Timings, cache paths and "compiled now"/"cache hit" are filtered out. A deliberate change
# of the view: AG_GOLDEN_UPDATE=1 ctest -R test_plugin_view_golden, then review the diff.
# usage: test_view_golden.sh BRATU2D_API GOLDEN
set -u
APP=$1
GOLDEN=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
ag_petsc_env /tmp/ag-test-view.XXXXXX
cd "$SRC" || exit 1 # bratu2d_api reads bratu.c from here
if ! "$APP" -da_grid_x 9 -da_grid_y 9 -snes_jacobian alphagrad \
    -snes_jacobian_alphagrad_view "ascii:$TMP/view.txt" > "$TMP/run.out" 2>&1; then
  echo "FAIL: the run failed"; cat "$TMP/run.out"; exit 1
fi
if [ ! -s "$TMP/view.txt" ]; then
  echo "FAIL: -snes_jacobian_alphagrad_view ascii:FILE wrote nothing into FILE"; cat "$TMP/run.out"; exit 1
fi
if grep -q "alphagrad operator on" "$TMP/run.out"; then
  echo "FAIL: the view went to stdout as well"; exit 1
fi
sed -e '/set-up time:/d' -e '/shared object:/d' -e '/^ *Jacobians: /d' -e '/^ *residuals: /d' \
    -e 's/code: compiled now/code: C/' -e 's/code: cache hit/code: C/' "$TMP/view.txt" > "$TMP/view.filtered"
if [ "${AG_GOLDEN_UPDATE:-0}" = 1 ]; then
  cp "$TMP/view.filtered" "$GOLDEN"
  echo "updated $GOLDEN"
elif ! diff -u "$GOLDEN" "$TMP/view.filtered"; then
  echo "FAIL: the view differs from $GOLDEN (AG_GOLDEN_UPDATE=1 to regenerate)"
  exit 1
fi
# the view says what happened to the code cache (issue 19 item 13): a damaged entry is
# rebuilt and named as such, then found
view_code() {
  "$APP" -da_grid_x 9 -da_grid_y 9 -snes_jacobian alphagrad \
    -snes_jacobian_alphagrad_view "ascii:$TMP/view2.txt" > "$TMP/run2.out" 2>&1 || { echo "FAIL: rerun failed"; cat "$TMP/run2.out"; exit 1; }
  grep -m1 "code: " "$TMP/view2.txt"
}
for so in "$AG_JIT_CACHE"/*.so; do printf 'damaged' | dd of="$so" bs=1 seek=100 conv=notrunc 2>/dev/null; done
v=$(view_code)
case "$v" in *"compiled now (the cached entry was invalid)"*) ;; *) echo "FAIL: after damaging the cache the view says: $v"; exit 1 ;; esac
v=$(view_code)
case "$v" in *"cache hit"*) ;; *) echo "FAIL: the rebuilt entry was not found: $v"; exit 1 ;; esac
echo "test_view_golden: ok"
