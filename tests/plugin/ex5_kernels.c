/*
 * The residual of PETSc's SNES tutorial ex5 (src/snes/tutorials/ex5.c, Bratu with the
 * manufactured solution of its default -mms 1) as alphagrad kernels, for running the
 * unmodified tutorial with -snes_jacobian alphagrad from options alone
 * (tests/plugin/test_petsc_ex5.sh). With -snes_jacobian_alphagrad_geometry the operator
 * appends the grid's spacings and the cell's coordinates, so p = (lambda, hx, hy, x, y) on
 * every grid of a multigrid hierarchy or of grid sequencing.
 *
 *   ex5_mms1:          interior cell, star stencil of width 1, in = (u(i,j-1), u(i-1,j),
 *                      u(i,j), u(i+1,j), u(i,j+1))
 *   ex5_mms1_boundary: boundary cell, in = (u), the row 2 (hy/hx + hx/hy) (u - g(x, y))
 *
 * ex5 substitutes the boundary values g for the neighbours of cells next to the boundary
 * (its Jacobian has no boundary columns). Here a mask per neighbour does that: 0 when the
 * neighbour is a boundary point (its coordinate is 0 or 1), 1 otherwise, computed from the
 * coordinates with fmin/fmax (parameters only: the graph is the same for every cell).
 */
/* alphagrad-test-point: 0.1, 0.2, 0.3, 0.25, 0.15 */
#include <math.h>

/* the manufactured solution of ex5's MMSSolution1 and its forcing (MMSForcing1) */
static double g(double x, double y) { return x * (1 - x) * y * (1 - y); }

/* 1 when the neighbour one spacing towards a boundary at distance d is inside, 0 on it */
static double inside(double d, double h) { return fmin(1.0, fmax(0.0, d / h - 1.0)); }

void ex5_mms1(const double *in, double *out, const double *p) {
  double lambda = p[0], hx = p[1], hy = p[2], x = p[3], y = p[4];
  double ms = inside(y, hy), mw = inside(x, hx), me = inside(1.0 - x, hx), mn = inside(1.0 - y, hy);
  double us = ms * in[0] + (1 - ms) * g(x, y - hy);
  double uw = mw * in[1] + (1 - mw) * g(x - hx, y);
  double u = in[2];
  double ue = me * in[3] + (1 - me) * g(x + hx, y);
  double un = mn * in[4] + (1 - mn) * g(x, y + hy);
  double f = 2 * x * (1 - x) + 2 * y * (1 - y) - lambda * exp(g(x, y));
  out[0] = (2.0 * u - uw - ue) * (hy / hx) + (2.0 * u - us - un) * (hx / hy) -
           hx * hy * (lambda * exp(u) + f);
}

void ex5_mms1_boundary(const double *in, double *out, const double *p) {
  double hx = p[1], hy = p[2], x = p[3], y = p[4];
  out[0] = 2.0 * (hy / hx + hx / hy) * (in[0] - g(x, y));
}
