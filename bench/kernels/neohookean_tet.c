/*
 * Internal-force residual of a linear tetrahedral finite element of a compressible
 * Neo-Hookean solid (total Lagrangian), the element kernel of a nonlinear elasticity
 * solver whose Newton iteration needs the element stiffness d f / d u:
 *
 *   in  = u[12]: displacements of the 4 nodes (x, y, z each) [m]
 *   p   = (mu, lambda [Pa], X[12]: reference coordinates of the 4 nodes [m])
 *   out = f[12] = V0 P grad N: nodal internal forces [N]
 *
 *   F = I + grad u,  C = F^T F,  J = det F,
 *   S = mu (I - C^-1) + lambda ln(J) C^-1   (second Piola-Kirchhoff stress),
 *   P = F S  (first Piola-Kirchhoff stress),  f_a = V0 P grad N_a.
 *
 * The shape-function gradients and the reference volume are computed from the parameters
 * (constants for differentiation: no vertices, evaluated at run time).
 */
/* alphagrad-test-point: 0.001, -0.002, 0.0005, 0.003, 0.001, -0.001, -0.002, 0.004, 0.002, 0.0015,
 * -0.001, 0.003 */
/* peers-test-params: 4e5, 2e6, 0, 0, 0, 0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1 */
#include <math.h>

static double det3(const double *a) {
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) +
         a[2] * (a[3] * a[7] - a[4] * a[6]);
}

/* inverse of a 3x3 matrix (row-major) given its determinant */
static void inv3(const double *a, double det, double *b) {
  b[0] = (a[4] * a[8] - a[5] * a[7]) / det;
  b[1] = (a[2] * a[7] - a[1] * a[8]) / det;
  b[2] = (a[1] * a[5] - a[2] * a[4]) / det;
  b[3] = (a[5] * a[6] - a[3] * a[8]) / det;
  b[4] = (a[0] * a[8] - a[2] * a[6]) / det;
  b[5] = (a[2] * a[3] - a[0] * a[5]) / det;
  b[6] = (a[3] * a[7] - a[4] * a[6]) / det;
  b[7] = (a[1] * a[6] - a[0] * a[7]) / det;
  b[8] = (a[0] * a[4] - a[1] * a[3]) / det;
}

void neohookean_tet(const double in[12], double out[12], const double p[14]) {
  const double mu = p[0], lambda = p[1];
  const double *X = p + 2;

  /* reference geometry: D = [X1 - X0, X2 - X0, X3 - X0] (columns), grad N = rows of D^-1 */
  double D[9], Dinv[9], dN[4][3];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      D[3 * r + c] = X[3 * (c + 1) + r] - X[r];
  double detD = det3(D);
  inv3(D, detD, Dinv);
  for (int k = 0; k < 3; k++) {
    dN[0][k] = -(Dinv[k] + Dinv[3 + k] + Dinv[6 + k]);
    for (int a = 1; a < 4; a++)
      dN[a][k] = Dinv[3 * (a - 1) + k];
  }
  double V0 = detD / 6.0;

  /* deformation gradient F = I + sum_a u_a (x) grad N_a */
  double F[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double g = in[i] * dN[0][j];
      for (int a = 1; a < 4; a++)
        g += in[3 * a + i] * dN[a][j];
      F[3 * i + j] = i == j ? 1.0 + g : g;
    }

  /* right Cauchy-Green tensor, its inverse, J */
  double C[9], Ci[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double s = F[i] * F[j];
      for (int k = 1; k < 3; k++)
        s += F[3 * k + i] * F[3 * k + j];
      C[3 * i + j] = s;
    }
  double J = det3(F);
  inv3(C, J * J, Ci);

  /* stresses */
  double lnJ = log(J);
  double S[9], P[9];
  for (int i = 0; i < 9; i++) {
    double iden = (i == 0 || i == 4 || i == 8) ? 1.0 : 0.0;
    S[i] = iden != 0.0 ? mu * (1.0 - Ci[i]) + lambda * lnJ * Ci[i] : (lambda * lnJ - mu) * Ci[i];
  }
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double s = F[3 * i] * S[j];
      for (int k = 1; k < 3; k++)
        s += F[3 * i + k] * S[3 * k + j];
      P[3 * i + j] = s;
    }

  /* nodal forces */
  for (int a = 0; a < 4; a++)
    for (int i = 0; i < 3; i++) {
      double s = P[3 * i] * dN[a][0] + P[3 * i + 1] * dN[a][1] + P[3 * i + 2] * dN[a][2];
      out[3 * a + i] = V0 * s;
    }
}
