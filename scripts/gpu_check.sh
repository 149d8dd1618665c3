#!/bin/bash
# GPU acceptance run, for a machine with an NVIDIA GPU, its driver and a CUDA
# toolkit (nvcc is not needed: NVRTC, cuSPARSE and the driver API): builds the project with
# CUDA, runs the CUDA tests (generated CUDA vs the C backend on every kernel, the NVRTC cache,
# the device COO-to-CSR map and CSR values vs the host, cuSPARSE SpMV; the plugin's device
# Jacobian vs the C backend's matrix on 1 and 2 ranks; the option's error without a device;
# the policy/value network's CUDA backend vs its CPU backend, tests/nn/test_nn_backends.c)
# and the benchmark (element Jacobians per second, GPU vs all CPU cores, 10^6 elements, with
# transfers), and the network's batched self-play evaluation on cpu and cuda
# (bench_batch). The tables are in BUILD/gpu_bench.md and BUILD/gpu_batch.md for BENCHMARKS.md.
#
# usage: scripts/gpu_check.sh [BUILD_DIR]     (default build-gpu; CUDA_HOME or /usr/local/cuda)
# env:   AG_BENCH_N (elements, default 1000000), AG_BENCH_REPS (10), JOBS (nproc)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-gpu}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
JOBS=${JOBS:-$(nproc)}
export PATH=$CUDA_HOME/bin:$PATH
export AG_JIT_CACHE=${AG_JIT_CACHE:-$BUILD/jit-cache}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

echo "== device"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv || true
else
  echo "nvidia-smi not found"
fi

echo "== configure and build with CUDA ($BUILD)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAG_CUDA=ON \
      -DCUDAToolkit_ROOT="$CUDA_HOME" > "$BUILD.configure.log" 2>&1 || { cat "$BUILD.configure.log"; exit 1; }
grep "alphagrad:" "$BUILD.configure.log" || true
grep -q "GPU Jacobians with CUDA" "$BUILD.configure.log" ||
  { echo "gpu_check: the CUDA toolkit was not found (set CUDA_HOME)"; exit 1; }
cmake --build "$BUILD" -j "$JOBS"

echo "== CUDA tests"
# a skipped device test is a failure here: this script is for a GPU machine
(cd "$BUILD" && ctest -L gpu --output-on-failure -j1 | tee gpu_tests.log)
if grep -q "Skipped\|Not Run" "$BUILD/gpu_tests.log"; then
  echo "gpu_check: device tests were skipped (no usable GPU?)"; exit 1
fi
"$BUILD/bin/test_gpu_device" 2>&1 | grep -E "device:|CUDA vs C|COO -> CSR|SpMV" || true
(cd "$BUILD" && AG_SOURCE_DIR=$ROOT bin/test_nn_backends) # network: tolerance and evaluations/s

echo "== benchmark"
"$BUILD/bin/bench_gpu" --n "${AG_BENCH_N:-1000000}" --reps "${AG_BENCH_REPS:-10}" | tee "$BUILD/gpu_bench.md"

echo "== plugin: 2-D Euler Jacobian on the GPU (bench_euler2d, 320 x 320)"
if [ -x "$BUILD/bin/bench_euler2d" ]; then
  for backend in c cuda; do
    echo "-- backend $backend"
    "$BUILD/bin/bench_euler2d" -da_grid_x 320 -da_grid_y 320 -snes_jacobian alphagrad \
      -snes_jacobian_alphagrad_backend $backend -snes_max_it 2 -snes_jacobian_alphagrad_view \
      -log_view 2>&1 | grep -E "CUDA backend|per Jacobian|Jacobians:|AGJacobianEval|SNES Object|CONVERGED|DIVERGED" || true
  done
fi
echo "== network evaluation batched over simulations and games (bench_batch), cpu vs cuda"
for backend in cpu cuda; do
  for set in "" --large; do
    "$BUILD/bin/bench_batch" --backend $backend --sims 16 --games 1,16,64 --leaf 1,8,32 $set \
      | tee -a "$BUILD/gpu_batch.md"
  done
done

echo "gpu_check: all CUDA tests passed; benchmark table in $BUILD/gpu_bench.md"
