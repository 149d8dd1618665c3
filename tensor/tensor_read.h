/* Reader of tensor graph files (the format of tests/data/tensor_graphs.txt, documented in
   docs/tensor.md):

     ## Name: inputs=NI vertices=NV outputs=NO output_vertices=[i, j, ...] [eliminable=..]
             [edges=..] [fwd=..] [rev=..] [minMarkowitz=..]
     xK shape=[..] ag=[d1,d2] ...
     vK = primitive(operands) shape=[..] ag=[d1,d2] ...
       SRC -> vK type=T jac=[o1,o2,p1,p2]

   Edge lines sit directly under the vertex they point into. Errors are
   "path:line: message". */
#ifndef AG_TENSOR_READ_H
#define AG_TENSOR_READ_H

#include "tensor/tensor_model.h"

/* Section `name` (NULL: the only section) of the file at path, or NULL with err set. */
ag_tgraph *ag_tgraph_read_file(const char *path, const char *name, ag_error *err);
ag_tgraph *ag_tgraph_read_text(const char *text, const char *where, const char *name,
                               ag_error *err);
/* 1 if the file at path is a tensor graph file (it has edge lines "SRC -> vK type=..."),
   0 if not or unreadable (the caller's reader then reports why). */
int ag_tgraph_file_is_tensor(const char *path);

#endif
