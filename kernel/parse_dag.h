/* Reader of the reference DAG text format (paper_graphs.txt):

     ## Name: inputs=NI vertices=NV outputs=NO output_vertices=[i, j, ...] ...
     v1 = op(x1, c)
     v2 = op(v1, x2)

   One section per graph; `xI` are inputs, `vJ` earlier vertices, `c` a literal constant
   (no edge). Op names accept JAX/numpy synonyms (subtract, arctan2, integer_pow, ...).
   The graphs are structure only: constants carry no value, so they serve cost and search,
   not numeric evaluation. */
#ifndef AG_PARSE_DAG_H
#define AG_PARSE_DAG_H

#include "graph/graph.h"

/* Parses section `name` (or the only section when name is NULL) of the file at path.
   Returns a finalized graph, or NULL with err = "path:line:col: message". */
ag_graph *ag_parse_dag_file(const char *path, const char *name, ag_error *err);
/* Same, from text already in memory; `where` names it in messages. */
ag_graph *ag_parse_dag_text(const char *text, const char *where, const char *name, ag_error *err);

#endif
