/*
 * The residual of PETSc's SNES tutorial ex19 (src/snes/tutorials/ex19.c: the 2-D driven
 * cavity in velocity-vorticity form, fields (u, v, omega, T) per grid point, upwinded
 * convection) as alphagrad kernels, for running the unmodified tutorial with
 * -snes_jacobian alphagrad from options alone (tests/plugin/test_petsc_ex19.sh). With
 * -snes_jacobian_alphagrad_geometry the operator appends the grid's spacings and the cell's
 * coordinates to the parameters, so one kernel file serves every grid of a hierarchy.
 *
 *   ex19_cell: interior cell, star stencil of width 1, in = the 5 points (south, west,
 *              centre, east, north) x (u, v, omega, T); p = (prandtl, grashof, hx, hy, x, y)
 *   ex19_wall_xlo, _xhi, _ylo, _yhi: the four walls, one-sided: in = the wall cell, then the
 *              cell one step inside (x 4 fields); p = (lid, T_right, hx, hy, x, y), where lid
 *              is ex19's lid velocity (1/(mx my) of the finest grid by default) and T_right
 *              the right wall's temperature ((grashof > 0) in ex19).
 *
 * The walls are Dirichlet for u, v; omega from its definition omega = -du/dy + dv/dx with
 * a one-sided difference into the domain (the cell inside); T Dirichlet on the left and
 * right walls, insulated (T = T inside) at the bottom and top. ex19 writes the left and
 * right walls last, so they own the corners: alphagrad's precedence (xlo, xhi before ylo,
 * yhi) gives the same rows.
 */
/* alphagrad-test-point: 1, 1, 0.1, 0.1, 0.3, 0.4 */
#include <math.h>

#define U     0
#define V     1
#define OMEGA 2
#define TEMP  3

void ex19_cell(const double in[20], double out[4], const double p[6]) {
  double prandtl = p[0], grashof = p[1], hx = p[2], hy = p[3];
  double hydhx = hy / hx, hxdhy = hx / hy;
  const double *s = in, *w = in + 4, *c = in + 8, *e = in + 12, *n = in + 16;
  /* convective coefficients for upwinding */
  double vx = c[U], avx = fabs(vx), vxp = .5 * (vx + avx), vxm = .5 * (vx - avx);
  double vy = c[V], avy = fabs(vy), vyp = .5 * (vy + avy), vym = .5 * (vy - avy);
  double u, uxx, uyy;

  u = c[U];
  uxx = (2.0 * u - w[U] - e[U]) * hydhx;
  uyy = (2.0 * u - s[U] - n[U]) * hxdhy;
  out[U] = uxx + uyy - .5 * (n[OMEGA] - s[OMEGA]) * hx;

  u = c[V];
  uxx = (2.0 * u - w[V] - e[V]) * hydhx;
  uyy = (2.0 * u - s[V] - n[V]) * hxdhy;
  out[V] = uxx + uyy + .5 * (e[OMEGA] - w[OMEGA]) * hy;

  u = c[OMEGA];
  uxx = (2.0 * u - w[OMEGA] - e[OMEGA]) * hydhx;
  uyy = (2.0 * u - s[OMEGA] - n[OMEGA]) * hxdhy;
  out[OMEGA] = uxx + uyy + (vxp * (u - w[OMEGA]) + vxm * (e[OMEGA] - u)) * hy +
               (vyp * (u - s[OMEGA]) + vym * (n[OMEGA] - u)) * hx -
               .5 * grashof * (e[TEMP] - w[TEMP]) * hy;

  u = c[TEMP];
  uxx = (2.0 * u - w[TEMP] - e[TEMP]) * hydhx;
  uyy = (2.0 * u - s[TEMP] - n[TEMP]) * hxdhy;
  out[TEMP] = uxx + uyy +
              prandtl * ((vxp * (u - w[TEMP]) + vxm * (e[TEMP] - u)) * hy +
                         (vyp * (u - s[TEMP]) + vym * (n[TEMP] - u)) * hx);
}

/* bottom wall (j = 0); in = (wall cell, the cell above) */
void ex19_wall_ylo(const double in[8], double out[4], const double p[6]) {
  const double *c = in, *i = in + 4;
  double hy = p[3];
  out[U] = c[U];
  out[V] = c[V];
  out[OMEGA] = c[OMEGA] + (i[U] - c[U]) / hy;
  out[TEMP] = c[TEMP] - i[TEMP];
}

/* top wall (j = my - 1), the lid; in = (wall cell, the cell below) */
void ex19_wall_yhi(const double in[8], double out[4], const double p[6]) {
  const double *c = in, *i = in + 4;
  double lid = p[0], hy = p[3];
  out[U] = c[U] - lid;
  out[V] = c[V];
  out[OMEGA] = c[OMEGA] + (c[U] - i[U]) / hy;
  out[TEMP] = c[TEMP] - i[TEMP];
}

/* left wall (i = 0); in = (wall cell, the cell to its right) */
void ex19_wall_xlo(const double in[8], double out[4], const double p[6]) {
  const double *c = in, *i = in + 4;
  double hx = p[2];
  out[U] = c[U];
  out[V] = c[V];
  out[OMEGA] = c[OMEGA] - (i[V] - c[V]) / hx;
  out[TEMP] = c[TEMP];
}

/* right wall (i = mx - 1); in = (wall cell, the cell to its left) */
void ex19_wall_xhi(const double in[8], double out[4], const double p[6]) {
  const double *c = in, *i = in + 4;
  double tright = p[1], hx = p[2];
  out[U] = c[U];
  out[V] = c[V];
  out[OMEGA] = c[OMEGA] - (c[V] - i[V]) / hx;
  out[TEMP] = c[TEMP] - tright;
}
