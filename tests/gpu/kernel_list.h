/* The kernels of the repository the GPU tests run on: every top-level `void f(const double
   ...` function of the example, benchmark and test kernel files the C front end accepts. */
#ifndef AG_TEST_KERNEL_LIST_H
#define AG_TEST_KERNEL_LIST_H
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/source.h"

static const char *kl_dirs[][2] = {
    {"examples/paper", ".c"},
    {"examples/cfd", "_kernels.c"},
    {"examples/robotics", "_kernels.c"},
    {"bench/plugin", "_kernels.c"},
    {"tests/plugin", "bratu.c"},
    {"tests/plugin/op_kernels", ".c"},
    {"tests/kernels/good", ".c"},
    {"tests/kernels/branches", ".c"},
};

typedef struct {
  char spec[1300]; /* path.c:function */
  char path[1000];
} kl_entry;

static int kl_ends(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* all kernel specs; *n set; caller frees */
static kl_entry *kl_collect(const char *root, int *n) {
  int cap = 256, cnt = 0;
  kl_entry *e = malloc(sizeof *e * (size_t)cap);
  for (size_t d = 0; d < sizeof kl_dirs / sizeof kl_dirs[0]; d++) {
    char dir[900];
    snprintf(dir, sizeof dir, "%s/%s", root, kl_dirs[d][0]);
    DIR *dp = opendir(dir);
    if (!dp) continue;
    struct dirent *de;
    char names[128][256];
    int nn = 0;
    while ((de = readdir(dp)) && nn < 128)
      if (kl_ends(de->d_name, kl_dirs[d][1])) snprintf(names[nn++], 256, "%s", de->d_name);
    closedir(dp);
    qsort(names, (size_t)nn, 256, (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < nn; i++) {
      char path[1000];
      snprintf(path, sizeof path, "%.700s/%.250s", dir, names[i]);
      FILE *f = fopen(path, "r");
      if (!f) continue;
      char line[1024];
      while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "void ", 5) || !strstr(line, "(const double")) continue;
        char fn[256];
        int l = 0;
        for (const char *c = line + 5; (isalnum((unsigned char)*c) || *c == '_') && l < 255; c++)
          fn[l++] = *c;
        fn[l] = 0;
        if (!l) continue;
        if (cnt == cap) e = realloc(e, sizeof *e * (size_t)(cap *= 2));
        snprintf(e[cnt].spec, sizeof e[cnt].spec, "%.999s:%.255s", path, fn);
        snprintf(e[cnt].path, sizeof e[cnt].path, "%s", path);
        cnt++;
      }
      fclose(f);
    }
  }
  *n = cnt;
  return e;
}
#endif
