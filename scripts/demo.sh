#!/usr/bin/env bash
# Main demo: builds alphagrad and prints the paper's benchmark table, computed from the
# reference DAGs and from the C kernels in examples/paper, next to the published figures;
# then the CFD and robotics applications on the PETSc plugin (scripts/demo_apps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# the CFD example draws its pictures with gnuplot (optional for the tests, wanted here)
if ! command -v gnuplot >/dev/null && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null || echo "demo: gnuplot not installed; no pictures"
fi
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null
AG=build/bin/alphagrad
G=tests/data/paper_graphs.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cost() { "$AG" cost "$@" --json | sed 's/^{"cost": \([0-9]*\),.*/\1/'; }
declare -A KERNEL=([RoeFlux_1d]=roeflux_1d.c [RobotArm_6DOF]=robotarm_6dof.c [HumanHeartDipole]=human_heart_dipole.c [PropaneCombustion]=propane_combustion.c [g]=g.c)
declare -A PAPER=([RoeFlux_1d]="620 364 407 320" [RobotArm_6DOF]="397 301 288 231" [HumanHeartDipole]="240 172 194 148" [PropaneCombustion]="151 90 111 88" [g]="632 566 451 417")
echo "Multiplications of Jacobian accumulation (scalar cost model), measured by build/bin/alphagrad"
echo "from the reference DAGs (tests/data/paper_graphs.txt) and the C kernels (examples/paper):"
echo
printf "%-18s %3s %4s %3s | %-16s | %-16s | %-16s | %-16s\n" task NI NV NO "forward" "reverse" "min-Markowitz" "AlphaGrad order"
printf "%-18s %3s %4s %3s | %-16s | %-16s | %-16s | %-16s\n" "" "" "" "" "dag/kernel/paper" "dag/kernel/paper" "dag/kernel/paper" "dag/kernel/paper"
for t in RoeFlux_1d RobotArm_6DOF HumanHeartDipole PropaneCombustion g; do
  k=examples/paper/${KERNEL[$t]}
  read -r pf pr pm pa <<<"${PAPER[$t]}"
  grep -A1 "^$t AlphaGrad" tests/data/paper_orders.txt | tail -1 >"$tmp/$t.order"
  sizes=$("$AG" graph "$k" --json | sed 's/.*"inputs": \([0-9]*\), "vertices": \([0-9]*\), "outputs": \([0-9]*\),.*/\1 \2 \3/')
  read -r ni nv no <<<"$sizes"
  row=()
  for o in fwd rev markowitz "@$tmp/$t.order"; do
    row+=("$(cost $G --name "$t" --order "$o")/$(cost "$k:$t" --order "$o")")
  done
  printf "%-18s %3s %4s %3s | %-16s | %-16s | %-16s | %-16s\n" "$t" "$ni" "$nv" "$no" \
    "${row[0]}/$pf" "${row[1]}/$pr" "${row[2]}/$pm" "${row[3]}/$pa"
done
echo
echo "Orders found by alphagrad search (annealing, 2 s on one core, seed 1; the exact solver's"
echo "proven bounds for RoeFlux_1d and g come from the shipped library hdf5-data/paper_orders.h5):"
echo
printf "%-18s | %-15s | %-22s | %-9s\n" task "AlphaGrad paper" "alphagrad search (2 s)" "lower bound"
for t in RoeFlux_1d RobotArm_6DOF HumanHeartDipole PropaneCombustion g; do
  read -r pf pr pm pa <<<"${PAPER[$t]}"
  js=$("$AG" search $G --name "$t" --method anneal --objective mults --time 2 --seed 1 --json --quiet | tail -1)
  c=$(echo "$js" | sed 's/^{"cost": \([0-9]*\),.*/\1/')
  lb=$("$AG" orders show hdf5-data/paper_orders.h5 "$t" --json | grep -o '"lower_bound": [0-9]*' | grep -o '[0-9]*$')
  opt=""
  [ "$lb" = "$c" ] && opt=" (optimal)"
  printf "%-18s | %-15s | %-22s | %-9s\n" "$t" "$pa" "$c$opt" "$lb"
done
echo
echo "The paper's five tensor tasks (tests/data/tensor_graphs.txt) under the AlphaGrad sparse-tensor"
echo "cost model (docs/tensor.md), measured by build/bin/alphagrad / published in the paper;"
echo "alphagrad search: annealing, 2 s on one core, seed 1 (60 s figures: BENCHMARKS.md):"
echo
TG=tests/data/tensor_graphs.txt
declare -A TPAPER=([RoeFlux_3d]="1556 979 938* 784" [f]="17728 8859* 12083* 5884" [MLP]="10930 392 4796 389" [Encoder]="135010 4688 51869* 4656" [BlackScholes_Jacobian]="545 572 350 307")
printf "%-22s %3s %4s %3s | %-14s | %-12s | %-12s | %-9s | %-9s\n" task NI NV NO "forward" "reverse" "min-Markowitz" "AlphaGrad" "alphagrad"
printf "%-22s %3s %4s %3s | %-14s | %-12s | %-12s | %-9s | %-9s\n" "" "" "" "" "ours/paper" "ours/paper" "ours/paper" "paper" "search"
for t in RoeFlux_3d f MLP Encoder BlackScholes_Jacobian; do
  read -r pf pr pm pa <<<"${TPAPER[$t]}"
  gj=$("$AG" graph $TG --name "$t" --json)
  num() { echo "$gj" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
  c=$("$AG" search $TG --name "$t" --time 2 --seed 1 --json --quiet | tail -1 | sed 's/^{"cost": \([0-9]*\),.*/\1/')
  printf "%-22s %3s %4s %3s | %-14s | %-12s | %-12s | %-9s | %-9s\n" "$t" "$(num inputs)" "$(num vertices)" "$(num outputs)" \
    "$(num fwd)/$pf" "$(num rev)/$pr" "$(num markowitz)/$pm" "$pa" "$c"
done
echo "* not reproducible by the reference's own vertex game: f's published row is another tool's"
echo "  operation count (graphax), and 938 and 51869 come from neither counter; the columns 'ours'"
echo "  equal the reference's values. 784, 5884 and 307 are best-so-far values from the paper's"
echo "  training logs (its stored orders cost 811, 6374 and 312)."
echo
point=$(grep -o 'alphagrad-test-point:[^*]*' examples/paper/roeflux_1d.c | sed 's/alphagrad-test-point://; s/ //g')
echo "Exact Jacobian of RoeFlux_1d (examples/paper/roeflux_1d.c) at its test point ($point), with the"
echo "optimal order from hdf5-data/paper_orders.h5,"
echo "checked against central finite differences:"
"$AG" jacobian examples/paper/roeflux_1d.c --at "$point" --order @hdf5-data/paper_orders.h5 --check

echo
echo "=== Applications on the PETSc plugin (examples/cfd, examples/robotics): exact alphagrad"
echo "=== Jacobians against finite-difference colouring and matrix-free Newton-Krylov"
OUT=${OUT:-$PWD/demo-output} bash scripts/demo_apps.sh build
