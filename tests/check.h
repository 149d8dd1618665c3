/* Minimal assertion helpers for the C tests: each failed check prints file:line and the
   values, the test continues, and main returns check_report(). */
#ifndef AG_TEST_CHECK_H
#define AG_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    check_count++;                                                                                 \
    if (!(cond)) {                                                                                 \
      check_failures++;                                                                            \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                     \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
    }                                                                                              \
  } while (0)

#define CHECK_EQ_LONG(a, b, what)                                                                  \
  CHECK((long)(a) == (long)(b), "%s: got %ld, expected %ld", what, (long)(a), (long)(b))

static inline int check_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}
#endif
