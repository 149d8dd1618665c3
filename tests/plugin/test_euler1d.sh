#!/usr/bin/env bash
# Acceptance of the plugin on the 1-D Euler face-flux application (tests/plugin/euler1d.c, Sod's
# shock tube, Roe flux, transmissive boundaries, backward Euler) under mpiexec -n 1 and -n 2.
#   (a) -snes_jacobian alphagrad with -snes_test_jacobian: ||J - Jfd||_F/||J||_F < 1e-7 on
#       every Jacobian (finite-difference step -snes_test_err 1e-9, see below)
#   (b) total Newton iterations with alphagrad <= with -snes_fd_color
#   (c) -mode own (the application's residual) equals -mode operator: the relative
#       difference printed by -snes_jacobian_alphagrad_check is < 1e-12 at every Jacobian,
#       and both modes give the same iterations and final state
#   (d) the same final state (checksum, %.10e) with -n 1 and -n 2
# and on a periodic DMDA (-periodic): (a), the final state with either Jacobian, -mode operator.
# Usage: test_euler1d.sh path/to/euler1d
#
# Why -snes_test_err 1e-9: PETSc's reference Jacobian is a one-sided difference with step
# err * |x_j| (err * 0.1 where x_j = 0). Its error here is truncation, proportional to the
# step: with the default err = 1.5e-8 the ratio is 1.6e-7 for any correct Jacobian (the
# momentum columns of the low-density right state have second derivatives of a few hundred);
# it falls linearly with err (3e-9: 3.4e-8, 1e-9: 2.8e-8) until round-off takes over below
# 3e-10. The test also checks the default step against 1e-6.
set -u
BIN=${1:?usage: test_euler1d.sh path/to/euler1d}
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }

. "$(dirname "$0")/../lib.sh"
ag_mpi_work

# tight Newton and Krylov tolerances: every run converges to round-off, so the final states
# of different runs (Jacobians, process counts) agree to the printed digits
TOL=(-snes_rtol 1e-12 -snes_atol 1e-13 -snes_stol 0 -ksp_rtol 1e-13 -ksp_atol 1e-15)

run() { # run NAME NP ARGS...: output in $WORK/NAME.out; fails loudly on a non-zero exit
  ag_mpirun "$1" "$2" euler1d "$BIN" "${@:3}" || return 1
  grep -E "^(euler1d|checksum|density)" "$1.out"
}
total() { sed -n 's/.*total Newton iterations \([0-9]*\).*/\1/p' "$1.out"; }
checksum() { sed -n 's/^checksum (L2 norm of the state): \(.*\)$/\1/p' "$1.out"; }
jacobians() { grep -c "Testing Jacobian" "$1.out"; }

for np in 1 2; do
  # (a) the Jacobian against finite differences, at every Newton iteration
  if run test_np$np "$np" -snes_jacobian alphagrad -snes_test_jacobian -snes_test_err 1e-9 "${TOL[@]}"; then
    n=$(jacobians test_np$np)
    ratios=$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' test_np$np.out)
    nr=$(echo "$ratios" | grep -c .)
    [ "$n" -ge 1 ] && [ "$nr" = "$n" ] || fail "np $np: $n Jacobian tests but $nr ratios parsed"
    worst=$(echo "$ratios" | sort -g | tail -1)
    echo "np $np: $nr Jacobians, worst ||J - Jfd||_F/||J||_F = $worst (FD step 1e-9)"
    echo "$ratios" | awk '{ if (!($1 < 1e-7)) bad = 1 } END { exit bad }' ||
      fail "np $np: ||J - Jfd||_F/||J||_F = $worst >= 1e-7"
  fi
  if run testdef_np$np "$np" -snes_jacobian alphagrad -snes_test_jacobian "${TOL[@]}"; then
    ratios=$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' testdef_np$np.out)
    worst=$(echo "$ratios" | sort -g | tail -1)
    echo "np $np: worst ||J - Jfd||_F/||J||_F = $worst (PETSc's default FD step)"
    [ -n "$ratios" ] && echo "$ratios" | awk '{ if (!($1 < 1e-6)) bad = 1 } END { exit bad }' ||
      fail "np $np: ||J - Jfd||_F/||J||_F = $worst >= 1e-6 with the default FD step"
  fi

  # (b) Newton iterations: alphagrad <= finite differences with coloring
  run fd_np$np "$np" -snes_fd_color "${TOL[@]}"
  run ag_np$np "$np" -snes_jacobian alphagrad "${TOL[@]}"
  tf=$(total fd_np$np)
  ta=$(total ag_np$np)
  if [ -z "$tf" ] || [ -z "$ta" ]; then
    fail "np $np: no total Newton iterations printed"
  else
    echo "np $np: total Newton iterations alphagrad $ta, fd_color $tf"
    [ "$ta" -le "$tf" ] || fail "np $np: alphagrad needs $ta Newton iterations > $tf with -snes_fd_color"
  fi

  # (c) the application's own residual equals the operator's
  if run own_np$np "$np" -mode own -snes_jacobian alphagrad -snes_jacobian_alphagrad_check "${TOL[@]}"; then
    checks=$(sed -n 's/^alphagrad check: .*(relative to max |F| = [^:]*: \([^)]*\)).*/\1/p' own_np$np.out)
    nc=$(echo "$checks" | grep -c .)
    nl=$(grep -c "^alphagrad check: max |F_application" own_np$np.out)
    [ "$nc" -ge 1 ] && [ "$nc" = "$nl" ] || fail "np $np: $nl check lines, $nc parsed"
    echo "np $np: $nc residual checks, largest relative difference $(echo "$checks" | sort -g | tail -1)"
    # and the Jacobian along a direction against the application's residual (finite differences)
    jv=$(sed -n 's/^alphagrad check: |J v.* = \([^ ]*\) (the application.*/\1/p' own_np$np.out)
    [ "$(echo "$jv" | grep -c .)" = "$nc" ] || fail "np $np: $nc residual checks but not as many J v checks"
    echo "np $np: J v checks, largest relative difference $(echo "$jv" | sort -g | tail -1)"
    echo "$jv" | awk '{ if (!($1 + 0 < 1e-5)) bad = 1 } END { exit bad }' ||
      fail "np $np: J v differs from the application's residual: $(echo "$jv" | sort -g | tail -1)"
    echo "$checks" | awk '{ if (!($1 + 0 < 1e-12)) bad = 1 } END { exit bad }' ||
      fail "np $np: own residual differs from the operator's: $(echo "$checks" | sort -g | tail -1)"
    [ "$(total own_np$np)" = "$ta" ] || fail "np $np: -mode own: $(total own_np$np) Newton iterations, -mode operator: $ta"
    [ "$(checksum own_np$np)" = "$(checksum ag_np$np)" ] ||
      fail "np $np: -mode own checksum $(checksum own_np$np) != -mode operator $(checksum ag_np$np)"
  fi
  run ownfd_np$np "$np" -mode own -snes_fd_color "${TOL[@]}"
  [ "$(checksum ownfd_np$np)" = "$(checksum ag_np$np)" ] ||
    fail "np $np: -mode own -snes_fd_color checksum $(checksum ownfd_np$np) != $(checksum ag_np$np)"
done

# periodic DMDA (every face interior, the ghosts wrap around): the Jacobian against finite
# differences and the residuals, with the application's residual; then -mode operator.
# 99 cells: PETSc 3.18's coloring of a periodic 1-D DMDA whose size is not a multiple of
# 2 * stencil width + 1 = 3 writes past an array in MatFDColoringSetUp (heap corruption)
PER=(-periodic -da_grid_x 99)
for np in 1 2; do
  if run per_np$np "$np" "${PER[@]}" -mode own -snes_jacobian alphagrad -snes_test_jacobian -snes_test_err 1e-9 "${TOL[@]}"; then
    ratios=$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' per_np$np.out)
    worst=$(echo "$ratios" | sort -g | tail -1)
    echo "np $np, periodic: $(echo "$ratios" | grep -c .) Jacobians, worst ||J - Jfd||_F/||J||_F = $worst"
    [ -n "$ratios" ] && echo "$ratios" | awk '{ if (!($1 < 1e-7)) bad = 1 } END { exit bad }' ||
      fail "np $np, periodic: ||J - Jfd||_F/||J||_F = $worst >= 1e-7"
  fi
  run perfd_np$np "$np" "${PER[@]}" -mode own -snes_fd_color "${TOL[@]}"
  [ "$(checksum per_np$np)" = "$(checksum perfd_np$np)" ] ||
    fail "np $np, periodic: checksum alphagrad $(checksum per_np$np) != fd_color $(checksum perfd_np$np)"
  # -mode operator on a periodic DMDA (on one process PETSc refuses DMLocalToGlobal with
  # INSERT_VALUES there: the operator's residual must not use it)
  if run perop_np$np "$np" "${PER[@]}" -mode operator -snes_jacobian alphagrad "${TOL[@]}"; then
    [ "$(checksum perop_np$np)" = "$(checksum per_np$np)" ] ||
      fail "np $np, periodic: -mode operator checksum $(checksum perop_np$np) != -mode own $(checksum per_np$np)"
  fi
done

# (d) the same final state on 1 and 2 processes (and with either Jacobian)
c1=$(checksum ag_np1)
for r in ag_np2 fd_np1 fd_np2; do
  c=$(checksum $r)
  [ -n "$c1" ] && [ "$c" = "$c1" ] || fail "checksum of $r ($c) != ag_np1 ($c1)"
done
p1=$(checksum per_np1)
for r in per_np2 perop_np1 perop_np2; do
  c=$(checksum $r)
  [ -n "$p1" ] && [ "$c" = "$p1" ] || fail "periodic: checksum of $r ($c) != per_np1 ($p1)"
done
echo "checksums: $c1 (transmissive, all runs), $p1 (periodic, all runs)"

if [ "$fails" -ne 0 ]; then
  echo "test_euler1d: $fails failure(s)" >&2
  exit 1
fi
echo "test_euler1d: all checks passed"
