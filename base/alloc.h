/* Allocation that aborts with a message on exhaustion: callers never see NULL. */
#ifndef AG_ALLOC_H
#define AG_ALLOC_H
#include <stddef.h>
void *ag_malloc(size_t n);
void *ag_calloc(size_t n, size_t size);
void *ag_realloc(void *p, size_t n);
char *ag_strdup(const char *s);
/* Grows *p (element size sz) so that index `need` fits; *cap is updated. */
void ag_grow(void **p, int *cap, int need, size_t sz);

/* Arena: every allocation is released at once by ag_arena_free. Used by the kernel front
   end so that an error (longjmp) at any depth leaks nothing. */
typedef struct {
  void **blocks;
  int n, cap;
} ag_arena;
void *ag_arena_alloc(ag_arena *a, size_t n);
char *ag_arena_strndup(ag_arena *a, const char *s, size_t n);
/* Grows an arena array: returns a copy of p (n used elements) with room for need+1. */
void *ag_arena_grow(ag_arena *a, void *p, int *cap, int need, size_t sz);
void ag_arena_free(ag_arena *a);
#endif
