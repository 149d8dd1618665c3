/* Face-flux kernels for the operator conformance test (tests/plugin/test_operator.c).

   face_w<w>_<dof>:   in = 2w cells x dof from the low to the high side, out = dof fluxes;
   facelo_w<w>_<dof>: low boundary face, in = the w cells after the face;
   facehi_w<w>_<dof>: high boundary face, in = the w cells before the face.
   All nonlinear and asymmetric in the cells (a swapped side or a wrong sign shows).
   Parameters: p[0], p[1] constants. */
#include <math.h>

static void face_gen(const double *in, double *out, const double *p, int w, int nd) {
  int n = 2 * w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = p[1] * 0.1 * (c + 1);
    for (int q = 0; q < 2 * w; q++) {
      int i = q * nd + c;
      int j = (i + nd + 1) % n;
      acc += (0.6 + 0.45 * q + 0.1 * c) * in[i] * (1.0 + 0.3 * in[j]) +
             0.07 * (q + 1) * cos(in[i] - 0.2 * q);
    }
    out[c] = p[0] * acc;
  }
}

static void facelo_gen(const double *in, double *out, const double *p, int w, int nd) {
  int n = w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = -0.5 + 0.05 * c;
    for (int q = 0; q < w; q++) {
      int i = q * nd + c;
      acc += (0.8 + 0.3 * q) * in[i] * in[i] + 0.2 * (q + 1) * in[(i + 1) % n];
    }
    out[c] = p[0] * acc + p[1];
  }
}

static void facehi_gen(const double *in, double *out, const double *p, int w, int nd) {
  int n = w * nd;
  for (int c = 0; c < nd; c++) {
    double acc = 0.25 + 0.1 * c;
    for (int q = 0; q < w; q++) {
      int i = q * nd + c;
      acc += (1.1 - 0.4 * q) * exp(0.2 * in[i]) * in[(i + n - 1) % n];
    }
    out[c] = p[0] * acc - 0.3 * p[1];
  }
}

void face_w1_1(const double *in, double *out, const double *p) { face_gen(in, out, p, 1, 1); }
void face_w2_1(const double *in, double *out, const double *p) { face_gen(in, out, p, 2, 1); }
void face_w1_2(const double *in, double *out, const double *p) { face_gen(in, out, p, 1, 2); }
void face_w2_2(const double *in, double *out, const double *p) { face_gen(in, out, p, 2, 2); }
void face_w1_3(const double *in, double *out, const double *p) { face_gen(in, out, p, 1, 3); }
void face_w2_3(const double *in, double *out, const double *p) { face_gen(in, out, p, 2, 3); }

void facelo_w1_2(const double *in, double *out, const double *p) { facelo_gen(in, out, p, 1, 2); }
void facelo_w2_2(const double *in, double *out, const double *p) { facelo_gen(in, out, p, 2, 2); }
void facelo_w1_3(const double *in, double *out, const double *p) { facelo_gen(in, out, p, 1, 3); }
void facelo_w2_3(const double *in, double *out, const double *p) { facelo_gen(in, out, p, 2, 3); }
void facehi_w1_2(const double *in, double *out, const double *p) { facehi_gen(in, out, p, 1, 2); }
void facehi_w2_2(const double *in, double *out, const double *p) { facehi_gen(in, out, p, 2, 2); }
void facehi_w1_3(const double *in, double *out, const double *p) { facehi_gen(in, out, p, 1, 3); }
void facehi_w2_3(const double *in, double *out, const double *p) { facehi_gen(in, out, p, 2, 3); }
