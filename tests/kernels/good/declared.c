/* Declared array sizes fix the numbers of inputs, outputs and parameters: in[4] although
   in[3] is never read (a stencil point the formula does not use), p[2] although p[1] is
   never read. */
#define NI 4
void declared(const double in[NI], double out[2], const double p[2]) {
  out[0] = in[0] * in[1] + p[0];
  out[1] = in[2] - in[0];
}
