// expect format: 2: 'out[1]' is never assigned
void k(const double *in, double *out)
{
  out[0] = in[0];
  out[2] = in[1];
}
