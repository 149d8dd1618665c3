/* Error reporting shared by the jacobian module: a message buffer filled by the failing call. */
#ifndef AG_ERROR_H
#define AG_ERROR_H

typedef struct {
  char msg[1024];
} ag_error;

/* printf-style; err may be NULL. Always returns -1 so callers can `return ag_fail(...)`. */
int ag_fail(ag_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
