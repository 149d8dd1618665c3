/*
 * Right-hand side of a constant-pressure, adiabatic hydrogen-air reactor: the net molar
 * production rates of a 9-species, 19-reaction H2/O2 mechanism and the temperature rate,
 * the function a stiff ODE solver (CVODE, a BDF or Rosenbrock method) needs together with
 * its Jacobian. Table-driven, as CHEMKIN/Cantera-generated kernels are.
 *
 *   in  = (c[0..8] [mol/m^3], T [K]), species H2 O2 H2O H O OH HO2 H2O2 N2 (N2 inert)
 *   out = (wdot[0..8] [mol/(m^3 s)], dT/dt [K/s])
 *
 * Rate constants k = A T^b exp(-Ea / (Rc T)) (A in CHEMKIN cm-mol-s units, Ea in cal/mol),
 * after the mechanism of Li, Zhao, Kazakov and Dryer (2004), rounded; three-body reactions
 * with enhanced efficiencies, the two pressure-dependent reactions in Lindemann form
 * (without the Troe broadening). Reverse rates from equilibrium constants,
 *   Kc = exp(-sum_i nu_i g_i / (R T)) (p0 / (R T))^(sum_i nu_i),
 * with a constant-cp thermodynamic model per species (formation enthalpy and entropy at
 * 298.15 K, a mean cp): h = hf + cp (T - T0), s = s0 + cp ln(T / T0). The thermodynamic
 * data are representative values for a benchmark, not a validated combustion model.
 *   dT/dt = -sum_i h_i wdot_i / sum_i c_i cp_i
 * Concentrations enter through fmax(c, 0) (the usual guard against small negative
 * iterates); the point of evaluation must have c > 0.
 */
/* alphagrad-test-point: 1.6, 0.8, 1.2, 0.02, 0.015, 0.05, 0.003, 0.0012, 4.5, 1500.0 */
#include <math.h>

#define NS 9  /* species */
#define NR 19 /* reactions */

static const double RU = 8.314462618; /* J/(mol K) */
static const double RC = 1.987204259; /* cal/(mol K) */
static const double P0 = 101325.0;    /* Pa */
static const double T0 = 298.15;      /* K */
static const double CGS = 1e-6;       /* mol/m^3 -> mol/cm^3 */

/* thermodynamic data: formation enthalpy [J/mol], entropy at T0 [J/(mol K)], cp [J/(mol K)] */
static const double HF[NS] = {0.0,     0.0,     -241826.0, 217999.0, 249175.0,
                              37278.0, 12020.0, -135880.0, 0.0};
static const double S0[NS] = {130.68, 205.15, 188.84, 114.72, 161.06,
                              183.74, 229.0,  232.99, 191.61};
static const double CP[NS] = {30.0, 34.0, 41.0, 20.786, 21.0, 31.0, 44.0, 55.0, 32.5};

/* stoichiometric coefficients of reactants (NUF) and products (NUR) */
static const double NUF[NR][NS] = {
    /*         H2 O2 H2O H  O  OH HO2 H2O2 N2 */
    /*  1 */ {0, 1, 0, 1, 0, 0, 0, 0, 0}, /* H + O2 = O + OH */
    /*  2 */ {1, 0, 0, 0, 1, 0, 0, 0, 0}, /* O + H2 = H + OH */
    /*  3 */ {1, 0, 0, 0, 0, 1, 0, 0, 0}, /* H2 + OH = H2O + H */
    /*  4 */ {0, 0, 1, 0, 1, 0, 0, 0, 0}, /* O + H2O = OH + OH */
    /*  5 */ {1, 0, 0, 0, 0, 0, 0, 0, 0}, /* H2 + M = H + H + M */
    /*  6 */ {0, 0, 0, 0, 2, 0, 0, 0, 0}, /* O + O + M = O2 + M */
    /*  7 */ {0, 0, 0, 1, 1, 0, 0, 0, 0}, /* O + H + M = OH + M */
    /*  8 */ {0, 0, 0, 1, 0, 1, 0, 0, 0}, /* H + OH + M = H2O + M */
    /*  9 */ {0, 1, 0, 1, 0, 0, 0, 0, 0}, /* H + O2 (+M) = HO2 (+M) */
    /* 10 */ {0, 0, 0, 1, 0, 0, 1, 0, 0}, /* HO2 + H = H2 + O2 */
    /* 11 */ {0, 0, 0, 1, 0, 0, 1, 0, 0}, /* HO2 + H = OH + OH */
    /* 12 */ {0, 0, 0, 0, 1, 0, 1, 0, 0}, /* HO2 + O = O2 + OH */
    /* 13 */ {0, 0, 0, 0, 0, 1, 1, 0, 0}, /* HO2 + OH = H2O + O2 */
    /* 14 */ {0, 0, 0, 0, 0, 0, 2, 0, 0}, /* HO2 + HO2 = H2O2 + O2 */
    /* 15 */ {0, 0, 0, 0, 0, 0, 0, 1, 0}, /* H2O2 (+M) = OH + OH (+M) */
    /* 16 */ {0, 0, 0, 1, 0, 0, 0, 1, 0}, /* H2O2 + H = H2O + OH */
    /* 17 */ {0, 0, 0, 1, 0, 0, 0, 1, 0}, /* H2O2 + H = HO2 + H2 */
    /* 18 */ {0, 0, 0, 0, 1, 0, 0, 1, 0}, /* H2O2 + O = OH + HO2 */
    /* 19 */ {0, 0, 0, 0, 0, 1, 0, 1, 0}, /* H2O2 + OH = HO2 + H2O */
};
static const double NUR[NR][NS] = {
    /*  1 */ {0, 0, 0, 0, 1, 1, 0, 0, 0},
    /*  2 */ {0, 0, 0, 1, 0, 1, 0, 0, 0},
    /*  3 */ {0, 0, 1, 1, 0, 0, 0, 0, 0},
    /*  4 */ {0, 0, 0, 0, 0, 2, 0, 0, 0},
    /*  5 */ {0, 0, 0, 2, 0, 0, 0, 0, 0},
    /*  6 */ {0, 1, 0, 0, 0, 0, 0, 0, 0},
    /*  7 */ {0, 0, 0, 0, 0, 1, 0, 0, 0},
    /*  8 */ {0, 0, 1, 0, 0, 0, 0, 0, 0},
    /*  9 */ {0, 0, 0, 0, 0, 0, 1, 0, 0},
    /* 10 */ {1, 1, 0, 0, 0, 0, 0, 0, 0},
    /* 11 */ {0, 0, 0, 0, 0, 2, 0, 0, 0},
    /* 12 */ {0, 1, 0, 0, 0, 1, 0, 0, 0},
    /* 13 */ {0, 1, 1, 0, 0, 0, 0, 0, 0},
    /* 14 */ {0, 1, 0, 0, 0, 0, 0, 1, 0},
    /* 15 */ {0, 0, 0, 0, 0, 2, 0, 0, 0},
    /* 16 */ {0, 0, 1, 0, 0, 1, 0, 0, 0},
    /* 17 */ {1, 0, 0, 0, 0, 0, 1, 0, 0},
    /* 18 */ {0, 0, 0, 0, 0, 1, 1, 0, 0},
    /* 19 */ {0, 0, 1, 0, 0, 0, 1, 0, 0},
};

/* forward Arrhenius parameters: A [cm-mol-s], b, Ea [cal/mol]; for the falloff reactions
   (TYPE 2) the high-pressure limit */
static const double ARR[NR][3] = {
    {3.547e15, -0.406, 16599.0}, {5.08e4, 2.67, 6290.0},      {2.16e8, 1.51, 3430.0},
    {2.97e6, 2.02, 13400.0},     {4.577e19, -1.40, 104380.0}, {6.165e15, -0.50, 0.0},
    {4.714e18, -1.0, 0.0},       {3.8e22, -2.0, 0.0},         {1.475e12, 0.60, 0.0},
    {1.66e13, 0.0, 823.0},       {7.079e13, 0.0, 295.0},      {3.25e13, 0.0, 0.0},
    {2.89e13, 0.0, -497.0},      {4.2e14, 0.0, 11982.0},      {2.951e14, 0.0, 48430.0},
    {2.41e13, 0.0, 3970.0},      {4.82e13, 0.0, 7950.0},      {9.55e6, 2.0, 3970.0},
    {1.0e12, 0.0, 0.0}};
/* low-pressure limits of the falloff reactions (zero where unused) */
static const double ARR0[NR][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0},
                                   {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
                                   {0, 0, 0}, {0, 0, 0}, {6.366e20, -1.72, 524.8},
                                   {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
                                   {0, 0, 0}, {0, 0, 0}, {1.202e17, 0.0, 45500.0},
                                   {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
                                   {0, 0, 0}};
/* reaction type: 0 elementary, 1 three-body, 2 falloff (Lindemann); a table of doubles
   (the kernel subset has no integer arrays) */
static const double TYPE[NR] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0};
/* third-body efficiency set per reaction (0: default, 1: that of H + O2 + M) */
static const double EFFSET[NR] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const double EFF[2][NS] = {{2.5, 1.0, 12.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                                  {2.0, 0.78, 11.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}};

/* A T^b exp(-Ea / (Rc T)), T^b written as exp(b ln T) where b is not 0 */
static double arrhenius(const double *arr, double T, double lnT) {
  double k = arr[0] * exp(-arr[2] / (RC * T));
  if (arr[1] != 0.0) k *= exp(arr[1] * lnT);
  return k;
}

void chem_kinetics(const double in[10], double out[10]) {
  double c[NS], g[NS], h[NS];
  double T = in[NS];
  double lnT = log(T);
  double rt = RU * T;

  for (int i = 0; i < NS; i++)
    c[i] = CGS * fmax(in[i], 0.0); /* mol/cm^3 */

  /* species enthalpies [J/mol] and Gibbs energies over RT */
  double lnTT0 = lnT - log(T0);
  for (int i = 0; i < NS; i++) {
    h[i] = HF[i] + CP[i] * (T - T0);
    double s = S0[i] + CP[i] * lnTT0;
    g[i] = h[i] / rt - s / RU;
  }
  double cstd = CGS * P0 / rt; /* standard concentration p0 / (R T) [mol/cm^3] */

  /* third-body concentrations of the two efficiency sets */
  double m[2];
  for (int e = 0; e < 2; e++) {
    m[e] = EFF[e][0] * c[0];
    for (int i = 1; i < NS; i++)
      m[e] += EFF[e][i] == 1.0 ? c[i] : EFF[e][i] * c[i];
  }

  double wdot[NS] = {0};
  for (int j = 0; j < NR; j++) {
    double kf = arrhenius(ARR[j], T, lnT);
    double mj = m[(int)EFFSET[j]];
    if (TYPE[j] == 2.0) { /* Lindemann falloff */
      double k0 = arrhenius(ARR0[j], T, lnT);
      double pr = k0 * mj / kf;
      kf = kf * pr / (1.0 + pr);
    }
    /* equilibrium constant */
    double dg = 0.0, dn = 0.0;
    for (int i = 0; i < NS; i++) {
      double nu = NUR[j][i] - NUF[j][i];
      if (nu != 0.0) dg += nu * g[i];
      dn += nu;
    }
    double kc = exp(-dg);
    if (dn == 1.0) kc *= cstd;
    if (dn == -1.0) kc /= cstd;
    double kr = kf / kc;
    /* rate of progress */
    double qf = kf, qr = kr;
    for (int i = 0; i < NS; i++) {
      for (int n = 0; n < (int)NUF[j][i]; n++)
        qf *= c[i];
      for (int n = 0; n < (int)NUR[j][i]; n++)
        qr *= c[i];
    }
    double q = qf - qr;
    if (TYPE[j] == 1.0) q *= mj;
    for (int i = 0; i < NS; i++) {
      double nu = NUR[j][i] - NUF[j][i];
      if (nu == 1.0) wdot[i] += q;
      if (nu == -1.0) wdot[i] -= q;
      if (nu == 2.0 || nu == -2.0) wdot[i] += nu * q;
    }
  }

  /* back to mol/(m^3 s), and the temperature rate */
  double num = 0.0, den = 0.0;
  for (int i = 0; i < NS; i++) {
    out[i] = wdot[i] / CGS;
    num += h[i] * out[i];
    den += CP[i] * fmax(in[i], 0.0);
  }
  out[NS] = -num / den;
}
