/* Random scalar kernels for training the policy/value network (issue 7): a corpus of
   graphs that look like the paper's kernels (chains of arithmetic with elementary
   functions, operands mostly taken from recently computed values, some long-range reuse,
   constants mixed in), built through the graph builder API and finalized. */
#ifndef AG_CORPUS_H
#define AG_CORPUS_H

#include <stdint.h>

#include "jacobian/graph.h"

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

#endif
