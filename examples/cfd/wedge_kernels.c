/*
 * Kernels of examples/cfd/wedge.c: the 2-D Euler equations (gamma = 1.4), first-order
 * cell-centred finite volumes on a Cartesian grid (cells hx by hy), backward-Euler pseudo-time
 * stepping. Conserved variables per cell: U = (rho, rho u, rho v, E). The residual of cell
 * (i, j) is
 *   R = (U - U^old) hx hy / dt + hy (Fx(i+1/2) - Fx(i-1/2)) + hx (Fy(j+1/2) - Fy(j-1/2))
 * written as an alphagrad operator:
 *   wedge_time:     cell kernel, width 0: in = U, p = (hx hy/dt, U^old[0..3]) (the constant,
 *                   then the auxiliary vector)
 *   wedge_roe_x:    face kernel in x, width 1: in = (U_west, U_east), p = (hy);
 *                   out = hy * Roe flux in +x
 *   wedge_roe_y:    face kernel in y, width 1: in = (U_south, U_north), p = (hx);
 *                   out = hx * Roe flux in +y (the x flux with the velocities swapped)
 * boundary faces (in = the boundary cell):
 *   wedge_inflow_x: low x (left, supersonic inflow): hy * Roe flux between the freestream
 *                   state p[1..4] (outside, west) and the cell (east); p = (hy, U_inf[0..3])
 *   wedge_outflow_x: high x (right, supersonic outflow, transmissive): hy * Fx(U); p = (hy)
 *   wedge_wall_y:   low y (bottom, the reflecting wall): hx * (0, 0, p, 0) with the pressure
 *                   of the cell; p = (hx)
 *   wedge_farfield_y: high y (top, inflow of the freestream): hx * Roe flux between the cell
 *                   (south) and the freestream (north); p = (hx, U_inf[0..3])
 *
 * The Roe flux (with Harten's entropy fix, branch-free) is that of roe2d.h.
 */
/* alphagrad-test-point: 1.0, 0.1, 0.05, 2.5, 0.9, 0.12, -0.03, 2.2 */
#include "roe2d.h"

void wedge_time(const double *in, double *out, const double *p) {
  for (int c = 0; c < 4; c++)
    out[c] = (in[c] - p[1 + c]) * p[0];
}

void wedge_roe_x(const double *in, double *out, const double *p) {
  roe2d_flux(in, in + 4, 1, p[0], out);
}

void wedge_roe_y(const double *in, double *out, const double *p) {
  roe2d_flux_y(in, in + 4, 1, p[0], out);
}

/* left boundary: the freestream enters from the west */
void wedge_inflow_x(const double *in, double *out, const double *p) {
  double uinf[4] = {p[1], p[2], p[3], p[4]};
  roe2d_flux(uinf, in, 1, p[0], out);
}

/* right boundary: supersonic outflow, the physical flux of the cell */
void wedge_outflow_x(const double *in, double *out, const double *p) {
  double un = in[1] / in[0];
  double pr = roe2d_pressure(in);
  out[0] = p[0] * in[1];
  out[1] = p[0] * (in[1] * un + pr);
  out[2] = p[0] * in[2] * un;
  out[3] = p[0] * un * (in[3] + pr);
}

/* bottom boundary: the reflecting wall y = 0, no mass or energy through it, only pressure */
void wedge_wall_y(const double *in, double *out, const double *p) {
  out[0] = 0.0;
  out[1] = 0.0;
  out[2] = p[0] * roe2d_pressure(in);
  out[3] = 0.0;
}

/* top boundary: the freestream (north of the face) against the cell (south) */
void wedge_farfield_y(const double *in, double *out, const double *p) {
  double uinf[4] = {p[1], p[2], p[3], p[4]};
  roe2d_flux_y(in, uinf, 1, p[0], out);
}
