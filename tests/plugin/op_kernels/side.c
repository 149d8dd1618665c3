/* One-sided boundary kernels (AGOperatorSetSideKernel) for the operator conformance test
   (tests/plugin/test_operator.c), and the cell kernels of its side-kernel configurations
   that tests/plugin/op_kernels/cell.c does not have.

   side_<cells>_<dof>[_a<aux dof>]: in = <cells> cells x dof values: the boundary cell, then
   the <cells> - 1 cells inward along the side's normal, nearest first; out = dof values.
   scell_<points>_<dof>[_a<aux dof>]: cell kernels, in = <points> stencil points x dof.
   Every kernel is nonlinear in several inputs and asymmetric in the cells and dof (products,
   exp, sin, cos with weights that depend on the position), so that a wrong order of the
   inward cells, a wrong side, a wrong dof interleaving or a wrong parameter layout changes
   the residual. Parameters: p[0], p[1] constants, then the auxiliary vector's values at the
   cell p[2..]. The test #includes this file and calls the same functions for its reference
   residual (the names here must not clash with cell.c and face.c). */
#include <math.h>

/* nc cells x nd dof; na auxiliary values after the two constants */
static void side_gen(const double *in, double *out, const double *p, int nc, int nd, int na) {
  int n = nc * nd;
  for (int c = 0; c < nd; c++) {
    double u = in[c], v = in[(c + 1) % nd];
    double acc = 0.15 * (c + 1);
    for (int q = 1; q < nc; q++) {
      int i = q * nd + c;
      int j = (i + 1 + c) % n;
      acc += (0.9 + 0.37 * q + 0.13 * c) * in[i] * in[j] * (1.0 + 0.2 * u) +
             (0.06 + 0.02 * q) * sin(in[i] - 0.4 * q);
    }
    double a = 0.0;
    for (int k = 0; k < na; k++)
      a += (0.8 + 0.4 * k + 0.2 * c) * p[2 + k] * exp(0.15 * in[(nd + c + k) % n]);
    out[c] = p[0] * (u * exp(0.3 * v) - acc) + p[1] * u * u * (1.0 + 0.1 * c) + a * cos(u);
  }
}

/* np stencil points x nd dof, centre point np / 2; na auxiliary values */
static void scell_gen(const double *in, double *out, const double *p, int np, int nd, int na) {
  int n = np * nd;
  int ctr = np / 2;
  for (int c = 0; c < nd; c++) {
    double acc = 0.05 * (c + 1);
    for (int q = 0; q < np; q++) {
      int i = q * nd + c;
      int j = (i + 2 + c) % n;
      double w = 0.8 + 0.19 * q - 0.006 * q * q + 0.23 * c;
      acc += w * in[i] * (0.5 + in[j]) + 0.04 * cos(in[i] * (1.0 + 0.1 * q));
    }
    double u = in[ctr * nd + c];
    double a = 0.0;
    for (int k = 0; k < na; k++)
      a += (1.0 + 0.3 * k + 0.2 * c) * p[2 + k] * sin(in[ctr * nd + (c + k + 1) % nd]);
    out[c] = p[0] * acc + p[1] * u * exp(-0.2 * u) + a * u;
  }
}

void side_2_1(const double *in, double *out, const double *p) { side_gen(in, out, p, 2, 1, 0); }
void side_3_1(const double *in, double *out, const double *p) { side_gen(in, out, p, 3, 1, 0); }
void side_2_2(const double *in, double *out, const double *p) { side_gen(in, out, p, 2, 2, 0); }
void side_3_2(const double *in, double *out, const double *p) { side_gen(in, out, p, 3, 2, 0); }
void side_2_2_a1(const double *in, double *out, const double *p) { side_gen(in, out, p, 2, 2, 1); }
void side_3_3(const double *in, double *out, const double *p) { side_gen(in, out, p, 3, 3, 0); }

void scell_5_2_a1(const double *in, double *out, const double *p) { scell_gen(in, out, p, 5, 2, 1); }
void scell_27_1(const double *in, double *out, const double *p) { scell_gen(in, out, p, 27, 1, 0); }
