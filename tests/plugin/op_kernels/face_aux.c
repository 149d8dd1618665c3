/* Face kernels that read auxiliary values (AGOperatorSetAuxiliaryFaces) for the operator
   conformance test (tests/plugin/test_operator.c), and the cell kernel of its face-aux
   configurations that tests/plugin/op_kernels/cell.c does not have.

   fa_w<w>_<dof>_a<aux dof>:   interior face, in = 2w cells x dof from the low to the high
                               side; p = 2 constants, the aux values of the face's low cell,
                               then those of its high cell;
   falo_w<w>_<dof>_a<aux dof>: low boundary face, in = the w cells after the face; p = 2
                               constants, then the aux values of the first cell;
   fahi_w<w>_<dof>_a<aux dof>: high boundary face, in = the w cells before the face; p = 2
                               constants, then the aux values of the last cell;
   acell_<points>_<dof>_a<aux dof>: a cell kernel, in = <points> stencil points x dof; p = 2
                               constants, then the cell's aux values.
   The aux values enter nonlinearly and differently for the low and the high cell (the low
   cell's as a * (1 + 0.3 a) times a function of the last cell below the face, the high
   cell's as exp(0.4 b) times another function of the first cell above it), weighted by
   their position in the cell's aux values and mixed across dof, so that swapped cells, a
   wrong cell, a wrong aux dof order or a missing aux value changes the residual. The
   test #includes this file and calls the same functions for its reference residual (the
   names here must not clash with cell.c, face.c and side.c). */
#include <math.h>

/* 2w cells x nd dof, na aux values per cell (low cell p[2..], high cell p[2+na..]) */
static void fa_gen(const double *in, double *out, const double *p, int w, int nd, int na) {
  int n = 2 * w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = p[1] * 0.1 * (c + 1);
    for (int q = 0; q < 2 * w; q++) {
      int i = q * nd + c;
      int j = (i + nd + 1) % n;
      acc += (0.5 + 0.35 * q + 0.1 * c) * in[i] * (1.0 + 0.25 * in[j]) +
             0.06 * (q + 1) * sin(in[i] + 0.15 * q);
    }
    double ul = in[(w - 1) * nd + c], ur = in[w * nd + c];
    double lo = 0.0, hi = 0.0;
    for (int k = 0; k < na; k++) {
      double a = p[2 + (c + k) % na], b = p[2 + na + (c + 2 * k) % na];
      lo += (1.0 + 0.45 * k + 0.1 * c) * a * (1.0 + 0.3 * a);
      hi += (0.6 + 0.25 * k - 0.05 * c) * exp(0.4 * b);
    }
    out[c] = p[0] * acc + lo * (ul * ul + 0.3 * ur) + hi * (sin(ur) + 0.5 * ul * ur);
  }
}

/* low boundary face: w cells x nd dof after the face, na aux values of the first cell */
static void falo_gen(const double *in, double *out, const double *p, int w, int nd, int na) {
  int n = w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = -0.4 + 0.05 * c;
    for (int q = 0; q < w; q++) {
      int i = q * nd + c;
      acc += (0.7 + 0.3 * q) * in[i] * in[i] + 0.2 * (q + 1) * in[(i + 1) % n];
    }
    double a = 0.0;
    for (int k = 0; k < na; k++) {
      double v = p[2 + (c + k) % na];
      a += (0.9 + 0.35 * k + 0.1 * c) * v * exp(0.3 * v);
    }
    out[c] = p[0] * acc + p[1] + a * in[c] * (1.0 + 0.2 * in[(c + 1) % n]);
  }
}

/* high boundary face: w cells x nd dof before the face, na aux values of the last cell */
static void fahi_gen(const double *in, double *out, const double *p, int w, int nd, int na) {
  int n = w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = 0.3 + 0.1 * c;
    for (int q = 0; q < w; q++) {
      int i = q * nd + c;
      acc += (1.1 - 0.35 * q) * exp(0.2 * in[i]) * in[(i + n - 1) % n];
    }
    double u = in[(w - 1) * nd + c];
    double a = 0.0;
    for (int k = 0; k < na; k++) {
      double v = p[2 + (c + 2 * k) % na];
      a += (0.5 + 0.3 * k + 0.15 * c) * cos(v + 0.2 * k) * (1.0 + v * v);
    }
    out[c] = p[0] * acc - 0.3 * p[1] + a * sin(u + 0.1 * c);
  }
}

/* np stencil points x nd dof, centre point np / 2; na aux values of the cell */
static void acell_gen(const double *in, double *out, const double *p, int np, int nd, int na) {
  int n = np * nd;
  int ctr = np / 2;
  for (int c = 0; c < nd; c++) {
    double acc = 0.07 * (c + 1);
    for (int q = 0; q < np; q++) {
      int i = q * nd + c;
      int j = (i + 1 + c) % n;
      acc += (0.9 + 0.21 * q + 0.17 * c) * in[i] * (0.4 + in[j]) + 0.05 * cos(in[i] + 0.2 * q);
    }
    double u = in[ctr * nd + c];
    double a = 0.0;
    for (int k = 0; k < na; k++) {
      double v = p[2 + (c + k) % na];
      a += (1.0 + 0.5 * k + 0.2 * c) * v * (1.0 + 0.4 * v) * exp(0.1 * in[ctr * nd + (c + k) % nd]);
    }
    out[c] = p[0] * acc + p[1] * u * u + a * u;
  }
}

void fa_w1_2_a2(const double *in, double *out, const double *p) { fa_gen(in, out, p, 1, 2, 2); }
void falo_w1_2_a2(const double *in, double *out, const double *p) { falo_gen(in, out, p, 1, 2, 2); }
void fahi_w1_2_a2(const double *in, double *out, const double *p) { fahi_gen(in, out, p, 1, 2, 2); }

void fa_w1_1_a1(const double *in, double *out, const double *p) { fa_gen(in, out, p, 1, 1, 1); }
void fa_w2_1_a1(const double *in, double *out, const double *p) { fa_gen(in, out, p, 2, 1, 1); }
void falo_w1_1_a1(const double *in, double *out, const double *p) { falo_gen(in, out, p, 1, 1, 1); }
void fahi_w1_1_a1(const double *in, double *out, const double *p) { fahi_gen(in, out, p, 1, 1, 1); }
void falo_w2_1_a1(const double *in, double *out, const double *p) { falo_gen(in, out, p, 2, 1, 1); }

void fa_w1_2_a3(const double *in, double *out, const double *p) { fa_gen(in, out, p, 1, 2, 3); }
void fa_w2_2_a3(const double *in, double *out, const double *p) { fa_gen(in, out, p, 2, 2, 3); }
void falo_w1_2_a3(const double *in, double *out, const double *p) { falo_gen(in, out, p, 1, 2, 3); }
void fahi_w1_2_a3(const double *in, double *out, const double *p) { fahi_gen(in, out, p, 1, 2, 3); }
void fahi_w2_2_a3(const double *in, double *out, const double *p) { fahi_gen(in, out, p, 2, 2, 3); }

void acell_3_2_a2(const double *in, double *out, const double *p) {
  acell_gen(in, out, p, 3, 2, 2);
}
