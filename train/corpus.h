/* Random scalar kernels for training the policy/value network: a corpus of
   graphs that look like the paper's kernels (chains of arithmetic with elementary
   functions, operands mostly taken from recently computed values, some long-range reuse,
   constants mixed in), built through the graph builder API and finalized. */
#ifndef AG_CORPUS_H
#define AG_CORPUS_H

#include <stdint.h>

#include "graph/graph.h"

/* A finalized graph with ninputs inputs, exactly nvertices vertices (every operation has
   at least one active operand, so nothing is constant-folded away) and noutputs outputs.
   Every input feeds the computation, every vertex reaches an output (no dead code), and
   every output is a vertex, so depends on the inputs. sqrt/log/division only see values
   that are positive by construction, so the kernel evaluates finitely on most points.
   Deterministic per (seed, sizes); the graph is named "corpus-<seed>-<ni>-<nv>-<no>".
   NULL when the sizes are impossible (ninputs < 1, noutputs < 1, nvertices < noutputs,
   or nvertices < ninputs, too few operations to read every input). Free with
   ag_graph_free. */
ag_graph *ag_corpus_random(uint64_t seed, int ninputs, int nvertices, int noutputs);

/* Large "realistic" kernels for held-out evaluation (bench/bench_policy.c): the
   shapes of real residual code with unrolled loops, several hundred to a few thousand
   vertices, built through the graph builder API and finalized; evaluate finitely near
   their natural operating points. Deterministic per arguments; NULL for impossible sizes.
   Free with ag_graph_free.

   ag_corpus_roe_stencil: the 1-D Euler finite-volume residual of ncells cells (3 conserved
   variables each, the inputs): a cell loop (velocity, pressure, enthalpy, sqrt(rho),
   physical flux: computed once per cell, shared by its two faces), a face loop of Roe
   fluxes with Harten's entropy fix at the ncells-1 faces, and the residual
   (F_{i+1/2} - F_{i-1/2}) / dx of the ncells-2 interior cells (the outputs). About
   90 vertices per cell. ncells >= 3. Named "roe-stencil-<ncells>".

   ag_corpus_robot_chain: forward kinematics of a serial arm with njoints revolute joints
   (Denavit-Hartenberg: R <- R Rz(q) Rx(alpha), p <- p + R (a cos q, a sin q, d)), the
   joint angles the inputs, the end effector's position and rotation matrix the 12
   outputs. seed picks the link twists (0, +-pi/2 or a generic angle, as in real arms)
   and which offsets a, d are zero; structural zeros and ones are folded, so a twist of
   pi/2 makes sparser links. About 35-40 vertices per joint. njoints >= 1. Named
   "robot-chain-<njoints>-<seed>".

   ag_corpus_spring_net: internal forces of a nonlinear spring network on an nx x ny grid
   of nodes (the 2 nx ny node coordinates are the inputs): springs between horizontal and
   vertical neighbours and one diagonal per cell (direction from seed), force
   k log(L/L0) / L * (dx, dy) per spring, accumulated into both end nodes; the node force
   sums (2 per node) are the outputs: a sum of many small residual terms sharing inputs.
   About 14 vertices per spring, 3 springs per cell. nx, ny >= 2. Named
   "spring-net-<nx>x<ny>-<seed>". */
ag_graph *ag_corpus_roe_stencil(int ncells);
ag_graph *ag_corpus_robot_chain(int njoints, uint64_t seed);
ag_graph *ag_corpus_spring_net(int nx, int ny, uint64_t seed);

/* The c-th large training kernel (`alphagrad train --corpus-large N` takes c = 0..N-1):
   the three generators above in turn, with sizes and seeds that bench/bench_policy.c's
   held-out graphs do not use (roe-stencil with 3, 5, 6, 7, ... cells; robot-chain with
   4-7 joints and seeds 100+; spring-net 3x3, 4x2, 3x2 with seeds 100+): 75-475
   eliminable vertices each for c < 9 (the Roe stencils largest), larger Roe stencils after. All
   distinct. NULL for c < 0. (Until commit "corpus-large: distinct Roe stencils", c = 9 repeated
   roe-stencil-3; model_v2 was trained with that rule.) */
ag_graph *ag_corpus_large_training(int c);

#endif
