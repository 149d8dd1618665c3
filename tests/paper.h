/* The five scalar benchmark tasks of the AlphaGrad paper and their published figures
   (../shared/reference/paper.md, Table 1 and the multiplication table). */
#ifndef AG_TEST_PAPER_H
#define AG_TEST_PAPER_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/source.h"

typedef struct {
  const char *name, *kernel; /* section in paper_graphs.txt, file in examples/paper */
  int ni, nv, no;
  long fwd, rev, markowitz, alphagrad;
} paper_task;

static const paper_task paper_tasks[] = {
    {"RoeFlux_1d", "roeflux_1d.c", 6, 101, 3, 620, 364, 407, 320},
    {"RobotArm_6DOF", "robotarm_6dof.c", 6, 114, 6, 397, 301, 288, 231},
    {"HumanHeartDipole", "human_heart_dipole.c", 8, 86, 8, 240, 172, 194, 148},
    {"PropaneCombustion", "propane_combustion.c", 11, 62, 11, 151, 90, 111, 88},
    {"g", "g.c", 15, 105, 20, 632, 566, 451, 417},
};
#define N_PAPER_TASKS 5

static inline const char *src_dir(void) {
  const char *s = getenv("AG_SOURCE_DIR");
  return s ? s : ".";
}

static inline void src_path(char *buf, size_t n, const char *rel) {
  snprintf(buf, n, "%s/%s", src_dir(), rel);
}

/* Task t's graph from tests/data/paper_graphs.txt; NULL with the reason on stderr. */
static inline ag_graph *paper_task_graph(int t) {
  char path[4096];
  ag_error err = {0};
  src_path(path, sizeof path, "tests/data/paper_graphs.txt");
  ag_graph *g = ag_load_source(path, paper_tasks[t].name, &err);
  if (!g) fprintf(stderr, "%s: %s\n", paper_tasks[t].name, err.msg);
  return g;
}

/* The published order "<task> <method> ..." line's successor in paper_orders.txt; malloc'ed. */
static inline char *paper_order_text(const char *task, const char *method) {
  char path[4096], line[8192], want[256];
  src_path(path, sizeof path, "tests/data/paper_orders.txt");
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  snprintf(want, sizeof want, "%s %s ", task, method);
  char *res = NULL;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, want, strlen(want)) && fgets(line, sizeof line, f)) {
      res = strdup(line);
      break;
    }
  fclose(f);
  return res;
}
#endif

/* The kernel file's "alphagrad-test-point: ..." comment (kernel/source.h). */
static inline int paper_test_point(const char *file, double *x, int max) {
  return ag_source_test_point(file, x, max);
}
