/* The TS side: TSAlphaGradSetOperator, TSComputeIJacobianAlphaGrad, the IFunction callback;
   TSAlphaGradSetRHSOperator, TSComputeRHSJacobianAlphaGrad, the RHS callback. */
/* An IFunction operator (AGOperatorSetIFunction: cell kernels F(U stencil, U_t of the cell))
   gives an implicit TS its exact Jacobian shift * dF/dU_t + dF/dU, assembled in one pass.
   The TS holds the operator (composed on it); the TS's DM points to it weakly, and coarser
   or finer DMs get derived operators (hierarchy.c), so the callbacks take ctx NULL and use
   the operator of the DM they are called on. */
#include "plugin/plugin_impl.h"
#include <petscts.h>

static PetscErrorCode op_for_ts(TS ts, AGOperator op, AGOperator *out) {
  DM dm;
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscFunctionBegin;
  PetscCall(TSGetDM(ts, &dm));
  if (op)
    PetscCall(ag_operator_on_dm(op, dm, out));
  else
    PetscCall(AGOperatorGetForDM(dm, out));
  PetscCheck(*out, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the TS's DM has no alphagrad operator: call TSAlphaGradSetOperator(), or "
             "name the residual's IFunction kernel with -snes_jacobian_alphagrad_kernel (its "
             "inputs: the stencil's values, then the cell's time derivatives)");
  PetscCheck((*out)->ifunction, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the operator of an implicit TS takes time derivatives: call "
             "AGOperatorSetIFunction(op, PETSC_TRUE) before adding its kernels");
  PetscFunctionReturn(0);
}

/* after a Jacobian into B: a non-finite entry told to the TS's SNES; A assembled when it is
   another matrix (matrix-free) */
static PetscErrorCode jacobian_end(TS ts, AGOperator op, Mat A, Mat B) {
  SNES snes;
  PetscFunctionBegin;
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(ag_operator_nonfinite(op, snes));
  if (A != B) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode TSComputeIJacobianAlphaGrad(TS ts, PetscReal t, Vec U, Vec Udot, PetscReal shift,
                                           Mat A, Mat B, void *ctx) {
  AGOperator op;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  PetscCall(op_for_ts(ts, (AGOperator)ctx, &op));
  PetscCall(AGOperatorComputeIJacobian(op, t, U, Udot, shift, B));
  PetscCall(jacobian_end(ts, op, A, B));
  PetscFunctionReturn(0);
}

static PetscErrorCode ifunction_cb(TS ts, PetscReal t, Vec U, Vec Udot, Vec F, void *ctx) {
  AGOperator op;
  PetscFunctionBegin;
  PetscCall(op_for_ts(ts, (AGOperator)ctx, &op));
  PetscCall(AGOperatorComputeIFunction(op, t, U, Udot, F));
  PetscFunctionReturn(0);
}

PetscErrorCode TSAlphaGradSetOperator(TS ts, AGOperator op, PetscBool ifunction) {
  DM dm;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 2);
  PetscCall(TSGetDM(ts, &dm));
  PetscCheck(op->da == dm, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_INCOMP,
             "alphagrad: the operator is not on the TS's DM (TSSetDM with the operator's DMDA)");
  PetscCheck(op->ifunction, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the operator of an implicit TS takes time derivatives: call "
             "AGOperatorSetIFunction(op, PETSC_TRUE) before adding its kernels");
  PetscCall(PetscObjectCompose((PetscObject)ts, "AlphaGradOperator", (PetscObject)op));
  PetscCall(ag_operator_point_dm(op));
  PetscCall(TSSetIJacobian(ts, NULL, NULL, TSComputeIJacobianAlphaGrad, NULL));
  if (ifunction) PetscCall(TSSetIFunction(ts, NULL, ifunction_cb, NULL));
  PetscFunctionReturn(0);
}

/* ---- the right-hand side G(t, U) (TSSetRHSFunction): a plain operator ---- */

static PetscErrorCode rhs_op_for_ts(TS ts, AGOperator op, AGOperator *out) {
  DM dm;
  PetscFunctionBegin;
  PetscCall(TSGetDM(ts, &dm));
  if (op)
    PetscCall(ag_operator_on_dm(op, dm, out));
  else
    PetscCall(ag_operator_rhs_for_dm(dm, out));
  PetscCheck(*out, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the TS's DM has no alphagrad RHS operator: call "
             "TSAlphaGradSetRHSOperator(), or name the RHS kernel with "
             "-snes_jacobian_alphagrad_rhs_kernel");
  PetscFunctionReturn(0);
}

PetscErrorCode TSComputeRHSJacobianAlphaGrad(TS ts, PetscReal t, Vec U, Mat A, Mat B, void *ctx) {
  AGOperator op;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  (void)t;
  PetscCall(rhs_op_for_ts(ts, (AGOperator)ctx, &op));
  PetscCall(AGOperatorComputeJacobian(op, U, B));
  PetscCall(jacobian_end(ts, op, A, B));
  PetscFunctionReturn(0);
}

static PetscErrorCode rhs_cb(TS ts, PetscReal t, Vec U, Vec G, void *ctx) {
  AGOperator op;
  PetscFunctionBegin;
  (void)t;
  PetscCall(rhs_op_for_ts(ts, (AGOperator)ctx, &op));
  PetscCall(AGOperatorComputeResidual(op, U, G));
  PetscFunctionReturn(0);
}

PetscErrorCode TSAlphaGradSetRHSOperator(TS ts, AGOperator op, PetscBool rhsfunction) {
  DM dm;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 2);
  PetscCall(TSGetDM(ts, &dm));
  PetscCheck(op->da == dm, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_INCOMP,
             "alphagrad: the RHS operator is not on the TS's DM (TSSetDM with the operator's "
             "DMDA)");
  PetscCheck(!op->ifunction, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: an RHS operator G(t, U) takes no time derivatives: do not call "
             "AGOperatorSetIFunction on it");
  PetscCheck(!op->ready, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: attach the RHS operator before it is first used");
  op->rhs = PETSC_TRUE;
  PetscCall(PetscObjectCompose((PetscObject)ts, "AlphaGradRHSOperator", (PetscObject)op));
  PetscCall(ag_operator_point_dm(op));
  PetscCall(TSSetRHSJacobian(ts, NULL, NULL, TSComputeRHSJacobianAlphaGrad, NULL));
  if (rhsfunction) PetscCall(TSSetRHSFunction(ts, NULL, rhs_cb, NULL));
  PetscFunctionReturn(0);
}
