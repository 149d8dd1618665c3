/* Owns the measured comparison of compiled orders (timing.h). */
#include "tune/timing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"

void ag_tune_opts_default(ag_tune_opts *o) {
  memset(o, 0, sizeof *o);
  o->n = 4104;
  o->rounds = 7;
  o->seconds = 1.5;
}

typedef struct {
  int n, ni, np, no, ne;
  double *in, *p, *out, *jac;   /* structure of arrays, n elements */
  double *ein, *ep, *eout, *ej; /* element-major copies and one element's outputs */
} tbuf;

static void tbuf_fill(tbuf *b, const ag_tune_opts *o) {
  for (int k = 0; k < b->n; k++) {
    const int s = o->nsample > 0 ? k % o->nsample : 0;
    const double f = 1 + 1e-3 * sin(0.37 * k);
    for (int i = 0; i < b->ni; i++) {
      double v = o->x ? o->x[(size_t)s * b->ni + i] * f : 1 + 0.25 * sin(i + 0.7 * k);
      b->in[(size_t)i * b->n + k] = b->ein[(size_t)k * b->ni + i] = v;
    }
    for (int i = 0; i < b->np; i++) {
      double v = o->p ? o->p[(size_t)s * b->np + i] * f : 1 + 0.25 * cos(i + 0.3 * k);
      b->p[(size_t)i * b->n + k] = b->ep[(size_t)k * b->np + i] = v;
    }
  }
}

/* Seconds per element of one pass: the batch entry point (which = 0) or n single calls. */
static double pass(const ag_jit *j, tbuf *b, int which, int reps) {
  double t0 = ag_now();
  for (int r = 0; r < reps; r++) {
    if (which == 0) {
      j->batch(b->n, b->in, b->p, b->out, b->jac);
    } else {
      for (int k = 0; k < b->n; k++)
        j->fn(b->ein + (size_t)k * b->ni, b->ep + (size_t)k * b->np, b->eout, b->ej);
    }
  }
  return (ag_now() - t0) / ((double)reps * b->n);
}

int ag_tune_time_all(ag_jit *const *jits, int k, const ag_tune_opts *o, ag_tune_time *t,
                     ag_error *err) {
  ag_tune_opts def;
  if (!o) ag_tune_opts_default(&def), o = &def;
  if (k <= 0) return 0;
  tbuf b = {.n = o->n > 0 ? o->n : 4104, .ni = jits[0]->ni, .np = jits[0]->np, .no = jits[0]->no};
  for (int c = 0; c < k; c++) {
    if (jits[c]->ni != b.ni || jits[c]->np != b.np || jits[c]->no != b.no)
      return ag_fail(err, "tune: candidate %d is a program of another graph", c);
    if (jits[c]->nentries > b.ne) b.ne = jits[c]->nentries;
  }
  const size_t n = (size_t)b.n;
  b.in = ag_malloc((n * b.ni + 1) * sizeof(double));
  b.p = ag_malloc((n * b.np + 1) * sizeof(double));
  b.out = ag_malloc((n * b.no + 1) * sizeof(double));
  b.jac = ag_malloc((n * b.ne + 1) * sizeof(double));
  b.ein = ag_malloc((n * b.ni + 1) * sizeof(double));
  b.ep = ag_malloc((n * b.np + 1) * sizeof(double));
  b.eout = ag_malloc(((size_t)b.no + 1) * sizeof(double));
  b.ej = ag_malloc(((size_t)b.ne + 1) * sizeof(double));
  tbuf_fill(&b, o);
  /* repetitions per measurement: the budget over rounds x candidates x 2 entry points */
  const int rounds = o->rounds > 0 ? o->rounds : 7;
  const double budget = (o->seconds > 0 ? o->seconds : 1.5) / (rounds * k * 2.0);
  int *reps = ag_malloc((size_t)2 * k * sizeof(int));
  for (int c = 0; c < k; c++)
    for (int w = 0; w < 2; w++) {
      double s = pass(jits[c], &b, w, 1) * b.n; /* also warms the code and the data */
      int r = s > 0 ? (int)(budget / s) : 1;
      reps[2 * c + w] = r < 1 ? 1 : (r > 100000 ? 100000 : r);
    }
  for (int c = 0; c < k; c++)
    t[c].ns_batch = t[c].ns_one = INFINITY;
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < k; i++) {
      const int c = (i + r) % k;
      for (int w = 0; w < 2; w++) {
        double s = pass(jits[c], &b, w, reps[2 * c + w]) * 1e9;
        double *dst = w ? &t[c].ns_one : &t[c].ns_batch;
        if (s < *dst) *dst = s;
      }
    }
  for (int c = 0; c < k; c++)
    t[c].score = sqrt(t[c].ns_batch * t[c].ns_one);
  free(reps);
  free(b.in);
  free(b.p);
  free(b.out);
  free(b.jac);
  free(b.ein);
  free(b.ep);
  free(b.eout);
  free(b.ej);
  return 0;
}

int ag_tune_pick(const ag_tune_time *t, int k, int fwd, int rev, double margin) {
  int best = 0;
  for (int c = 1; c < k; c++)
    if (t[c].score < t[best].score) best = c;
  int base = -1;
  if (fwd >= 0 && fwd < k) base = fwd;
  if (rev >= 0 && rev < k && (base < 0 || t[rev].score < t[base].score)) base = rev;
  if (base < 0 || best == fwd || best == rev) return best;
  return t[best].score < margin * t[base].score ? best : base;
}
