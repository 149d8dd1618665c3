// expect format: 2: never reads its input 'in'
void k(const double *in, double *out)
{
  out[0] = 1.0;
}
