/* The exact solution of the 1-D Riemann problem for the Euler equations (Toro, "Riemann
   Solvers and Numerical Methods for Fluid Dynamics", chapter 4): the star-region pressure
   and velocity by Newton's method, and the density of the self-similar solution. Shared by
   examples/cfd/sod.c and tests/plugin/euler1d.c; plain C (libm), no PETSc. */
#ifndef RIEMANN_EXACT_H
#define RIEMANN_EXACT_H

#include <math.h>

typedef struct {
  double r, u, p;
} Prim;

static void pfun(double p, const Prim *k, double g, double *f, double *df) {
  double c = sqrt(g * k->p / k->r);
  if (p <= k->p) {
    double q = pow(p / k->p, (g - 1) / (2 * g));
    *f = 2 * c / (g - 1) * (q - 1);
    *df = 1 / (k->r * c) * pow(p / k->p, -(g + 1) / (2 * g));
  } else {
    double A = 2 / ((g + 1) * k->r), B = (g - 1) / (g + 1) * k->p, s = sqrt(A / (B + p));
    *f = (p - k->p) * s;
    *df = (1 - (p - k->p) / (2 * (B + p))) * s;
  }
}

static void riemann_star(const Prim *L, const Prim *R, double g, double *ps, double *us) {
  double p = 0.5 * (L->p + R->p), fl, fr, dfl, dfr;
  for (int it = 0; it < 100; it++) {
    pfun(p, L, g, &fl, &dfl);
    pfun(p, R, g, &fr, &dfr);
    double pn = p - (fl + fr + R->u - L->u) / (dfl + dfr);
    if (pn < 1e-12) pn = 1e-12;
    if (fabs(pn - p) < 1e-14 * (pn + p)) {
      p = pn;
      break;
    }
    p = pn;
  }
  pfun(p, L, g, &fl, &dfl);
  pfun(p, R, g, &fr, &dfr);
  *ps = p;
  *us = 0.5 * (L->u + R->u) + 0.5 * (fr - fl);
}

/* the density at x/t = s */
static double riemann_density(const Prim *L, const Prim *R, double g, double ps, double us,
                              double s) {
  double cl = sqrt(g * L->p / L->r), cr = sqrt(g * R->p / R->r);
  double gm = (g - 1) / (g + 1);
  if (s <= us) { /* left of the contact */
    if (ps > L->p) {
      double sh = L->u - cl * sqrt((g + 1) / (2 * g) * ps / L->p + (g - 1) / (2 * g));
      return s <= sh ? L->r : L->r * (ps / L->p + gm) / (gm * ps / L->p + 1);
    }
    double csl = cl * pow(ps / L->p, (g - 1) / (2 * g));
    double shl = L->u - cl, stl = us - csl;
    if (s <= shl) return L->r;
    if (s >= stl) return L->r * pow(ps / L->p, 1 / g);
    return L->r * pow(2 / (g + 1) + gm / cl * (L->u - s), 2 / (g - 1));
  }
  if (ps > R->p) {
    double sh = R->u + cr * sqrt((g + 1) / (2 * g) * ps / R->p + (g - 1) / (2 * g));
    return s >= sh ? R->r : R->r * (ps / R->p + gm) / (gm * ps / R->p + 1);
  }
  double csr = cr * pow(ps / R->p, (g - 1) / (2 * g));
  double shr = R->u + cr, str = us + csr;
  if (s >= shr) return R->r;
  if (s <= str) return R->r * pow(ps / R->p, 1 / g);
  return R->r * pow(2 / (g + 1) - gm / cr * (R->u - s), 2 / (g - 1));
}

#endif
