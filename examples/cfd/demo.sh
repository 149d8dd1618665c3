#!/usr/bin/env bash
# examples/cfd demo: sod and wedge at demo size with mpiexec -n 2, each with four Jacobian
# choices, then the summary lines (one per run; the fields are described in README.md).
#   alphagrad     -snes_jacobian alphagrad            exact Jacobian (generated code)
#   fd_color      -snes_fd_color                      finite differences with coloring
#   mf            -snes_mf -pc_type none              Jacobian-free Newton-Krylov, no preconditioner
#   mf_operator   -snes_mf_operator -snes_jacobian alphagrad
#                                                     matrix-free operator, preconditioned by
#                                                     the alphagrad Jacobian
# The assembled choices solve with -ksp_type gmres -pc_type bjacobi (ILU(0) blocks). The
# unpreconditioned mf runs need long GMRES cycles on the wedge (CFL up to 1e4): restart 200.
# Usage: demo.sh [BINDIR] (default: build-cfd/examples/cfd of the source tree); environment:
# MPIEXEC (mpiexec), NP (2), SOD_CELLS (3200), WEDGE_CELLS (80), MUSCL_CELLS (800), OUT (a -output directory
# for the alphagrad runs, then plot.sh; default none)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build-cfd/examples/cfd}
MPIEXEC=${MPIEXEC:-mpiexec}
NP=${NP:-2}
SOD_CELLS=${SOD_CELLS:-3200}
WEDGE_CELLS=${WEDGE_CELLS:-80}
MPIFLAGS=()
if "$MPIEXEC" --version 2>&1 | grep -qiE "open ?(mpi|rte)"; then
  MPIFLAGS=(--oversubscribe)
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
fi
export AG_JIT_CACHE=${AG_JIT_CACHE:-${TMPDIR:-/tmp}/alphagrad-cfd-demo-cache}
for p in sod wedge; do [ -x "$BIN/$p" ] || { echo "demo.sh: no $BIN/$p (build the targets cfd_sod cfd_wedge)" >&2; exit 1; }; done

LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
ASM=(-ksp_type gmres -pc_type bjacobi)
MF=(-snes_mf -ksp_type gmres -pc_type none -ksp_gmres_restart 200 -ksp_max_it 5000)
MFOP=(-snes_mf_operator -snes_jacobian alphagrad -ksp_type gmres -pc_type bjacobi)
declare -A JAC=([alphagrad]="-snes_jacobian alphagrad ${ASM[*]}" [fd_color]="-snes_fd_color ${ASM[*]}"
                [mf]="${MF[*]}" [mf_operator]="${MFOP[*]}")
run() { # run APP LABEL ARGS...
  local app=$1 label=$2
  shift 2
  local extra=()
  if [ -n "${OUT:-}" ] && [ "$label" = alphagrad ]; then extra=(-output "$OUT"); fi
  echo "--- $MPIEXEC -n $NP $app $* ${JAC[$label]} ${extra[*]}"
  # shellcheck disable=SC2086
  local out="$LOG/$app${TAG:-}-$label.out"
  "$MPIEXEC" -n "$NP" "${MPIFLAGS[@]}" "$BIN/$app" "$@" ${JAC[$label]} "${extra[@]}" > "$out" 2>&1 ||
    { tail -20 "$out" >&2; echo "demo.sh: $app with $label failed" >&2; exit 1; }
  grep -E "^(sod|wedge):" "$out" | tail -2
}
for label in alphagrad fd_color mf mf_operator; do run sod $label -da_grid_x "$SOD_CELLS"; done
for label in alphagrad fd_color mf mf_operator; do run wedge $label -da_grid_x "$WEDGE_CELLS" -da_grid_y "$WEDGE_CELLS"; done
# second order with limiters written as branches (issue 18): periodic double shock tube,
# MUSCL + minmod + Roe/Harten (the cell count a multiple of 5 for fd_color's coloring)
MUSCL_CELLS=${MUSCL_CELLS:-800}
for label in alphagrad fd_color; do
  TAG=-muscl run sod $label -problem double -scheme minmod -da_grid_x "$MUSCL_CELLS"
done
if [ -n "${OUT:-}" ]; then bash "$HERE/plot.sh" "$OUT"; fi
echo
echo "=== summary lines"
cat "$LOG"/sod-*.out "$LOG"/wedge-*.out | grep "^summary:"
