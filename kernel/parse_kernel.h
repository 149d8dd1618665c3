/* Front end for kernels written in a subset of C.

   A kernel is `void name(const double *in, double *out[, const double *p])`: the same file
   compiles as ordinary C. The front end preprocesses the file (kernel_lex.h), then *traces*
   the kernel: it executes the body symbolically, unrolling loops with constant bounds and
   inlining helper functions defined in the file, and records one graph vertex per
   floating-point operation on input-dependent values, in evaluation order, with no
   common-subexpression elimination. Integer arithmetic, constants and parameters are
   evaluated on the way and make no vertex.

   Supported: double/const double locals (also PetscScalar, PetscReal and typedefs of them),
   int locals, fixed-size local arrays (any rank) with constant indices and initialisers,
   pointers into arrays (`in + 3`, `&a[2]`), arithmetic, compound assignment, ++/--,
   math.h functions (see ops.h), `for` loops with constant trip counts, `if`/`?:` on
   constant conditions, `break`/`continue`, helper functions (double, int or void, scalar
   or pointer parameters), file-scope `const` scalars and arrays.
   Rejected with "file:line:col: message": anything else (while/do/switch/goto, structs,
   float, branches on input-dependent values, reads before writes, out-of-bounds indices,
   writes to inputs, unknown functions, ...). */
#ifndef AG_PARSE_KERNEL_H
#define AG_PARSE_KERNEL_H

#include "graph/graph.h"

/* Parses kernel `function` (NULL: the file's only kernel) of the C file at path.
   Returns a finalized graph named after the function, or NULL with err set. */
ag_graph *ag_parse_kernel_file(const char *path, const char *function, ag_error *err);

#endif
