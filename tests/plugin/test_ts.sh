#!/bin/bash
# Implicit TS with exact Jacobians: ts_heat (1-D Fisher-KPP u_t = u_xx + 10 u (1 - u), its own
# IFunction, no IJacobian) with the IJacobian shift * dF/dU_t + dF/dU of the IFunction
# kernels of heat_ts.c, against -snes_fd_color, for backward Euler, BDF2 and fully implicit
# ARKIMEX (both adaptive), on 1 and 2 ranks:
#   - from options alone on the TS's SNES (-dll_append, -snes_jacobian alphagrad with the
#     kernel named by options; the application keeps its IFunction);
#   - through the API (ts_heat_api: the operator is the TS's IFunction and IJacobian,
#     TSAlphaGradSetOperator).
# The time-step history (every step's dt and time as -ts_monitor prints them) and the Newton
# iteration counts must equal fd_color's; every residual norm agrees to 1e-6 of the largest
# (fd_color's Jacobian is off by about 1e-7, which shows in the tail of each Newton solve).
# usage: test_ts.sh BINDIR LIBALPHAGRAD
set -u
BIN=$1
LIB=$2
SRC=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
ag_petsc_env /tmp/ag-test-ts.XXXXXX oversubscribe
cd "$SRC" || exit 1 # the kernel file is read from here

ag_geometry_opts "$LIB" heat_ts.c heat heat_boundary 10
BASE=(-reaction 10 -ts_monitor -snes_monitor -ts_max_steps 8 -ts_dt 0.01)

run() { ag_run "$@"; } # run NAME NP ARGS...: output in $TMP/NAME.out (tests/lib.sh)
compare() { # compare FD AG
  local a=$TMP/$1.out b=$TMP/$2.out
  if ! diff <(grep "TS dt" "$a") <(grep "TS dt" "$b") > "$TMP/d.txt"; then
    fail "$2: time-step history differs from $1"; head "$TMP/d.txt"; return
  fi
  if ! diff <(grep "SNES Function norm" "$a" | awk '{print $1}') \
            <(grep "SNES Function norm" "$b" | awk '{print $1}') > /dev/null; then
    fail "$2: Newton iterations differ from $1"; return
  fi
  if ! paste <(grep "SNES Function norm" "$a" | awk '{print $NF}') \
             <(grep "SNES Function norm" "$b" | awk '{print $NF}') |
       awk '{a[NR] = $1; b[NR] = $2; if ($1 > m) m = $1}
            END {for (i = 1; i <= NR; i++) {d = a[i] - b[i]; if (d < 0) d = -d; if (d > 1e-6 * m) exit 1}}'; then
    fail "$2: residual norms differ from $1"; return
  fi
  ok
  echo "ok $2 = $1: $(grep -c "TS dt" "$b") steps, $(grep -c "SNES Function norm" "$b") Newton iterates, final $(grep "TS dt" "$b" | tail -1)"
}

i=0
for ty in "-ts_type beuler" "-ts_type bdf -ts_bdf_order 2" \
          "-ts_type arkimex -ts_arkimex_fully_implicit -ts_adapt_type basic"; do
  i=$((i + 1))
  for np in 1 2; do
    echo "== $np rank(s): $ty"
    # shellcheck disable=SC2086
    run fd$i.$np "$np" "$BIN/ts_heat" "${BASE[@]}" $ty -snes_fd_color || continue
    # shellcheck disable=SC2086
    run opt$i.$np "$np" "$BIN/ts_heat" "${BASE[@]}" $ty "${AG[@]}" \
      -snes_jacobian_alphagrad_view "ascii:$TMP/view$i.$np.txt::append" && compare fd$i.$np opt$i.$np
    [ -s "$TMP/view$i.$np.txt" ] && ok || fail "opt$i.$np: the operator was never set up"
    # shellcheck disable=SC2086
    run api$i.$np "$np" "$BIN/ts_heat_api" "${BASE[@]}" $ty && compare fd$i.$np api$i.$np
  done
done
# IMEX splitting F(t, U, U_t) = G(t, U) (ts_heat -split): the IFunction's kernels and the
# RHS's (-snes_jacobian_alphagrad_rhs_kernel; through the API TSAlphaGradSetRHSOperator).
# ARKIMEX treats G explicitly (no RHS Jacobian); backward Euler and fully implicit ARKIMEX
# need G's exact Jacobian, which TS subtracts from the IJacobian. The reference is the
# application's hand-coded IJacobian and RHS Jacobian (-hand): the implicit part of the IMEX
# split is linear, so an exact Jacobian solves it in one Newton step where fd_color's needs
# a second one now and then.
ag_geometry_opts "$LIB" heat_ts.c heat_diffusion heat_boundary 10
AGS=("${AG[@]}" -snes_jacobian_alphagrad_rhs_kernel heat_ts.c:heat_reaction
     -snes_jacobian_alphagrad_rhs_params 10
     -snes_jacobian_alphagrad_rhs_boundary_kernel heat_ts.c:heat_reaction_boundary)
i=0
for ty in "-ts_type arkimex -ts_adapt_type basic" "-ts_type beuler" \
          "-ts_type arkimex -ts_arkimex_fully_implicit -ts_adapt_type basic"; do
  i=$((i + 1))
  for np in 1 2; do
    echo "== split, $np rank(s): $ty"
    # shellcheck disable=SC2086
    run sfd$i.$np "$np" "$BIN/ts_heat" -split "${BASE[@]}" $ty -hand || continue
    # shellcheck disable=SC2086
    run sopt$i.$np "$np" "$BIN/ts_heat" -split "${BASE[@]}" $ty "${AGS[@]}" \
      -snes_jacobian_alphagrad_view "ascii:$TMP/sview$i.$np.txt::append" && compare sfd$i.$np sopt$i.$np
    # the RHS operator is set up where an implicit method needs G's Jacobian
    nrhs=$(grep -c "kernel heat_ts.c:heat_reaction$" "$TMP/sview$i.$np.txt" 2>/dev/null)
    if [ "$i" -gt 1 ] && [ "${nrhs:-0}" -lt 1 ]; then fail "sopt$i.$np: the RHS operator was never set up"; else ok; fi
    # shellcheck disable=SC2086
    run sapi$i.$np "$np" "$BIN/ts_heat_api" -split "${BASE[@]}" $ty && compare sfd$i.$np sapi$i.$np
  done
done
echo "test_ts: $pass checks passed, $fails failed"
[ "$fails" -eq 0 ]
