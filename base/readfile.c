/* Owns reading a whole text file with limits and a message naming the file (readfile.h). */
#include "base/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"

static const char *kind_of(mode_t m) {
  return S_ISDIR(m)    ? "a directory"
         : S_ISFIFO(m) ? "a FIFO"
         : S_ISCHR(m)  ? "a character device"
         : S_ISBLK(m)  ? "a block device"
         : S_ISSOCK(m) ? "a socket"
                       : "not a regular file";
}

/* Opens path for reading without blocking (a FIFO's open would wait for a writer) and
   checks that it is a regular file; the descriptor, or -1 with err set. */
static int open_regular(const char *path, ag_error *err) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    ag_failc(err, AG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ag_failc(err, AG_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    ag_failc(err, AG_ERR_INPUT, "%s: is %s, not a regular file; not reading it", path,
             kind_of(st.st_mode));
    return -1;
  }
  if (st.st_size > AG_READ_FILE_MAX) {
    close(fd);
    ag_failc(err, AG_ERR_LIMIT, "%s: is %lld bytes, larger than the %ld MiB this reads", path,
             (long long)st.st_size, AG_READ_FILE_MAX >> 20);
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

int ag_is_regular_file(const char *path) {
  ag_error e;
  int fd = open_regular(path, &e);
  if (fd < 0) return 0;
  close(fd);
  return 1;
}

char *ag_read_file(const char *path, ag_error *err) {
  int fd = open_regular(path, err);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    close(fd);
    ag_failc(err, AG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0, k;
  char *buf = ag_malloc(cap);
  /* the size was checked, but a file can grow while it is read */
  while (n <= (size_t)AG_READ_FILE_MAX && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (n + 1 == cap) buf = ag_realloc(buf, cap *= 2);
  }
  int bad = ferror(f);
  fclose(f);
  if (n > (size_t)AG_READ_FILE_MAX) {
    free(buf);
    ag_failc(err, AG_ERR_LIMIT, "%s: larger than the %ld MiB this reads", path,
             AG_READ_FILE_MAX >> 20);
    return NULL;
  }
  buf[n] = 0;
  if (bad || strlen(buf) != n) {
    free(buf);
    ag_failc(err, bad ? AG_ERR_IO : AG_ERR_FORMAT,
             bad ? "%s: read error" : "%s: binary file (contains a NUL byte)", path);
    return NULL;
  }
  return buf;
}
