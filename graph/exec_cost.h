/* The execution cost model: what an elimination order costs as the generated code runs it.

   Every edge of the graph carries a class that the code generator knows at generation time:
     UNIT   +-1 (the partials of add, sub, neg): a product with it is a copy (or a sign),
     CONST  a literal (mul or div by a constant; a sum of constant paths): products of
            constants fold at generation time,
     VAR    anything that depends on the element's data (inputs or parameters: a parameter
            varies per element in the batched code, so it is VAR too).
   The class of an edge of the partially eliminated graph depends only on the set eliminated
   (it is VAR when any path behind it has a VAR edge, UNIT when it is one all-UNIT path,
   CONST otherwise), so the annealer's windowed replays stay exact under this model.

   Eliminating v pays, for each predecessor p and successor s of v, the operation that
   slot (p,s) needs, exactly as jacobian/codegen_c.c emits it:
     product  UNIT x anything, CONST x CONST: none (a copy, a sign or a folded literal);
              otherwise one multiplication;
     new edge the product alone (MUL or nothing);
     existing UNIT/CONST + UNIT/CONST: folded (none); with a product that multiplies: one
              fused multiply-add (FMA); otherwise one addition (ADD).
   The cost is the weighted count in picoseconds per element (weights measured by
   `alphagrad calibrate`, jacobian/profile.h); without FMA contraction an FMA is weighted
   as a MUL plus an ADD. The order-independent work (primal values, local partials, stores
   of the Jacobian) is not part of it: it is the same for every order. */
#ifndef AG_EXEC_COST_H
#define AG_EXEC_COST_H

enum { AG_EDGE_VAR = 0, AG_EDGE_UNIT = 1, AG_EDGE_CONST = 2 };

/* Operation kinds of the accumulation code. */
enum { AG_XOP_NONE = 0, AG_XOP_MUL, AG_XOP_ADD, AG_XOP_FMA, AG_XOP_FOLD, AG_XOP_COPY };

/* Weights of the operation kinds, picoseconds per element (integers: the search's costs are
   integers). */
typedef struct ag_exec_weights {
  long mul, add, fma; /* fma: the weight of a fused multiply-add (mul + add without FMA) */
} ag_exec_weights;

static inline int ag_edge_mul_class(int a, int b) {
  if (a == AG_EDGE_UNIT) return b;
  if (b == AG_EDGE_UNIT) return a;
  return (a == AG_EDGE_CONST && b == AG_EDGE_CONST) ? AG_EDGE_CONST : AG_EDGE_VAR;
}
/* A product multiplies (is not folded or a copy). */
static inline int ag_edge_mul_needed(int a, int b) {
  return a != AG_EDGE_UNIT && b != AG_EDGE_UNIT && (a == AG_EDGE_VAR || b == AG_EDGE_VAR);
}
static inline int ag_edge_add_class(int a, int b) {
  return (a == AG_EDGE_VAR || b == AG_EDGE_VAR) ? AG_EDGE_VAR : AG_EDGE_CONST;
}
/* The operation kind of slot(p,s) (+)= slot(v,s) * slot(p,v), given the classes of the two
   factors and, when the slot exists (exists = 1), of its old value. */
static inline int ag_exec_op_kind(int cvs, int cpv, int exists, int cold) {
  int q = ag_edge_mul_class(cvs, cpv), m = ag_edge_mul_needed(cvs, cpv);
  if (!exists) return m ? AG_XOP_MUL : (q == AG_EDGE_VAR ? AG_XOP_COPY : AG_XOP_FOLD);
  if (q != AG_EDGE_VAR && cold != AG_EDGE_VAR) return AG_XOP_FOLD;
  return m ? AG_XOP_FMA : AG_XOP_ADD;
}
static inline long ag_exec_op_weight(const ag_exec_weights *w, int kind) {
  switch (kind) {
  case AG_XOP_MUL: return w->mul;
  case AG_XOP_ADD: return w->add;
  case AG_XOP_FMA: return w->fma;
  default: return 0;
  }
}

/* The weights the search uses when no profile is given: measured on the reference machine
   (BENCHMARKS.md, issue 17) with FMA contraction on. */
void ag_exec_weights_default(ag_exec_weights *w);

#endif
