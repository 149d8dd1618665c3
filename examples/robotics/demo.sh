#!/usr/bin/env bash
# Demo of examples/robotics at a "demo size": every application with every Jacobian choice
# under mpiexec -n 2, printing one summary line per run (README.md explains the fields).
#
# Usage: demo.sh [BINDIR]     BINDIR holds ik_path and trajopt (default: the first of
#                             build-robo/bin, build/bin under the source tree)
# Environment: NP (2), IK_N (40000 waypoints), TRAJ_N (20000 waypoints), AG_MPIEXEC
#              (mpiexec), AG_JIT_CACHE (a temporary folder), DEMO_LOG (a folder for the
#              full outputs; default: a temporary one, removed at the end)
#
# Jacobian choices (the same options for every application):
#   alphagrad    -snes_jacobian alphagrad            exact Jacobian, assembled (COO)
#   fd_color     -snes_fd_color                      finite differences with DMDA coloring
#   mf           -snes_mf -pc_type none              matrix-free, no preconditioner; capped at
#                -snes_max_it 4 -ksp_max_it 100      4 Newton steps of at most 100 GMRES
#                -snes_max_linear_solve_fail 4       iterations: it does not converge on these
#                                                    problems (see README.md), the cap keeps the
#                                                    run short and the line shows how far it got
#   mf_operator  -snes_mf_operator                   matrix-free operator, preconditioned by the
#                -snes_jacobian alphagrad            exact alphagrad matrix (LU)
# The linear solver is LU with MUMPS (the applications' default) wherever there is a matrix.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BIN=${1:-}
if [ -z "$BIN" ]; then
  for d in "$SRC/build-robo/bin" "$SRC/build/bin"; do
    [ -x "$d/ik_path" ] && { BIN=$d; break; }
  done
fi
[ -n "$BIN" ] && [ -x "$BIN/ik_path" ] && [ -x "$BIN/trajopt" ] ||
  { echo "demo.sh: no ik_path/trajopt in '${BIN}' (build them: cmake --build <build> --target ik_path trajopt)" >&2; exit 1; }

NP=${NP:-2}
IK_N=${IK_N:-40000}
TRAJ_N=${TRAJ_N:-20000}
MPIEXEC=${AG_MPIEXEC:-mpiexec}
MPIFLAGS=()
if "$MPIEXEC" --version 2>&1 | grep -qiE "open ?(mpi|rte)"; then
  MPIFLAGS=(--oversubscribe)
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export AG_JIT_CACHE=${AG_JIT_CACHE:-$TMP/cache}
LOG=${DEMO_LOG:-$TMP/log}
mkdir -p "$LOG"

JACS=(alphagrad fd_color mf mf_operator)
jacopts() {
  case $1 in
    alphagrad) echo "-snes_jacobian alphagrad" ;;
    fd_color) echo "-snes_fd_color" ;;
    mf) echo "-snes_mf -pc_type none -snes_max_it 4 -ksp_max_it 100 -snes_max_linear_solve_fail 4" ;;
    mf_operator) echo "-snes_mf_operator -snes_jacobian alphagrad" ;;
  esac
}

echo "robotics demo: mpiexec -n $NP, $IK_N IK waypoints, $TRAJ_N trajectory waypoints, binaries in $BIN"
for app in ik6 ik7 traj; do
  case $app in
    ik6) cmd=("$BIN/ik_path" -arm 6 -n_waypoints "$IK_N") ;;
    ik7) cmd=("$BIN/ik_path" -arm 7 -n_waypoints "$IK_N") ;;
    traj) cmd=("$BIN/trajopt" -n_waypoints "$TRAJ_N") ;;
  esac
  # one small run first compiles the kernels into the cache (the set-up is not part of the
  # timings anyway, the applications report it apart)
  "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "${cmd[@]}" -n_waypoints 8 -snes_jacobian alphagrad > "$LOG/$app-warmup.out" 2>&1
  for jac in "${JACS[@]}"; do
    # shellcheck disable=SC2046
    if ! "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "${cmd[@]}" $(jacopts $jac) > "$LOG/$app-$jac.out" 2>&1; then
      echo "demo.sh: $app with $jac failed; its output:" >&2
      tail -20 "$LOG/$app-$jac.out" >&2
      continue
    fi
    grep "^summary:" "$LOG/$app-$jac.out"
  done
done
