/* Minimal assertion helpers for the C tests: each failed check prints file:line and the
   values, the test continues, and main returns check_report(). */
#ifndef AG_TEST_CHECK_H
#define AG_TEST_CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/rng.h"

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

/* The tests' random numbers: one deterministic splitmix64 stream (base/rng.h) per test
   program; check_seed restarts it. */
static inline uint64_t *check_rng_state(void) {
  static uint64_t state = 0x9e3779b97f4a7c15ULL;
  return &state;
}
static inline void check_seed(uint64_t seed) { *check_rng_state() = seed; }
/* an integer in [0, n) */
static inline unsigned check_rand(unsigned n) {
  return (unsigned)(ag_splitmix(check_rng_state()) % n);
}
/* a double in [0, 1) */
static inline double check_unit(void) { return ag_splitmix_unit(check_rng_state()); }

static inline int check_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}
#endif
