/*
 * The IFunction of tests/plugin/ts_heat.c (1-D reaction-diffusion, Fisher-KPP:
 * u_t = u_xx + r u (1 - u), u = 0 held at both ends) as alphagrad kernels for an implicit TS:
 * after the stencil's values the kernel takes the cell's time derivative (AGOperatorSetIFunction,
 * or -snes_jacobian alphagrad on the TS's SNES). p = (r, h, x): the constant r, then the
 * geometry the operator appends (-snes_jacobian_alphagrad_geometry).
 *
 *   heat:          interior cell, star stencil of width 1, in = (u_west, u, u_east, u_t)
 *   heat_boundary: boundary cell, in = (u): an algebraic row that reads no time derivative
 *
 * Split (ts_heat -split: F(t, U, U_t) = G(t, U), for IMEX methods):
 *   heat_diffusion:         the IFunction u_t - u_xx, in = (u_west, u, u_east, u_t)
 *   heat_reaction:          the RHS r u (1 - u), in = (u_west, u, u_east); p = (r)
 *   heat_reaction_boundary: the RHS at the ends, 0, in = (u)
 */
/* alphagrad-test-point: 0.1, 0.2, 0.3, 0.25 */
void heat(const double *in, double *out, const double *p) {
  double r = p[0], h = p[1];
  double uw = in[0], u = in[1], ue = in[2], ut = in[3];
  out[0] = ut - (uw - 2 * u + ue) / (h * h) - r * u * (1 - u);
}

void heat_boundary(const double *in, double *out, const double *p) {
  (void)p;
  out[0] = in[0];
}

void heat_diffusion(const double *in, double *out, const double *p) {
  double h = p[1];
  double uw = in[0], u = in[1], ue = in[2], ut = in[3];
  out[0] = ut - (uw - 2 * u + ue) / (h * h);
}

void heat_reaction(const double in[3], double *out, const double *p) {
  double r = p[0], u = in[1];
  out[0] = r * u * (1 - u);
}

void heat_reaction_boundary(const double *in, double *out, const double *p) {
  (void)p;
  out[0] = 0 * in[0];
}
