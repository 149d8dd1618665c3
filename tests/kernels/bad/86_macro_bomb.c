// expect limit: 12: macro expansion too large
#define E()
#define F0() E() E() E() E() E() E() E() E()
#define F1() F0() F0() F0() F0() F0() F0() F0() F0()
#define F2() F1() F1() F1() F1() F1() F1() F1() F1()
#define F3() F2() F2() F2() F2() F2() F2() F2() F2()
#define F4() F3() F3() F3() F3() F3() F3() F3() F3()
#define F5() F4() F4() F4() F4() F4() F4() F4() F4()
#define F6() F5() F5() F5() F5() F5() F5() F5() F5()
void k(const double *in, double *out) {
  out[0] = in[0];
  F6()
}
