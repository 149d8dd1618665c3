/* Deterministic pseudo-random numbers: splitmix64 (a stream from one 64-bit state, also the
   seeder) and xoshiro256** (ag_rng: fast, deterministic for a seed). Every random choice in
   the project goes through these, so results repeat for a seed. */
#ifndef AG_RNG_H
#define AG_RNG_H

#include <stdint.h>

/* splitmix64: advances *x and returns the next value of its stream */
static inline uint64_t ag_splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
/* a double in [0, 1) from a splitmix64 stream (53 random bits) */
static inline double ag_splitmix_unit(uint64_t *x) {
  return (double)(ag_splitmix(x) >> 11) * 0x1.0p-53;
}

typedef struct {
  uint64_t s[4];
} ag_rng;

static inline void ag_rng_seed(ag_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    r->s[i] = ag_splitmix(&seed);
}
static inline uint64_t ag_rng_next(ag_rng *r) {
  uint64_t *s = r->s, x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return res;
}
/* a double in [0, 1) */
static inline double ag_rng_unit(ag_rng *r) { return (double)(ag_rng_next(r) >> 11) * 0x1.0p-53; }
/* an integer in [0, n) */
static inline int ag_rng_below(ag_rng *r, int n) { return (int)(ag_rng_unit(r) * n); }

#endif
