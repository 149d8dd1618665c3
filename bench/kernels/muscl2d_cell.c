/*
 * 2-D second-order (MUSCL, van Albada, Roe) finite-volume cell residual of the Euler
 * equations: see muscl_cell.h. 9 cells x 4 conserved variables in, 4 out;
 * p = (1/dx_1, 1/dx_2).
 */
/* alphagrad-test-point:
 * 0.9476, 0.01676, -0.04929, 2.553, 1.025, -0.1782, -0.1996, 2.704, 0.9519, -0.1012,
 * 0.1887, 2.509, 1.067, -0.0101, 0.05937, 2.327, 1.027, 0.1512, 0.009523, 2.632, 1.034,
 * -0.1804, 0.1068, 2.567, 0.9603, -0.1801, 0.1404, 2.514, 1.044, 0.1582, 0.0894, 2.726,
 * 0.979, 0.1178, -0.02169, 2.725 */
/* peers-test-params: 10.0, 10.0 */
#define NDIM 2
#include "muscl_cell.h"

void muscl2d_cell(const double in[36], double out[4], const double p[2]) {
  muscl_cell_residual(in, out, p);
}
