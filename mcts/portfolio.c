/* The MPI portfolio: one search per rank, incumbents and bounds exchanged through the
   sharing hook, the results reduced. */
#include "mcts/portfolio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"

enum { TAG_ORDER = 4711 };

typedef struct {
  MPI_Comm comm;
  int rank, size, len;
  int *sent_to, *recv_from;
  MPI_Request *reqs;
  long **bufs;
  int nreq, capreq, capbufs;
  long best_sent;
  long in_cost, in_lb; /* best received */
  int *in_order;
} share_ctx;

/* Receives one pending message from src (blocking), keeps it if better. */
static void receive(share_ctx *c, int src) {
  long *buf = ag_malloc((size_t)(c->len + 2) * sizeof(long));
  MPI_Recv(buf, c->len + 2, MPI_LONG, src, TAG_ORDER, c->comm, MPI_STATUS_IGNORE);
  c->recv_from[src]++;
  if (c->in_cost < 0 || buf[0] < c->in_cost) {
    c->in_cost = buf[0];
    for (int i = 0; i < c->len; i++)
      c->in_order[i] = (int)buf[2 + i];
  }
  if (buf[1] > c->in_lb) c->in_lb = buf[1];
  free(buf);
}

static void drain(share_ctx *c) {
  int flag;
  MPI_Status st;
  for (;;) {
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_ORDER, c->comm, &flag, &st);
    if (!flag) return;
    receive(c, st.MPI_SOURCE);
  }
}

static void send_all(share_ctx *c, long cost, long lb, const int *order) {
  for (int r = 0; r < c->size; r++) {
    if (r == c->rank) continue;
    long *buf = ag_malloc((size_t)(c->len + 2) * sizeof(long));
    buf[0] = cost;
    buf[1] = lb;
    for (int i = 0; i < c->len; i++)
      buf[2 + i] = order[i];
    ag_grow((void **)&c->reqs, &c->capreq, c->nreq, sizeof(MPI_Request));
    ag_grow((void **)&c->bufs, &c->capbufs, c->nreq, sizeof(long *));
    c->bufs[c->nreq] = buf;
    MPI_Isend(buf, c->len + 2, MPI_LONG, r, TAG_ORDER, c->comm, &c->reqs[c->nreq++]);
    c->sent_to[r]++;
  }
}

static int share(long *cost, int *order, int len, long *lb, void *ctx) {
  share_ctx *c = ctx;
  (void)len;
  drain(c);
  if (*cost >= 0 && (c->best_sent < 0 || *cost < c->best_sent)) {
    send_all(c, *cost, *lb, order);
    c->best_sent = *cost;
  }
  int better = 0;
  if (c->in_cost >= 0 && c->in_cost < *cost) {
    *cost = c->in_cost;
    memcpy(order, c->in_order, (size_t)c->len * sizeof(int));
    better = 1;
  }
  if (c->in_lb > *lb) *lb = c->in_lb;
  return better;
}

double ag_portfolio_grace(double time_limit) {
  return time_limit > 0 ? fmax(5.0, 0.5 * time_limit) : 5.0;
}

int ag_mpi_fence(MPI_Comm comm, double grace, void (*poll)(void *ctx), void *ctx) {
  int rank, done = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Request req;
  MPI_Ibarrier(comm, &req);
  const double t0 = ag_now();
  const struct timespec nap = {0, 1000000}; /* 1 ms */
  for (;;) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (done) return 1;
    if (poll) poll(ctx);
    if (rank == 0 && grace > 0 && ag_now() - t0 > grace) return 0; /* req stays pending */
    nanosleep(&nap, NULL);
  }
}

static void drain_cb(void *ctx) { drain(ctx); }

int ag_search_portfolio(const ag_dag *d, MPI_Comm comm, const ag_search_method *methods,
                        int nmethods, const ag_search_opts *o, ag_search_result *r, ag_error *err) {
  share_ctx c = {.comm = comm, .len = d->neliminable, .best_sent = -1, .in_cost = -1, .in_lb = -1};
  MPI_Comm_rank(comm, &c.rank);
  MPI_Comm_size(comm, &c.size);
  c.sent_to = ag_calloc((size_t)c.size, sizeof(int));
  c.recv_from = ag_calloc((size_t)c.size, sizeof(int));
  c.in_order = ag_malloc((size_t)(c.len + 1) * sizeof(int));
  ag_search_opts mine = *o;
  mine.seed = o->seed + (uint64_t)c.rank;
  if (c.size > 1) {
    mine.share = share;
    mine.share_ctx = &c;
  }
  if (c.rank != 0) mine.progress = NULL; /* rank 0 reports */
  ag_search_method m = methods[c.rank % nmethods];
  /* on large graphs an MCTS rank anneals instead (portfolio.h) */
  if (m == AG_SEARCH_MCTS && d->neliminable > AG_PORTFOLIO_MCTS_MAX) m = AG_SEARCH_ANNEAL;
  ag_search_result mr;
  int rc = ag_search(d, m, &mine, &mr, err);
  if (c.size > 1 && !ag_mpi_fence(comm, ag_portfolio_grace(o->time_limit), drain_cb, &c)) {
    /* rank 0, and another rank is stalled: report what this rank has; no collectives */
    free(c.sent_to);
    free(c.recv_from);
    if (rc) {
      free(c.in_order);
      return -1;
    }
    if (c.in_cost >= 0 && c.in_cost < mr.cost) { /* the best another rank sent */
      mr.cost = c.in_cost;
      memcpy(mr.order, c.in_order, (size_t)c.len * sizeof(int));
    }
    if (c.in_lb > mr.lower_bound) mr.lower_bound = c.in_lb;
    mr.optimal = mr.lower_bound >= 0 && mr.lower_bound == mr.cost;
    free(c.in_order);
    *r = mr;
    r->method = "portfolio";
    r->nranks = c.size;
    r->stalled = 1;
    return 0;
  }
  int ok = rc == 0, all_ok;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, comm);
  /* finish the exchange: everyone learns how many messages to expect, receives them */
  int *expect = ag_malloc((size_t)c.size * sizeof(int));
  MPI_Alltoall(c.sent_to, 1, MPI_INT, expect, 1, MPI_INT, comm);
  for (int s = 0; s < c.size; s++)
    while (c.recv_from[s] < expect[s])
      receive(&c, s);
  MPI_Waitall(c.nreq, c.reqs, MPI_STATUSES_IGNORE);
  for (int i = 0; i < c.nreq; i++)
    free(c.bufs[i]);
  free(c.bufs);
  free(c.reqs);
  free(expect);
  if (!all_ok) {
    if (ok) {
      ag_search_result_free(&mr);
      rc = ag_failc(err, AG_ERR_BACKEND, "the search failed on another rank");
    }
    free(c.sent_to);
    free(c.recv_from);
    free(c.in_order);
    return -1;
  }
  /* best order to everyone, best proven bound */
  struct {
    long cost;
    int rank;
  } mine_c = {mr.cost, c.rank}, best_c;
  MPI_Allreduce(&mine_c, &best_c, 1, MPI_LONG_INT, MPI_MINLOC, comm);
  long lb = mr.lower_bound, best_lb;
  if (c.in_lb > lb) lb = c.in_lb;
  MPI_Allreduce(&lb, &best_lb, 1, MPI_LONG, MPI_MAX, comm);
  double el = mr.elapsed, max_el;
  MPI_Allreduce(&el, &max_el, 1, MPI_DOUBLE, MPI_MAX, comm);
  long it = mr.iterations, sum_it;
  MPI_Allreduce(&it, &sum_it, 1, MPI_LONG, MPI_SUM, comm);
  double ttc = c.rank == best_c.rank ? mr.time_to_cost : 0, best_ttc;
  MPI_Allreduce(&ttc, &best_ttc, 1, MPI_DOUBLE, MPI_MAX, comm);
  long own = mr.cost;
  long *costs = ag_malloc((size_t)c.size * sizeof(long));
  MPI_Allgather(&own, 1, MPI_LONG, costs, 1, MPI_LONG, comm);
  MPI_Bcast(mr.order, mr.len, MPI_INT, best_c.rank, comm);
  *r = mr;
  r->rank_costs = costs;
  r->nranks = c.size;
  r->cost = best_c.cost;
  r->lower_bound = best_lb;
  r->optimal = best_lb >= 0 && best_lb == best_c.cost;
  r->elapsed = max_el;
  r->iterations = sum_it;
  r->time_to_cost = best_ttc;
  r->method = "portfolio";
  free(c.sent_to);
  free(c.recv_from);
  free(c.in_order);
  return 0;
}
