/* Owns the operators' grid hierarchy: an operator follows its DMDA through DMCoarsen/DMRefine. */
/* A DMCoarsen or DMRefine of an operator's DMDA runs the hooks registered here, which give
   the new DMDA an operator with the same kernels, options and prefix ("derived"), composed
   on it under "AlphaGradOperator" and owned by it (the operator holds no reference to its
   DMDA, so the DMDA's destruction frees it; its own hooks carry the hierarchy further).
   Rediscretised PCMG, -snes_grid_sequence, DMDA hierarchies and FAS thus get an exact
   operator on every level with its own COO pattern. Geometry parameters (the grid's
   spacings, AGKernelSetGeometry) let one kernel serve every level. */
#include "plugin/plugin_impl.h"

/* the keys under which a DMDA keeps its operators: the residual's (SNES function, TS
   IFunction) and a TS's right-hand side G(t, U) */
#define AG_DM_KEY     "AlphaGradOperator"
#define AG_DM_KEY_RHS "AlphaGradRHSOperator"

const char *ag_operator_dm_key(AGOperator op) { return op->rhs ? AG_DM_KEY_RHS : AG_DM_KEY; }

static PetscErrorCode get_for_dm(DM dm, const char *key, AGOperator *op) {
  PetscContainer box = NULL;
  PetscFunctionBegin;
  *op = NULL;
  PetscCall(PetscObjectQuery((PetscObject)dm, key, (PetscObject *)&box));
  if (box) PetscCall(PetscContainerGetPointer(box, (void **)op));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorGetForDM(DM dm, AGOperator *op) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(dm, DM_CLASSID, 1);
  PetscValidPointer(op, 2);
  PetscCall(get_for_dm(dm, AG_DM_KEY, op));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_rhs_for_dm(DM dm, AGOperator *op) {
  PetscFunctionBegin;
  PetscCall(get_for_dm(dm, AG_DM_KEY_RHS, op));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_on_dm(AGOperator op, DM dm, AGOperator *out) {
  PetscFunctionBegin;
  if (op->da == dm)
    *out = op;
  else
    PetscCall(get_for_dm(dm, ag_operator_dm_key(op), out));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_point_dm(AGOperator op) {
  PetscContainer box;
  PetscFunctionBegin;
  PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)op->da), &box));
  PetscCall(PetscContainerSetPointer(box, op));
  PetscCall(PetscObjectCompose((PetscObject)op->da, ag_operator_dm_key(op), (PetscObject)box));
  PetscCall(PetscContainerDestroy(&box));
  PetscFunctionReturn(0);
}

static PetscErrorCode derived_destroy(void *p) {
  AGOperator op = (AGOperator)p;
  PetscFunctionBegin;
  PetscCall(AGOperatorDestroy(&op));
  PetscFunctionReturn(0);
}

/* op's operator for dm (a coarser or finer DMDA), unless dm has one already */
static PetscErrorCode derive(AGOperator op, DM dm) {
  AGOperator d, have;
  PetscContainer box;
  PetscFunctionBegin;
  PetscCall(get_for_dm(dm, ag_operator_dm_key(op), &have));
  if (have) PetscFunctionReturn(0);
  PetscCall(AGOperatorCreate(dm, &d));
  d->rhs = op->rhs;
  PetscCall(PetscObjectDereference((PetscObject)dm)); /* the DMDA owns d, not the reverse */
  d->derived = PETSC_TRUE;
  d->opts = op->opts;
  d->aux_wanted = (PetscBool)(op->aux || op->aux_wanted);
  d->ifunction = op->ifunction;
  d->aux_faces = op->aux_faces;
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)d, ((PetscObject)op)->prefix));
  for (PetscInt s = 0; s < op->ncells; s++) {
    const ag_cell_spec *c = &op->cells[s];
    PetscCall(AGOperatorAddCellKernel(d, c->k, c->st, c->width, c->boundary));
    for (int q = 0; q < 6; q++)
      if (c->side[q])
        PetscCall(AGOperatorSetSideKernel(d, c->k, (AGSide)q, c->side_width[q], c->side[q]));
  }
  for (PetscInt s = 0; s < op->nfaces; s++)
    PetscCall(AGOperatorAddFaceKernel(d, op->faces[s].k, op->faces[s].dir, op->faces[s].width,
                                      op->faces[s].low, op->faces[s].high));
  PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)dm), &box));
  PetscCall(PetscContainerSetPointer(box, d));
  PetscCall(PetscContainerSetUserDestroy(box, derived_destroy));
  PetscCall(PetscObjectCompose((PetscObject)dm, ag_operator_dm_key(d), (PetscObject)box));
  PetscCall(PetscContainerDestroy(&box));
  PetscCall(PetscInfo(dm, "alphagrad: operator derived for this DMDA\n"));
  PetscFunctionReturn(0);
}

static PetscErrorCode coarsen_hook(DM fine, DM coarse, void *ctx) {
  PetscFunctionBegin;
  (void)fine;
  PetscCall(derive((AGOperator)ctx, coarse));
  PetscFunctionReturn(0);
}

static PetscErrorCode refine_hook(DM coarse, DM fine, void *ctx) {
  PetscFunctionBegin;
  (void)coarse;
  PetscCall(derive((AGOperator)ctx, fine));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_hooks_add(AGOperator op) {
  PetscFunctionBegin;
  PetscCall(DMCoarsenHookAdd(op->da, coarsen_hook, NULL, op));
  PetscCall(DMRefineHookAdd(op->da, refine_hook, NULL, op));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_hooks_remove(AGOperator op) {
  PetscFunctionBegin;
  PetscCall(DMCoarsenHookRemove(op->da, coarsen_hook, NULL, op));
  PetscCall(DMRefineHookRemove(op->da, refine_hook, NULL, op));
  PetscFunctionReturn(0);
}
