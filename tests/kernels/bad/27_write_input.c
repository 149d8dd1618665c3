// expect format: 4: assignment to the kernel's read-only argument 'in'
void k(const double *in, double *out) {
  out[0] = in[0];
  in[1] = 2.0;
}
