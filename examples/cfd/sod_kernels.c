/*
 * Kernels of examples/cfd/sod.c: the 1-D Euler equations (gamma = 1.4), cell-centred finite
 * volumes, backward Euler in time. Conserved variables per cell: U = (rho, rho u, E). The
 * residual of cell i (divided by nothing: dx multiplies the time term) is
 *   R_i = (U_i - U_i^old) dx/dt + F(i+1/2) - F(i-1/2)
 * written as an alphagrad operator:
 *   sod_time_ts:   the time term of examples/cfd/sod.c, which PETSc's TS steps (an IFunction
 *                  operator, AGOperatorSetIFunction): cell kernel, stencil width 0:
 *                  in = (U_i, dU_i/dt), p = (dx): out = dx dU_i/dt
 *   sod_time:      the same with hand-written backward Euler (tests/plugin/euler1d.c): cell
 *                  kernel, stencil width 0: in = U_i,
 *                  p = (dx/dt, U_i^old[0..2])  (a constant, then the auxiliary vector)
 *   sod_roe:       face kernel in x, width 1: in = (U_L, U_R), out = the Roe flux
 *   sod_flux_low:  low boundary face (transmissive): in = U_0, out = F(U_0)
 *   sod_flux_high: high boundary face (transmissive): in = U_{N-1}, out = F(U_{N-1})
 *
 * Roe's flux with Harten's entropy fix on all three waves, branch-free:
 *   |l|_fix = |l| + (d - min(|l|, d))^2 / (2 d),  d = EFIX * a_Roe
 * (|l| for |l| >= d, (l^2 + d^2) / (2 d) below): continuously differentiable, also at l = 0,
 * so Newton converges quadratically and finite-difference checks are meaningful.
 * (After tests/plugin/euler1d_kernels.c.)
 */
/* alphagrad-test-point: 1.0, 0.1, 2.5, 0.125, 0.02, 0.25 */
#include <math.h>

static const double GAM = 1.4;  /* ratio of specific heats */
static const double EFIX = 0.2; /* entropy-fix width, a fraction of the Roe sound speed */

/* pressure (gamma - 1) (E - (rho u)^2 / (2 rho)) */
static double sod_pressure(double r, double m, double e) {
  return (GAM - 1.0) * (e - 0.5 * m * m / r);
}

/* physical flux F(U) = (rho u, rho u^2 + p, u (E + p)) */
static void sod_phys_flux(const double *u, double *f) {
  double v = u[1] / u[0];
  double p = sod_pressure(u[0], u[1], u[2]);
  f[0] = u[1];
  f[1] = u[1] * v + p;
  f[2] = v * (u[2] + p);
}

/* Harten's entropy fix of |l| with width d, branch-free */
static double sod_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

void sod_time_ts(const double in[6], double out[3], const double p[1]) {
  for (int c = 0; c < 3; c++)
    out[c] = in[3 + c] * p[0];
}

void sod_time(const double *in, double *out, const double *p) {
  for (int c = 0; c < 3; c++)
    out[c] = (in[c] - p[1 + c]) * p[0];
}

/* Roe's flux 1/2 (F(UL) + F(UR)) - 1/2 sum_k |l_k| alpha_k r_k */
void sod_roe(const double *in, double *out, const double *p) {
  (void)p;
  const double *ul = in, *ur = in + 3;
  double fl[3], fr[3];
  sod_phys_flux(ul, fl);
  sod_phys_flux(ur, fr);
  double rl = ul[0], rr = ur[0];
  double vl = ul[1] / rl, vr = ur[1] / rr;
  double pl = sod_pressure(ul[0], ul[1], ul[2]);
  double pr = sod_pressure(ur[0], ur[1], ur[2]);
  double hl = (ul[2] + pl) / rl, hr = (ur[2] + pr) / rr;
  double sl = sqrt(rl), sr = sqrt(rr);
  double rho = sl * sr; /* Roe-averaged density */
  double u = (sl * vl + sr * vr) / (sl + sr);
  double h = (sl * hl + sr * hr) / (sl + sr);
  double a2 = (GAM - 1.0) * (h - 0.5 * u * u);
  double a = sqrt(a2);
  double dr = rr - rl, dv = vr - vl, dp = pr - pl;
  double al1 = (dp - rho * a * dv) / (2.0 * a2); /* wave u - a */
  double al2 = dr - dp / a2;                     /* wave u */
  double al3 = (dp + rho * a * dv) / (2.0 * a2); /* wave u + a */
  double d = EFIX * a;
  double l1 = sod_absfix(u - a, d), l2 = sod_absfix(u, d), l3 = sod_absfix(u + a, d);
  double w1 = l1 * al1, w2 = l2 * al2, w3 = l3 * al3;
  out[0] = 0.5 * (fl[0] + fr[0]) - 0.5 * (w1 + w2 + w3);
  out[1] = 0.5 * (fl[1] + fr[1]) - 0.5 * (w1 * (u - a) + w2 * u + w3 * (u + a));
  out[2] = 0.5 * (fl[2] + fr[2]) - 0.5 * (w1 * (h - u * a) + w2 * 0.5 * u * u + w3 * (h + u * a));
}

/* transmissive boundary faces: the physical flux of the boundary cell */
void sod_flux_low(const double *in, double *out, const double *p) {
  (void)p;
  sod_phys_flux(in, out);
}

void sod_flux_high(const double *in, double *out, const double *p) {
  (void)p;
  sod_phys_flux(in, out);
}

/* ------------------------------------------------------------------------------------- */
/* Second order (sod -scheme minmod|vanleer): MUSCL reconstruction of the primitive        */
/* variables with a slope limiter, then Roe's flux with Harten's entropy fix, written as    */
/* people write them: a struct for the state, an enum for the limiter, branches and early   */
/* returns on the data (alphagrad traces both sides of each branch into selects).           */
/* Face kernels in x, width 2: in = (U_{i-1}, U_i, U_{i+1}, U_{i+2}), out = F(i+1/2).       */
/* ------------------------------------------------------------------------------------- */

typedef struct {
  double rho, u, p;
} SodPrim;

enum SodLimiter { SOD_MINMOD, SOD_VANLEER };

static SodPrim sod_prim(const double *U) {
  SodPrim w = {U[0], U[1] / U[0], sod_pressure(U[0], U[1], U[2])};
  return w;
}

/* the limited slope from the one-sided differences a (backward) and b (forward) */
static double sod_limit(enum SodLimiter lim, double a, double b) {
  if (a * b <= 0) return 0.0; /* an extremum: first order */
  if (lim == SOD_VANLEER) return 2.0 * a * b / (a + b);
  if (fabs(a) < fabs(b)) return a;
  return b;
}

/* the state at the face of cell c towards its neighbour n, from (m, c, n): side = +1 for the
   right face of c, -1 for its left face */
static SodPrim sod_face_state(enum SodLimiter lim, SodPrim m, SodPrim c, SodPrim n, double side) {
  SodPrim w;
  double dm, dp;
  dm = side > 0 ? c.rho - m.rho : n.rho - c.rho;
  dp = side > 0 ? n.rho - c.rho : c.rho - m.rho;
  w.rho = c.rho + 0.5 * side * sod_limit(lim, dm, dp);
  dm = side > 0 ? c.u - m.u : n.u - c.u;
  dp = side > 0 ? n.u - c.u : c.u - m.u;
  w.u = c.u + 0.5 * side * sod_limit(lim, dm, dp);
  dm = side > 0 ? c.p - m.p : n.p - c.p;
  dp = side > 0 ? n.p - c.p : c.p - m.p;
  w.p = c.p + 0.5 * side * sod_limit(lim, dm, dp);
  return w;
}

/* Harten's entropy fix, as usually written: |l| outside the band, a parabola inside it
   (continuously differentiable at |l| = d) */
static double sod_harten(double l, double d) {
  double a = fabs(l);
  if (a < d) return (a * a + d * d) / (2.0 * d);
  return a;
}

static void sod_roe_prim(const SodPrim *L, const SodPrim *R, double *out) {
  double El = L->p / (GAM - 1.0) + 0.5 * L->rho * L->u * L->u;
  double Er = R->p / (GAM - 1.0) + 0.5 * R->rho * R->u * R->u;
  double hl = (El + L->p) / L->rho, hr = (Er + R->p) / R->rho;
  double sl = sqrt(L->rho), sr = sqrt(R->rho);
  double rho = sl * sr;
  double u = (sl * L->u + sr * R->u) / (sl + sr);
  double h = (sl * hl + sr * hr) / (sl + sr);
  double a2 = (GAM - 1.0) * (h - 0.5 * u * u), a = sqrt(a2);
  double dr = R->rho - L->rho, dv = R->u - L->u, dp = R->p - L->p;
  double al1 = (dp - rho * a * dv) / (2.0 * a2), al2 = dr - dp / a2,
         al3 = (dp + rho * a * dv) / (2.0 * a2);
  double d = EFIX * a;
  double w1 = sod_harten(u - a, d) * al1, w2 = sod_harten(u, d) * al2,
         w3 = sod_harten(u + a, d) * al3;
  double fl[3] = {L->rho * L->u, L->rho * L->u * L->u + L->p, L->u * (El + L->p)};
  double fr[3] = {R->rho * R->u, R->rho * R->u * R->u + R->p, R->u * (Er + R->p)};
  out[0] = 0.5 * (fl[0] + fr[0]) - 0.5 * (w1 + w2 + w3);
  out[1] = 0.5 * (fl[1] + fr[1]) - 0.5 * (w1 * (u - a) + w2 * u + w3 * (u + a));
  out[2] = 0.5 * (fl[2] + fr[2]) - 0.5 * (w1 * (h - u * a) + w2 * 0.5 * u * u + w3 * (h + u * a));
}

static void sod_muscl(enum SodLimiter lim, const double *in, double *out) {
  SodPrim w[4];
  for (int k = 0; k < 4; k++)
    w[k] = sod_prim(in + 3 * k);
  SodPrim L = sod_face_state(lim, w[0], w[1], w[2], 1.0);
  SodPrim R = sod_face_state(lim, w[1], w[2], w[3], -1.0);
  sod_roe_prim(&L, &R, out);
}

/* alphagrad-test-point: 1.0, 0.1, 2.5, 0.9, 0.12, 2.3, 0.5, 0.05, 1.2, 0.125, 0.02, 0.25 */
void sod_muscl_minmod(const double in[12], double out[3], const double *p) {
  (void)p;
  sod_muscl(SOD_MINMOD, in, out);
}

void sod_muscl_vanleer(const double in[12], double out[3], const double *p) {
  (void)p;
  sod_muscl(SOD_VANLEER, in, out);
}
