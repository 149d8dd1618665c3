/* The move of the annealers over orders (mcts/anneal.c for scalar graphs, tensor/ for
   tensor graphs): the element at position i goes to position j (60 %: |i - j| <= 8; 20 %:
   anywhere) or the two swap (20 %). Only the window lo..hi of the order changes. */
#ifndef AG_PERM_MOVE_H
#define AG_PERM_MOVE_H

#include <string.h>

#include "base/rng.h"

typedef struct {
  int i, j, lo, hi, swap;
} ag_perm_move;

/* Draws a move over m positions; 0 when the draw is void (j off the ends, or j == i). */
static inline int ag_perm_move_draw(ag_rng *r, int m, ag_perm_move *mv) {
  int i = ag_rng_below(r, m), j;
  int kind = ag_rng_below(r, 10);
  if (kind < 6) {
    int span = 1 + ag_rng_below(r, 8);
    j = ag_rng_below(r, 2) ? i + span : i - span;
    if (j < 0 || j >= m) return 0;
  } else {
    j = ag_rng_below(r, m);
    if (j == i) return 0;
  }
  *mv = (ag_perm_move){i, j, i < j ? i : j, i < j ? j : i, kind >= 8};
  return 1;
}

/* The window cur[lo..hi] as the move leaves it, into win[0 .. hi-lo]. */
static inline void ag_perm_move_window(const ag_perm_move *mv, const int *cur, int *win) {
  const int lo = mv->lo, hi = mv->hi, len = hi - lo + 1;
  memcpy(win, cur + lo, (size_t)len * sizeof(int));
  if (mv->swap) {
    win[0] = cur[hi];
    win[len - 1] = cur[lo];
  } else if (mv->i < mv->j) {
    memmove(win, win + 1, (size_t)(len - 1) * sizeof(int));
    win[len - 1] = cur[mv->i];
  } else {
    memmove(win + 1, win, (size_t)(len - 1) * sizeof(int));
    win[0] = cur[mv->i];
  }
}

#endif
