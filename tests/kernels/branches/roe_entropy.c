// range: 0.5 1.5
/* 1-D Euler Roe flux from primitive states (rho, u, p) left and right, with Harten's
   entropy fix on every wave speed. */
#include <math.h>
#define GAMMA 1.4

static double harten(double l, double eps) {
  double a = fabs(l);
  if (a < eps)
    return (l * l + eps * eps) / (2 * eps);
  return a;
}

void roe_entropy(const double *in, double *out) {
  double rl = in[0], ul = in[1], pl = in[2], rr = in[3], ur = 0.8 - in[4], pr = in[5];
  double El = pl / (GAMMA - 1) + 0.5 * rl * ul * ul, Er = pr / (GAMMA - 1) + 0.5 * rr * ur * ur;
  double Hl = (El + pl) / rl, Hr = (Er + pr) / rr;
  double sl = sqrt(rl), sr = sqrt(rr), w = sl + sr;
  double u = (sl * ul + sr * ur) / w, H = (sl * Hl + sr * Hr) / w;
  double c = sqrt((GAMMA - 1) * (H - 0.5 * u * u));
  double dr = rr - rl, du = ur - ul, dp = pr - pl, rho = sl * sr;
  double a1 = (dp - rho * c * du) / (2 * c * c), a2 = dr - dp / (c * c),
         a3 = (dp + rho * c * du) / (2 * c * c);
  double eps = 0.2 * c;
  double l1 = harten(u - c, eps), l2 = harten(u, eps), l3 = harten(u + c, eps);
  double fl[3] = {rl * ul, rl * ul * ul + pl, ul * (El + pl)};
  double fr[3] = {rr * ur, rr * ur * ur + pr, ur * (Er + pr)};
  double r1[3] = {1, u - c, H - u * c}, r2[3] = {1, u, 0.5 * u * u}, r3[3] = {1, u + c, H + u * c};
  for (int k = 0; k < 3; k++)
    out[k] = 0.5 * (fl[k] + fr[k]) - 0.5 * (l1 * a1 * r1[k] + l2 * a2 * r2[k] + l3 * a3 * r3[k]);
}
