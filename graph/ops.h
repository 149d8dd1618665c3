/* Elementary operations of the scalar graph IR: names, arity, value and local partials. */
#ifndef AG_OPS_H
#define AG_OPS_H

typedef enum {
  AG_OP_INPUT = 0, /* independent variable x_k (value = k) */
  AG_OP_PARAM,     /* run-time parameter p_k: known value, never differentiated */
  AG_OP_CONST,     /* literal constant (value); NaN in structure-only graphs */
  AG_OP_ADD,
  AG_OP_SUB,
  AG_OP_MUL,
  AG_OP_DIV,
  AG_OP_NEG,
  AG_OP_SQRT,
  AG_OP_EXP,
  AG_OP_LOG,
  AG_OP_SIN,
  AG_OP_COS,
  AG_OP_TAN,
  AG_OP_ASIN,
  AG_OP_ACOS,
  AG_OP_ATAN,
  AG_OP_ATAN2,
  AG_OP_SINH,
  AG_OP_COSH,
  AG_OP_TANH,
  AG_OP_ASINH,
  AG_OP_ACOSH,
  AG_OP_ATANH,
  AG_OP_POW,  /* pow(a, b) */
  AG_OP_IPOW, /* a^n with an integer exponent n kept in the node's value */
  AG_OP_FABS,
  AG_OP_FMAX,
  AG_OP_FMIN,
  AG_OP_ERF,
  AG_OP_ERFC,
  AG_OP_SQUARE,
  AG_OP_CBRT,
  AG_OP_HYPOT,
  AG_OP_LOG10,
  AG_OP_LOG2,
  AG_OP_EXP2,
  AG_OP_EXPM1,
  AG_OP_LOG1P,
  /* Conditions (value 1.0 or 0.0, never differentiated: a condition on inputs makes no
     edge, it only selects). Comparisons of doubles, and the logic of conditions. */
  AG_OP_LT,
  AG_OP_LE,
  AG_OP_GT,
  AG_OP_GE,
  AG_OP_EQ,
  AG_OP_NE,
  AG_OP_AND,
  AG_OP_OR,
  AG_OP_NOT,
  /* select(cond, a, b) = cond != 0 ? a : b; the condition is the node's `cond` operand
     (no edge), partials (cond ? 1 : 0, cond ? 0 : 1): a branch on data, traced both ways */
  AG_OP_SELECT,
  /* piecewise constant: derivative 0 almost everywhere (never differentiated) */
  AG_OP_FLOOR,
  AG_OP_CEIL,
  AG_OP_ROUND,
  AG_OP_TRUNC,
  /* piecewise smooth, with their almost-everywhere partials (docs/kernels.md) */
  AG_OP_COPYSIGN, /* d/da = sign(a) sign(b) (signs as the sign bits say); b makes no edge */
  AG_OP_FDIM,     /* a > b ? a - b : 0 */
  AG_OP_FMOD,     /* d/da = 1, d/db = -trunc(a / b) */
  AG_OP_COUNT
} ag_op;

/* Number of operands (0 for leaves; a SELECT's condition is not counted). */
int ag_op_arity(ag_op op);
/* Operands that are differentiated (bit 0: a, bit 1: b): 0 for conditions and piecewise
   constant ops, 1 for copysign (its sign operand makes no edge). */
int ag_op_diff_mask(ag_op op);
/* A condition (comparison or logic of conditions): value 0 or 1. */
static inline int ag_op_is_cond(int op) { return op >= AG_OP_LT && op <= AG_OP_NOT; }
/* Canonical name, as printed by `alphagrad graph`. */
const char *ag_op_name(ag_op op);
/* Operation for a name of the reference DAG format or of C (synonyms such as
   subtract/sub, arctan2/atan2, abs/fabs accepted); -1 when unknown. */
int ag_op_from_name(const char *name, int len);
/* Value of op applied to a (and b for binary ops); c is the node's constant (IPOW exponent),
   for SELECT the condition's value. */
double ag_op_eval(ag_op op, double a, double b, double c);
/* Local partials d op/d a and d op/d b at (a, b), given the result r = op(a, b). */
void ag_op_partials(ag_op op, double a, double b, double c, double r, double *da, double *db);

#endif
