#!/usr/bin/env bash
# The paper's five tensor tasks through the command line (docs/tensor.md): graph, cost of
# the baselines and of the stored orders against the reference's figures, search below the
# paper's AlphaGrad figures (stopping at the target), order libraries with tensor-model
# entries kept apart from scalar ones, the MPI portfolio on 2 ranks, and errors with
# file:line or the option's name.
set -u
AG=${1:?usage: test_tensor_cli.sh path/to/alphagrad}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$SRC/tests/data/tensor_graphs.txt
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
ag_mpi
field() { grep -o "\"$1\": [^,}]*" | head -1 | sed "s/\"$1\": //"; }
fails=0
ok() { :; }
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

tasks=(RoeFlux_3d f MLP Encoder BlackScholes_Jacobian)
fwd=(1556 17728 10930 135010 545)
rev=(979 9333 392 4688 572)
mm=(956 12257 4796 51896 350)
stored=(811 6374 389 4656 312)
paper=(784 5884 389 4656 307)
for i in 0 1 2 3 4; do
  t=${tasks[$i]}
  for o in fwd rev markowitz; do
    case $o in fwd) want=${fwd[$i]} ;; rev) want=${rev[$i]} ;; *) want=${mm[$i]} ;; esac
    c=$("$AG" cost "$T" --name "$t" --order $o --json | field cost)
    [ "$c" = "$want" ] && ok || bad "$t $o: $c, expected $want"
  done
  grep -A1 "^$t AlphaGrad " "$SRC/tests/data/tensor_orders.txt" | tail -1 >"$TMP/$t.order"
  c=$("$AG" cost "$T" --name "$t" --order "@$TMP/$t.order" --json | field cost)
  [ "$c" = "${stored[$i]}" ] && ok || bad "$t stored order: $c, expected ${stored[$i]}"
  # search: strictly below the paper's best (at most it for MLP and Encoder), stopping there
  target=$((paper[i] - 1))
  [ "$t" = MLP ] || [ "$t" = Encoder ] && target=${paper[$i]}
  js=$("$AG" search "$T" --name "$t" --time 60 --seed 1 --target $target --json --quiet | tail -1)
  c=$(echo "$js" | field cost)
  [ -n "$c" ] && [ "$c" -le "$target" ] && ok || bad "$t search: $js"
  echo "$t: search reached $c (target $target) in $(echo "$js" | field elapsed) s"
  echo "$js" | sed -n 's/.*"order": \(\[[^]]*\]\).*/\1/p' >"$TMP/$t.found"
  c2=$("$AG" cost "$T" --name "$t" --order "@$TMP/$t.found" --json | field cost)
  [ "$c2" = "$c" ] && ok || bad "$t: the search's order costs $c2, not $c"
done

# graph
js=$("$AG" graph "$T" --name MLP --json)
[ "$(echo "$js" | field model)" = '"tensor"' ] && [ "$(echo "$js" | field eliminable)" = 38 ] &&
  [ "$(echo "$js" | field edges)" = 50 ] && ok || bad "graph json: $js"
"$AG" graph "$T" --name BlackScholes_Jacobian | grep -q "v16 = " && ok || bad "graph text"

# an order library: store, reuse, keep the better, never mix models
js=$("$AG" search "$T" --name BlackScholes_Jacobian --time 3 --out "$TMP/lib.h5" --json --quiet | tail -1)
[ "$(echo "$js" | field stored)" = true ] && ok || bad "store: $js"
c=$(echo "$js" | field cost)
[ "$("$AG" cost "$T" --name BlackScholes_Jacobian --order "@$TMP/lib.h5" --json | field cost)" = "$c" ] && ok || bad "cost from library"
"$AG" orders list "$TMP/lib.h5" | grep -q "BlackScholes_Jacobian .*model=tensor" && ok || bad "orders list: model"
"$AG" orders show "$TMP/lib.h5" BlackScholes_Jacobian --json | grep -q '"model": "tensor"' && ok || bad "orders show: model"
js=$("$AG" search "$T" --name BlackScholes_Jacobian --time 0.3 --method mcts --out "$TMP/lib.h5" --json --quiet | tail -1)
[ "$("$AG" cost "$T" --name BlackScholes_Jacobian --order "@$TMP/lib.h5" --json | field cost)" = "$c" ] && ok || bad "a dearer order replaced the stored one: $js"
js=$("$AG" search "$T" --name BlackScholes_Jacobian --out "$TMP/lib.h5" --skip-stored --json | tail -1)
[ "$(echo "$js" | field skipped)" = true ] && [ "$(echo "$js" | field cost)" = "$c" ] && ok || bad "skip-stored: $js"
"$AG" search "$SRC/tests/data/paper_graphs.txt" --name g --objective mults --time 1 --out "$TMP/lib.h5" --quiet >/dev/null || bad "scalar store"
"$AG" cost "$SRC/tests/data/paper_graphs.txt" --name g --order "@$TMP/lib.h5" >/dev/null && ok || bad "scalar lookup beside tensor entries"
err=$("$AG" cost "$T" --name MLP --order "@$TMP/lib.h5" 2>&1 >/dev/null)
echo "$err" | grep -q "holds no tensor-model order for graph 'MLP'" && ok || bad "missing tensor entry: $err"
# a failed store prints the order all the same
js=$("$AG" search "$T" --name MLP --time 0.5 --out "$TMP/no/such/dir/lib.h5" --json --quiet 2>"$TMP/err" | tail -1)
[ -n "$(echo "$js" | field cost)" ] && grep -q "was not stored" "$TMP/err" && ok || bad "failed store: $js"

# the MPI portfolio: two ranks, the best of both to rank 0
js=$("$MPIEXEC" "${MPIFLAGS[@]}" -n 2 "$AG" search "$T" --name f --method portfolio --time 3 --json --quiet | tail -1)
rc=$(echo "$js" | sed -n 's/.*"rank_costs": \[\([0-9]*\), \([0-9]*\)\].*/\1 \2/p')
read -r r0 r1 <<<"$rc"
c=$(echo "$js" | field cost)
[ "$(echo "$js" | field ranks)" = 2 ] && [ -n "$r0" ] && [ "$c" -le "$r0" ] && [ "$c" -le "$r1" ] && ok || bad "portfolio: $js"
echo "$js" | sed -n 's/.*"order": \(\[[^]]*\]\).*/\1/p' >"$TMP/pf.order"
[ "$("$AG" cost "$T" --name f --order "@$TMP/pf.order" --json | field cost)" = "$c" ] && ok || bad "portfolio order recomputed"

# errors
expect_err() { # expect_err PATTERN CMD...: exit status non-zero and PATTERN on stderr
  local pat=$1
  shift
  local e
  e=$("$@" 2>&1 >/dev/null) && bad "succeeded: $*" && return
  echo "$e" | grep -q -- "$pat" && ok || bad "'$*': '$e' lacks '$pat'"
}
printf '## A: inputs=1 vertices=1 outputs=1 output_vertices=[1]\nx1\nv1 = neg(x1)\n  x1 -> v1 type=1 jac=[1,1,1]\n' >"$TMP/bad.txt"
expect_err "bad.txt:4: edge: 'jac=\[o1,o2,p1,p2\]'" "$AG" cost "$TMP/bad.txt" --order fwd
expect_err "jacobian is not available for a tensor graph" "$AG" jacobian "$T" --name f --at 1
expect_err "codegen is not available" "$AG" codegen "$T" --name f
expect_err "--model exec: a tensor graph has one cost model" "$AG" cost "$T" --name f --order fwd --model exec
expect_err "--objective mults" "$AG" search "$T" --name f --objective mults
expect_err "unknown --method 'exact'" "$AG" search "$T" --name f --method exact
expect_err "option --profile does not apply" "$AG" cost "$T" --name f --order fwd --profile x
expect_err "holds 5 graphs" "$AG" graph "$T"
expect_err "no graph 'Nope'" "$AG" graph "$T" --name Nope
expect_err "the order has 38 vertices but graph 'f' has 75" "$AG" cost "$T" --name f --order "@$TMP/MLP.order"
sed 's/^\[[0-9]*,/[80,/' "$TMP/f.order" >"$TMP/f_out.order"
expect_err "order position 1: vertex 80 is an output" "$AG" cost "$T" --name f --order "@$TMP/f_out.order"
echo "1, 2, 2" >"$TMP/short.order"
expect_err "the order has 3 vertices but graph 'f' has 75" "$AG" cost "$T" --name f --order "@$TMP/short.order"
expect_err "unknown --order 'best'" "$AG" cost "$T" --name f --order best

if [ "$fails" -gt 0 ]; then
  echo "test_tensor_cli: $fails failed"
  exit 1
fi
echo "test_tensor_cli: all passed"
