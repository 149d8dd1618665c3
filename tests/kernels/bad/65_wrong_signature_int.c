// expect unsupported: 2: pointer parameters must point to double
void k(const int *in, double *out)
{
  out[0] = in[0];
}
