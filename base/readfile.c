/* Owns reading a whole text file with limits and a message naming the file (readfile.h). */
#include "base/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"

char *ag_read_file(const char *path, ag_error *err) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    ag_failc(err, AG_ERR_IO, "%s: is a directory", path);
    return NULL;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    ag_failc(err, AG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0, k;
  char *buf = ag_malloc(cap);
  while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (n + 1 == cap) buf = ag_realloc(buf, cap *= 2);
  }
  int bad = ferror(f);
  fclose(f);
  buf[n] = 0;
  if (bad || strlen(buf) != n) {
    free(buf);
    ag_failc(err, bad ? AG_ERR_IO : AG_ERR_FORMAT,
             bad ? "%s: read error" : "%s: binary file (contains a NUL byte)", path);
    return NULL;
  }
  return buf;
}
