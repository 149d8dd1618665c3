/*
 * Kernels whose Jacobian is not finite at ex5's initial guess (tests/plugin/test_petsc_ex5.sh):
 * the boundary row sqrt(u) has derivative 1/(2 sqrt(u)) = inf where u = 0 (ex5's boundary).
 * The plugin must name the kernel and the cell and tell the SNES (never a silent inf).
 */
/* alphagrad-test-point: 0.1, 0.2, 0.3, 0.25, 0.15 */
#include <math.h>

void nf_cell(const double *in, double *out, const double *p) {
  out[0] = (4 * in[2] - in[0] - in[1] - in[3] - in[4]) - p[0] * in[2];
}

void nf_boundary(const double *in, double *out, const double *p) {
  (void)p;
  out[0] = sqrt(in[0]);
}
