// expect unsupported: 3: returns int values 1 and 2 on the two sides of a branch
static int pick(double x) {
  if (x > 0)
    return 1;
  else
    return 2;
}
void k(const double *in, double *out) {
  out[0] = pick(in[0]) * in[1];
}
