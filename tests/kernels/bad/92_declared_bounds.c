// expect format: 3: index 3 is out of bounds of 'in' (3 elements)
void k(const double in[3], double out[1]) {
  out[0] = in[0] * in[3];
}
