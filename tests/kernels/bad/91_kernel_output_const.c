// expect format: 2: the output parameter 'out' must not be const
void k(const double *in, const double *out)
{
  (void)in;
}
