// expect unsupported: 4: loop condition depends on the kernel's inputs or parameters: a loop whose trip count depends on data
void k(const double *in, double *out) {
  out[0] = 0.0;
  for (int i = 0; i < in[0]; i++)
    out[0] += in[1];
}
