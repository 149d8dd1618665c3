#!/usr/bin/env bash
# SLURM tests: a real slurmctld and slurmd on this machine
# (slurm/local-cluster.sh, configuration in a temporary directory), the batch scripts of
# slurm/ submitted with sbatch at small sizes, job states and outputs checked, daemons
# stopped by their PIDs at exit.
#   search_solve     search.sbatch: sod's kernels and a reference DAG into a new order
#                    library (orders list reads it back, one entry per distinct graph, every
#                    order re-costed by `alphagrad cost`); resubmitted, it skips every kernel;
#                    solve.sbatch: sod on 2 tasks with that library: every kernel's order
#                    comes from it (the _view lines), every Newton solve converges, and the
#                    density error is the one sod gives with the same orders without SLURM
#   train            train.sbatch: 2 tasks; the checkpoint and its rank file exist, h5ls
#                    reads them, the model file is written, the CSV log has every episode
#   requeue_signal   train.sbatch stopped mid-way the way the time limit stops it (SIGUSR1
#                    to the batch script): the ranks checkpoint, the script requeues the job,
#                    the second run resumes from the checkpoint ("resuming ... at episode E",
#                    E > 0), completes, and its final weights are bit-identical to an
#                    uninterrupted run's (srun, same tasks)
#   requeue_external the same with `scontrol requeue` from outside (SIGTERM to the ranks)
# Usage: test_slurm.sh TEST BUILD_DIR. Exit 77 (skipped) only when SLURM is not installed.
set -u
TEST=${1:?usage: test_slurm.sh TEST BUILD_DIR}
BUILD=$(cd "${2:?usage: test_slurm.sh TEST BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
for b in slurmctld slurmd sbatch srun scontrol; do
  if ! command -v $b >/dev/null; then
    echo "SKIP: $b not found: the SLURM packages are not installed (apt-get install slurm-wlm;" \
      "scripts/install-deps.sh installs them)"
    exit 77
  fi
done
. "$SRC/tests/lib.sh"
ag_exit_hook() { "$SRC/slurm/local-cluster.sh" stop "$CLUSTER" || true; } # then $WORK goes
ag_tmpdir WORK /tmp/ag-slurm-XXXXXX
CLUSTER=$WORK/cluster
cd "$WORK" || exit 1
# a port of its own, so that a leftover cluster of an earlier run cannot answer
export AG_SLURM_PORT=$((20000 + RANDOM % 20000))
export AG_SLURM_MAXTIME=90 # above the scripts' default --time
"$SRC/slurm/local-cluster.sh" start "$CLUSTER" || { echo "FAIL: the SLURM daemons did not start"; exit 1; }
export SLURM_CONF=$CLUSTER/slurm.conf
export AG_BIN=$BUILD/bin AG_JIT_CACHE=$WORK/cache
AG=$BUILD/bin/alphagrad
ok() { echo "ok: $*"; }

state() { scontrol show job "$1" 2>/dev/null | grep -o "JobState=[A-Z_]*" | cut -d= -f2; }
# wait_job ID [SECONDS]: until the job ends; prints its final state
wait_job() {
  local st
  for _ in $(seq $((${2:-300} * 2))); do
    st=$(state "$1")
    case $st in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE)
      echo "$st"; return ;;
    PENDING)
      local why
      why=$(scontrol show job "$1" | grep -o "Reason=[A-Za-z_]*" | cut -d= -f2)
      case $why in
      # a requeued job waits for a begin time SLURM sets a credential lifetime ahead (10 s
      # in local-cluster.sh's configuration); starting it earlier races with the revocation
      # of its old credential ("Job credential revoked", the job fails)
      None | Priority | Resources | Dependency | BeginTime) ;;
      *) echo "PENDING($why)"; return ;; # it would never start
      esac ;;
    esac
    sleep 0.5
  done
  echo "STILL-$st"
}
# wait_line FILE REGEX [SECONDS]
wait_line() {
  for _ in $(seq $((${3:-120} * 5))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
show() { echo "---- $1"; cat "$1"; echo "----"; }

P=$SRC/examples/paper
TRAIN_SRCS=("$P/propane_combustion.c" "$P/human_heart_dipole.c")
TRAIN_ARGS="--sims 48 --width 16 --layers 2 --steps 4"

case $TEST in
search_solve)
  K=$SRC/examples/cfd/sod_kernels.c
  cat > kernels.txt <<LIST
# sod's kernels (examples/cfd), as the plugin builds them
$K:sod_roe
$K:sod_time_ts
$K:sod_flux_low    # the two boundary fluxes have the same graph
$K:sod_flux_high
$SRC/tests/data/paper_graphs.txt:HumanHeartDipole
LIST
  # a large kernel (issue 21): a 40-cell Roe stencil, 3,749 vertices, as a reference DAG file
  "$BUILD/bin/bench_scale" --write big >/dev/null || fail "bench_scale --write"
  echo "$WORK/big/roe-stencil-40.txt" >> kernels.txt
  j=$(AG_TIME=2 sbatch --parsable "$SRC/slurm/search.sbatch" kernels.txt lib.h5)
  st=$(wait_job "$j")
  out=ag-search-$j.out
  [ "$st" = COMPLETED ] && ok "search.sbatch job $j $st" || { fail "search.sbatch job $j ended $st"; show "$out"; }
  grep -q "6 kernels, 0 failed" "$out" || fail "search.sbatch did not report 6 kernels done"
  grep -q "order library: $WORK/lib.h5" "$out" || fail "search.sbatch did not say where the library is"
  # one plain entry per graph (the fewest multiplications), and the orders measured on this
  # machine (the default objective of C kernels) as tuned entries beside them
  n=$("$AG" orders list lib.h5 --json | tr '{' '\n' | grep -c '"objective": "mults"')
  [ "$n" = 5 ] && ok "the library holds 5 graphs" || fail "the library holds $n graphs, expected 5"
  nt=$("$AG" orders list lib.h5 --json | tr '{' '\n' | grep -c '"objective": "measured"')
  [ "$nt" -ge 1 ] && ok "measured orders stored as tuned entries ($nt)" || fail "no tuned (measured) entry in the library"
  for spec in sod_roe sod_time_ts sod_flux_low; do
    c=$("$AG" orders list lib.h5 --json | tr '{' '\n' | grep "\"$spec\"" | grep '"objective": "mults"' | grep -o '"cost": *[0-9]*' | grep -o '[0-9]*$')
    "$AG" orders export lib.h5 "$spec" -o "$spec.order" || fail "orders export $spec"
    c2=$("$AG" cost "$K:$spec" --order "@$spec.order" 2>&1 | grep -oE "[0-9]+" | head -1)
    [ -n "$c" ] && [ "$c" = "$c2" ] && ok "$spec: stored cost $c = recomputed" || fail "$spec: stored cost '$c', recomputed '$c2'"
  done
  # the large graph's stored order: valid, its cost reproduced
  cb=$("$AG" orders list lib.h5 --json | tr '{' '\n' | grep '"roe-stencil-40"' | grep '"objective": "mults"' | grep -o '"cost": *[0-9]*' | grep -o '[0-9]*$')
  "$AG" orders export lib.h5 roe-stencil-40 -o big.order || fail "orders export roe-stencil-40"
  cb2=$("$AG" cost big/roe-stencil-40.txt --order @big.order 2>&1 | grep -oE "[0-9]+" | head -1)
  [ -n "$cb" ] && [ "$cb" = "$cb2" ] && ok "roe-stencil-40: stored cost $cb = recomputed" || fail "roe-stencil-40: stored cost '$cb', recomputed '$cb2'"
  # requeue-safety: a second job skips what the library holds
  j2=$(AG_TIME=2 sbatch --parsable "$SRC/slurm/search.sbatch" kernels.txt lib.h5)
  st=$(wait_job "$j2")
  n=$(grep -c "skipped (--skip-stored)" "ag-search-$j2.out")
  [ "$st" = COMPLETED ] && [ "$n" = 6 ] && ok "resubmitted search skipped all 6 kernels" || { fail "resubmitted search: $st, $n skipped"; show "ag-search-$j2.out"; }
  # solve with the library
  j3=$(sbatch --parsable "$SRC/slurm/solve.sbatch" lib.h5 "$BUILD/examples/cfd/sod" -da_grid_x 60)
  st=$(wait_job "$j3")
  out=ag-solve-$j3.out
  [ "$st" = COMPLETED ] && ok "solve.sbatch job $j3 $st" || { fail "solve.sbatch job $j3 ended $st"; show "$out"; }
  n=$(grep -c "order: order library lib.h5" "$out")
  [ "$n" = 4 ] && ok "all 4 kernels took their order from lib.h5" || fail "$n of 4 kernels took their order from lib.h5"
  grep -q "DIVERGED" "$out" && fail "a Newton solve diverged"
  nc=$(grep -c "CONVERGED" "$out")
  [ "$nc" -gt 0 ] && ok "$nc Newton solves converged" || fail "no converged Newton solve"
  l1=$(grep -o "l1=[0-9.e+-]*" "$out")
  ref=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec --oversubscribe -n 2 \
    "$BUILD/examples/cfd/sod" -da_grid_x 60 -snes_jacobian alphagrad \
    -snes_jacobian_alphagrad_orders lib.h5 2>&1 | grep -o "l1=[0-9.e+-]*")
  [ -n "$l1" ] && [ "$l1" = "$ref" ] && ok "sod under SLURM: $l1, as under mpiexec" || fail "sod under SLURM '$l1', under mpiexec '$ref'"
  grep -q "solver output: $WORK/ag-solve-$j3.log" "$out" || fail "solve.sbatch did not say where its output went"
  ;;
train)
  j=$(AG_EPISODES=6 AG_CKPT_EVERY=2 AG_MODEL=model.h5 AG_TRAIN_ARGS="$TRAIN_ARGS" \
    sbatch --parsable "$SRC/slurm/train.sbatch" ck.h5 "${TRAIN_SRCS[@]}")
  st=$(wait_job "$j")
  out=ag-train-$j.out
  [ "$st" = COMPLETED ] && ok "train.sbatch job $j $st" || { fail "train.sbatch job $j ended $st"; show "$out"; }
  grep -q "training on 2 ranks" "$out" || fail "the training did not run on 2 ranks"
  grep -q "wrote checkpoint ck.h5 (episode 6) and its rank files" "$out" || fail "no final checkpoint line"
  for f in ck.h5 ck.h5.rank1 model.h5; do
    h5ls -r "$f" > /dev/null 2>&1 && ok "h5ls reads $f" || fail "h5ls cannot read $f"
  done
  h5ls ck.h5/buffer > /dev/null 2>&1 || fail "ck.h5 has no replay buffer"
  rows=$(($(wc -l < ck.csv) - 1))
  [ "$rows" = 6 ] && ok "the CSV log has 6 episodes" || fail "the CSV log has $rows rows"
  "$AG" search "$P/propane_combustion.c" --model model.h5 --method mcts --time 1 --quiet > s.out 2>&1 \
    && ok "the trained model guides a search" || { fail "search --model model.h5"; cat s.out; }
  ;;
requeue_signal | requeue_external)
  # the reference: the same training uninterrupted, srun on 2 tasks
  srun -n 2 --mpi=pmix "$AG" train "${TRAIN_SRCS[@]}" --checkpoint ref.h5 --total-episodes 40 \
    --checkpoint-every 5 $TRAIN_ARGS > ref.out 2>&1 || { fail "reference training"; show ref.out; }
  ref=$(grep -o "weights checksum [0-9a-f]* (episode 40" ref.out)
  [ -n "$ref" ] || fail "no checksum in the reference run"
  j=$(AG_EPISODES=40 AG_CKPT_EVERY=5 AG_TRAIN_ARGS="$TRAIN_ARGS" \
    sbatch --parsable "$SRC/slurm/train.sbatch" ck.h5 "${TRAIN_SRCS[@]}")
  out=ag-train-$j.out
  wait_line "$out" "^episode 6 " 120 || { fail "the job never reached episode 6"; show "$out"; }
  if [ "$TEST" = requeue_signal ]; then
    scancel --batch --signal=USR1 "$j" # what --signal=B:USR1@120 does before the time limit
  else
    scontrol requeue "$j" # from outside: SIGTERM to the ranks, then the job is requeued
  fi
  st=$(wait_job "$j")
  restarts=$(scontrol show job "$j" | grep -o "Restarts=[0-9]*" | cut -d= -f2)
  [ "$st" = COMPLETED ] && [ "${restarts:-0}" -ge 1 ] && ok "job $j $st after $restarts requeue(s)" \
    || { fail "job $j ended $st after ${restarts:-0} requeues"; show "$out"; }
  e=$(grep -o "resuming from ck.h5 at episode [0-9]*" "$out" | grep -o "[0-9]*$")
  [ -n "$e" ] && [ "$e" -gt 0 ] && [ "$e" -lt 40 ] && ok "the requeued run resumed at episode $e" \
    || { fail "no resume from the checkpoint"; show "$out"; }
  grep -q "warning: .* rank(s) had no replay buffer" "$out" && fail "a rank lost its buffer"
  got=$(grep -o "weights checksum [0-9a-f]* (episode 40" "$out" | tail -1)
  [ -n "$got" ] && [ "$got" = "$ref" ] && ok "final weights bit-identical to the uninterrupted run ($got)" \
    || { fail "interrupted run '$got', uninterrupted '$ref'"; show "$out"; }
  ;;
*) echo "test_slurm.sh: unknown test $TEST" >&2; exit 2 ;;
esac
[ $fails -eq 0 ] && echo "PASS: slurm $TEST" || echo "FAILED: slurm $TEST ($fails)"
[ $fails -eq 0 ]
