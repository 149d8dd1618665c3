/* Preprocessor: object-like, function-like and nested macros, a local header,
   #ifdef / #ifndef / #if / #elif / #else, defined(), macro arguments over two lines. */
#include <math.h>

#include "local.h"
#include "local.h" /* include guard */

#define N         3
#define SQ(x)     ((x) * (x))
#define HYP(a, b) sqrt(SQ(a) + SQ(b))
#define USE_EXP

#ifdef USE_EXP
#define ACT(x) exp(x)
#else
#define ACT(x) tanh(x)
#endif

#if N > 2 && defined(LOCAL_SCALE)
#define GAIN LOCAL_SCALE
#elif N > 2
#define GAIN 2.0
#else
#error N is too small
#endif

#ifndef UNDEFINED_THING
#define OFFSET 1.0
#endif

#if 0
this text is never read
#endif

void macros(const double *in, double *out) {
  // clang-format off
  out[0] = HYP(in[0],
               in[1]);
  // clang-format on
  out[1] = GAIN * ACT(in[2]) + OFFSET;
  out[2] = CUBE(in[0]);
}
