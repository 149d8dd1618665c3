/* One entry point for graph sources, as the CLI and the plugin name them:
   "path/kernel.c[:function]" (C kernel, see parse_kernel.h) or a reference DAG text file
   with a section name (see parse_dag.h). */
#ifndef AG_SOURCE_H
#define AG_SOURCE_H

#include "jacobian/graph.h"

/* name: the section of a DAG text file (NULL: its only section); ignored for C kernels. */
ag_graph *ag_load_source(const char *spec, const char *name, ag_error *err);

#endif
