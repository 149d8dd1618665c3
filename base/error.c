/* Owns error reporting (error.h): status codes and messages. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

static void vfail(ag_error *err, ag_status code, const char *kind, const char *prefix,
                  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void vfail(ag_error *err, ag_status code, const char *kind, const char *prefix,
                  const char *fmt, va_list ap) {
  if (!err) return;
  err->code = code;
  int n = !prefix         ? 0
          : kind && *kind ? snprintf(err->msg, sizeof err->msg, "%s %s: ", kind, prefix)
                          : snprintf(err->msg, sizeof err->msg, "%s: ", prefix);
  if (n < 0 || (size_t)n >= sizeof err->msg) n = 0;
  vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
}

int ag_fail(ag_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, AG_ERR_INPUT, NULL, NULL, fmt, ap);
  va_end(ap);
  return -1;
}

int ag_failc(ag_error *err, ag_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, code, NULL, NULL, fmt, ap);
  va_end(ap);
  return -1;
}

int ag_fail_kfile(ag_error *err, ag_status code, const char *kind, const char *path,
                  const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, code, kind, path, fmt, ap);
  va_end(ap);
  return -1;
}

const char *ag_status_name(ag_status code) {
  static const char *names[AG_ERR_NCODES] = {
      "ok", "input", "I/O", "format", "corrupt", "mismatch", "limit", "backend", "unsupported"};
  return code >= 0 && code < AG_ERR_NCODES ? names[code] : "?";
}
