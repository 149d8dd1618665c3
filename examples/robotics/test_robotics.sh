#!/usr/bin/env bash
# Tests of examples/robotics (registered by its CMakeLists.txt): for one application,
#   ik6   ik_path -arm 6 (the paper's RobotArm_6DOF), 64 waypoints
#   ik7   ik_path -arm 7 (the KUKA-iiwa-like arm), 64 waypoints
#   traj  trajopt (implicit-dynamics boundary-value problem), 201 waypoints
#   ik6lim ik_path -arm 6 -joint_limit 1.0: soft joint limits written with branches on the
#         joint angles (issue 18); the limits are active (the answer leaves the unconstrained
#         trajectory: q_err > 1e-3), so (b) checks convergence instead of the pose errors
# checks
#   (a) the exact Jacobian: -snes_jacobian alphagrad -snes_test_jacobian on 16 waypoints
#       (every kernel: interior cells and both end waypoints) under mpiexec -n 2, at every
#       Newton iteration ||J - Jfd||_F/||J||_F < 1e-6, with PETSc's default FD step and with
#       -snes_test_err 1e-9 (the ratios are the one-sided difference's own error: 1e-7 .. 1e-9)
#   (b) the answer: converged, pose errors (m, rad) < 1e-8 at every waypoint (traj: at the
#       end waypoint, and the trajectory within 1e-8 of the reference q*), with -n 1 and -n 2
#   (c) -n 1 and -n 2 give the same answer (checksum, %.10e)
#   (d) Newton iterations with alphagrad <= with -snes_fd_color (same answer too)
# Usage: test_robotics.sh ik6|ik7|traj|ik6lim path/to/ik_path path/to/trajopt
set -u
APP=${1:?usage: test_robotics.sh ik6|ik7|traj ik_path trajopt}
IK=${2:?}
TRAJ=${3:?}
case $APP in
  ik6) CMD=("$IK" -arm 6); N=64 ;;
  ik7) CMD=("$IK" -arm 7); N=64 ;;
  traj) CMD=("$TRAJ"); N=201 ;;
  ik6lim) CMD=("$IK" -arm 6 -joint_limit 1.0); N=64 ;;
  *) echo "FAIL: unknown application $APP" >&2; exit 1 ;;
esac
[ -x "${CMD[0]}" ] || { echo "FAIL: ${CMD[0]} is not an executable" >&2; exit 1; }

. "$(dirname "$0")/../../tests/lib.sh"
ag_mpi_work

run() { # run NAME NP ARGS...: output in NAME.out
  local name=$1 np=$2
  shift 2
  ag_mpirun "$name" "$np" "${CMD[0]##*/}" "${CMD[@]}" "$@" || return 1
  grep -E "^(summary|checksum)" "$name.out"
}
field() { sed -n "s/^summary: .* $2=\([^ ]*\).*/\1/p" "$1.out"; }
checksum() { sed -n 's/^checksum: \(.*\)$/\1/p' "$1.out"; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }

# (a) the Jacobian against finite differences
for err in default 1e-9; do
  opt=()
  [ $err = default ] || opt=(-snes_test_err $err)
  if run test_$err 2 -n_waypoints 16 -snes_jacobian alphagrad -snes_test_jacobian "${opt[@]}"; then
    ratios=$(sed -n 's/.*||J - Jfd||_F\/||J||_F = \([^,]*\),.*/\1/p' test_$err.out)
    n=$(echo "$ratios" | grep -c .)
    worst=$(echo "$ratios" | sort -g | tail -1)
    echo "$APP: $n Jacobians tested, worst ||J - Jfd||_F/||J||_F = $worst (FD step: $err)"
    [ "$n" -ge 2 ] || fail "FD step $err: only $n Jacobian tests"
    echo "$ratios" | awk '{ if (!($1 < 1e-6)) bad = 1 } END { exit bad }' ||
      fail "FD step $err: ||J - Jfd||_F/||J||_F = $worst >= 1e-6"
  fi
done

# (b), (c) the answer with -n 1 and -n 2
for np in 1 2; do
  run ag_np$np $np -n_waypoints $N -snes_jacobian alphagrad || continue
  reason=$(field ag_np$np reason)
  [[ $reason == CONVERGED* ]] || fail "np $np: $reason"
  if [ $APP = ik6lim ]; then
    v=$(field ag_np$np q_err)
    below 1e-3 "$v" || fail "np $np: q_err = $v: the joint limits did not act"
  else
    for f in pos_err rot_err; do
      v=$(field ag_np$np $f)
      below "$v" 1e-8 || fail "np $np: $f = $v >= 1e-8"
    done
  fi
  if [ $APP = traj ]; then
    v=$(field ag_np$np q_err)
    below "$v" 1e-8 || fail "np $np: the trajectory is $v from the reference (>= 1e-8)"
  fi
done
c1=$(checksum ag_np1)
c2=$(checksum ag_np2)
[ -n "$c1" ] && [ "$c1" = "$c2" ] || fail "checksum with -n 1 ($c1) differs from -n 2 ($c2)"

# (d) Newton iterations against finite differences with coloring
if run fd_np2 2 -n_waypoints $N -snes_fd_color; then
  ka=$(field ag_np2 newton)
  kf=$(field fd_np2 newton)
  echo "$APP: Newton iterations alphagrad $ka, fd_color $kf"
  [ -n "$ka" ] && [ -n "$kf" ] && [ "$ka" -le "$kf" ] || fail "Newton iterations: alphagrad $ka > fd_color $kf"
  [ "$(checksum fd_np2)" = "$c2" ] || fail "fd_color's answer $(checksum fd_np2) differs from alphagrad's $c2"
fi

if [ $fails -gt 0 ]; then
  echo "test_robotics $APP: $fails failure(s)" >&2
  exit 1
fi
echo "test_robotics $APP: all checks passed"
