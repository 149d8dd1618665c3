#!/bin/bash
# -snes_jacobian_alphagrad_backend cuda where no GPU can be used (CUDA_VISIBLE_DEVICES=""
# hides every device; a build without CUDA has none): the run must stop at once with a
# message naming the option and the reason, not fall back silently or crash.
# usage: test_gpu_option.sh BINDIR
set -u
BIN=$1
. "$(dirname "$0")/../lib.sh"
ag_petsc_env /tmp/ag-test-gpu-option.XXXXXX
cd "$(dirname "$0")/../plugin" || exit 1 # bratu2d_api reads bratu.c from here
fails=0
for args in "-snes_jacobian alphagrad -snes_jacobian_alphagrad_backend cuda" \
            "-use_prefix -bratu_snes_jacobian alphagrad -bratu_snes_jacobian_alphagrad_backend cuda"; do
  CUDA_VISIBLE_DEVICES="" "$BIN/bratu2d_api" -da_grid_x 8 -da_grid_y 8 $args > "$TMP/out" 2>&1
  rc=$?
  opt=$(echo "$args" | grep -o -- '-[a-z_]*backend')
  if [ $rc -eq 0 ]; then
    echo "FAIL: '$args' without a GPU succeeded"; fails=$((fails + 1))
  elif ! grep -q -- "$opt cuda: " "$TMP/out" ||
       ! grep -Eq "no CUDA (driver|device)|built without CUDA" "$TMP/out"; then
    echo "FAIL: '$args': no clear message"; cat "$TMP/out"; fails=$((fails + 1))
  elif grep -qi "segmentation\|sanitizer" "$TMP/out"; then
    echo "FAIL: '$args' crashed"; cat "$TMP/out"; fails=$((fails + 1))
  else
    echo "ok: $args -> $(grep -m1 -- "$opt cuda: " "$TMP/out" | sed 's/^\[0\]PETSC ERROR: //')"
  fi
done
# -help lists the backend with cuda
"$BIN/bratu2d_api" -da_grid_x 8 -da_grid_y 8 -snes_jacobian alphagrad -help 2>&1 | grep -q -- "-snes_jacobian_alphagrad_backend.*cuda" ||
  { echo "FAIL: -help does not list cuda"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "test_gpu_option: ok" || echo "test_gpu_option: $fails failures"
exit $fails
