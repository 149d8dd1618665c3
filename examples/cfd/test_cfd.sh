#!/usr/bin/env bash
# Tests of examples/cfd (registered with ctest by CMakeLists.txt), all with mpiexec -n 2:
#   sod_convergence  Sod at 50, 100, 200 cells (CFL 1, alphagrad): the density L1 error
#                    decreases under refinement and is below bounds (0.05, 0.035, 0.025)
#   sod_jacobian     -snes_test_jacobian -snes_test_err 1e-9 at every Newton step (time,
#                    Roe and both transmissive boundary kernels): ||J - Jfd||_F/||J||_F < 1e-6;
#                    Newton iterations with alphagrad <= with -snes_fd_color; -snes_mf gives
#                    the same L1 error
#   wedge_angle      the wedge at 32 x 32: steady state (residual drop 1e-6), the shock angle
#                    within its tolerance of theta-beta-Mach; Newton iterations with alphagrad
#                    <= with -snes_fd_color
#   wedge_jacobian   12 x 12 cells, 3 pseudo-time steps with -snes_test_jacobian -snes_test_err
#                    1e-9 at every Newton step (time, Roe x and y, inflow, outflow, wall and
#                    farfield boundary kernels): ||J - Jfd||_F/||J||_F < 1e-6
#   muscl            second order with limiters written as branches (issue 18): sod -problem
#                    smooth -scheme minmod, 100 cells, 2 steps with -snes_test_jacobian (away
#                    from the limiters' switches): ||J - Jfd||_F/||J||_F < 1e-6; the periodic
#                    double shock tube (200 cells) with minmod and van Leer: Newton iterations
#                    with alphagrad <= with -snes_fd_color, the same L1 error (1e-6 relative),
#                    and an L1 error below the first-order Roe scheme's
#   output           -output DIR of both programs: the HDF5 files hold the datasets the XDMF
#                    files name (h5ls), with the XDMF dimensions; the programs' VecLoad
#                    read-back equals the solution; plot.sh makes the PNGs (if gnuplot is
#                    installed; otherwise it must say that it skips)
# Why -snes_test_err 1e-9: PETSc's reference Jacobian is a one-sided difference; with the
# default step its truncation error alone gives ratios of about 1.6e-7 for these kernels
# (tests/plugin/test_euler1d.sh).
# Usage: test_cfd.sh TEST BINDIR (the directory of sod and wedge)
set -u
TEST=${1:?usage: test_cfd.sh TEST BINDIR}
BIN=${2:?usage: test_cfd.sh TEST BINDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../../tests/lib.sh"
ag_mpi_work

AG_RUN_TAIL=30
run() { # run NAME PROGRAM ARGS...: mpiexec -n 2, output in NAME.out
  local name=$1 prog=$2
  shift 2
  ag_mpirun "$name" 2 "$prog" "$BIN/$prog" "$@" || return 1
  grep "^summary:" "$name.out"
}
field() { sed -n "s/^summary:.* $2=\([^ ]*\).*/\1/p" "$1.out"; } # field NAME KEY
ratios_ok() { # ratios_ok NAME: every ||J - Jfd||_F/||J||_F < 1e-6
  local r n worst
  r=$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' "$1.out")
  n=$(echo "$r" | grep -c .)
  worst=$(echo "$r" | sort -g | tail -1)
  echo "$1: $n Jacobians tested, worst ||J - Jfd||_F/||J||_F = $worst"
  [ "$n" -ge 1 ] && [ "$n" = "$(grep -c 'Testing Jacobian' "$1.out")" ] || { fail "$1: $n ratios parsed"; return; }
  echo "$r" | awk '{ if (!($1 < 1e-6)) bad = 1 } END { exit bad }' || fail "$1: ||J - Jfd||_F/||J||_F = $worst >= 1e-6"
}
fewer() { # fewer A B: Newton iterations of A <= B
  local a b
  a=$(field "$1" newton)
  b=$(field "$2" newton)
  echo "Newton iterations: $1 $a, $2 $b"
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" -le "$b" ] || fail "Newton iterations $1 ($a) > $2 ($b)"
}

case $TEST in
sod_convergence)
  prev=1
  for n in 50 100 200; do
    run sod$n sod -da_grid_x $n -snes_jacobian alphagrad || continue
    l1=$(field sod$n l1)
    bound=$(case $n in 50) echo 0.05 ;; 100) echo 0.035 ;; *) echo 0.025 ;; esac)
    echo "$n cells: L1 error $l1 (bound $bound)"
    awk -v e="$l1" -v b="$bound" -v p="$prev" 'BEGIN { exit !(e < b && e < p) }' || fail "$n cells: L1 error $l1 not below $bound and the coarser grid's $prev"
    prev=$l1
  done
  ;;
sod_jacobian)
  run test sod -da_grid_x 100 -t_end 0.05 -snes_jacobian alphagrad -snes_test_jacobian -snes_test_err 1e-9 && ratios_ok test
  run ag sod -da_grid_x 100 -snes_jacobian alphagrad
  run fd sod -da_grid_x 100 -snes_fd_color
  run mf sod -da_grid_x 100 -snes_mf -pc_type none
  fewer ag fd
  for r in fd mf; do
    awk -v a="$(field ag l1)" -v b="$(field $r l1)" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d < 1e-6 * a) }' ||
      fail "L1 error with $r ($(field $r l1)) differs from alphagrad ($(field ag l1))"
  done
  ;;
muscl)
  run test sod -problem smooth -scheme minmod -da_grid_x 100 -t_end 0.02 -snes_jacobian alphagrad -snes_test_jacobian -snes_test_err 1e-9 && ratios_ok test
  D=(-problem double -da_grid_x 200)
  run first sod "${D[@]}" -scheme roe -snes_jacobian alphagrad
  for s in minmod vanleer; do
    run "${s}_ag" sod "${D[@]}" -scheme $s -snes_jacobian alphagrad
    run "${s}_fd" sod "${D[@]}" -scheme $s -snes_fd_color
    fewer "${s}_ag" "${s}_fd"
    a=$(field "${s}_ag" l1) b=$(field "${s}_fd" l1) f=$(field first l1)
    echo "$s: L1 error $a (alphagrad), $b (fd_color); first-order Roe $f"
    awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d < 1e-6 * a) }' ||
      fail "$s: L1 error with fd_color ($b) differs from alphagrad ($a)"
    awk -v a="$a" -v f="$f" 'BEGIN { exit !(a != "" && f != "" && a < f) }' ||
      fail "$s: L1 error $a not below the first-order scheme's $f"
  done
  ;;
wedge_angle)
  G=(-da_grid_x 32 -da_grid_y 32)
  if run ag wedge "${G[@]}" -snes_jacobian alphagrad; then
    d=$(field ag diff)
    t=$(field ag tol)
    echo "beta measured $(field ag beta_measured), exact $(field ag beta_exact): difference $d, tolerance $t degrees"
    awk -v d="$d" -v t="$t" 'BEGIN { if (d < 0) d = -d; exit !(d != "" && d <= t) }' || fail "shock angle difference $d > tolerance $t"
    awk -v r="$(field ag res_drop)" 'BEGIN { exit !(r <= 1e-6) }' || fail "residual drop $(field ag res_drop) > 1e-6"
  fi
  run fd wedge "${G[@]}" -snes_fd_color
  fewer ag fd
  ;;
wedge_jacobian)
  run test wedge -da_grid_x 12 -da_grid_y 12 -max_steps 3 -require_steady 0 -snes_jacobian alphagrad -snes_test_jacobian -snes_test_err 1e-9 &&
    ratios_ok test
  ;;
output)
  for app in sod wedge; do
    if [ $app = sod ]; then run out_sod sod -da_grid_x 64 -snes_jacobian alphagrad -output out || continue
    else run out_wedge wedge -da_grid_x 24 -da_grid_y 16 -Lx 1.5 -snes_jacobian alphagrad -output out || continue; fi
    x=out/$app.xmf
    h=out/$app.h5
    [ -f "$x" ] && [ -f "$h" ] || { fail "$app: $x or $h missing"; continue; }
    grep -q "read back: max |state - VecLoad(state)| = 0" out_$app.out || fail "$app: VecLoad read-back differs: $(grep 'read back' out_$app.out)"
    h5ls "$h" > $app.h5ls || { fail "$app: h5ls $h failed"; continue; }
    cat $app.h5ls
    grep -q "^state " $app.h5ls || fail "$app: no dataset state in $h"
    # every DataItem of the XDMF file: FILE:/NAME with Dimensions "NY NX", a dataset {NY, NX}
    n=0
    while IFS='|' read -r dims ref; do
      file=${ref%%:*}
      name=${ref#*:/}
      n=$((n + 1))
      [ "$file" = "$app.h5" ] || fail "$app: $x references $file, not $app.h5"
      got=$(awk -v d="$name" '$1 == d { sub(/^[^{]*\{/, ""); sub(/\}.*/, ""); gsub(/,/, ""); print }' $app.h5ls)
      [ "$got" = "$dims" ] || fail "$app: $x: $name has dimensions '$dims', the HDF5 dataset '$got'"
    done < <(sed -n 's/.*Dimensions="\([0-9]* [0-9]*\)">\([^<]*\)<\/DataItem>.*/\1|\2/p' "$x")
    echo "$app: $x references $n datasets of $h, all present with its dimensions"
    [ "$n" -ge 4 ] || fail "$app: $x references $n datasets"
  done
  for f in sod.dat sod_exact.dat wedge_density.dat wedge_shock.dat wedge_info.txt; do
    [ -s out/$f ] || fail "text dump out/$f missing or empty"
  done
  bash "$HERE/plot.sh" out > plot.out 2>&1 || fail "plot.sh failed: $(cat plot.out)"
  cat plot.out
  if command -v gnuplot > /dev/null 2>&1; then
    for p in sod wedge; do
      [ -s out/$p.png ] && head -c 8 out/$p.png | grep -q PNG || fail "plot.sh made no out/$p.png"
    done
  else
    grep -q "skipping" plot.out || fail "plot.sh without gnuplot did not say it skips"
  fi
  ;;
*)
  echo "test_cfd.sh: unknown test $TEST" >&2
  exit 2
  ;;
esac

if [ "$fails" -ne 0 ]; then
  echo "test_cfd.sh $TEST: $fails failure(s)" >&2
  exit 1
fi
echo "test_cfd.sh $TEST: all checks passed"
