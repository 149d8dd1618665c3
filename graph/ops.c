/* Owns the operation table: names, arities, partial derivatives of each op (ops.h). */
#include "graph/ops.h"

#include <math.h>
#include <string.h>

static const struct {
  const char *name;
  int arity;
} op_info[AG_OP_COUNT] = {
    [AG_OP_INPUT] = {"input", 0},   [AG_OP_PARAM] = {"param", 0},
    [AG_OP_CONST] = {"const", 0},   [AG_OP_ADD] = {"add", 2},
    [AG_OP_SUB] = {"sub", 2},       [AG_OP_MUL] = {"mul", 2},
    [AG_OP_DIV] = {"div", 2},       [AG_OP_NEG] = {"neg", 1},
    [AG_OP_SQRT] = {"sqrt", 1},     [AG_OP_EXP] = {"exp", 1},
    [AG_OP_LOG] = {"log", 1},       [AG_OP_SIN] = {"sin", 1},
    [AG_OP_COS] = {"cos", 1},       [AG_OP_TAN] = {"tan", 1},
    [AG_OP_ASIN] = {"asin", 1},     [AG_OP_ACOS] = {"acos", 1},
    [AG_OP_ATAN] = {"atan", 1},     [AG_OP_ATAN2] = {"atan2", 2},
    [AG_OP_SINH] = {"sinh", 1},     [AG_OP_COSH] = {"cosh", 1},
    [AG_OP_TANH] = {"tanh", 1},     [AG_OP_ASINH] = {"asinh", 1},
    [AG_OP_ACOSH] = {"acosh", 1},   [AG_OP_ATANH] = {"atanh", 1},
    [AG_OP_POW] = {"pow", 2},       [AG_OP_IPOW] = {"integer_pow", 1},
    [AG_OP_FABS] = {"fabs", 1},     [AG_OP_FMAX] = {"fmax", 2},
    [AG_OP_FMIN] = {"fmin", 2},     [AG_OP_ERF] = {"erf", 1},
    [AG_OP_ERFC] = {"erfc", 1},     [AG_OP_SQUARE] = {"square", 1},
    [AG_OP_CBRT] = {"cbrt", 1},     [AG_OP_HYPOT] = {"hypot", 2},
    [AG_OP_LOG10] = {"log10", 1},   [AG_OP_LOG2] = {"log2", 1},
    [AG_OP_EXP2] = {"exp2", 1},     [AG_OP_EXPM1] = {"expm1", 1},
    [AG_OP_LOG1P] = {"log1p", 1},   [AG_OP_LT] = {"lt", 2},
    [AG_OP_LE] = {"le", 2},         [AG_OP_GT] = {"gt", 2},
    [AG_OP_GE] = {"ge", 2},         [AG_OP_EQ] = {"eq", 2},
    [AG_OP_NE] = {"ne", 2},         [AG_OP_AND] = {"and", 2},
    [AG_OP_OR] = {"or", 2},         [AG_OP_NOT] = {"not", 1},
    [AG_OP_SELECT] = {"select", 2}, [AG_OP_FLOOR] = {"floor", 1},
    [AG_OP_CEIL] = {"ceil", 1},     [AG_OP_ROUND] = {"round", 1},
    [AG_OP_TRUNC] = {"trunc", 1},   [AG_OP_COPYSIGN] = {"copysign", 2},
    [AG_OP_FDIM] = {"fdim", 2},     [AG_OP_FMOD] = {"fmod", 2},
};

/* Names used by the reference DAG format (JAX primitives, numpy names) and by C. */
static const struct {
  const char *name;
  ag_op op;
} synonyms[] = {
    {"subtract", AG_OP_SUB},  {"multiply", AG_OP_MUL},  {"divide", AG_OP_DIV},
    {"negative", AG_OP_NEG},  {"arctan2", AG_OP_ATAN2}, {"arctan", AG_OP_ATAN},
    {"arcsin", AG_OP_ASIN},   {"arccos", AG_OP_ACOS},   {"arcsinh", AG_OP_ASINH},
    {"arccosh", AG_OP_ACOSH}, {"arctanh", AG_OP_ATANH}, {"power", AG_OP_POW},
    {"abs", AG_OP_FABS},      {"max", AG_OP_FMAX},      {"min", AG_OP_FMIN},
    {"maximum", AG_OP_FMAX},  {"minimum", AG_OP_FMIN},  {"pow2", AG_OP_SQUARE},
};

int ag_op_arity(ag_op op) { return (op >= 0 && op < AG_OP_COUNT) ? op_info[op].arity : -1; }

int ag_op_diff_mask(ag_op op) {
  if (ag_op_is_cond(op)) return 0;
  switch (op) {
  case AG_OP_FLOOR:
  case AG_OP_CEIL:
  case AG_OP_ROUND:
  case AG_OP_TRUNC: return 0;
  case AG_OP_COPYSIGN: return 1;
  default: return ag_op_arity(op) == 2 ? 3 : ag_op_arity(op) == 1 ? 1 : 0;
  }
}

const char *ag_op_name(ag_op op) { return (op >= 0 && op < AG_OP_COUNT) ? op_info[op].name : "?"; }

int ag_op_from_name(const char *name, int len) {
  for (int i = AG_OP_ADD; i < AG_OP_COUNT; i++)
    if ((int)strlen(op_info[i].name) == len && !strncmp(op_info[i].name, name, (size_t)len))
      return i;
  for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
    if ((int)strlen(synonyms[i].name) == len && !strncmp(synonyms[i].name, name, (size_t)len))
      return (int)synonyms[i].op;
  return -1;
}

double ag_op_eval(ag_op op, double a, double b, double c) {
  switch (op) {
  case AG_OP_ADD: return a + b;
  case AG_OP_SUB: return a - b;
  case AG_OP_MUL: return a * b;
  case AG_OP_DIV: return a / b;
  case AG_OP_NEG: return -a;
  case AG_OP_SQRT: return sqrt(a);
  case AG_OP_EXP: return exp(a);
  case AG_OP_LOG: return log(a);
  case AG_OP_SIN: return sin(a);
  case AG_OP_COS: return cos(a);
  case AG_OP_TAN: return tan(a);
  case AG_OP_ASIN: return asin(a);
  case AG_OP_ACOS: return acos(a);
  case AG_OP_ATAN: return atan(a);
  case AG_OP_ATAN2: return atan2(a, b);
  case AG_OP_SINH: return sinh(a);
  case AG_OP_COSH: return cosh(a);
  case AG_OP_TANH: return tanh(a);
  case AG_OP_ASINH: return asinh(a);
  case AG_OP_ACOSH: return acosh(a);
  case AG_OP_ATANH: return atanh(a);
  case AG_OP_POW: return pow(a, b);
  case AG_OP_IPOW: return pow(a, c);
  case AG_OP_FABS: return fabs(a);
  case AG_OP_FMAX: return fmax(a, b);
  case AG_OP_FMIN: return fmin(a, b);
  case AG_OP_ERF: return erf(a);
  case AG_OP_ERFC: return erfc(a);
  case AG_OP_SQUARE: return a * a;
  case AG_OP_CBRT: return cbrt(a);
  case AG_OP_HYPOT: return hypot(a, b);
  case AG_OP_LOG10: return log10(a);
  case AG_OP_LOG2: return log2(a);
  case AG_OP_EXP2: return exp2(a);
  case AG_OP_EXPM1: return expm1(a);
  case AG_OP_LOG1P: return log1p(a);
  case AG_OP_LT: return a < b;
  case AG_OP_LE: return a <= b;
  case AG_OP_GT: return a > b;
  case AG_OP_GE: return a >= b;
  case AG_OP_EQ: return a == b;
  case AG_OP_NE: return a != b;
  case AG_OP_AND: return a != 0 && b != 0;
  case AG_OP_OR: return a != 0 || b != 0;
  case AG_OP_NOT: return a == 0;
  case AG_OP_SELECT: return c != 0 ? a : b;
  case AG_OP_FLOOR: return floor(a);
  case AG_OP_CEIL: return ceil(a);
  case AG_OP_ROUND: return round(a);
  case AG_OP_TRUNC: return trunc(a);
  case AG_OP_COPYSIGN: return copysign(a, b);
  case AG_OP_FDIM: return fdim(a, b);
  case AG_OP_FMOD: return fmod(a, b);
  default: return NAN;
  }
}

void ag_op_partials(ag_op op, double a, double b, double c, double r, double *da, double *db) {
  double x = 0, y = 0;
  switch (op) {
  case AG_OP_ADD:
    x = 1;
    y = 1;
    break;
  case AG_OP_SUB:
    x = 1;
    y = -1;
    break;
  case AG_OP_MUL:
    x = b;
    y = a;
    break;
  case AG_OP_DIV:
    x = 1 / b;
    y = -r / b;
    break;
  case AG_OP_NEG: x = -1; break;
  case AG_OP_SQRT: x = 0.5 / r; break;
  case AG_OP_EXP: x = r; break;
  case AG_OP_LOG: x = 1 / a; break;
  case AG_OP_SIN: x = cos(a); break;
  case AG_OP_COS: x = -sin(a); break;
  case AG_OP_TAN: x = 1 + r * r; break;
  case AG_OP_ASIN: x = 1 / sqrt(1 - a * a); break;
  case AG_OP_ACOS: x = -1 / sqrt(1 - a * a); break;
  case AG_OP_ATAN: x = 1 / (1 + a * a); break;
  case AG_OP_ATAN2: {
    double d = a * a + b * b;
    x = b / d;
    y = -a / d;
  } break;
  case AG_OP_SINH: x = cosh(a); break;
  case AG_OP_COSH: x = sinh(a); break;
  case AG_OP_TANH: x = 1 - r * r; break;
  case AG_OP_ASINH: x = 1 / sqrt(a * a + 1); break;
  case AG_OP_ACOSH: x = 1 / sqrt(a * a - 1); break;
  case AG_OP_ATANH: x = 1 / (1 - a * a); break;
  case AG_OP_POW:
    x = (b == 0) ? 0 : b * pow(a, b - 1);
    /* d/db a^b = log(a) a^b; at a == 0 the limit for b > 0 is 0 */
    y = (a == 0) ? 0 : log(a) * r;
    break;
  case AG_OP_IPOW: x = (c == 0) ? 0 : c * pow(a, c - 1); break;
  case AG_OP_FABS: x = (a > 0) - (a < 0); break; /* sign, 0 at 0 as in JAX */
  case AG_OP_FMAX:
    x = a > b ? 1 : (a < b ? 0 : 0.5);
    y = 1 - x;
    break;
  case AG_OP_FMIN:
    x = a < b ? 1 : (a > b ? 0 : 0.5);
    y = 1 - x;
    break;
  case AG_OP_ERF: x = 1.1283791670955126 * exp(-a * a); break;
  case AG_OP_ERFC: x = -1.1283791670955126 * exp(-a * a); break;
  case AG_OP_SQUARE: x = 2 * a; break;
  case AG_OP_CBRT: x = 1 / (3 * r * r); break;
  case AG_OP_HYPOT:
    x = a / r;
    y = b / r;
    break;
  case AG_OP_LOG10: x = 1 / (a * 2.302585092994046); break;
  case AG_OP_LOG2: x = 1 / (a * 0.6931471805599453); break;
  case AG_OP_EXP2: x = r * 0.6931471805599453; break;
  case AG_OP_EXPM1: x = r + 1; break;
  case AG_OP_LOG1P: x = 1 / (1 + a); break;
  case AG_OP_SELECT:
    x = c != 0;
    y = c == 0;
    break;
  case AG_OP_COPYSIGN: x = copysign(1.0, a) * copysign(1.0, b); break;
  case AG_OP_FDIM:
    x = a > b;
    y = -x;
    break;
  case AG_OP_FMOD:
    x = 1;
    y = -trunc(a / b);
    break;
  default:
    if (ag_op_diff_mask(op) == 0) break; /* conditions, piecewise constant: 0 */
    x = NAN;
    y = NAN;
    break;
  }
  *da = x;
  *db = y;
}
