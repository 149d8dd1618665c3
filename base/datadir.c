/* Owns the data-directory lookup (datadir.h): $AG_DATA_DIR, the prefix of the running binary,
   the build-time AG_DATA_DIRS. */
#define _GNU_SOURCE /* dladdr */
#include "base/datadir.h"

#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AG_DATA_DIRS
#define AG_DATA_DIRS ""
#endif

void ag_data_dirs(const void *anchor, char *dirs, size_t n) {
  if (n == 0) return;
  const char *env = getenv("AG_DATA_DIR");
  if (env && *env) {
    snprintf(dirs, n, "%s", env);
    return;
  }
  dirs[0] = 0;
  char bin[4096] = "";
  if (anchor) {
    Dl_info info;
    if (dladdr((void *)anchor, &info) && info.dli_fname)
      snprintf(bin, sizeof bin, "%s", info.dli_fname);
  } else {
    ssize_t len = readlink("/proc/self/exe", bin, sizeof bin - 1);
    bin[len > 0 ? len : 0] = 0;
  }
  if (bin[0]) snprintf(dirs, n, "%s/../share/alphagrad:", dirname(bin));
  size_t used = strlen(dirs);
  if (used < n) snprintf(dirs + used, n - used, "%s", AG_DATA_DIRS);
}

int ag_data_find(const void *anchor, const char *rel, char *path, size_t n) {
  char dirs[16384];
  ag_data_dirs(anchor, dirs, sizeof dirs);
  for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    snprintf(path, n, "%s/%s", d, rel);
    if (access(path, R_OK) == 0) return 1;
  }
  if (n) path[0] = 0;
  return 0;
}
