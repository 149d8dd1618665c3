#!/bin/bash
# alphagrad codegen --cuda: the file compiles with nvcc (ahead of time) and defines the
# kernels, launchers and tables (extern "C"). Needs nvcc, no GPU.
# usage: test_gpu_aot.sh ALPHAGRAD NVCC
set -eu
AG=$1
NVCC=$2
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP /tmp/ag-test-gpu-aot.XXXXXX
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
"$AG" codegen "$SRC/examples/paper/roeflux_1d.c" --cuda --function roe -o "$TMP/roe.cu" --json > "$TMP/json"
grep -q '"language": "cuda"' "$TMP/json" || { echo "FAIL: --json"; cat "$TMP/json"; exit 1; }
"$NVCC" -O3 -fmad=false -arch=sm_80 -c "$TMP/roe.cu" -o "$TMP/roe.o"
for sym in roe_cuda_launch roe_cuda_primal_launch roe_rows roe_cols roe_nentries roe_ni; do
  nm "$TMP/roe.o" | grep -Eq " [TRD] $sym\$" || { echo "FAIL: $sym not defined"; nm "$TMP/roe.o"; exit 1; }
done
echo "test_gpu_aot: ok"
