#!/usr/bin/env bash
# Differential test of the tracer against the C compiler (issue 19): every kernel of the
# project's corpus (tests/kernels/good, examples/paper, the CFD and robotics kernels, the
# benchmark kernels, the kernels with branches, structs and enums of tests/kernels/branches) and mutants of them (numeric literals changed) is evaluated by
# alphagrad (the traced graph, `alphagrad jacobian --json`) and by the same file compiled with
# cc -O2 -ffp-contract=off, at random points; the outputs must agree bit for bit (%.17g; a
# non-finite output only as non-finite, since JSON prints inf and NaN as null).
# A mutant alphagrad refuses is fine (refusal is allowed); a mutant it accepts must agree.
set -u
AG=${1:?usage: test_differential.sh path/to/alphagrad [MUTANTS]}
MUTANTS=${2:-30}
[ -n "${ASAN_OPTIONS:-}" ] && [ -z "${2:-}" ] && MUTANTS=10 # the sanitizer build: fewer
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
CC=${AG_CC:-cc}
fails=0 compared=0 mutants=0 refused=0
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
num() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }

# kernels of a file: its only one, or the list its error message gives
kernels_of() {
  local e
  if "$AG" graph "$1" --json >/dev/null 2>"$TMP/kerr"; then
    echo ""
  else
    e=$(sed -n 's/.* kernels in this file (\(.*\)): choose.*/\1/p' "$TMP/kerr")
    echo "$e" | tr -d ' ' | tr ',' '\n'
  fi
}

# compare FILE FUNCTION SEED: alphagrad vs cc at 3 random points; 0 agree, 1 differ, 2 skipped
compare() {
  local file=$1 fn=$2 seed=$3 spec js ni np no
  spec=$file${fn:+:$fn}
  js=$("$AG" graph "$spec" --json 2>/dev/null) || return 2
  ni=$(echo "$js" | num inputs)
  np=$(echo "$js" | num params)
  no=$(echo "$js" | num outputs)
  local name
  name=$(echo "$js" | sed -n 's/^{"name": "\([^"]*\)".*/\1/p')
  # the harness: read inputs and params from argv, print the outputs with %.17g
  {
    echo "#include <stdio.h>"
    echo "#include <stdlib.h>"
    if [ "$np" -gt 0 ]; then
      echo "void $name(const double *in, double *out, const double *p);"
    else
      echo "void $name(const double *in, double *out);"
    fi
    echo "int main(int argc, char **argv) { double in[$ni + 1], p[$np + 1], out[$no + 1]; (void)argc;"
    echo "  for (int i = 0; i < $ni; i++) in[i] = atof(argv[1 + i]);"
    echo "  for (int i = 0; i < $np; i++) p[i] = atof(argv[1 + $ni + i]);"
    if [ "$np" -gt 0 ]; then echo "  $name(in, out, p);"; else echo "  $name(in, out);"; fi
    echo "  for (int j = 0; j < $no; j++) printf(\"%.17g\\n\", out[j]); (void)p; return 0; }"
  } >"$TMP/main.c"
  # the kernel file compiled as it is (its helpers static; other functions may be unused)
  if ! "$CC" -O2 -ffp-contract=off -w -o "$TMP/ref" "$file" "$TMP/main.c" -lm 2>"$TMP/cc.err"; then
    return 2
  fi
  local k
  for k in 1 2 3; do
    local at="" pa="" args=() i
    for ((i = 0; i < ni; i++)); do
      local v
      v=$(awk -v s=$((seed * 7919 + k * 104729 + i)) 'BEGIN{srand(s); printf "%.6f", 0.3 + 0.6 * rand()}')
      at+="${at:+,}$v"
      args+=("$v")
    done
    for ((i = 0; i < np; i++)); do
      local v
      v=$(awk -v s=$((seed * 31 + k * 7 + i + 1000)) 'BEGIN{srand(s); printf "%.6f", 0.5 + rand()}')
      pa+="${pa:+,}$v"
      args+=("$v")
    done
    local want got
    # non-finite values compare as one class: JSON prints inf and NaN as null
    want=$("$TMP/ref" "${args[@]}" | sed -E 's/^-?(nan|inf)$/nonfinite/' | tr '\n' ' ')
    if [ "$np" -gt 0 ]; then
      got=$("$AG" jacobian "$spec" --at "$at" --params "$pa" --json 2>/dev/null)
    else
      got=$("$AG" jacobian "$spec" --at "$at" --json 2>/dev/null)
    fi
    got=$(echo "$got" | sed -n 's/.*"outputs": \[\([^]]*\)\].*/\1/p' | tr -d ',' | tr ' ' '\n' |
      while read -r x; do
        [ -z "$x" ] && continue
        if [ "$x" = null ]; then printf 'nonfinite '; else printf '%.17g ' "$x"; fi
      done)
    if [ "$want" != "$got" ]; then
      echo "  $spec at $at ${pa:+p=$pa}: cc [$want] alphagrad [$got]"
      return 1
    fi
  done
  return 0
}

files=("$SRC"/tests/kernels/good/*.c "$SRC"/examples/paper/*.c "$SRC"/examples/cfd/*_kernels.c
  "$SRC"/examples/robotics/arm_kernels.c "$SRC"/bench/kernels/*.c "$SRC"/tests/kernels/branches/*.c)
for f in "${files[@]}"; do
  mapfile -t fns < <(kernels_of "$f")
  for fn in "${fns[@]}"; do
    compare "$f" "$fn" 1
    case $? in
    0) compared=$((compared + 1)) ;;
    1) bad "$f${fn:+:$fn} differs from cc" ;;
    *) echo "  skipped $f${fn:+:$fn} (not a standalone C file, or refused)" ;;
    esac
  done
done

# mutants: one numeric literal of a corpus kernel replaced by another value
pool=("$SRC"/tests/kernels/good/*.c "$SRC"/examples/paper/*.c "$SRC"/tests/kernels/branches/*.c)
for ((m = 1; m <= MUTANTS; m++)); do
  f=${pool[$((m % ${#pool[@]}))]}
  cp "$f" "$TMP/mut$m.c"
  cp "$SRC"/tests/kernels/good/*.h "$TMP/" 2>/dev/null
  # the m-th literal (cyclically) of the form D.D becomes another decimal
  awk -v m=$m 'BEGIN{srand(m)} {
      line = $0; out = ""
      while (match(line, /[0-9]+\.[0-9]+/)) {
        c++; lit = substr(line, RSTART, RLENGTH)
        if (c % 7 == m % 7 && !done) { lit = sprintf("%.3f", rand() * 4); done = 1 }
        out = out substr(line, 1, RSTART - 1) lit; line = substr(line, RSTART + RLENGTH)
      }
      print out line }' "$f" >"$TMP/mut$m.c"
  mapfile -t fns < <(kernels_of "$TMP/mut$m.c")
  for fn in "${fns[@]}"; do
    mutants=$((mutants + 1))
    compare "$TMP/mut$m.c" "$fn" $((m + 1))
    case $? in
    0) compared=$((compared + 1)) ;;
    1) bad "mutant $m of $f differs from cc" && cp "$TMP/mut$m.c" "$TMP/../ag_mutant_$m.c" 2>/dev/null ;;
    *) refused=$((refused + 1)) ;;
    esac
  done
done

echo "test_differential: $compared kernels agree with $CC bit for bit ($mutants mutants, $refused refused or not compilable), $fails differ"
[ "$compared" -ge 20 ] || bad "only $compared kernels compared"
[ "$fails" -eq 0 ]
