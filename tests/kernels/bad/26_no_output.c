// expect format: 2: never assigns its output 'out'
void k(const double *in, double *out)
{
  double t = in[0] * in[1];
  t = t + 1.0;
}
