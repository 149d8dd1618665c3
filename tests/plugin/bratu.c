/*
 * The 2-D Bratu problem -Laplace(u) - lambda exp(u) = 0 on the unit square, u = 0 on the
 * boundary, five-point finite differences scaled as in PETSc's SNES tutorial ex5:
 *
 *   bratu:          interior cell, star stencil of width 1
 *                   in = (u_south, u_west, u, u_east, u_north)
 *                   p  = (hy/hx, hx/hy, hx*hy*lambda)
 *   bratu_boundary: boundary cell (Dirichlet row), in = (u), same p
 */
/* alphagrad-test-point: 0.1, 0.2, 0.3, 0.25, 0.15 */
#include <math.h>

void bratu(const double *in, double *out, const double *p) {
  double us = in[0], uw = in[1], u = in[2], ue = in[3], un = in[4];
  out[0] = (2.0 * u - uw - ue) * p[0] + (2.0 * u - us - un) * p[1] - p[2] * exp(u);
}

void bratu_boundary(const double *in, double *out, const double *p) {
  out[0] = 2.0 * (p[0] + p[1]) * in[0];
}
