/* Parallel portfolio over MPI: every rank of comm runs its own search (method and seed by
   rank), ranks send each other improved orders as they find them (non-blocking
   point-to-point, so ranks never wait on each other during the search), and at the end
   the best order and the best proven lower bound are reduced to every rank. A rank that
   has not reached the end ag_portfolio_grace(o->time_limit) seconds after rank 0 did (a
   stalled or crashed process) does not hang the job: rank 0 returns its own best (and
   the best it received) with r->stalled set, and the caller reports it and ends the job
   with MPI_Abort. */
#ifndef AG_PORTFOLIO_H
#define AG_PORTFOLIO_H

#include <mpi.h>

#include "mcts/search.h"

/* methods: the methods assigned to ranks in turn (rank r runs methods[r % nmethods]) with
   seed o->seed + r. Collective over comm; every rank gets the same result. */
/* Waits for every rank of comm to arrive (a non-blocking barrier). Rank 0 gives up after
   grace seconds (grace <= 0: never) and returns 0: some rank is stalled or dead, so no
   collective may follow; rank 0 should report what it has and end the job with MPI_Abort
   (MPI_Finalize would wait for the stalled rank too). Other ranks wait until everyone
   arrives (or the job is aborted). poll, when not NULL, runs while waiting (to keep
   draining messages). 1 when everyone arrived. */
int ag_mpi_fence(MPI_Comm comm, double grace, void (*poll)(void *ctx), void *ctx);
/* The grace period the portfolios give a late rank: max(5 s, half the time budget). */
double ag_portfolio_grace(double time_limit);

/* Above this many eliminable vertices the portfolio's MCTS ranks anneal instead (with their
   own seeds): at 1,000-11,000 vertices MCTS, guided by the shipped network or not, never
   left the best baseline in 20 s, while annealing was 12-43 % below it (bench/bench_scale.c,
   BENCHMARKS.md "Search at scale"). `--method mcts` still runs MCTS on any graph. */
#define AG_PORTFOLIO_MCTS_MAX 1000

int ag_search_portfolio(const ag_dag *d, MPI_Comm comm, const ag_search_method *methods,
                        int nmethods, const ag_search_opts *o, ag_search_result *r, ag_error *err);

#endif
