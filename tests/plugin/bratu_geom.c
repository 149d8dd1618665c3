/*
 * The 2-D Bratu problem of bratu.c with the grid's geometry as parameters, so that one
 * kernel serves every grid (multigrid levels, grid sequencing; AGKernelSetGeometry or
 * -snes_jacobian_alphagrad_geometry):
 *
 *   p = (lambda, hx, hy, x, y): the constant lambda, then the geometry the operator appends
 *       (spacings, then the cell's coordinates; unused here)
 *   bratu:          interior cell, star stencil of width 1, in = (u_south, u_west, u, u_east,
 *                   u_north)
 *   bratu_boundary: boundary cell (Dirichlet row), in = (u)
 */
/* alphagrad-test-point: 0.1, 0.2, 0.3, 0.25, 0.15 */
#include <math.h>

void bratu(const double *in, double *out, const double *p) {
  double lambda = p[0], hx = p[1], hy = p[2];
  double us = in[0], uw = in[1], u = in[2], ue = in[3], un = in[4];
  out[0] =
      (2.0 * u - uw - ue) * (hy / hx) + (2.0 * u - us - un) * (hx / hy) - hx * hy * lambda * exp(u);
}

void bratu_boundary(const double *in, double *out, const double *p) {
  double hx = p[1], hy = p[2];
  out[0] = 2.0 * (hy / hx + hx / hy) * in[0];
}
