#!/usr/bin/env bash
# Inputs that used to exhaust memory or block (issue 19 item 2): each must be refused
# within 10 s, with a message naming the file (and line where there is one), using at
# most 1 GiB of memory: a 12- and a 20-level function-like macro chain, #include of
# /dev/zero and /dev/stdin, /dev/zero and a FIFO as order files and DAG sources, a file
# over the size limit, and an unbounded loop.
set -u
AG=${1:?usage: test_limits.sh path/to/alphagrad}
SRC=${AG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../lib.sh"
ag_tmpdir TMP
G=$SRC/tests/data/paper_graphs.txt
fails=0
bad() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
TIME=
[ -x /usr/bin/time ] && TIME=/usr/bin/time
LIMIT=10
# the sanitizer build (scripts/test.sh sets ASAN_OPTIONS) is several times slower and its
# shadow memory counts as resident: there only "refused, and not hanging" is checked
if [ -n "${ASAN_OPTIONS:-}" ]; then
  LIMIT=120
  TIME=
fi
# refused PATTERN CMD...: exit 1 within LIMIT s, PATTERN on stderr, max RSS <= 1 GiB
refused() {
  local pat=$1 rc secs kb
  shift
  if [ -n "$TIME" ]; then
    "$TIME" -f "%e %M" -o "$TMP/time" timeout $LIMIT "$@" </dev/null >/dev/null 2>"$TMP/err"
    rc=$?
    read -r secs kb < <(tail -1 "$TMP/time") || true
    [ "${kb:-0}" -le 1048576 ] || bad "$* used ${kb} KB"
  else
    timeout $LIMIT "$@" </dev/null >/dev/null 2>"$TMP/err"
    rc=$?
  fi
  [ $rc = 1 ] || bad "$* exited $rc (124: more than $LIMIT s)"
  grep -q -- "$pat" "$TMP/err" || bad "$*: '$(cat "$TMP/err")' lacks '$pat'"
}

macro_chain() { # macro_chain N FILE
  {
    echo "#define F0(x) ((x)+1.0)"
    for ((i = 1; i <= $1; i++)); do echo "#define F$i(x) F$((i - 1))(F$((i - 1))(x))"; done
    echo "void k(const double *in, double *out) { out[0] = F$1(in[0]); }"
  } >"$2"
}
macro_chain 12 "$TMP/m12.c"
macro_chain 20 "$TMP/m20.c"
refused "m12.c:14:50: macro expansion too large (in expansion of macro 'F12')" "$AG" graph "$TMP/m12.c"
refused "m20.c:22:50: macro expansion too large" "$AG" graph "$TMP/m20.c"
# a legitimate chain still works
macro_chain 6 "$TMP/m6.c"
"$AG" graph "$TMP/m6.c" --json | grep -q '"vertices": 64' || bad "a 6-level macro chain"

printf '#include "/dev/zero"\nvoid k(const double *in, double *out) { out[0] = in[0]; }\n' >"$TMP/z.c"
refused 'z.c:1:10: /dev/zero: is a character device, not a regular file' "$AG" graph "$TMP/z.c"
refused "/dev/zero: is a character device" "$AG" cost "$G" --name g --order @/dev/zero
refused "/dev/zero: is a character device" "$AG" graph /dev/zero --name x
mkfifo "$TMP/fifo"
refused "fifo: is a FIFO, not a regular file" "$AG" cost "$G" --name g --order "@$TMP/fifo"
refused "fifo: is a FIFO, not a regular file" "$AG" graph "$TMP/fifo" --name x
printf '#include "/dev/stdin"\nvoid k(const double *in, double *out) { out[0] = in[0]; }\n' >"$TMP/s.c"
# stdin a FIFO nobody writes to: reading it would block forever
(exec 3<>"$TMP/fifo"; timeout $LIMIT "$AG" graph "$TMP/s.c" <"$TMP/fifo" >/dev/null 2>"$TMP/err"; echo $? >"$TMP/rc")
[ "$(cat "$TMP/rc")" = 1 ] && grep -q "s.c:1:10: /dev/stdin: is a FIFO" "$TMP/err" || bad "#include /dev/stdin: $(cat "$TMP/rc") $(cat "$TMP/err")"
refused "the profile .*fifo: is a FIFO" "$AG" cost "$G" --name g --order fwd --model exec --profile "$TMP/fifo"
truncate -s 65M "$TMP/big.c"
refused "big.c: is 68157440 bytes, larger than the 64 MiB" "$AG" graph "$TMP/big.c"
printf 'void k(const double *in, double *out) { double s = 0; for (int i = 0; i < 1e99999; i++) s += in[0]; out[0] = s; }\n' >"$TMP/loop.c"
refused "loop.c:1:" "$AG" graph "$TMP/loop.c"

# the default paths on a 20,000-vertex kernel answer within 10 s (issue 19 item 8: the
# Markowitz order alone took over 5 minutes here; now about 1 s)
printf 'void k(const double *in, double *out) { double s = in[0], t = in[3]; for (int i = 0; i < 5000; i++) { s = sin(s) * in[1] + t; t = t * in[2]; } out[0] = s; out[1] = t; }\n' >"$TMP/big.c"
for cmd in "cost $TMP/big.c --order markowitz" "jacobian $TMP/big.c --at 0.1,0.9,0.999,1" "codegen $TMP/big.c -o $TMP/big_jac.c"; do
  # shellcheck disable=SC2086
  timeout $LIMIT "$AG" $cmd >/dev/null 2>"$TMP/err" || bad "$cmd: status $? (124: more than $LIMIT s) $(cat "$TMP/err")"
done
if [ "$fails" -gt 0 ]; then
  echo "test_limits: $fails failed"
  exit 1
fi
echo "test_limits: all passed${TIME:+ (memory checked with $TIME)}"
