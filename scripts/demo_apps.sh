#!/usr/bin/env bash
# The applications on the PETSc plugin (examples/cfd, examples/robotics), each run with the
# exact alphagrad Jacobian, finite-difference colouring and matrix-free Newton-Krylov, and
# one table of Newton iterations, time per Jacobian and total solve time.
# Usage: demo_apps.sh [BUILD_DIR (build)]; the demo sizes take a minute or two on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
export AG_JIT_CACHE=${AG_JIT_CACHE:-$OUT/jit-cache}
echo "=== examples/cfd/demo.sh (2 MPI processes)"
OUT=$OUT/cfd bash examples/cfd/demo.sh "$B/examples/cfd" | tee "$OUT/cfd.log" | { grep -E "^(---|sod:|wedge:)" || true; } | sed 's/^/  /' | cut -c1-160
echo "=== examples/robotics/demo.sh (2 MPI processes)"
IK_N=${IK_N:-20000} TRAJ_N=${TRAJ_N:-10000} bash examples/robotics/demo.sh "$B/bin" | tee "$OUT/robotics.log" | { grep -E "^(robotics demo|---)" || true; } | sed 's/^/  /' | cut -c1-160
echo
echo "Newton iterations, time per Jacobian (SNESJacobianEval / count, from PETSc's log) and total"
echo "solve time; the last column is each application's check (Sod: density L1 error against the"
echo "exact Riemann solution, sod-minmod: second order, limiters written with branches, on the"
echo "periodic double shock tube; wedge: shock angle measured - theta-beta-Mach; IK: largest position error)."
echo
grep -h "^summary:" "$OUT/cfd.log" "$OUT/robotics.log" | awk '
  function get(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "" }
  BEGIN { printf "%-11s %-10s %-22s %8s %12s %10s  %s\n", "app", "size", "Jacobian", "Newton", "ms/Jacobian", "solve s", "check"
          printf "%-11s %-10s %-22s %8s %12s %10s  %s\n", "---", "----", "--------", "------", "-----------", "-------", "-----" }
  { app = get("app"); if (get("scheme") != "" && get("scheme") != "roe") app = app "-" get("scheme"); size = get("cells"); if (size == "") size = get("waypoints")
    chk = get("l1") != "" ? "L1 " get("l1") : (get("diff") != "" ? "beta diff " get("diff") " deg (tol " get("tol") ")" : (get("pos_err") != "" ? "pos err " get("pos_err") : ""))
    if (get("reason") ~ /DIVERGED/) chk = chk " " get("reason")
    printf "%-11s %-10s %-22s %8s %12s %10s  %s\n", app, size, get("jacobian"), get("newton"), get("jac_ms"), get("solve_s"), chk }'
echo
echo "(outputs: $OUT; pictures: $OUT/cfd/*.png when gnuplot is installed)"
