/* Arrays: file-scope const arrays and scalars, 2-D local arrays with initialisers (zero
   fill, open first dimension), nested for loops with continue and break. */
static const double W[2][3] = {{1.0, 2.0, 3.0}, {-1.0, 0.5, 0.25}};
static const double B[] = {0.1, -0.2};
static const int NOUT = 2;

void arrays(const double *in, double *out) {
  double h[2][3] = {{0}};
  double acc[2] = {B[0], B[1]};
  for (int i = 0; i < NOUT; i++) {
    for (int j = 0; j < 3; j++) {
      if (j == 1) continue;
      h[i][j] = W[i][j] * in[j];
      acc[i] += h[i][j];
    }
  }
  double t = 0.0;
  for (int k = 0; k < 10; k++) {
    if (k == 2) break;
    t += in[k] * in[k];
  }
  double m[][2] = {{1, 2}, {3, 4}};
  out[0] = acc[0];
  out[1] = acc[1] + t;
  out[2] = m[1][0] * h[1][2];
}
