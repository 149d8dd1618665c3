// expect unsupported: 3: call to unknown function 'mysolve'
void k(const double *in, double *out) {
  out[0] = mysolve(in[0]);
}
