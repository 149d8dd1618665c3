#!/usr/bin/env bash
# Kernels with branches on data, structs and enums through the whole command line (issue 18):
# every search method and objective runs on them, the order found is valid and its cost is
# what `alphagrad cost` computes for it, the Jacobian at a point away from the switches
# matches central finite differences, and the generated C compiles with -Wall -Werror (C11)
# and the CUDA text is written.
set -u
AG=${1:?usage: test_branches_cli.sh path/to/alphagrad}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
export AG_JIT_CACHE=$TMP/jit
fails=0
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
K=$SRC/tests/kernels/branches
num() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" | head -1; }
ord() { sed -n 's/.*"order": \[\([^]]*\)\].*/\1/p' | head -1; }

# search -> cost reproduces (exec and mults objectives, anneal and portfolio)
for k in limiters structs roe_entropy; do
  for obj in exec mults; do
    js=$("$AG" search "$K/$k.c" --objective $obj --time 1 --json 2>"$TMP/err") || {
      bad "$k: search --objective $obj failed: $(cat "$TMP/err")"
      continue
    }
    c=$(echo "$js" | num cost)
    echo "$js" | ord | tr ',' ' ' >"$TMP/$k.$obj.order"
    model=$([ $obj = exec ] && echo exec || echo mults)
    cj=$("$AG" cost "$K/$k.c" --order @"$TMP/$k.$obj.order" --model $model --json 2>"$TMP/err") ||
      bad "$k: cost of the order found failed: $(cat "$TMP/err")"
    cc2=$(echo "$cj" | num cost)
    if [ -n "$c" ] && [ "$c" = "$cc2" ]; then
      echo "ok $k --objective $obj: cost $c reproduced by alphagrad cost"
    else
      bad "$k --objective $obj: search says $c, alphagrad cost says $cc2"
    fi
  done
done

# the exact solver (mults) and MCTS on a small kernel with branches
js=$("$AG" search "$K/upwind.c" --method exact --objective mults --time 5 --json) || bad "upwind: exact failed"
echo "$js" | grep -q '"optimal": true' && echo "ok upwind: exact search proves its order optimal" ||
  bad "upwind: exact search did not prove optimality: $js"
"$AG" search "$K/logic.c" --method mcts --objective mults --time 1 --json >/dev/null 2>"$TMP/err" &&
  echo "ok logic: MCTS runs" || bad "logic: MCTS failed: $(cat "$TMP/err")"

# the Jacobian at a point away from the switches: central differences
out=$("$AG" jacobian "$K/limiters.c" --at 0.1,0.35,0.5,0.9 --check 2>&1) || bad "limiters: jacobian --check failed: $out"
d=$(echo "$out" | sed -n 's/.*finite differences: \([0-9.e+-]*\).*/\1/p')
awk -v d="$d" 'BEGIN { exit !(d != "" && d < 1e-6) }' && echo "ok limiters: FD difference $d" ||
  bad "limiters: FD difference $d"

# generated code: C compiles cleanly, CUDA text written
for k in structs guarded; do
  "$AG" codegen "$K/$k.c" -o "$TMP/$k.c" --function ${k}_jac >/dev/null || bad "$k: codegen failed"
  ${AG_CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -c "$TMP/$k.c" -o "$TMP/$k.o" 2>"$TMP/err" &&
    echo "ok $k: generated C compiles with -Wall -Wextra -Werror" || bad "$k: generated C: $(head -5 "$TMP/err")"
  "$AG" codegen "$K/$k.c" --cuda -o "$TMP/$k.cu" >/dev/null && grep -q "ag_sel" "$TMP/$k.cu" &&
    echo "ok $k: CUDA written (with the select helpers)" || bad "$k: CUDA codegen"
done

if [ $fails -gt 0 ]; then
  echo "test_branches_cli: $fails failure(s)"
  exit 1
fi
echo "test_branches_cli: all checks passed"
