#!/usr/bin/env bash
# The paper's five tensor tasks under the AlphaGrad sparse-tensor cost model: forward,
# reverse, the reference's Markowitz, the paper's AlphaGrad best, the stored AlphaGrad
# order, and `alphagrad search` (one core, SECONDS each, seed SEED).
# Usage: bash bench/tensor_tasks.sh [BUILD_DIR] [SECONDS] [SEED] [METHOD]
#        (default build 60 1 anneal; METHOD anneal or mcts)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
S=${2:-60}
SEED=${3:-1}
M=${4:-anneal}
AG=$B/bin/alphagrad
T=tests/data/tensor_graphs.txt
declare -A PAPER=([RoeFlux_3d]=784 [f]=5884 [MLP]=389 [Encoder]=4656 [BlackScholes_Jacobian]=307)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
num() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
echo "tensor model, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), search $M $S s, seed $SEED, one core"
printf "%-22s %7s %7s %7s | %7s %7s | %7s %8s %9s %9s\n" task fwd rev mM paper stored search "vs paper" "found at" "moves/s"
for t in RoeFlux_3d f MLP Encoder BlackScholes_Jacobian; do
  grep -A1 "^$t AlphaGrad " tests/data/tensor_orders.txt | tail -1 >"$tmp/$t.order"
  stored=$("$AG" cost $T --name "$t" --order "@$tmp/$t.order" --json | num cost)
  js=$("$AG" search $T --name "$t" --method "$M" --time "$S" --seed "$SEED" --json --quiet | tail -1)
  c=$(echo "$js" | num cost)
  ttc=$(echo "$js" | sed -n 's/.*"time_to_cost": \([0-9.]*\).*/\1/p')
  el=$(echo "$js" | sed -n 's/.*"elapsed": \([0-9.]*\).*/\1/p')
  it=$(echo "$js" | num iterations)
  printf "%-22s %7s %7s %7s | %7s %7s | %7s %8s %8ss %9s\n" "$t" "$(echo "$js" | num fwd)" \
    "$(echo "$js" | num rev)" "$(echo "$js" | num markowitz)" "${PAPER[$t]}" "$stored" "$c" \
    "$(awk -v a="$c" -v b="${PAPER[$t]}" 'BEGIN{printf "%+.1f%%", 100*(a-b)/b}')" "$ttc" \
    "$(awk -v i="$it" -v e="$el" 'BEGIN{printf "%.0f", i/e}')"
done
