/* Errors: a status code (what kind of failure, for callers that act on it: the plugin maps
   it to a PETSc error class, tests assert it) and a message (for people: it names the file
   and place, the option, the value). Every fallible call of the library fills an ag_error. */
#ifndef AG_ERROR_H
#define AG_ERROR_H

typedef enum {
  AG_OK = 0,
  AG_ERR_INPUT,       /* a bad argument or option value, a graph or order that does not fit */
  AG_ERR_IO,          /* a file or directory could not be opened, read, written, created */
  AG_ERR_FORMAT,      /* a text or file that is not in the expected format (syntax, foreign file) */
  AG_ERR_CORRUPT,     /* a file in the right format whose content fails its checks */
  AG_ERR_MISMATCH,    /* data for another graph, model, version or configuration */
  AG_ERR_LIMIT,       /* a size, memory, time or depth limit reached */
  AG_ERR_BACKEND,     /* the compiler, the CUDA driver or runtime, MPI, HDF5 failed */
  AG_ERR_UNSUPPORTED, /* valid input outside what is supported (a C construct, a feature) */
  AG_ERR_NCODES
} ag_status;

typedef struct {
  ag_status code; /* AG_OK until a call fails */
  char msg[1024];
} ag_error;

/* printf-style; err may be NULL. Always returns -1 so callers can `return ag_fail(...)`.
   ag_fail sets the code AG_ERR_INPUT; ag_failc sets the code given. */
int ag_fail(ag_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ag_failc(ag_error *err, ag_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A failure about a file: the message is "KIND PATH: " + the formatted text ("order library
   lib.h5: not an HDF5 file"), or "PATH: " + the text when kind is NULL or "". Returns -1. */
int ag_fail_kfile(ag_error *err, ag_status code, const char *kind, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The code's name: "input", "I/O", "format", "corrupt", "mismatch", "limit", "backend",
   "unsupported" ("ok" for AG_OK). */
const char *ag_status_name(ag_status code);

#endif
