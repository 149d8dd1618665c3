// range: 0.5 1.5
/* HLL flux for the 1-D shallow-water equations (h, hu) with Davis wave-speed estimates and
   the three-way choice of the flux written as nested ifs and returns in a helper. */
#include <math.h>
#define G 9.81

static double hll(double fl, double fr, double ql, double qr, double sl, double sr) {
  if (0 <= sl) return fl;
  if (0 >= sr) return fr;
  return (sr * fl - sl * fr + sl * sr * (qr - ql)) / (sr - sl);
}

void hll_speeds(const double *in, double *out) {
  double hl = in[0], ul = 6.0 * (in[1] - 1.0), hr = in[2], ur = 6.0 * (in[3] - 1.0);
  double cl = sqrt(G * hl), cr = sqrt(G * hr);
  double sl = ul - cl < ur - cr ? ul - cl : ur - cr;
  double sr;
  if (ul + cl > ur + cr)
    sr = ul + cl;
  else
    sr = ur + cr;
  out[0] = hll(hl * ul, hr * ur, hl, hr, sl, sr);
  out[1] = hll(hl * ul * ul + 0.5 * G * hl * hl, hr * ur * ur + 0.5 * G * hr * hr, hl * ul,
               hr * ur, sl, sr);
}
