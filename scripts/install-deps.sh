#!/usr/bin/env bash
# Installs what building and testing alphagrad needs on Debian 12 (as root), only when missing.
set -euo pipefail
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v make >/dev/null || need+=(make)
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v mpiexec >/dev/null || need+=(openmpi-bin libopenmpi-dev)
[ -e /usr/include/hdf5/openmpi/hdf5.h ] || need+=(libhdf5-openmpi-dev)
command -v h5dump >/dev/null || need+=(hdf5-tools)
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -e /usr/lib/petsc/include/petscsnes.h ] || need+=(petsc-dev) # the PETSc plugin
ls /usr/share/petsc/*/share/petsc/examples/src/snes/tutorials/ex5.c >/dev/null 2>&1 ||
  need+=(libpetsc3.18-dev-examples) # PETSc's own tutorials, run with the plugin (tests/plugin)
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev) # CBLAS for the network (nn/)
command -v clang-format >/dev/null || need+=(clang-format) # scripts/format.sh --check (scripts/test.sh)
[ -x /usr/bin/time ] || need+=(time) # GNU time: the memory checks of tests/kernel/test_limits.sh
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${need[@]}"
fi
# SLURM for the SLURM workflow tests (tests/slurm): optional. When it cannot be installed
# (no root, no package mirror) the tests say so and are skipped; everything else still runs.
if ! command -v slurmctld >/dev/null || ! command -v sbatch >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "install-deps: installing slurm-wlm (slurmctld, slurmd, sbatch; tests/slurm)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q slurm-wlm || { apt-get update -q && apt-get install -y -q slurm-wlm; }; } ||
      echo "install-deps: WARNING: slurm-wlm could not be installed: the SLURM tests will be skipped" >&2
  else
    echo "install-deps: slurm-wlm missing (not root): the SLURM tests will be skipped" >&2
  fi
fi
