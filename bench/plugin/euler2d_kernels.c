/*
 * Kernels of the 2-D compressible Euler equations (gamma = 1.4) for the plugin benchmark
 * bench/plugin/bench_euler2d.c: first-order cell-centred finite volumes on a uniform grid
 * (h = dx = dy), backward-Euler (pseudo-)time stepping. Conserved variables per cell:
 * U = (rho, rho u, rho v, E). The residual of cell (i, j), divided by h, is
 *   R = (U - U^old) h/dt + Fx(i+1/2) - Fx(i-1/2) + Fy(j+1/2) - Fy(j-1/2)
 *
 *   euler2d_time:  cell kernel, stencil width 0: in = U, p = (h/dt, U^old[0..3])
 *   euler2d_roe_x: face kernel in x, width 1: in = (U_west, U_east), out = Roe flux in +x
 *   euler2d_roe_y: face kernel in y, width 1: in = (U_south, U_north), out = Roe flux in +y:
 *                  the x flux with the two velocity components swapped
 *
 * The Roe flux (with Harten's entropy fix on all four waves, branch-free) is that of
 * examples/cfd/roe2d.h, shared with the wedge example.
 * The application #includes this file for its own residual.
 */
/* alphagrad-test-point: 1.0, 0.1, 0.05, 2.5, 0.9, 0.12, -0.03, 2.2 */
#include "../../examples/cfd/roe2d.h"

void euler2d_time(const double *in, double *out, const double *p) {
  for (int c = 0; c < 4; c++)
    out[c] = (in[c] - p[1 + c]) * p[0];
}

void euler2d_roe_x(const double *in, double *out, const double *p) {
  (void)p;
  roe2d_flux(in, in + 4, 0, 0.0, out);
}

void euler2d_roe_y(const double *in, double *out, const double *p) {
  (void)p;
  roe2d_flux_y(in, in + 4, 0, 0.0, out);
}
