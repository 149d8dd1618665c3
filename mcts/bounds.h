/* Admissible lower bounds on the multiplications still to pay from an elimination state
   (docs/exact.md gives the arguments).

   Path bound. For a remaining eliminable vertex v of the current graph let
     kin(v)  = the most paths from the inputs and outputs to v sharing only v,
     kout(v) = the most paths from v to the outputs sharing only v.
   By Menger these are minimum vertex cuts. Whenever v is eliminated later, its predecessors
   then form a vertex cut between the inputs/outputs (never eliminated) and v, and its
   successors one between v and the outputs; eliminating a vertex never decreases either
   minimum cut (disjoint paths stay disjoint after short-cutting the eliminated vertex). So
   eliminating v costs at least kin(v) * kout(v) whenever it happens, and the sum over the
   remaining vertices bounds the cost-to-go. Consistent: b(S) <= step cost + b(S + u).

   Group bound. Partition some remaining vertices into small groups. For a relative order of
   a group, a member v goes after the members B before it and before the members A after
   it; its cost is then at least kin * kout computed with B eliminated and the members of A
   counted as sources/targets (they are still there, like inputs and outputs). The minimum
   over the group's orders (a DP over its subsets) bounds the group's total; groups are
   disjoint, so group minima plus the path bounds of the ungrouped vertices add up. */
#ifndef AG_BOUNDS_H
#define AG_BOUNDS_H

#include "graph/eliminate.h"
#include "graph/graph.h"

/* Workspace for the flow computations on one graph (not thread-safe; one per thread). */
typedef struct ag_bound_ws ag_bound_ws;

ag_bound_ws *ag_bound_ws_new(const ag_dag *d);
void ag_bound_ws_free(ag_bound_ws *w);

/* kin(v), kout(v) of the remaining vertex v in state s. */
int ag_bound_kin(ag_bound_ws *w, const ag_elim *s, int v);
int ag_bound_kout(ag_bound_ws *w, const ag_elim *s, int v);
/* kin(v) * kout(v): a floor on what eliminating v costs, now or later. */
long ag_bound_vertex(ag_bound_ws *w, const ag_elim *s, int v);

/* Sum of ag_bound_vertex over the eliminable vertices of s; per_vertex (size d->n, may be
   NULL) receives each term (0 for vertices that are not eliminable). */
long ag_bound_paths_ws(ag_bound_ws *w, const ag_elim *s, long *per_vertex);
/* Convenience: allocates a workspace. */
long ag_bound_paths(const ag_dag *d, const ag_elim *s);

/* Exact minimum, over the orders of the m distinct remaining eliminable vertices g, of the
   sum of each one's path bound given the members before it gone and the members after it
   present: a floor on what the group costs in any completion of s. For m over
   AG_BOUND_MAX_GROUP, the sum of the members' path bounds. */
long ag_bound_group_exact(ag_bound_ws *w, const ag_elim *s, const int *g, int m);

#define AG_BOUND_MAX_GROUP 20

/* Group bound prepared at a state s0 (the search root): disjoint groups of eliminable
   vertices found by agglomeration (docs/exact.md), and for each group the table
   rdp[mask] = its DP bound from s0 with the members in mask already gone. For a later state
   s (s0 plus more eliminations), rdp[members gone in s] still bounds what the remaining
   members cost (conditional path bounds only grow with eliminations), so the table serves
   the whole search at one lookup per group. */
typedef struct {
  int n, ngroups;
  int *group_of; /* per elimination index: group or -1 */
  int *gsize;
  int **members;   /* elimination indices */
  long **rdp;      /* 2^gsize entries per group */
  long root_bound; /* the bound at s0 */
  long root_paths; /* the path bound at s0 (<= root_bound) */
} ag_group_bound;

/* max_group (<= AG_BOUND_MAX_GROUP) caps a group's size; each candidate merge costs about
   2^size * size table steps plus the conditional flows. time_limit > 0 stops the grouping
   after that many seconds (the groups so far are kept: any partition is valid). */
ag_group_bound *ag_group_bound_build(const ag_dag *d, const ag_elim *s0, int max_group,
                                     double time_limit);
void ag_group_bound_free(ag_group_bound *gb);
/* Bound on the cost-to-go of state s (descended from s0), given per_vertex = the path
   bound of every vertex in s (as from ag_bound_paths_ws): per group the larger of its table
   entry and its remaining members' path bounds, plus the path bounds of vertices in no
   group. Consistent: b(s) <= step cost + b(s + u). */
long ag_group_bound_eval(const ag_group_bound *gb, const ag_elim *s, const long *per_vertex);
/* Group k's term in state s: max(table value for the eliminated members, sum of the
   remaining members' path bounds). */
long ag_group_term(const ag_group_bound *gb, int k, const ag_elim *s, const long *per_vertex);

/* Convenience: the group bound at s (ag_group_bound_build(d, s, max_group, 0)->root_bound). */
long ag_bound_groups(const ag_dag *d, const ag_elim *s, int max_group);

#endif
