/* Operators: integer arithmetic, compound assignment, ++/--, ?: and if on constant
   conditions, logical and bitwise operators on integers, pointer increments. */
#define MODE 2

void ops(const double *in, double *out) {
  int n = 0;
  n++;
  ++n;
  n--;
  n += 4;
  n *= 2;
  n /= 3;
  n -= 1;
  n %= 5;
  double x = in[0];
  x += 1.0;
  x *= in[1];
  x -= 0.5;
  x /= 2.0;
  double y = MODE > 1 ? in[1] : in[0] * 100.0;
  if (MODE == 2)
    y = y * n;
  else
    y = 0.0;
  if (n != 2) {
    out[0] = 0.0;
  } else if (n == 2) {
    out[0] = x + y;
  }
  double z = -in[2];
  z = +z;
  out[1] = n > 1 && MODE < 5 ? z : 1.0 / z;
  int k = (3 > 2) + !0 + (1 ? 4 : 5) + (7 & 3) + (1 << 2) + (8 >> 1) + (5 | 2) + (6 ^ 3) + (~0 + 1);
  out[2] = k * in[2];
  double a[3] = {in[0], in[1], in[2]};
  double *p = a;
  *p++ *= 2.0;
  (*p)--;
  out[3] = a[0] + a[1];
}
