#!/usr/bin/env bash
# alphagrad train on 2 MPI ranks (mpiexec): gradients averaged, per-rank checkpoint files;
# a run split in two (--episodes, then resumed with --total-episodes) and a run stopped by
# SIGUSR1 then resumed end with weights bit-identical to an uninterrupted run's; resuming on
# another number of ranks warns that buffers start afresh. (Under SLURM: tests/slurm.)
# Usage: test_train_cli_mpi.sh ALPHAGRAD MPIEXEC
set -u
AG=$(readlink -f "${1:?usage: test_train_cli_mpi.sh ALPHAGRAD MPIEXEC}")
MPIEXEC=${2:?usage}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"
ag_ompi_root oversubscribe
ag_tmpdir WORK
cd "$WORK" || exit 1
ok() { echo "ok: $*"; }
P=$SRC/examples/paper
ARGS=("$P/propane_combustion.c" "$P/human_heart_dipole.c" --sims 24 --width 8 --layers 1 --steps 4 --checkpoint-every 2)
train2() { "$MPIEXEC" -n 2 "$AG" train "${ARGS[@]}" "$@"; }
sum() { grep -o "weights checksum [0-9a-f]* (episode [0-9]*" "$1" | tail -1; }

train2 --checkpoint full.h5 --total-episodes 12 > full.out 2>&1 || { fail "uninterrupted run"; cat full.out; }
ref=$(sum full.out)
grep -q "training on 2 ranks" full.out && ok "2 ranks" || fail "not on 2 ranks"
[ -e full.h5 ] && [ -e full.h5.rank1 ] && ok "checkpoint and rank file" || fail "no checkpoint/rank file"
[ "$(grep -c "^episode [0-9]* *step" full.out)" = 12 ] && ok "one progress line per episode (rank 0 only)" \
  || fail "progress lines: $(grep -c "^episode [0-9]* *step" full.out)"

train2 --checkpoint split.h5 --total-episodes 12 --episodes 5 > a.out 2>&1 || fail "first half"
train2 --checkpoint split.h5 --total-episodes 12 > b.out 2>&1 || fail "second half"
grep -q "resuming from split.h5 at episode 5" b.out || { fail "no resume at 5"; cat b.out; }
[ -n "$ref" ] && [ "$(sum b.out)" = "$ref" ] && ok "split run = uninterrupted ($ref)" || fail "split '$(sum b.out)' vs '$ref'"

# stopped by a signal between episodes (what SLURM's --signal does), then resumed
"$MPIEXEC" -n 2 "$AG" train "${ARGS[@]}" --checkpoint sig.h5 --total-episodes 400 > s1.out 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "^episode 3 " s1.out 2>/dev/null && break; sleep 0.1; done
kill -USR1 $pid
wait $pid
rc=$?
[ $rc = 0 ] && grep -q "stopped by signal 10 at episode" s1.out && ok "SIGUSR1: checkpoint and exit 0" \
  || { fail "SIGUSR1: rc $rc"; cat s1.out; }
e=$(grep -o "stopped by signal 10 at episode [0-9]*" s1.out | grep -o "[0-9]*$")
train2 --checkpoint sig.h5 --total-episodes 12 > s2.out 2>&1 || fail "resume after the signal"
if [ -n "$e" ] && [ "$e" -lt 12 ]; then
  [ "$(sum s2.out)" = "$ref" ] && ok "stopped at $e, resumed: = uninterrupted" || fail "signal run '$(sum s2.out)' vs '$ref'"
fi

# games played together in rounds of 3 (--parallel-games; leaves batched over the games):
# a run stopped between rounds (--episodes 6) and resumed equals the uninterrupted one
PG=(--parallel-games 3 --leaf-batch 2)
train2 "${PG[@]}" --checkpoint pg.h5 --total-episodes 12 > pg.out 2>&1 || { fail "parallel games"; cat pg.out; }
pref=$(sum pg.out)
grep -q "self-play: 3 game(s) played together x leaf batch 2: network passes of up to 6 states" pg.out \
  && ok "parallel games announced" || fail "no self-play line: $(head -3 pg.out)"
[ "$(grep -c "^episode [0-9]* *step" pg.out)" = 12 ] && ok "parallel games: 12 progress lines" \
  || fail "parallel games: $(grep -c "^episode [0-9]* *step" pg.out) progress lines"
[ -n "$pref" ] && [ "$pref" != "$ref" ] && ok "parallel games train differently ($pref)" || fail "parallel '$pref' vs '$ref'"
train2 "${PG[@]}" --checkpoint pgs.h5 --total-episodes 12 --episodes 6 > pa.out 2>&1 || fail "parallel first half"
train2 "${PG[@]}" --checkpoint pgs.h5 --total-episodes 12 > pb.out 2>&1 || fail "parallel second half"
grep -q "resuming from pgs.h5 at episode 6" pb.out && [ "$(sum pb.out)" = "$pref" ] \
  && ok "parallel games: 6 + 6 = uninterrupted" || { fail "parallel split '$(sum pb.out)' vs '$pref'"; cat pb.out; }

# another number of ranks: the network and Adam state continue, buffers start afresh (warned)
"$MPIEXEC" -n 3 "$AG" train "${ARGS[@]}" --checkpoint full.h5 --total-episodes 14 > r3.out 2>&1 || { fail "3 ranks"; cat r3.out; }
grep -q "warning: 1 rank(s) had no replay buffer of episode 12" r3.out && ok "3 ranks from a 2-rank checkpoint: warned" \
  || { fail "no warning on 3 ranks"; cat r3.out; }
grep -q "weights checksum [0-9a-f]* (episode 14" r3.out || fail "3-rank continuation did not reach episode 14"
[ $fails -eq 0 ] && echo PASS || echo "FAILED ($fails)"
[ $fails -eq 0 ]
