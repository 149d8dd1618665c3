// range: -2 2
/* First-order upwind fluxes: Burgers (f = u^2/2) with the Godunov/upwind switch, linear
   advection with a speed that is a parameter, and a Rusanov dissipation through ?:. */
#include <math.h>

static double burgers_upwind(double ul, double ur) {
  double s = 0.5 * (ul + ur); /* shock speed */
  if (s > 0)
    return 0.5 * ul * ul;
  else
    return 0.5 * ur * ur;
}

void upwind(const double *in, double *out, const double *p) {
  double ul = in[0], ur = in[1], ql = in[2], qr = in[3];
  double a = p[0];
  out[0] = burgers_upwind(ul, ur);
  double f;
  if (a >= 0)
    f = a * ql;
  else
    f = a * qr;
  out[1] = f;
  double smax = fabs(ul) > fabs(ur) ? fabs(ul) : fabs(ur);
  out[2] = 0.25 * (ul * ul + ur * ur) - 0.5 * smax * (ur - ul);
}
