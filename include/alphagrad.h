/* alphagrad: exact sparse Jacobians of C residual kernels by cross-country vertex
   elimination. The core library's umbrella header (the PETSc plugin's is alphagrad_petsc.h).

   The data flow, one header per step (docs/architecture.md):
     kernel (restricted C, kernel/source.h; or the builder API, graph/graph.h)
       -> graph (scalar DAG, structural hash; graph/graph.h)
       -> order (baselines and order files, graph/orders.h; search, mcts/search.h;
                 HDF5 order libraries, orderlib/orderlib.h)
       -> Jacobian program (interpreter, jacobian/jacobian.h; generated C, jacobian/codegen_c.h;
                 run-time compilation, jacobian/jit.h)
   Errors: every fallible call fills an ag_error (base/error.h): a status code and a message. */
#ifndef ALPHAGRAD_H
#define ALPHAGRAD_H

#include "base/error.h"
#include "base/version.h"
#include "graph/eliminate.h"
#include "graph/graph.h"
#include "graph/orders.h"
#include "jacobian/codegen_c.h"
#include "jacobian/jacobian.h"
#include "jacobian/jit.h"
#include "kernel/source.h"
#include "mcts/search.h"
#include "orderlib/orderlib.h"

#endif
