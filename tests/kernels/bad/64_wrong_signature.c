// expect format: 2: 'k' is not a kernel
void k(const double *in, double out)
{
  out = in[0];
}
