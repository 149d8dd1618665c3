/* Owns allocation (alloc.h): aborting malloc wrappers, growable arrays, the arena. */
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n) {
  fprintf(stderr, "alphagrad: out of memory allocating %zu bytes\n", n);
  abort();
}

void *ag_malloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *ag_calloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom(n * size);
  return p;
}

void *ag_realloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *ag_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(ag_malloc(n), s, n);
}

void ag_grow(void **p, int *cap, int need, size_t sz) {
  if (need < *cap) return;
  int c = *cap ? *cap : 16;
  while (c <= need)
    c *= 2;
  *p = ag_realloc(*p, (size_t)c * sz);
  *cap = c;
}

void *ag_arena_alloc(ag_arena *a, size_t n) {
  ag_grow((void **)&a->blocks, &a->cap, a->n, sizeof(void *));
  return a->blocks[a->n++] = ag_malloc(n);
}

char *ag_arena_strndup(ag_arena *a, const char *s, size_t n) {
  char *p = ag_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

void *ag_arena_grow(ag_arena *a, void *p, int *cap, int need, size_t sz) {
  if (need < *cap) return p;
  int c = *cap ? *cap : 16;
  while (c <= need)
    c *= 2;
  void *q = ag_arena_alloc(a, (size_t)c * sz);
  if (p) memcpy(q, p, (size_t)*cap * sz);
  *cap = c;
  return q;
}

void ag_arena_free(ag_arena *a) {
  for (int i = 0; i < a->n; i++)
    free(a->blocks[i]);
  free(a->blocks);
  a->blocks = NULL;
  a->n = a->cap = 0;
}
