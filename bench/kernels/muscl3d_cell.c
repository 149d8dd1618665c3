/*
 * 3-D second-order (MUSCL, van Albada, Roe) finite-volume cell residual of the Euler
 * equations: see muscl_cell.h. 13 cells x 5 conserved variables in, 5 out;
 * p = (1/dx_1, 1/dx_2, 1/dx_3).
 */
/* alphagrad-test-point:
 * 1.076, -0.1732, -0.1566, -0.1218, 2.765, 0.9872, 0.05001, -0.07857, 0.00286, 2.447,
 * 0.9702, 0.03301, 0.0327, 0.1569, 2.605, 1.086, 0.1548, 0.2132, 0.07439, 2.366, 1.072,
 * 0.1993, 0.1736, 0.02964, 2.64, 0.9422, 0.125, 0.02771, -0.08105, 2.294, 1.071, 0.2098,
 * -0.1762, 0.1287, 2.498, 0.9302, -0.07669, 0.1, 0.1387, 2.291, 1.023, -0.1862, 0.08938,
 * -0.06917, 2.714, 1.096, 0.002377, 0.2186, -0.08345, 2.313, 1.02, -0.1912, -0.1235,
 * -0.03756, 2.581, 0.9312, -0.1704, 0.137, -0.06935, 2.758, 1.079, -0.05276, -0.01709,
 * 0.008666, 2.573 */
/* peers-test-params: 10.0, 10.0, 10.0 */
#define NDIM 3
#include "muscl_cell.h"

void muscl3d_cell(const double in[65], double out[5], const double p[3]) {
  muscl_cell_residual(in, out, p);
}
