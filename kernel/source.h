/* One entry point for graph sources, as the CLI and the plugin name them:
   "path/kernel.c[:function]" (C kernel, see parse_kernel.h) or a reference DAG text file
   with a section name (see parse_dag.h). */
#ifndef AG_SOURCE_H
#define AG_SOURCE_H

#include "graph/graph.h"

/* name: the section of a DAG text file (NULL: its only section); ignored for C kernels. */
ag_graph *ag_load_source(const char *spec, const char *name, ag_error *err);

/* Reads the point a kernel file names in a comment "alphagrad-test-point: v1, v2, ..."
   (the examples use it for tests, benchmarks and demos). Returns the number of values
   read (at most max), or -1 when the file has no such comment or cannot be read. */
int ag_source_test_point(const char *path, double *x, int max);

#endif
