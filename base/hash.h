/* 64-bit hash mixing: the structural hash of graphs and the keys of eliminated sets (MCTS
   transpositions, the exact solver's state table). Not cryptographic. */
#ifndef AG_HASH_H
#define AG_HASH_H

#include <stddef.h>
#include <stdint.h>

/* mixes v into h (boost-style combine, then a multiply-xorshift finaliser step) */
static inline uint64_t ag_hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}

/* the hash of n words (a bitset of eliminated vertices, say) */
static inline uint64_t ag_hash_words(const uint64_t *w, int n) {
  uint64_t h = 0x243f6a8885a308d3ULL;
  for (int i = 0; i < n; i++) {
    h ^= w[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  }
  return h ^ (h >> 33);
}

/* FNV-1a over n bytes, continuing from h (start with AG_FNV1A_INIT): the cache keys and file
   checksums of the C and CUDA code caches, the network's weight checksum. */
#define AG_FNV1A_INIT 0xcbf29ce484222325ULL
static inline uint64_t ag_fnv1a(uint64_t h, const void *p, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    h ^= c[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

#endif
