/* Cell kernels for the operator conformance test (tests/plugin/test_operator.c).

   Every kernel is nonlinear and asymmetric in its stencil points and dof, so that any
   wrong ordering of the points, wrong dof interleaving or wrong parameter layout changes
   the residual. Names: cell_<points>_<dof>[_a<aux dof>] (points: the documented number of
   stencil points, in = points x dof values); boundary kernels cellb_<dof>[_a<aux dof>].
   Parameters: p[0], p[1] constants (AGKernelSetParameters), then the auxiliary vector's
   values at the cell p[2..]. The test #includes this file and calls the same functions
   for its reference residual. */
#include <math.h>

static const double CW0 = 0.173, CW1 = 0.0517;

/* np points x nd dof; na auxiliary values after the two constants */
static void cell_gen(const double *in, double *out, const double *p, int np, int nd, int na) {
  int n = np * nd;
  int ctr = np / 2; /* the centre point of a symmetric stencil */
  for (int c = 0; c < nd; c++) {
    double acc = 0.1 * (c + 1);
    for (int q = 0; q < np; q++) {
      int i = q * nd + c;
      int j = (i + 1 + c) % n;
      double w = 1.0 + CW0 * q + CW1 * q * q + 0.29 * c;
      acc += w * in[i] * in[j] + (0.05 + 0.011 * q) * sin(in[i] + 0.3 * q);
    }
    double u = in[ctr * nd + c];
    double a = 0.0;
    for (int k = 0; k < na; k++)
      a += (1.0 + 0.5 * k + 0.25 * c) * p[2 + k] * cos(in[ctr * nd + (c + k) % nd] + 0.1 * k);
    out[c] = p[0] * acc + p[1] * u * u * u + a * exp(0.1 * u);
  }
}

/* boundary (Dirichlet-like) row: in = the cell's nd values */
static void cellb_gen(const double *in, double *out, const double *p, int nd, int na) {
  for (int c = 0; c < nd; c++) {
    double u = in[c], v = in[(c + 1) % nd];
    double a = 0.0;
    for (int k = 0; k < na; k++) a += (0.7 + 0.3 * k + 0.1 * c) * p[2 + k];
    out[c] = p[0] * u * u + (0.7 + 0.2 * c) * v - p[1] * (c + 1) + a * sin(u + 0.2 * c);
  }
}

void cell_1_2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 1, 2, 0); }
void cell_1_2_a1(const double *in, double *out, const double *p) { cell_gen(in, out, p, 1, 2, 1); }
void cell_1_3_a3(const double *in, double *out, const double *p) { cell_gen(in, out, p, 1, 3, 3); }
void cell_3_1(const double *in, double *out, const double *p) { cell_gen(in, out, p, 3, 1, 0); }
void cell_3_2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 3, 2, 0); }
void cell_5_1(const double *in, double *out, const double *p) { cell_gen(in, out, p, 5, 1, 0); }
void cell_5_2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 5, 2, 0); }
void cell_5_3(const double *in, double *out, const double *p) { cell_gen(in, out, p, 5, 3, 0); }
void cell_7_1_a3(const double *in, double *out, const double *p) { cell_gen(in, out, p, 7, 1, 3); }
void cell_9_2_a2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 9, 2, 2); }
void cell_9_3(const double *in, double *out, const double *p) { cell_gen(in, out, p, 9, 3, 0); }
void cell_13_2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 13, 2, 0); }
void cell_25_1(const double *in, double *out, const double *p) { cell_gen(in, out, p, 25, 1, 0); }
void cell_27_2(const double *in, double *out, const double *p) { cell_gen(in, out, p, 27, 2, 0); }
void cell_27_3(const double *in, double *out, const double *p) { cell_gen(in, out, p, 27, 3, 0); }

void cellb_1(const double *in, double *out, const double *p) { cellb_gen(in, out, p, 1, 0); }
void cellb_1_a3(const double *in, double *out, const double *p) { cellb_gen(in, out, p, 1, 3); }
void cellb_2(const double *in, double *out, const double *p) { cellb_gen(in, out, p, 2, 0); }
void cellb_2_a2(const double *in, double *out, const double *p) { cellb_gen(in, out, p, 2, 2); }
void cellb_3(const double *in, double *out, const double *p) { cellb_gen(in, out, p, 3, 0); }
