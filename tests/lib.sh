# shellcheck shell=bash
# The common prologue of the test scripts, sourced by each (bash):
#   . "$(dirname "$0")/../lib.sh"            (tests/*/test_*.sh)
#   . "$(dirname "$0")/../../tests/lib.sh"   (examples/*/test_*.sh, bench/plugin/run_bench.sh)
# It sets no shell options: each script keeps its own (`set -u` where failures are counted
# and reported at the end, `set -euo pipefail` where the first failure ends the script).

# ---- temporary directories, removed at exit (kept when AG_KEEP_TMP is set) ----
AG_TMPDIRS=()
# ag_tmpdir VAR [TEMPLATE]: a new directory (mktemp -d [TEMPLATE]) into $VAR. Before removing
# the directories, the exit trap runs the script's ag_exit_hook when it defines one.
ag_tmpdir() {
  local dir
  if [ $# -ge 2 ]; then dir=$(mktemp -d "$2"); else dir=$(mktemp -d); fi || exit 1
  printf -v "$1" %s "$dir"
  AG_TMPDIRS+=("$dir")
  trap ag_cleanup EXIT
}
ag_cleanup() {
  if declare -F ag_exit_hook >/dev/null; then ag_exit_hook; fi
  [ -n "${AG_KEEP_TMP:-}" ] || rm -rf "${AG_TMPDIRS[@]}"
}

# ---- MPI ----
# ag_ompi_root [oversubscribe]: lets Open MPI run as root (and oversubscribe the cores).
ag_ompi_root() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  if [ "${1:-}" = oversubscribe ]; then export OMPI_MCA_rmaps_base_oversubscribe=1; fi
}
# ag_petsc_env TEMPLATE [oversubscribe]: for the PETSc applications: a temporary TMP
# directory (ag_tmpdir TMP TEMPLATE) with the JIT cache in it, Open MPI as root
# (ag_ompi_root), no ASan leak reports (PETSc and MPI are not instrumented, in the ASan
# build).
ag_petsc_env() {
  ag_tmpdir TMP "$1"
  ag_ompi_root "${2:-}"
  export AG_JIT_CACHE=$TMP/cache
  export ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
}
# ag_mpi [MPIEXEC]: MPIEXEC (the argument, else $AG_MPIEXEC, else mpiexec) and MPIFLAGS
# (--oversubscribe under Open MPI, which as root also gets the environment to run).
ag_mpi() {
  MPIEXEC=${1:-${AG_MPIEXEC:-mpiexec}}
  MPIFLAGS=()
  if "$MPIEXEC" --version 2>&1 | grep -qiE "open ?(mpi|rte)"; then
    MPIFLAGS=(--oversubscribe)
    if [ "$(id -u)" = 0 ]; then ag_ompi_root; fi
  fi
}

# ag_mpi_work: for the MPI application tests: ag_mpi, a temporary WORK directory made the
# current one, the JIT cache in it unless AG_JIT_CACHE is set.
ag_mpi_work() {
  ag_mpi
  ag_tmpdir WORK
  export AG_JIT_CACHE=${AG_JIT_CACHE:-$WORK/cache}
  cd "$WORK" || exit 1
}

# ag_run NAME NP CMD...: CMD on NP ranks (mpiexec) with its output in $TMP/NAME.out; on a
# non-zero exit: fail "NAME: exit status", its last 20 lines, and return 1.
ag_run() {
  local name=$1 np=$2
  shift 2
  if ! mpiexec -n "$np" "$@" > "$TMP/$name.out" 2>&1; then
    fail "$name: exit status"
    tail -20 "$TMP/$name.out"
    return 1
  fi
}

# ag_geometry_opts LIB FILE CELL BOUNDARY PARAMS: the options into the array AG that make an
# application use alphagrad from options alone (-dll_append LIB) with the cell kernel
# FILE:CELL, the boundary kernel FILE:BOUNDARY, both with the constants PARAMS, and the
# grid's geometry appended to their parameters.
ag_geometry_opts() {
  AG=(-dll_append "$1" -snes_jacobian alphagrad
      -snes_jacobian_alphagrad_kernel "$2:$3" -snes_jacobian_alphagrad_params "$5"
      -snes_jacobian_alphagrad_boundary_kernel "$2:$4" -snes_jacobian_alphagrad_boundary_params "$5"
      -snes_jacobian_alphagrad_geometry)
}

# ---- checks ----
# Counted checks: ok / bad MESSAGE (pass, fail); fail MESSAGE (fails). A script that ends at
# its first failure defines its own fail.
pass=0
fail=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
step() { echo "== $*"; }
# run_log CMD...: runs CMD, its output shown only when it fails (then `fail "CMD"`); the log
# goes into the first ag_tmpdir directory.
run_log() {
  local log=${AG_TMPDIRS[0]:?run_log needs ag_tmpdir}/log.$RANDOM
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; fail "$*"; fi
}
# ag_mpirun NAME NP LABEL CMD...: prints "--- NAME: mpiexec -n NP LABEL ARGS" (ARGS: CMD
# after its first word), runs CMD on NP ranks ($MPIEXEC, $MPIFLAGS: ag_mpi) with its output
# in NAME.out; on a non-zero exit prints the last AG_RUN_TAIL lines of it (default all) and
# fails "NAME: LABEL exited with an error", returning 1.
ag_mpirun() {
  local name=$1 np=$2 label=$3
  shift 3
  echo "--- $name: mpiexec -n $np $label ${*:2}"
  if ! "$MPIEXEC" -n "$np" "${MPIFLAGS[@]}" "$@" > "$name.out" 2>&1; then
    if [ -n "${AG_RUN_TAIL:-}" ]; then tail -n "$AG_RUN_TAIL" "$name.out" >&2; else cat "$name.out" >&2; fi
    fail "$name: $label exited with an error"
    return 1
  fi
}
