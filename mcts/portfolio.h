/* Parallel portfolio over MPI: every rank of comm runs its own search (method and seed by
   rank), ranks send each other improved orders as they find them (non-blocking
   point-to-point, so ranks never wait on each other during the search), and at the end
   the best order and the best proven lower bound are reduced to every rank. */
#ifndef AG_PORTFOLIO_H
#define AG_PORTFOLIO_H

#include <mpi.h>

#include "mcts/search.h"

/* methods: the methods assigned to ranks in turn (rank r runs methods[r % nmethods]) with
   seed o->seed + r. Collective over comm; every rank gets the same result. */
int ag_search_portfolio(const ag_dag *d, MPI_Comm comm, const ag_search_method *methods,
                        int nmethods, const ag_search_opts *o, ag_search_result *r, ag_error *err);

#endif
