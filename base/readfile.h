/* Reading a whole text file, with a message naming the file on failure. */
#ifndef AG_READFILE_H
#define AG_READFILE_H
#include "base/error.h"
/* NUL-terminated malloc'ed contents, or NULL with err set (missing, unreadable, binary). */
char *ag_read_file(const char *path, ag_error *err);
#endif
