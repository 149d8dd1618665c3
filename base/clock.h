/* The monotonic clock: seconds since an arbitrary start, for time limits and timings. */
#ifndef AG_CLOCK_H
#define AG_CLOCK_H

#include <time.h>

static inline double ag_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
