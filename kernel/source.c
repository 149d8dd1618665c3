/* Owns source loading (source.h): FILE[:function] specs, by extension a C kernel or a DAG file. */
#include "kernel/source.h"

#include "base/readfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/parse_dag.h"
#include "kernel/parse_kernel.h"

static int is_c_file(const char *path, size_t n) {
  return (n > 2 && !strncmp(path + n - 2, ".c", 2)) || (n > 2 && !strncmp(path + n - 2, ".h", 2));
}

ag_graph *ag_load_source(const char *spec, const char *name, ag_error *err) {
  char path[4096];
  const char *fn = NULL;
  if (strlen(spec) >= sizeof path) {
    ag_failc(err, AG_ERR_LIMIT, "source path too long");
    return NULL;
  }
  snprintf(path, sizeof path, "%s", spec);
  struct stat st;
  /* "file.c:function" unless a file by the whole name exists */
  char *colon = strrchr(path, ':');
  if (colon && stat(path, &st) != 0) {
    *colon = 0;
    fn = colon + 1;
    if (!*fn) {
      ag_fail(err, "%s: empty function name after ':'", spec);
      return NULL;
    }
    for (const char *q = fn; *q; q++)
      if (!isalnum((unsigned char)*q) && *q != '_') {
        ag_fail(err, "%s: '%s' is not a function name", spec, fn);
        return NULL;
      }
  }
  size_t n = strlen(path);
  if (is_c_file(path, n)) {
    if (name && !fn) fn = name;
    return ag_parse_kernel_file(path, fn, err);
  }
  if (fn) {
    ag_fail(err, "%s: ':function' applies to C kernels (.c files); use --name for DAG files", spec);
    return NULL;
  }
  return ag_parse_dag_file(path, name, err);
}

int ag_source_test_point(const char *path, double *x, int max) {
  if (!ag_is_regular_file(path)) return -1;
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[4096];
  int n = -1;
  while (fgets(line, sizeof line, f)) {
    char *p = strstr(line, "alphagrad-test-point:");
    if (!p) continue;
    p += strlen("alphagrad-test-point:");
    for (n = 0; n < max;) {
      char *end;
      double v = strtod(p, &end);
      if (end == p) break;
      x[n++] = v;
      for (p = end; *p == ',' || *p == ' ';)
        p++;
    }
    break;
  }
  fclose(f);
  return n;
}
