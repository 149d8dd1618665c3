// expect format: 3: '->' needs a pointer to a struct
void k(const double *in, double *out) {
  out[0] = in->x;
}
