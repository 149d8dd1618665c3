/* Reading a whole text file, with a message naming the file on failure. */
#ifndef AG_READFILE_H
#define AG_READFILE_H
#include "base/error.h"
/* The largest file ag_read_file reads (kernels, DAG and tensor graph files, order files). */
#define AG_READ_FILE_MAX (64L << 20)
/* NUL-terminated malloc'ed contents, or NULL with err set: missing, unreadable, not a
   regular file (a directory, FIFO, device or socket: refused without blocking or reading
   it), larger than AG_READ_FILE_MAX (AG_ERR_LIMIT), or binary (a NUL byte). */
char *ag_read_file(const char *path, ag_error *err);
/* 1 if path can be opened and is a regular file (does not block on a FIFO). */
int ag_is_regular_file(const char *path);
#endif
