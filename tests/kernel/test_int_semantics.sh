#!/usr/bin/env bash
# Integer semantics against the C compiler (issue 19 item 1): kernels whose integer
# arithmetic is valid C are traced, and their outputs equal what the same kernel compiled by
# cc -O2 computes, bit for bit (%.17g); kernels where C would overflow or
# convert a value that does not fit are refused (tests/kernels/bad/99_*, 100_*-107_*).
set -u
AG=${1:?usage: test_int_semantics.sh path/to/alphagrad}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
CC=${AG_CC:-cc}
fails=0
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
n=0
while IFS= read -r body; do
  [ -z "$body" ] && continue
  n=$((n + 1))
  printf '#include <math.h>\n#include <stdbool.h>\n#include <stddef.h>\nvoid k(const double *in, double *out) { %s }\n' "$body" >"$TMP/k$n.c"
  printf '#include <stdio.h>\nvoid k(const double *in, double *out);\nint main(void) { double in[1] = {0.75}, out[1]; k(in, out); printf("%%.17g\\n", out[0]); return 0; }\n' >"$TMP/main.c"
  if ! "$CC" -O2 -o "$TMP/k$n" "$TMP/k$n.c" "$TMP/main.c" -lm 2>"$TMP/cc.err"; then
    bad "cc: $body: $(cat "$TMP/cc.err")"
    continue
  fi
  want=$("$TMP/k$n")
  js=$("$AG" jacobian "$TMP/k$n.c" --at 0.75 --json 2>"$TMP/err") || {
    bad "refused: $body: $(cat "$TMP/err")"
    continue
  }
  got=$(echo "$js" | sed -n 's/.*"outputs": \[\([^]]*\)\].*/\1/p')
  # the CLI prints %.17g as well; compare as numbers of the same text
  [ "$(printf '%.17g' "$got")" = "$want" ] && echo "ok   $body => $want" || bad "$body: alphagrad $got, cc $want"
done <<'KERNELS'
int k = 2147483647; out[0] = in[0] * k;
int k = -2147483648; out[0] = in[0] * k;
long k = 65536L * 65536; out[0] = in[0] * k;
long k = (long)2147483647 + 1; out[0] = in[0] * k;
bool b = 2; out[0] = in[0] * b;
_Bool b = -7; out[0] = in[0] + b;
unsigned x = 0xffffffff; out[0] = in[0] * x;
unsigned x = 4000000000u; out[0] = in[0] * x;
short s = -32768; out[0] = in[0] * s;
unsigned short s = 65535; out[0] = in[0] * s;
int a = 7, b = -2; out[0] = in[0] * (a / b) + (a % b);
int a = -7, b = 2; out[0] = in[0] * (a / b) + (a % b);
long big = 3000000000; out[0] = in[0] * big;
size_t n = 4000000000; out[0] = in[0] + n;
int k = (int)2.9; int j = (int)-2.9; out[0] = in[0] * k + j;
int k = 1 << 30; out[0] = in[0] * k;
long k = 1L << 40; out[0] = in[0] * k;
int k = 0x7fffffff ^ 0x55555555; out[0] = in[0] + k;
int k = 46340 * 46340; out[0] = in[0] + k;
double d = 1e10; long k = d; out[0] = in[0] + k;
KERNELS
if [ "$fails" -gt 0 ]; then
  echo "test_int_semantics: $fails of $n failed"
  exit 1
fi
echo "test_int_semantics: $n kernels agree with $CC"
