#!/usr/bin/env bash
# Smoke test of the held-out evaluation program (bench/bench_policy.c):
# `bench_policy --quick` runs, its output is well-formed (every graph has its baseline,
# equal-simulation and equal-time lines, the summary tables and the throughput lines are
# there), every reported cost equals the cost recomputed from its order (ag_order_cost),
# the equal-time searches are never worse than the best baseline (they are seeded with it),
# and, given the alphagrad CLI, the baselines of a file kernel agree with `alphagrad cost`.
set -u
BP=${1:?usage: test_bench_policy.sh path/to/bench_policy [path/to/alphagrad]}
AG=${2:-}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP

start=$(date +%s)
OPENBLAS_NUM_THREADS=1 "$BP" --quick --seed 3 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] && ok || bad "bench_policy --quick exit $rc: $(head -5 "$TMP/err")"
el=$(($(date +%s) - start))
echo "bench_policy --quick: ${el}s"

grep -q "^MODEL path=.*model_v[0-9]*.h5 width=[0-9]* layers=[0-9]* " "$TMP/out" && ok || bad "MODEL line"
grep -q "^SETUP quick=1 sims=4,12 seed=3 " "$TMP/out" && ok || bad "SETUP line"
ngraph=$(grep -c "^GRAPH " "$TMP/out")
[ "$ngraph" = 5 ] && ok || bad "graphs: $ngraph (want 5)"

# every RUN line: integer cost equal to the recomputed cost
awk '
  /^RUN / {
    n++
    cost = ""; rec = ""
    for (i = 2; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "cost") cost = kv[2]
      if (kv[1] == "recomputed") rec = kv[2]
    }
    if (cost !~ /^[0-9]+$/ || rec !~ /^[0-9]+$/ || cost + 0 <= 0) { print "malformed: " $0; bad++ }
    else if (cost != rec) { print "cost != recomputed: " $0; bad++ }
  }
  END { print n + 0 " RUN lines"; exit bad > 0 }' "$TMP/out" >"$TMP/runs" && ok || bad "$(cat "$TMP/runs")"
nrun=$(grep -c "^RUN " "$TMP/out")
# 4 graphs x (3 baselines + 2 x 5 episodes + 6 equal-time) + 1 xl graph x (3 + 6)
[ "$nrun" = 85 ] && ok || bad "RUN lines: $nrun (want 85)"

# per graph: the expected methods, and equal-time results <= the best baseline
awk '
  /^GRAPH / { split($2, kv, "="); g = kv[2]; split($3, kv, "="); set[g] = kv[2]; graphs[g] = 1 }
  /^RUN / {
    split($2, a, "="); split($3, b, "="); split($6, c, "=")
    g = a[2]; m = b[2]; cost = c[2] + 0
    seen[g, m]++
    if (m == "forward" || m == "reverse" || m == "markowitz-greedy")
      if (!(g in best) || cost < best[g]) best[g] = cost
    if (m ~ /-time$/) et[g, m] = cost
  }
  END {
    split("forward reverse markowitz-greedy nn-time nn-rollout-time nn-mix-time uniform-time markowitz-time anneal-time", need, " ")
    split("nn nn-rollout nn-mix uniform markowitz", ep, " ")
    for (g in graphs) {
      for (k in need) if (seen[g, need[k]] != 1) { print g ": " need[k] " seen " seen[g, need[k]] + 0; bad++ }
      for (k in ep) if (seen[g, ep[k]] != (set[g] == "xl" ? 0 : 2)) { print g ": " ep[k] " seen " seen[g, ep[k]] + 0; bad++ }
      for (k in need) if (need[k] ~ /-time$/ && et[g, need[k]] > best[g]) { print g ": " need[k] " worse than the baselines"; bad++ }
    }
    exit bad > 0
  }' "$TMP/out" >"$TMP/per" && ok || bad "per graph: $(cat "$TMP/per")"

for h in "## Equal simulations per move" "## Equal wall time" "## Mean cost / best of" \
  "## Network MCTS (prior + value, \`nn\`) wins / ties / losses" "## Simulations per second" \
  "## Network throughput"; do
  grep -qF "$h" "$TMP/out" && ok || bad "missing section: $h"
done
# summary rows: W / T / L triples that add up to the graph counts
grep -q "^| all | MCTS markowitz, 4 sims/move | [0-9]* / [0-9]* / [0-9]* |$" "$TMP/out" && ok || bad "W/T/L row"
awk -F'|' '/^\| all \| MCTS uniform, 4 sims\/move \|/ { split($4, t, "/"); s = t[1] + t[2] + t[3]; exit s != 4 }' "$TMP/out" && ok || bad "W/T/L sum"
ntp=$(grep -cE "^THROUGHPUT graph=[^ ]+ set=(small|large|xl) tokens=[0-9]+ mean_batch_tokens=[0-9]+ batch1_evals_per_s=[0-9.]+ batch256_evals_per_s=[0-9.]+ features_per_s=[0-9.]+$" "$TMP/out")
[ "$ntp" = 2 ] && ok || bad "THROUGHPUT lines: $ntp"
grep -q "^DONE graphs=5 failures=0 " "$TMP/out" && ok || bad "DONE line: $(grep DONE "$TMP/out")"

# the baselines of a file kernel agree with the CLI
if [ -n "$AG" ]; then
  for o in fwd:forward rev:reverse markowitz:markowitz-greedy; do
    c=$("$AG" cost "$SRC/examples/cfd/sod_kernels.c:sod_roe" --order "${o%%:*}" --json | grep -o '"cost": [0-9]*' | sed 's/.*: //')
    b=$(grep "^RUN graph=sod_roe method=${o#*:} " "$TMP/out" | sed 's/.* cost=\([0-9]*\) .*/\1/')
    [ -n "$c" ] && [ "$c" = "$b" ] && ok || bad "sod_roe ${o%%:*}: cli $c, bench_policy $b"
  done
fi
# bad usage
"$BP" --sims 5 >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--sims 5 accepted"
"$BP" --model "$TMP/none.h5" --quick >/dev/null 2>"$TMP/err2"
[ $? = 1 ] && grep -q "bench_policy: " "$TMP/err2" && ok || bad "missing model"

echo "test_bench_policy: $pass passed, $fail failed"
[ "$fail" = 0 ]
