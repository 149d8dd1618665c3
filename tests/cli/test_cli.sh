#!/usr/bin/env bash
# End-to-end checks of the alphagrad CLI: outputs, --json, exit codes and error messages.
set -u
AG=${1:?usage: test_cli.sh path/to/alphagrad}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
G=$SRC/tests/data/paper_graphs.txt
. "$(dirname "$0")/../lib.sh"

# expect_out NAME EXPECTED_SUBSTRING CMD...  (exit 0 and stdout contains the substring)
expect_out() {
  local name=$1 want=$2
  shift 2
  local out
  out=$("$@" 2>&1)
  local rc=$?
  if [ $rc -eq 0 ] && [[ "$out" == *"$want"* ]]; then ok; else bad "$name: rc=$rc, wanted '$want' in: $out"; fi
}
# expect_err NAME RC SUBSTRING CMD...  (exit code RC and stderr contains the substring)
expect_err() {
  local name=$1 rc_want=$2 want=$3
  shift 3
  local err
  err=$("$@" 2>&1 >/dev/null)
  local rc=$?
  if [ $rc -eq "$rc_want" ] && [[ "$err" == *"$want"* ]]; then ok; else bad "$name: rc=$rc (want $rc_want), wanted '$want' in: $err"; fi
}

declare -A FWD=([RoeFlux_1d]=620 [RobotArm_6DOF]=397 [HumanHeartDipole]=240 [PropaneCombustion]=151 [g]=632)
declare -A REV=([RoeFlux_1d]=364 [RobotArm_6DOF]=301 [HumanHeartDipole]=172 [PropaneCombustion]=90 [g]=566)
declare -A MM=([RoeFlux_1d]=407 [RobotArm_6DOF]=288 [HumanHeartDipole]=194 [PropaneCombustion]=111 [g]=451)
declare -A AGC=([RoeFlux_1d]=320 [RobotArm_6DOF]=231 [HumanHeartDipole]=148 [PropaneCombustion]=88 [g]=417)
declare -A KERNEL=([RoeFlux_1d]=roeflux_1d.c [RobotArm_6DOF]=robotarm_6dof.c [HumanHeartDipole]=human_heart_dipole.c [PropaneCombustion]=propane_combustion.c [g]=g.c)
ag_tmpdir TMP
for t in RoeFlux_1d RobotArm_6DOF HumanHeartDipole PropaneCombustion g; do
  k=$SRC/examples/paper/${KERNEL[$t]}
  for src in "$G --name $t" "$k"; do
    # shellcheck disable=SC2086
    expect_out "$t fwd ($src)" "{\"cost\": ${FWD[$t]}," "$AG" cost $src --order fwd --json
    # shellcheck disable=SC2086
    expect_out "$t rev ($src)" "{\"cost\": ${REV[$t]}," "$AG" cost $src --order rev --json
    # shellcheck disable=SC2086
    expect_out "$t markowitz ($src)" "{\"cost\": ${MM[$t]}," "$AG" cost $src --order markowitz --json
  done
  grep -A1 "^$t AlphaGrad" "$SRC/tests/data/paper_orders.txt" | tail -1 >"$TMP/$t.order"
  expect_out "$t AlphaGrad order" "{\"cost\": ${AGC[$t]}," "$AG" cost "$G" --name "$t" --order "@$TMP/$t.order" --json
  expect_out "$t AlphaGrad order on the kernel" "{\"cost\": ${AGC[$t]}," "$AG" cost "$k:$t" --order "@$TMP/$t.order" --json
  expect_out "$t text cost" "cost ${FWD[$t]}" "$AG" cost "$G" --name "$t" --order forward
  # same structural hash from the kernel and the reference DAG
  h1=$("$AG" graph "$G" --name "$t" --json | grep -o '"hash": "[0-9a-f]*"')
  h2=$("$AG" graph "$k" --json | grep -o '"hash": "[0-9a-f]*"')
  if [ -n "$h1" ] && [ "$h1" == "$h2" ]; then ok; else bad "$t hash: '$h1' vs '$h2'"; fi
  point=$(grep -o 'alphagrad-test-point:[^*]*' "$k" | sed 's/alphagrad-test-point://; s/ //g')
  expect_out "$t jacobian" '"jacobian": [[' "$AG" jacobian "$k" --at "$point" --json
  out=$("$AG" jacobian "$k" --at "$point" --check --json)
  err=$(echo "$out" | grep -o '"fd_max_rel_error": [0-9.e+-]*' | awk '{print $2}')
  if [ -n "$err" ] && awk -v e="$err" 'BEGIN{exit !(e < 1e-6)}'; then ok; else bad "$t --check: $err"; fi
done

expect_out "graph text" "inputs 6  vertices 101  outputs 3  eliminable 98  edges 177" "$AG" graph "$G" --name RoeFlux_1d
expect_out "graph json" '"inputs": 6, "vertices": 101, "outputs": 3, "eliminable": 98, "edges": 177' "$AG" graph "$G" --name RoeFlux_1d --json
expect_out "graph vertex line" "v1 = sub(x4, x1)" "$AG" graph "$G" --name RoeFlux_1d
expect_out "help" "usage: alphagrad COMMAND SOURCE" "$AG" --help
expect_out "version" "alphagrad " "$AG" --version
expect_out "show order" "[4, 5, 8, 9, 16" "$AG" cost "$G" --name RoeFlux_1d --order markowitz --show-order
expect_out "jacobian default order" '"order": "rev"' "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 1,0.3,2.5,0.9,0.2,2.2 --json

expect_err "no command" 2 "usage" "$AG"
expect_err "unknown command" 2 "unknown command 'frob'" "$AG" frob "$G"
expect_err "unknown option" 2 "unknown option '--bogus'" "$AG" cost "$G" --bogus
expect_err "missing option value" 2 "option --order needs a value" "$AG" cost "$G" --order
expect_err "no source" 2 "cost needs a SOURCE" "$AG" cost
expect_err "cost without order" 2 "cost needs --order" "$AG" cost "$G" --name g
expect_err "missing file" 1 "/nonexistent.txt: cannot open" "$AG" graph /nonexistent.txt --name g
expect_err "several graphs" 1 "choose one with --name" "$AG" graph "$G"
expect_err "unknown graph" 1 "no graph named 'h'" "$AG" graph "$G" --name h
expect_err "unknown order" 1 "unknown order 'up'" "$AG" cost "$G" --name g --order up
printf '1, 2, 2\n' >"$TMP/dup.order"
expect_err "order duplicate" 1 "appears twice" "$AG" cost "$G" --name g --order "@$TMP/dup.order"
expect_err "order of another graph" 1 "$TMP/PropaneCombustion.order" "$AG" cost "$G" --name RoeFlux_1d --order "@$TMP/PropaneCombustion.order"
printf '1, 2; 3\n' >"$TMP/semi.order"
expect_err "order syntax" 1 "semi.order:1:5: unexpected character ';'" "$AG" cost "$G" --name g --order "@$TMP/semi.order"
expect_err "structure-only jacobian" 1 "structure only" "$AG" jacobian "$G" --name g --at 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
expect_err "wrong point size" 2 "--at has 2 values but graph 'RoeFlux_1d' has 6 inputs" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 1,2
expect_err "bad number" 2 "--at: value 2: cannot read a number at 'x'" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 1,x
# unchecked numbers (issue 19 item 9): empty fields, non-finite values, overflowing integers
expect_err "empty field" 2 "--at: value 2: cannot read a number at ',0.02'" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 0.01,,0.02
expect_err "trailing comma" 2 "--at: value 2: cannot read a number" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 0.01,
expect_err "infinite value" 2 "--at: value 1: not a finite double at '1e999'" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 1e999
expect_err "sims overflow" 2 "--sims-per-move needs an integer in 1..100000000, got '4294967296'" "$AG" search "$G" --name g --sims-per-move 4294967296
expect_err "seed overflow" 2 "--seed needs a non-negative integer" "$AG" search "$G" --name g --seed 99999999999999999999999
expect_err "time inf" 2 "--time needs a positive, finite number" "$AG" search "$G" --name g --time inf
expect_err "params count" 2 "has 0 parameters but --params gives 1" "$AG" jacobian "$SRC/examples/paper/roeflux_1d.c" --at 1,.3,2.5,.9,.2,2.2 --params 3
expect_err "kernel function missing" 1 "no function 'nope'" "$AG" graph "$SRC/examples/paper/roeflux_1d.c:nope"
printf 'void k(const double *in, double *out) {\n  double a = in[0];\n  while (a > 0) a = a - 1;\n  out[0] = a;\n}\n' >"$TMP/bad.c"
expect_err "bad kernel location" 1 "$TMP/bad.c:3:3: 'while' loops are not supported" "$AG" graph "$TMP/bad.c"

# codegen: a C file that compiles, written atomically; errors name the problem
expect_out "codegen" '"cost": 295' "$AG" codegen "$SRC/examples/paper/roeflux_1d.c" --order "@$SRC/hdf5-data/paper_orders.h5" -o "$TMP/rf.c" --function rf --json
if command -v cc >/dev/null; then
  cc -std=c11 -Wall -Wextra -c "$TMP/rf.c" -o "$TMP/rf.o" 2>"$TMP/cc.err" && ok || bad "generated code does not compile: $(cat "$TMP/cc.err")"
fi
grep -q "void rf_batch(int n" "$TMP/rf.c" && ok || bad "batch entry point"
expect_out "codegen stdout" "void RoeFlux_1d_jac(" "$AG" codegen "$SRC/examples/paper/roeflux_1d.c"
expect_err "codegen bad name" 1 "is not a C identifier" "$AG" codegen "$SRC/examples/paper/roeflux_1d.c" --function 9x -o "$TMP/badname.c"
[ ! -e "$TMP/badname.c" ] && ls "$TMP" | grep -qv "badname.c.tmp" && ok || bad "codegen left a file after an error"
expect_err "codegen unwritable" 1 "cannot write" "$AG" codegen "$SRC/examples/paper/roeflux_1d.c" -o /nonexistent/dir/x.c

# search: a library that cannot be written does not throw the search away (the order is
# printed, "stored": false, exit 1); an endless --time is refused
out=$("$AG" search "$SRC/examples/paper/propane_combustion.c" --method anneal --time 0.2 --json --quiet \
  --out /nonexistent/dir/lib.h5 2>"$TMP/store.err")
rc=$?
if [ $rc -eq 1 ] && [[ "$out" == *'"order": ['[0-9]* ]] && [[ "$out" == *'"store_failed": true'* ]] &&
   grep -q "the order was not stored" "$TMP/store.err"; then ok; else bad "search with an unwritable --out: rc=$rc, $out"; fi
expect_err "search --time inf" 2 "positive, finite number of seconds" "$AG" search "$SRC/examples/paper/propane_combustion.c" --time inf

# train: a few self-play episodes write a model that h5ls reads and the next run resumes from
PROP="$SRC/examples/paper/propane_combustion.c"
expect_out "train" "wrote $TMP/model.h5" "$AG" train "$PROP" "$G:HumanHeartDipole" --model "$TMP/model.h5" \
  --episodes 2 --sims 8 --width 8 --layers 1 --steps 4
h5ls -r "$TMP/model.h5" >/dev/null 2>&1 && ok || bad "train: h5ls cannot read the model"
expect_out "train resume" "resuming from $TMP/model.h5 (Adam step 8)" "$AG" train "$PROP" --model "$TMP/model.h5" \
  --episodes 1 --sims 8 --steps 4
echo "not a model" > "$TMP/notmodel.h5"
expect_err "train foreign model" 1 "not an HDF5 file" "$AG" train "$PROP" --model "$TMP/notmodel.h5" --episodes 1
expect_err "train bad option" 2 "bad value for option: --sims" "$AG" train "$PROP" --model "$TMP/m2.h5" --sims 0
# train checkpoints: a run writes one (and a CSV log, eval lines), the next resumes from it exactly
expect_out "train checkpoint" "eval: episode 2  PropaneCombustion:" "$AG" train "$PROP" "$G:HumanHeartDipole" \
  --checkpoint "$TMP/ck.h5" --episodes 3 --sims 8 --width 8 --layers 1 --steps 4 --eval-every 2 \
  --log "$TMP/train.csv"
expect_out "train checkpoint resume" "resuming from $TMP/ck.h5 at episode 3" "$AG" train "$PROP" "$G:HumanHeartDipole" \
  --checkpoint "$TMP/ck.h5" --episodes 2 --sims 8 --steps 4 --log "$TMP/train.csv"
h5ls "$TMP/ck.h5/buffer" >/dev/null 2>&1 && ok || bad "train: h5ls cannot read the checkpoint's buffer"
if head -n 1 "$TMP/train.csv" | grep -q '^episode,graph,steps,loss,loss_policy,loss_value,episode_cost,best_PropaneCombustion,best_HumanHeartDipole,eval_PropaneCombustion' &&
  [ "$(grep -c '^episode,' "$TMP/train.csv")" -eq 1 ] && [ "$(wc -l <"$TMP/train.csv")" -eq 6 ] &&
  [ "$(cut -d, -f1 "$TMP/train.csv" | tail -n 5 | tr '\n' ' ')" = "1 2 3 4 5 " ]; then ok; else bad "train log: $(cat "$TMP/train.csv")"; fi
expect_err "train checkpoint other graphs" 1 "the checkpoint is for 2 graphs, this run trains 1" "$AG" train "$PROP" \
  --checkpoint "$TMP/ck.h5" --episodes 1
if command -v gnuplot >/dev/null; then
  bash "$SRC/scripts/plot_training.sh" "$TMP/train.csv" "$TMP/train.png" >/dev/null 2>"$TMP/plot.err" &&
    [ "$(head -c 4 "$TMP/train.png" | tail -c 3)" = "PNG" ] && ok || bad "plot_training: $(cat "$TMP/plot.err")"
else
  echo "skip: gnuplot not installed, plot_training.sh not checked"
fi

expect_out "train corpus" "corpus-1001-9-77-9: best episode cost" "$AG" train --corpus 2 --model "$TMP/corpus.h5" \
  --episodes 2 --sims 4 --width 8 --layers 1 --steps 2

# search guided by the shipped network model: a valid order no worse than the heuristics
out=$("$AG" search "$SRC/examples/paper/propane_combustion.c" --method mcts --objective mults --time 1 --quiet \
  --sims-per-move 8 --model "$SRC/hdf5-data/models/model_v0.h5" --json 2>&1 | tail -1)
c=$(echo "$out" | sed -n 's/^{"cost": \([0-9]*\),.*/\1/p')
[ -n "$c" ] && [ "$c" -le 90 ] && ok || bad "search --model: $out"
expect_err "search bad model" 1 "not an HDF5 file" "$AG" search "$SRC/examples/paper/propane_combustion.c" \
  --method mcts --time 1 --model "$TMP/notmodel.h5"

out=$("$AG" cost "$G" --name zz --order fwd --json 2>/dev/null)
if [[ "$out" == '{"error": "'*"no graph named 'zz'"* ]]; then ok; else bad "json error: $out"; fi

# non-finite values are flagged (issue 19 item 7): a warning naming the entries, "finite":
# false and the list of entries that JSON prints as null; --check leaves them out
printf 'void k(const double *in, double *out) { out[0] = sqrt(in[0]) + acos(in[1]); out[1] = in[0] * in[1]; }\n' >"$TMP/nonfinite.c"
out=$("$AG" jacobian "$TMP/nonfinite.c" --at 0,1 --check --json 2>"$TMP/nf.err")
echo "$out" | grep -q '"finite": false, "nonfinite": \[{"row": 0, "col": 0, "value": "inf"}, {"row": 0, "col": 1, "value": "-inf"}\]' && ok || bad "nonfinite json: $out"
echo "$out" | grep -q '"fd_skipped": 2' && ok || bad "fd_skipped: $out"
grep -q "warning: 2 Jacobian entries are not finite at this point: d out\[0\]/d in\[0\] = inf" "$TMP/nf.err" && ok || bad "nonfinite warning: $(cat "$TMP/nf.err")"
out=$("$AG" jacobian "$TMP/nonfinite.c" --at 0.5,0.5 --json)
echo "$out" | grep -q '"finite": true' && ! echo "$out" | grep -q nonfinite && ok || bad "finite json: $out"
# --check does not cry wolf on cancellation in the kernel (issue 19 item 12)
printf 'void k(const double *in, double *out) { out[0] = (in[0] + 1e8) - 1e8 + in[1]; }\n' >"$TMP/cancel.c"
e=$("$AG" jacobian "$TMP/cancel.c" --at 1e-3,1 --check --json | sed -n 's/.*"fd_max_rel_error": \([^,}]*\).*/\1/p')
awk -v e="$e" 'BEGIN{exit !(e < 1e-5)}' && ok || bad "cancellation: --check reports $e"
# (and the Jacobian itself is exact there)
out=$("$AG" jacobian "$TMP/cancel.c" --at 1e-3,1 --json)
echo "$out" | grep -q '"jacobian": \[\[1, 1\]\]' && ok || bad "cancel jacobian: $out"

# output hygiene (issue 19 item 10): a graph name with a terminal escape and a byte that is
# not UTF-8 is escaped in JSON (\u001b, \ufffd) and in orders list/show text (\x1b, \xff)
printf '## k\033[31m\377z: inputs=1 vertices=2 outputs=1 output_vertices=[2]\nv1 = sin(x1)\nv2 = cos(v1)\n' >"$TMP/esc.txt"
out=$("$AG" search "$TMP/esc.txt" --method anneal --objective mults --time 0.2 --json --quiet --out "$TMP/esc.h5" | tail -1)
echo "$out" | grep -qF '"graph": "k\u001b[31m\ufffdz"' && ok || bad "json escape: $(echo "$out" | cat -v)"
for o in "list $TMP/esc.h5" "show $TMP/esc.h5 8425d5992e827f7c" "list $TMP/esc.h5 --json"; do
  # shellcheck disable=SC2086
  t=$("$AG" orders $o)
  if echo "$t" | LC_ALL=C grep -q $'[\033\377]'; then bad "orders $o: raw bytes: $(echo "$t" | cat -v)"; else ok; fi
done
"$AG" orders list "$TMP/esc.h5" | grep -qF 'k\x1b[31m\xffz' && ok || bad "orders list text escape"

# training with a NaN learning rate is refused before it can write an all-NaN model
# (issue 19 item 6); the loader's checks are in test_nn
expect_err "lr nan" 2 "bad value for option: --lr" "$AG" train "$SRC/examples/paper/g.c" --model "$TMP/nan.h5" --lr nan
[ ! -e "$TMP/nan.h5" ] && ok || bad "a model was written with --lr nan"

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
