/* AGOperator, a PetscObject: kernels on a DMDA, residual, COO Jacobian, host backends. */
/* Set-up turns the cell and face kernels into
   element groups (for every element, the local indices of its inputs and of the rows it
   writes), evaluation gathers a batch of elements into structure-of-arrays buffers, calls
   the kernel's code and scatters: residual values added into the local residual, Jacobian
   values into the matrix's COO value array, whose pattern is set once per matrix. */
#include "plugin/plugin_impl.h"
#include <limits.h>
#include <string.h>

static const char *dir_name[3] = {"x", "y", "z"};

PetscErrorCode AGOperatorCreate(DM da, AGOperator *op) {
  AGOperator o;
  PetscBool isda;
  DMBoundaryType b[3];
  PetscInt dim;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidPointer(op, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
  PetscCheck(isda, PetscObjectComm((PetscObject)da), PETSC_ERR_SUP,
             "alphagrad: operators are defined on a DMDA");
  PetscCall(DMDAGetInfo(da, &dim, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &b[0], &b[1],
                        &b[2], NULL));
  for (PetscInt d = 0; d < dim; d++)
    PetscCheck(b[d] == DM_BOUNDARY_NONE || b[d] == DM_BOUNDARY_PERIODIC,
               PetscObjectComm((PetscObject)da), PETSC_ERR_SUP,
               "alphagrad: the DMDA's %s boundary is %s; operators support DM_BOUNDARY_NONE "
               "(with boundary kernels) and DM_BOUNDARY_PERIODIC",
               dir_name[d], DMBoundaryTypes[b[d]]);
  PetscCall(AGInitializePackage());
  PetscCall(PetscHeaderCreate(o, AG_OPERATOR_CLASSID, "AGOperator", "AlphaGrad operator", "AG",
                              PetscObjectComm((PetscObject)da), AGOperatorDestroy, AGOperatorView));
  o->da = da;
  o->dim = dim;
  o->coo_mat_id = -1;
  PetscCall(PetscObjectReference((PetscObject)da));
  ag_plugin_opts_default(&o->opts);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)o, "snes_jacobian_alphagrad_"));
  PetscCall(ag_operator_hooks_add(o));
  *op = o;
  PetscFunctionReturn(0);
}

static PetscErrorCode ref(AGKernel k) {
  PetscFunctionBegin;
  if (k) PetscCall(PetscObjectReference((PetscObject)k));
  PetscFunctionReturn(0);
}

static PetscErrorCode stencil_points(PetscInt dim, DMDAStencilType st, PetscInt w,
                                     PetscInt (*off)[3], PetscInt *n) {
  PetscFunctionBegin;
  PetscInt c = 0, wz = dim > 2 ? w : 0, wy = dim > 1 ? w : 0;
  for (PetscInt dz = -wz; dz <= wz; dz++)
    for (PetscInt dy = -wy; dy <= wy; dy++)
      for (PetscInt dx = -w; dx <= w; dx++) {
        int nz = (dx != 0) + (dy != 0) + (dz != 0);
        if (st == DMDA_STENCIL_STAR && nz > 1) continue;
        if (off) {
          off[c][0] = dx;
          off[c][1] = dy;
          off[c][2] = dz;
        }
        c++;
      }
  *n = c;
  PetscFunctionReturn(0);
}

static PetscErrorCode check_kernel(AGOperator op, AGKernel k, const char *role, PetscInt ni,
                                   PetscInt no, const char *layout) {
  MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
  PetscFunctionBegin;
  PetscCheck(
      k->g->ninputs == ni && k->g->noutputs == no, comm, PETSC_ERR_ARG_SIZ,
      "alphagrad: %s kernel %s has %d inputs and %d outputs; on this DMDA it needs %" PetscInt_FMT
      " inputs (%s) and %" PetscInt_FMT " outputs (dof)",
      role, k->source, k->g->ninputs, k->g->noutputs, ni, layout, no);
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorAddCellKernel(AGOperator op, AGKernel k, DMDAStencilType st,
                                       PetscInt width, AGKernel boundary) {
  PetscInt dim, dof, sw, npts;
  DMDAStencilType dst;
  MPI_Comm comm;
  char layout[128];
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 2);
  comm = PetscObjectComm((PetscObject)op->da);
  PetscCheck(!op->ready, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: add kernels before the operator is first used");
  PetscCheck(width >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: stencil width %" PetscInt_FMT " < 0", width);
  PetscCall(DMDAGetInfo(op->da, &dim, NULL, NULL, NULL, NULL, NULL, NULL, &dof, &sw, NULL, NULL,
                        NULL, &dst));
  PetscCheck(width <= sw, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: cell kernel %s has stencil width %" PetscInt_FMT
             " but the DMDA's stencil width is %" PetscInt_FMT,
             k->source, width, sw);
  PetscCheck(!(st == DMDA_STENCIL_BOX && dst == DMDA_STENCIL_STAR && dim > 1 && width > 0), comm,
             PETSC_ERR_ARG_INCOMP,
             "alphagrad: cell kernel %s has a box stencil but the DMDA has a star stencil (no "
             "corner ghost points): create the DMDA with DMDA_STENCIL_BOX",
             k->source);
  PetscCall(stencil_points(dim, st, width, NULL, &npts));
  PetscCall(PetscSNPrintf(layout, sizeof layout,
                          "%" PetscInt_FMT " %s stencil points x %" PetscInt_FMT " dof%s", npts,
                          st == DMDA_STENCIL_BOX ? "box" : "star", dof,
                          op->ifunction ? ", then the cell's dof time derivatives" : ""));
  /* an IFunction kernel may leave out the time derivatives (an algebraic row) */
  if (!(op->ifunction && k->g->ninputs == npts * dof))
    PetscCall(check_kernel(op, k, "cell", npts * dof + (op->ifunction ? dof : 0), dof, layout));
  if (boundary && !(op->ifunction && boundary->g->ninputs == dof))
    PetscCall(check_kernel(op, boundary, "cell boundary", op->ifunction ? 2 * dof : dof, dof,
                           op->ifunction ? "the cell's dof, then their time derivatives"
                                         : "the cell's dof"));
  PetscCall(PetscRealloc(sizeof(ag_cell_spec) * (op->ncells + 1), &op->cells));
  ag_cell_spec *s = &op->cells[op->ncells++];
  memset(s, 0, sizeof *s);
  s->k = k;
  s->boundary = boundary;
  s->st = st;
  s->width = width;
  PetscCall(ref(k));
  PetscCall(ref(boundary));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetSideKernel(AGOperator op, AGKernel cell, AGSide side, PetscInt width,
                                       AGKernel k) {
  PetscInt dim, dof, sw, nu;
  MPI_Comm comm;
  ag_cell_spec *s = NULL;
  char layout[160];
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(cell, AG_KERNEL_CLASSID, 2);
  if (k) PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 5);
  comm = PetscObjectComm((PetscObject)op->da);
  PetscCheck(!op->ready, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: set boundary kernels before the operator is first used");
  for (PetscInt q = 0; q < op->ncells; q++)
    if (op->cells[q].k == cell) s = &op->cells[q];
  PetscCheck(s, comm, PETSC_ERR_ARG_WRONG,
             "alphagrad: kernel %s is not a cell kernel of this operator (add it with "
             "AGOperatorAddCellKernel first)",
             cell->source);
  PetscCall(DMDAGetInfo(op->da, &dim, NULL, NULL, NULL, NULL, NULL, NULL, &dof, &sw, NULL, NULL,
                        NULL, NULL));
  PetscCheck((PetscInt)side >= 0 && (PetscInt)side < 2 * dim, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: side %d of a %" PetscInt_FMT "-D DMDA (the sides are %s)", (int)side, dim,
             dim == 1   ? "xlo, xhi"
             : dim == 2 ? "xlo, xhi, ylo, yhi"
                        : "xlo ... zhi");
  if (k) {
    PetscCheck(width >= 1 && width <= sw, comm, PETSC_ERR_ARG_OUTOFRANGE,
               "alphagrad: the %s boundary kernel %s reads %" PetscInt_FMT
               " cells inward; it must be >= 1 and <= the DMDA's stencil width %" PetscInt_FMT,
               AGSides[side], k->source, width, sw);
    nu = (1 + width) * dof;
    PetscCall(PetscSNPrintf(layout, sizeof layout,
                            "the cell's dof, then %" PetscInt_FMT " cells inward x %" PetscInt_FMT
                            " dof%s",
                            width, dof, op->ifunction ? ", then the cell's time derivatives" : ""));
    if (!(op->ifunction && k->g->ninputs == nu))
      PetscCall(check_kernel(op, k, AGSides[side], nu + (op->ifunction ? dof : 0), dof, layout));
  }
  PetscCall(ref(k));
  PetscCall(AGKernelDestroy(&s->side[side]));
  s->side[side] = k;
  s->side_width[side] = k ? width : 0;
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorAddFaceKernel(AGOperator op, AGKernel k, PetscInt dir, PetscInt width,
                                       AGKernel low, AGKernel high) {
  PetscInt dim, dof, sw;
  MPI_Comm comm;
  char layout[128];
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(k, AG_KERNEL_CLASSID, 2);
  comm = PetscObjectComm((PetscObject)op->da);
  PetscCheck(!op->ready, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: add kernels before the operator is first used");
  PetscCall(DMDAGetInfo(op->da, &dim, NULL, NULL, NULL, NULL, NULL, NULL, &dof, &sw, NULL, NULL,
                        NULL, NULL));
  PetscCheck(dir >= 0 && dir < dim, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: face kernel %s: direction %" PetscInt_FMT " on a %" PetscInt_FMT "-D DMDA",
             k->source, dir, dim);
  PetscCheck(width >= 1 && width <= sw, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: face kernel %s has width %" PetscInt_FMT "; it must be >= 1 and <= the "
             "DMDA's stencil width %" PetscInt_FMT,
             k->source, width, sw);
  PetscCall(PetscSNPrintf(layout, sizeof layout, "%" PetscInt_FMT " cells x %" PetscInt_FMT " dof",
                          2 * width, dof));
  PetscCall(check_kernel(op, k, "face", 2 * width * dof, dof, layout));
  PetscCall(PetscSNPrintf(layout, sizeof layout, "%" PetscInt_FMT " cells x %" PetscInt_FMT " dof",
                          width, dof));
  if (low) PetscCall(check_kernel(op, low, "low boundary face", width * dof, dof, layout));
  if (high) PetscCall(check_kernel(op, high, "high boundary face", width * dof, dof, layout));
  PetscCall(PetscRealloc(sizeof(ag_face_spec) * (op->nfaces + 1), &op->faces));
  ag_face_spec *s = &op->faces[op->nfaces++];
  s->k = k;
  s->low = low;
  s->high = high;
  s->dir = dir;
  s->width = width;
  PetscCall(ref(k));
  PetscCall(ref(low));
  PetscCall(ref(high));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetAuxiliaryFaces(AGOperator op, PetscBool faces) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCheck(!op->ready, PetscObjectComm((PetscObject)op), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: AGOperatorSetAuxiliaryFaces before the operator is first used");
  op->aux_faces = faces;
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetAuxiliaryVec(AGOperator op, Vec aux) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  if (aux) {
    DM adm;
    DMDALocalInfo a, m;
    MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
    PetscCall(VecGetDM(aux, &adm));
    PetscCheck(adm, comm, PETSC_ERR_ARG_WRONG,
               "alphagrad: the auxiliary vector must come from a DMDA (DMCreateGlobalVector)");
    PetscCall(DMDAGetLocalInfo(adm, &a));
    PetscCall(DMDAGetLocalInfo(op->da, &m));
    PetscCheck(a.dim == m.dim && a.mx == m.mx && a.my == m.my && a.mz == m.mz && a.xs == m.xs &&
                   a.ys == m.ys && a.zs == m.zs && a.xm == m.xm && a.ym == m.ym && a.zm == m.zm,
               PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP,
               "alphagrad: the auxiliary vector's DMDA has other sizes or another distribution "
               "than the operator's");
    op->auxdof = a.dof;
    PetscCall(PetscObjectReference((PetscObject)aux));
  }
  PetscCall(VecDestroy(&op->aux));
  op->aux = aux;
  PetscFunctionReturn(0);
}

/* ---- set-up: element groups ---- */

typedef struct {
  PetscInt n, cap;
  PetscInt *in, *out, *aux;
} grow_t;

static PetscBool owned(const DMDALocalInfo *g, PetscInt i, PetscInt j, PetscInt k) {
  return (PetscBool)(i >= g->xs && i < g->xs + g->xm && j >= g->ys && j < g->ys + g->ym &&
                     k >= g->zs && k < g->zs + g->zm);
}

/* index of the cell's first value in the (owned, unghosted) auxiliary array */
static PetscInt aux_index(const DMDALocalInfo *g, PetscInt auxdof, PetscInt i, PetscInt j,
                          PetscInt k) {
  return (((k - g->zs) * g->ym + (j - g->ys)) * g->xm + (i - g->xs)) * auxdof;
}

static PetscErrorCode group_init(ag_group *gr, AGKernel k, const char *role, PetscInt ntarget,
                                 PetscScalar s0, PetscScalar s1) {
  PetscFunctionBegin;
  memset(gr, 0, sizeof *gr);
  gr->k = k;
  gr->role = role;
  gr->ntarget = ntarget;
  gr->sign[0] = s0;
  gr->sign[1] = s1;
  gr->aux_per = 1;
  PetscFunctionReturn(0);
}

/* appends one element: ni inputs, ntarget*no rows, aux_per aux indices (NULL: none), its
   cell */
static PetscErrorCode group_add(ag_group *gr, PetscInt *cap, const PetscInt *in,
                                const PetscInt *out, const PetscInt *aux, const PetscInt cell[3]) {
  PetscInt ni = gr->k->g->ninputs, nr = gr->ntarget * gr->k->g->noutputs;
  PetscFunctionBegin;
  if (gr->nel == *cap) {
    *cap = *cap ? 2 * *cap : 64;
    PetscCall(PetscRealloc(sizeof(PetscInt) * *cap * ni + 1, &gr->in_idx));
    PetscCall(PetscRealloc(sizeof(PetscInt) * *cap * nr + 1, &gr->out_idx));
    PetscCall(PetscRealloc(sizeof(PetscInt) * *cap * gr->aux_per + 1, &gr->aux_idx));
    PetscCall(PetscRealloc(sizeof(PetscInt) * *cap * 3, &gr->cell));
  }
  PetscCall(PetscArraycpy(gr->cell + 3 * gr->nel, cell, 3));
  PetscCall(PetscArraycpy(gr->in_idx + gr->nel * ni, in, ni));
  PetscCall(PetscArraycpy(gr->out_idx + gr->nel * nr, out, nr));
  for (PetscInt a = 0; a < gr->aux_per; a++)
    gr->aux_idx[gr->nel * gr->aux_per + a] = aux ? aux[a] : -1;
  gr->nel++;
  PetscFunctionReturn(0);
}

static PetscErrorCode push_group(AGOperator op, ag_group *gr) {
  PetscFunctionBegin;
  PetscCall(PetscRealloc(sizeof(ag_group) * (op->ngroups + 1), &op->groups));
  op->groups[op->ngroups++] = *gr;
  PetscFunctionReturn(0);
}

static const char *side_role[6] = {"cell boundary xlo", "cell boundary xhi", "cell boundary ylo",
                                   "cell boundary yhi", "cell boundary zlo", "cell boundary zhi"};

static PetscErrorCode build_cell_groups(AGOperator op, const ag_cell_spec *s,
                                        const DMDALocalInfo *g) {
  PetscInt(*off)[3], npts, cap_i = 0, cap_b = 0;
  PetscInt dof = g->dof, *in, *out;
  PetscBool per[3] = {g->bx == DM_BOUNDARY_PERIODIC, g->by == DM_BOUNDARY_PERIODIC,
                      g->bz == DM_BOUNDARY_PERIODIC};
  PetscInt ext[3] = {g->mx, g->my, g->mz};
  ag_group gi, gb, gs[6];
  PetscInt cap_s[6] = {0, 0, 0, 0, 0, 0}, wmax = 0;
  PetscFunctionBegin;
  for (int q = 0; q < 6; q++)
    wmax = PetscMax(wmax, s->side_width[q]);
  PetscCall(stencil_points(g->dim, s->st, s->width, NULL, &npts));
  PetscCall(PetscMalloc1(npts, &off));
  PetscCall(stencil_points(g->dim, s->st, s->width, off, &npts));
  PetscInt nud = op->ifunction ? dof : 0, *inb;
  PetscCall(PetscMalloc3(npts * dof + nud, &in, dof, &out, (1 + wmax) * dof + nud, &inb));
  PetscCall(group_init(&gi, s->k, "cell", 1, 1, 0));
  if (s->boundary) PetscCall(group_init(&gb, s->boundary, "cell boundary", 1, 1, 0));
  for (int q = 0; q < 6; q++) /* the cells a side kernel reads exist (checked on every rank) */
    PetscCheck(!s->side[q] || q >= 2 * g->dim || ext[q / 2] >= s->width + s->side_width[q],
               PetscObjectComm((PetscObject)op->da), PETSC_ERR_ARG_SIZ,
               "alphagrad: the %s boundary kernel %s reads %" PetscInt_FMT
               " cells inward from cells up to %" PetscInt_FMT
               " from the side, but the grid has only %" PetscInt_FMT " points in that direction",
               AGSides[q], s->side[q]->source, s->side_width[q], s->width, ext[q / 2]);
  for (int q = 0; q < 6; q++)
    if (s->side[q]) {
      PetscCall(group_init(&gs[q], s->side[q], side_role[q], 1, 1, 0));
      gs[q].nudot = nud ? s->side[q]->g->ninputs - (1 + s->side_width[q]) * dof : 0;
    }
  /* the time derivatives a kernel reads (none when it reads only the values) */
  gi.nudot = nud ? s->k->g->ninputs - npts * dof : 0;
  gb.nudot = nud && s->boundary ? s->boundary->g->ninputs - dof : 0;
  for (PetscInt k = g->zs; k < g->zs + g->zm; k++)
    for (PetscInt j = g->ys; j < g->ys + g->ym; j++)
      for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
        PetscInt c0 = ag_lidx(g, i, j, k), aux = op->aux ? aux_index(g, op->auxdof, i, j, k) : -1;
        PetscInt at[3] = {i, j, k};
        PetscBool fits = PETSC_TRUE;
        for (PetscInt p = 0; p < npts && fits; p++)
          for (int d = 0; d < 3; d++) {
            PetscInt q = at[d] + off[p][d];
            if (!per[d] && (q < 0 || q >= ext[d])) fits = PETSC_FALSE;
          }
        for (PetscInt c = 0; c < dof; c++)
          out[c] = c0 + c;
        if (fits) {
          for (PetscInt p = 0; p < npts; p++) {
            PetscInt b = ag_lidx(g, i + off[p][0], j + off[p][1], k + off[p][2]);
            for (PetscInt c = 0; c < dof; c++)
              in[p * dof + c] = b + c;
          }
          for (PetscInt c = 0; c < nud; c++) /* time derivatives: the cell's own entries */
            in[npts * dof + c] = c0 + c;
          PetscCall(group_add(&gi, &cap_i, in, out, &aux, at));
        } else {
          /* the first side (xlo, xhi, ylo, ...) through which the stencil leaves and that has a
             one-sided kernel */
          int side = -1;
          for (int q = 0; q < 2 * (int)g->dim && side < 0; q++) {
            PetscInt d = q / 2, lo = !(q % 2);
            PetscBool leaves =
                (PetscBool)(!per[d] && (lo ? at[d] - s->width < 0 : at[d] + s->width >= ext[d]));
            if (leaves && s->side[q]) side = q;
          }
          if (side >= 0) {
            PetscInt d = side / 2, step = side % 2 ? -1 : 1, w = s->side_width[side];
            for (PetscInt q = 0; q <= w; q++) {
              PetscInt ijk[3] = {i, j, k};
              ijk[d] += step * q;
              PetscInt b = ag_lidx(g, ijk[0], ijk[1], ijk[2]);
              for (PetscInt c = 0; c < dof; c++)
                inb[q * dof + c] = b + c;
            }
            for (PetscInt c = 0; c < gs[side].nudot; c++)
              inb[(1 + w) * dof + c] = c0 + c;
            PetscCall(group_add(&gs[side], &cap_s[side], inb, out, &aux, at));
          } else if (s->boundary) {
            for (PetscInt c = 0; c < dof + nud; c++)
              inb[c] = c0 + c % dof;
            PetscCall(group_add(&gb, &cap_b, inb, out, &aux, at));
          }
        }
      }
  PetscCall(push_group(op, &gi));
  if (s->boundary) PetscCall(push_group(op, &gb));
  for (int q = 0; q < 6; q++)
    if (s->side[q]) PetscCall(push_group(op, &gs[q]));
  PetscCall(PetscFree(off));
  PetscCall(PetscFree3(in, out, inb));
  PetscFunctionReturn(0);
}

static const char *face_role[3][3] = {{"face x", "face x low boundary", "face x high boundary"},
                                      {"face y", "face y low boundary", "face y high boundary"},
                                      {"face z", "face z low boundary", "face z high boundary"}};

static PetscErrorCode build_face_groups(AGOperator op, const ag_face_spec *s,
                                        const DMDALocalInfo *g) {
  PetscInt d = s->dir, w = s->width, dof = g->dof, cap[3] = {0, 0, 0};
  PetscInt start[3] = {g->xs, g->ys, g->zs}, cnt[3] = {g->xm, g->ym, g->zm};
  PetscInt ext[3] = {g->mx, g->my, g->mz};
  DMBoundaryType bt[3] = {g->bx, g->by, g->bz};
  PetscBool per = bt[d] == DM_BOUNDARY_PERIODIC;
  ag_group gr[3];
  PetscInt *in, *out;
  PetscFunctionBegin;
  PetscCall(PetscMalloc2(2 * w * dof, &in, 2 * dof, &out));
  PetscCall(group_init(&gr[0], s->k, face_role[d][0], 2, 1, -1));
  if (s->low) PetscCall(group_init(&gr[1], s->low, face_role[d][1], 1, -1, 0));
  if (s->high) PetscCall(group_init(&gr[2], s->high, face_role[d][2], 1, 1, 0));
  /* the aux values of the face's cells (AGOperatorSetAuxiliaryFaces): low, then high cell;
     a boundary face's one cell; indices into the aux DMDA's ghosted local array */
  DMDALocalInfo ga;
  PetscBool fa = (PetscBool)(op->aux && op->aux_faces);
  PetscInt fx[2];
  if (fa) {
    DM adm;
    PetscCall(VecGetDM(op->aux, &adm));
    PetscCall(DMDAGetLocalInfo(adm, &ga));
    PetscCheck(ga.sw >= 1, PetscObjectComm((PetscObject)op->da), PETSC_ERR_ARG_INCOMP,
               "alphagrad: face kernels read the auxiliary values of the cells on both sides of a "
               "face: the auxiliary vector's DMDA needs stencil width >= 1 (it has 0)");
    gr[0].aux_per = 2;
    for (int q = 0; q < 3; q++)
      gr[q].aux_ghosted = PETSC_TRUE;
  }
#define AUXL(ijk)                                                                                  \
  ((((ijk)[2] - ga.gzs) * ga.gym + ((ijk)[1] - ga.gys)) * ga.gxm + ((ijk)[0] - ga.gxs)) * ga.dof
  gr[0].at[d] = 0.5;              /* interior faces: after their low cell */
  if (s->low) gr[1].at[d] = -0.5; /* the low boundary face: before the first cell */
  if (s->high) gr[2].at[d] = 0.5; /* the high boundary face: after the last cell */
  /* the two transverse directions (size 1 when absent) */
  PetscInt t1 = (d + 1) % 3, t2 = (d + 2) % 3;
  /* faces in the natural order of their low cell (k, then j, then i), whatever the direction,
     so that a batch of faces writes rows near each other; each cell still gets its low face
     before its high one */
  PetscInt end[3] = {start[0] + cnt[0], start[1] + cnt[1], start[2] + cnt[2]};
  end[d]++;
  for (PetscInt fk = start[2]; fk < end[2]; fk++)
    for (PetscInt fj = start[1]; fj < end[1]; fj++)
      for (PetscInt fi = start[0]; fi < end[0]; fi++) {
        PetscInt pos[3] = {fi, fj, fk}, f = pos[d], b = pos[t1], a = pos[t2];
        /* cell at position q along d, as (i, j, k) */
#define CELL(q, ijk)                                                                               \
  do {                                                                                             \
    ijk[d] = (q);                                                                                  \
    ijk[t1] = b;                                                                                   \
    ijk[t2] = a;                                                                                   \
  } while (0)
        PetscInt ijk[3];
        if (!per && f == 0) {
          if (!s->low) continue;
          for (PetscInt q = 0; q < w; q++) {
            CELL(q, ijk);
            PetscInt base = ag_lidx(g, ijk[0], ijk[1], ijk[2]);
            for (PetscInt c = 0; c < dof; c++)
              in[q * dof + c] = base + c;
          }
          CELL(0, ijk);
          for (PetscInt c = 0; c < dof; c++)
            out[c] = ag_lidx(g, ijk[0], ijk[1], ijk[2]) + c;
          if (fa) fx[0] = AUXL(ijk);
          PetscCall(group_add(&gr[1], &cap[1], in, out, fa ? fx : NULL, ijk));
        } else if (!per && f == ext[d]) {
          if (!s->high) continue;
          for (PetscInt q = 0; q < w; q++) {
            CELL(ext[d] - w + q, ijk);
            PetscInt base = ag_lidx(g, ijk[0], ijk[1], ijk[2]);
            for (PetscInt c = 0; c < dof; c++)
              in[q * dof + c] = base + c;
          }
          CELL(ext[d] - 1, ijk);
          for (PetscInt c = 0; c < dof; c++)
            out[c] = ag_lidx(g, ijk[0], ijk[1], ijk[2]) + c;
          if (fa) fx[0] = AUXL(ijk);
          PetscCall(group_add(&gr[2], &cap[2], in, out, fa ? fx : NULL, ijk));
        } else {
          if (!per && (f - w < 0 || f + w > ext[d])) continue;
          for (PetscInt q = 0; q < 2 * w; q++) {
            CELL(f - w + q, ijk);
            PetscInt base = ag_lidx(g, ijk[0], ijk[1], ijk[2]);
            for (PetscInt c = 0; c < dof; c++)
              in[q * dof + c] = base + c;
          }
          for (PetscInt side = 0; side < 2; side++) {
            CELL(f - 1 + side, ijk);
            PetscBool own = owned(g, ijk[0], ijk[1], ijk[2]);
            PetscInt base = ag_lidx(g, ijk[0], ijk[1], ijk[2]);
            for (PetscInt c = 0; c < dof; c++)
              out[side * dof + c] = own ? base + c : -1;
            if (fa) fx[side] = AUXL(ijk);
          }
          CELL(f - 1, ijk); /* the face's low cell; its centre is half a spacing further */
          PetscCall(group_add(&gr[0], &cap[0], in, out, fa ? fx : NULL, ijk));
        }
#undef CELL
      }
#undef AUXL
  PetscCall(push_group(op, &gr[0]));
  if (s->low) PetscCall(push_group(op, &gr[1]));
  if (s->high) PetscCall(push_group(op, &gr[2]));
  PetscCall(PetscFree2(in, out));
  PetscFunctionReturn(0);
}

/* auxiliary values of a group's elements (0: none) */
static PetscInt group_naux(AGOperator op, const ag_group *gr) {
  /* from the operator, not from aux_idx: a group with no elements on this rank has none, and
     every rank must see the same parameter count (check_params is collective in effect) */
  if (!op->aux || (strncmp(gr->role, "cell", 4) && !op->aux_faces)) return 0;
  return gr->aux_per * op->auxdof;
}

static PetscErrorCode check_params(AGOperator op, ag_group *gr) {
  AGKernel k = gr->k;
  PetscInt naux = group_naux(op, gr);
  PetscInt ngeom = k->geometry ? 2 * op->dim : 0;
  MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
  PetscFunctionBegin;
  PetscCheck(!op->aux_wanted || op->aux, comm, PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the operator on this grid was made by DMCoarsen/DMRefine from an "
             "operator with an auxiliary vector, and has none: give it this grid's vector with "
             "AGOperatorSetAuxiliaryVec on the operator of AGOperatorGetForDM (or rediscretise "
             "without an auxiliary vector, e.g. -pc_mg_galerkin pmat)");
  PetscCheck(!(op->ifunction && op->opts.backend == AG_BACKEND_CUDA), comm, PETSC_ERR_SUP,
             "alphagrad: IFunction operators (implicit TS) are not supported by the cuda backend "
             "yet: use -snes_jacobian_alphagrad_backend c");
  PetscCheck(!(gr->aux_ghosted && group_naux(op, gr) && op->opts.backend == AG_BACKEND_CUDA), comm,
             PETSC_ERR_SUP,
             "alphagrad: face kernels with auxiliary values (AGOperatorSetAuxiliaryFaces) are not "
             "supported by the cuda backend yet: use -snes_jacobian_alphagrad_backend c");
  PetscCheck(!(ngeom && op->opts.backend == AG_BACKEND_CUDA), comm, PETSC_ERR_SUP,
             "alphagrad: %s kernel %s takes geometry parameters, which the cuda backend does "
             "not support yet: use -snes_jacobian_alphagrad_backend c",
             gr->role, k->source);
  PetscCheck(k->g->nparams <= k->nconst + naux + ngeom, comm, PETSC_ERR_ARG_SIZ,
             "alphagrad: %s kernel %s reads %d parameters, but only %" PetscInt_FMT
             " constants (AGKernelSetParameters, -snes_jacobian_alphagrad_params), %" PetscInt_FMT
             " auxiliary values (AGOperatorSetAuxiliaryVec) and %" PetscInt_FMT
             " geometry values (AGKernelSetGeometry, -snes_jacobian_alphagrad_geometry) are given",
             gr->role, k->source, k->g->nparams, k->nconst, naux, ngeom);
  PetscFunctionReturn(0);
}

/* The grid's spacings and the coordinates of point 0 (the DMDA's bounding box when it has
   coordinates, else [0, 1] per direction). */
static PetscErrorCode grid_geometry(AGOperator op) {
  PetscInt M[3];
  DMBoundaryType b[3];
  Vec coords;
  PetscReal lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
  PetscFunctionBegin;
  PetscCall(DMDAGetInfo(op->da, NULL, &M[0], &M[1], &M[2], NULL, NULL, NULL, NULL, NULL, &b[0],
                        &b[1], &b[2], NULL));
  PetscCall(DMGetCoordinates(op->da, &coords));
  if (coords) PetscCall(DMGetBoundingBox(op->da, lo, hi));
  for (PetscInt d = 0; d < 3; d++) {
    PetscInt n = b[d] == DM_BOUNDARY_PERIODIC ? M[d] : M[d] - 1;
    op->x0[d] = d < op->dim ? lo[d] : 0;
    op->h[d] = d < op->dim && n > 0 ? (hi[d] - lo[d]) / (PetscReal)n : 1;
  }
  PetscFunctionReturn(0);
}

/* -PREFIXview [viewer]; without the option, opts.view (set by a SNES's options under another
   prefix, or by the caller) prints to stdout */
static PetscErrorCode view_at_setup(AGOperator op) {
  PetscBool has = PETSC_FALSE;
  PetscFunctionBegin;
  if (((PetscObject)op)->prefix)
    PetscCall(
        PetscOptionsHasName(((PetscObject)op)->options, ((PetscObject)op)->prefix, "-view", &has));
  if (has)
    PetscCall(AGOperatorViewFromOptions(op, NULL, "-view"));
  else if (op->opts.view)
    PetscCall(AGOperatorView(op, PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)op))));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetUp(AGOperator op) {
  DMDALocalInfo g;
  PetscInt mi = 1, mp = 1, mo = 1, me = 1, B;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  if (op->ready) PetscFunctionReturn(0);
  op->bops = ag_backend_ops_get(op->opts.backend);
  PetscCheck(op->ncells + op->nfaces > 0, PetscObjectComm((PetscObject)op->da),
             PETSC_ERR_ARG_WRONGSTATE, "alphagrad: the operator has no kernels");
  PetscCall(PetscLogEventBegin(AG_SetUp, 0, 0, 0, 0));
  PetscCall(DMDAGetLocalInfo(op->da, &g));
  PetscCall(grid_geometry(op));
  for (PetscInt s = 0; s < op->ncells; s++)
    PetscCall(build_cell_groups(op, &op->cells[s], &g));
  for (PetscInt s = 0; s < op->nfaces; s++)
    PetscCall(build_face_groups(op, &op->faces[s], &g));
  /* orders (collective, kernel by kernel), then the code of the distinct kernels (compiled
     in parallel over the ranks) */
  for (PetscInt q = 0; q < op->ngroups; q++) {
    ag_group *gr = &op->groups[q];
    if (!op->aux || (strncmp(gr->role, "cell", 4) && !op->aux_faces)) {
      PetscCall(PetscFree(gr->aux_idx));
      gr->aux_idx = NULL;
    }
    PetscCall(check_params(op, gr));
    PetscCall(ag_kernel_order(gr->k, &op->opts));
  }
  {
    AGKernel *ks;
    PetscInt nk = 0;
    PetscCall(PetscMalloc1(op->ngroups + 1, &ks));
    for (PetscInt q = 0; q < op->ngroups; q++) {
      PetscBool seen = PETSC_FALSE;
      for (PetscInt r = 0; r < nk; r++)
        seen = (PetscBool)(seen || ks[r] == op->groups[q].k);
      if (!seen) ks[nk++] = op->groups[q].k;
    }
    PetscCall(ag_kernels_code(ks, nk, &op->opts, op->bops, PetscObjectComm((PetscObject)op->da)));
    PetscCall(PetscFree(ks));
  }
  op->ncoo = 0;
  for (PetscInt q = 0; q < op->ngroups; q++) {
    ag_group *gr = &op->groups[q];
    gr->coo_base = op->ncoo;
    op->ncoo += (PetscCount)gr->nel * gr->ntarget * gr->k->jp->nentries;
    mi = PetscMax(mi, gr->k->g->ninputs);
    mp = PetscMax(mp, gr->k->g->nparams);
    mo = PetscMax(mo, gr->k->g->noutputs);
    me = PetscMax(me, gr->k->jp->nentries);
  }
  /* every owned row gets its diagonal in the pattern (value 0 plus whatever the kernels add),
     so that a row no kernel writes is an explicit zero row, not a missing diagonal; such rows
     are counted and reported */
  op->ncoo_kernels = op->ncoo;
  op->nowned = g.xm * g.ym * g.zm * g.dof;
  op->ncoo += op->nowned;
  {
    PetscInt nloc = g.gxm * g.gym * g.gzm * g.dof, mine = 0;
    PetscBool *hit;
    PetscCall(PetscCalloc1(nloc + 1, &hit));
    for (PetscInt q = 0; q < op->ngroups; q++) {
      const ag_group *gr = &op->groups[q];
      PetscInt nr = gr->nel * gr->ntarget * gr->k->g->noutputs;
      for (PetscInt r = 0; r < nr; r++)
        if (gr->out_idx[r] >= 0) hit[gr->out_idx[r]] = PETSC_TRUE;
    }
    for (PetscInt k = g.zs; k < g.zs + g.zm; k++)
      for (PetscInt j = g.ys; j < g.ys + g.ym; j++)
        for (PetscInt i = g.xs; i < g.xs + g.xm; i++)
          for (PetscInt c = 0; c < g.dof; c++)
            if (!hit[ag_lidx(&g, i, j, k) + c]) mine++;
    PetscCall(PetscFree(hit));
    PetscCallMPI(MPI_Allreduce(&mine, &op->nempty, 1, MPIU_INT, MPI_SUM,
                               PetscObjectComm((PetscObject)op->da)));
    if (op->nempty)
      PetscCall(PetscPrintf(PetscObjectComm((PetscObject)op->da),
                            "alphagrad: warning: %" PetscInt_FMT " residual rows get nothing from "
                            "the operator's kernels (cells whose stencil leaves the domain need a "
                            "boundary kernel); their Jacobian rows are zero\n",
                            op->nempty));
  }
  B = op->opts.batch;
  PetscCall(PetscMalloc4(B * mi, &op->bin, B * mp, &op->bp, B * mo, &op->bout, B * me, &op->bjac));
  PetscCall(DMCreateLocalVector(op->da, &op->xloc));
  PetscCall(DMCreateLocalVector(op->da, &op->floc));
  if (op->derived) { /* the DMDA owns a derived operator: its vectors must not hold the DMDA */
    PetscCall(VecSetDM(op->xloc, NULL));
    PetscCall(VecSetDM(op->floc, NULL));
  }
  PetscCall(ag_assembly_schedule(op));
  op->ready = PETSC_TRUE;
  PetscCall(PetscLogEventEnd(AG_SetUp, 0, 0, 0, 0));
  /* with tuning (host backends), the view waits for the first Jacobian's choice */
  if (!op->opts.tune || op->bops->id != AG_BACKEND_C) PetscCall(view_at_setup(op));
  PetscFunctionReturn(0);
}

/* ---- evaluation ---- */

/* The auxiliary values for an evaluation: the owned array (cell kernels) and, when face
   kernels take aux values, the aux DMDA's ghosted local array (filled here). */
static PetscErrorCode aux_begin(AGOperator op, const PetscScalar **aux, const PetscScalar **auxl) {
  PetscFunctionBegin;
  *aux = *auxl = NULL;
  if (!op->aux) PetscFunctionReturn(0);
  PetscCall(VecGetArrayRead(op->aux, aux));
  if (op->aux_faces) {
    DM adm;
    DMDALocalInfo a;
    PetscInt n = -1;
    PetscCall(VecGetDM(op->aux, &adm));
    PetscCall(DMDAGetLocalInfo(adm, &a));
    if (op->auxloc) PetscCall(VecGetLocalSize(op->auxloc, &n));
    if (!op->auxloc) {
      PetscCall(DMCreateLocalVector(adm, &op->auxloc));
      PetscCall(VecSetDM(op->auxloc, NULL)); /* a derived operator's DMDA owns it */
    }
    PetscCheck(n < 0 || n == a.gxm * a.gym * a.gzm * a.dof, PetscObjectComm((PetscObject)op),
               PETSC_ERR_ARG_INCOMP,
               "alphagrad: the auxiliary vector's DMDA has another stencil width than the one the "
               "operator was set up with (face kernels read its ghost values)");
    PetscCall(DMGlobalToLocal(adm, op->aux, INSERT_VALUES, op->auxloc));
    PetscCall(VecGetArrayRead(op->auxloc, auxl));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode aux_end(AGOperator op, const PetscScalar **aux, const PetscScalar **auxl) {
  PetscFunctionBegin;
  if (*aux) PetscCall(VecRestoreArrayRead(op->aux, aux));
  if (*auxl) PetscCall(VecRestoreArrayRead(op->auxloc, auxl));
  PetscFunctionReturn(0);
}

/* gathers batch wk's elements into the SoA buffers */
static void gather(AGOperator op, const ag_work *wk, const PetscScalar *x, const PetscScalar *aux,
                   const PetscScalar *auxl) {
  const ag_group *gr = &op->groups[wk->q];
  const AGKernel k = gr->k;
  PetscInt ni = k->g->ninputs, np = k->g->nparams, nc = k->nconst, nu = ni - gr->nudot;
  PetscInt e0 = wk->e0, n = wk->n;
  if (wk->ist > 0) /* evenly stepping indices: input by input, no index array */
    for (PetscInt i = 0; i < ni; i++) {
      const PetscScalar *restrict s = (i < nu ? x : op->udot_arr) + gr->in_idx[e0 * ni + i];
      PetscReal *restrict d = op->bin + i * n;
      const PetscInt st = wk->ist;
      for (PetscInt e = 0; e < n; e++)
        d[e] = s[e * st];
    }
  else
    for (PetscInt e = 0; e < n; e++) {
      const PetscInt *ix = gr->in_idx + (e0 + e) * ni;
      for (PetscInt i = 0; i < nu; i++)
        op->bin[i * n + e] = x[ix[i]];
      for (PetscInt i = nu; i < ni; i++)
        op->bin[i * n + e] = op->udot_arr[ix[i]];
    }
  PetscInt na = group_naux(op, gr), ad = op->auxdof, per = gr->aux_per;
  /* constant parameters: broadcast unless the buffer holds this group's already (its
     batches follow one another; kernels with only constants, e.g. Bratu's, then gather
     their inputs alone) */
  PetscBool only_const = (PetscBool)(na == 0 && !k->geometry);
  if (!only_const || op->bp_q != wk->q || op->bp_n != n)
    for (PetscInt i = 0; i < nc && i < np; i++)
      for (PetscInt e = 0; e < n; e++)
        op->bp[i * n + e] = k->params[i];
  op->bp_q = wk->q;
  op->bp_n = only_const ? n : 0;
  const PetscScalar *src = gr->aux_ghosted ? auxl : aux;
  for (PetscInt i = nc; i < np && i < nc + na; i++) { /* cell (i - nc) / ad, value (i - nc) % ad */
    PetscReal *restrict d = op->bp + i * n;
    if (wk->ist > 0) {
      const PetscScalar *restrict s = src + gr->aux_idx[e0 * per + (i - nc) / ad] + (i - nc) % ad;
      for (PetscInt e = 0; e < n; e++)
        d[e] = s[e * wk->ast];
    } else
      for (PetscInt e = 0; e < n; e++)
        d[e] = src[gr->aux_idx[(e0 + e) * per + (i - nc) / ad] + (i - nc) % ad];
  }
  if (k->geometry) /* spacings, then coordinates */
    for (PetscInt i = nc + na; i < np; i++) {
      PetscInt q = i - nc - na, d = q % op->dim;
      for (PetscInt e = 0; e < n; e++)
        op->bp[i * n + e] =
            q < op->dim
                ? op->h[d]
                : op->x0[d] + ((PetscReal)gr->cell[3 * (e0 + e) + d] + gr->at[d]) * op->h[d];
    }
}

/* The time derivative Udot into op->udotloc and op->udot_arr (IFunction operators), or
   releases it (Udot NULL). */
static PetscErrorCode udot_begin(AGOperator op, Vec Udot) {
  PetscFunctionBegin;
  if (!op->udotloc) {
    PetscCall(DMCreateLocalVector(op->da, &op->udotloc));
    if (op->derived) PetscCall(VecSetDM(op->udotloc, NULL));
  }
  PetscCall(DMGlobalToLocal(op->da, Udot, INSERT_VALUES, op->udotloc));
  PetscCall(VecGetArrayRead(op->udotloc, &op->udot_arr));
  PetscFunctionReturn(0);
}

static PetscErrorCode udot_end(AGOperator op) {
  PetscFunctionBegin;
  PetscCall(VecRestoreArrayRead(op->udotloc, &op->udot_arr));
  op->udot_arr = NULL;
  PetscFunctionReturn(0);
}

/* The evaluation fits the operator: IFunction operators (time derivatives) only through
   AGOperatorComputeIFunction/IJacobian, the others only through ComputeResidual/Jacobian. */
static PetscErrorCode check_kind(AGOperator op, PetscBool ifunction, const char *other) {
  PetscFunctionBegin;
  PetscCheck(op->ifunction == ifunction, PetscObjectComm((PetscObject)op), PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: the operator's kernels take %stime derivatives (AGOperatorSetIFunction, "
             "before adding them): use %s",
             op->ifunction ? "" : "no ", other);
  PetscFunctionReturn(0);
}

static PetscErrorCode residual(AGOperator op, Vec X, Vec F);

PetscErrorCode AGOperatorComputeResidual(AGOperator op, Vec X, Vec F) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCall(check_kind(op, PETSC_FALSE, "AGOperatorComputeIFunction"));
  PetscCall(residual(op, X, F));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorComputeIFunction(AGOperator op, PetscReal t, Vec U, Vec Udot, Vec F) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(Udot, VEC_CLASSID, 4);
  (void)t;
  PetscCall(check_kind(op, PETSC_TRUE, "AGOperatorComputeResidual"));
  PetscCall(AGOperatorSetUp(op));
  PetscCall(udot_begin(op, Udot));
  PetscCall(residual(op, U, F));
  PetscCall(udot_end(op));
  PetscFunctionReturn(0);
}

static PetscErrorCode residual(AGOperator op, Vec X, Vec F) {
  const PetscScalar *x, *aux = NULL, *auxl = NULL;
  PetscScalar *f;
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCall(AGOperatorSetUp(op));
  PetscCall(PetscTime(&t0));
  PetscCall(PetscLogEventBegin(AG_Residual, 0, 0, 0, 0));
  PetscCall(DMGlobalToLocal(op->da, X, INSERT_VALUES, op->xloc));
  PetscCall(VecSet(op->floc, 0));
  PetscCall(VecGetArrayRead(op->xloc, &x));
  PetscCall(VecGetArray(op->floc, &f));
  PetscCall(aux_begin(op, &aux, &auxl));
  op->bp_n = 0; /* the kernels' constants may have changed since the last evaluation */
  for (PetscInt w = 0; w < op->nwork; w++) { /* the batches in group order */
    const ag_work *wk = &op->work[w];
    const ag_group *gr = &op->groups[wk->q];
    PetscInt no = gr->k->g->noutputs, nt = gr->ntarget, e0 = wk->e0, n = wk->n;
    gather(op, wk, x, aux, auxl);
    ag_evaluator_eval_primal_batch(gr->k->ev, (int)n, op->bin, op->bp, op->bout);
    if (wk->ist > 0) /* evenly stepping rows, all owned; the high side first, so that each
                        cell sums as element by element (its low face's value, then its high
                        face's) */
      for (PetscInt t = nt - 1; t >= 0; t--)
        for (PetscInt r = 0; r < no; r++) {
          PetscScalar *restrict d = f + gr->out_idx[e0 * nt * no + t * no + r];
          const PetscReal *restrict s = op->bout + r * n;
          const PetscScalar sg = gr->sign[t];
          for (PetscInt e = 0; e < n; e++)
            d[e * wk->ost] += sg * s[e];
        }
    else
      for (PetscInt e = 0; e < n; e++) {
        const PetscInt *rows = gr->out_idx + (e0 + e) * nt * no;
        for (PetscInt t = 0; t < nt; t++)
          for (PetscInt r = 0; r < no; r++) {
            PetscInt idx = rows[t * no + r];
            if (idx >= 0) f[idx] += gr->sign[t] * op->bout[r * n + e];
          }
      }
  }
  PetscCall(aux_end(op, &aux, &auxl));
  PetscCall(VecRestoreArrayRead(op->xloc, &x));
  PetscCall(VecRestoreArray(op->floc, &f));
  { /* the owned block of the local residual is F's local part (only owned rows are written;
       no communication, and periodic directions on one process work) */
    DMDALocalInfo g;
    const PetscScalar *fl;
    PetscScalar *fg, *to;
    PetscCall(DMDAGetLocalInfo(op->da, &g));
    PetscCall(VecGetArrayRead(op->floc, &fl));
    PetscCall(VecGetArray(F, &fg));
    to = fg;
    for (PetscInt k = g.zs; k < g.zs + g.zm; k++)
      for (PetscInt j = g.ys; j < g.ys + g.ym; j++, to += g.xm * g.dof)
        PetscCall(PetscArraycpy(to, fl + ag_lidx(&g, g.xs, j, k), g.xm * g.dof));
    PetscCall(VecRestoreArray(F, &fg));
    PetscCall(VecRestoreArrayRead(op->floc, &fl));
  }
  PetscCall(PetscLogEventEnd(AG_Residual, 0, 0, 0, 0));
  PetscCall(PetscTime(&t1));
  op->nres++;
  op->res_time += t1 - t0;
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_nonfinite(AGOperator op, SNES snes) {
  PetscMPIInt mine = op->nonfinite ? 1 : 0, any, rank, first;
  MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm));
  if (!any) PetscFunctionReturn(0);
  PetscCall(SNESSetJacobianDomainError(snes)); /* SNES_DIVERGED_JACOBIAN_DOMAIN when checked */
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  mine = op->nonfinite ? rank : INT_MAX;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (rank == first) {
    const ag_group *gr = &op->groups[op->nonfinite_group];
    PetscCall(PetscPrintf(PETSC_COMM_SELF,
                          "alphagrad: the Jacobian has a non-finite entry (inf or NaN) from the %s "
                          "kernel %s at cell (%" PetscInt_FMT ", %" PetscInt_FMT ", %" PetscInt_FMT
                          ") on rank %d: the kernel's derivative is not defined at this state "
                          "(e.g. sqrt or pow at 0); the SNES is told (SNESSetJacobianDomainError: "
                          "with -snes_check_jacobian_domain_error it stops with "
                          "DIVERGED_JACOBIAN_DOMAIN)\n",
                          gr->role, gr->k->source, op->nonfinite_cell[0], op->nonfinite_cell[1],
                          op->nonfinite_cell[2], rank));
  }
  PetscFunctionReturn(0);
}

/* the host backends (c, interp: the kernels' evaluators differ, not the assembly) */
/* -snes_jacobian_alphagrad_tune: each distinct kernel's candidate orders timed on up to one
   batch of the application's own elements (rank 0's first group of that kernel with
   elements; ag_kernel_tune), once, at the first Jacobian. */
static PetscErrorCode tune_kernels(AGOperator op, const PetscScalar *x, const PetscScalar *aux,
                                   const PetscScalar *auxl) {
  MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
  PetscMPIInt rank;
  PetscFunctionBegin;
  if (op->tune_done) PetscFunctionReturn(0);
  op->tune_done = PETSC_TRUE;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    AGKernel k = op->groups[q].k;
    PetscBool first = PETSC_TRUE;
    for (PetscInt r = 0; r < q; r++)
      if (op->groups[r].k == k) first = PETSC_FALSE;
    if (!first || k->tuned) continue;
    PetscInt ni = k->g->ninputs, np = k->g->nparams, n = 0;
    const ag_group *gr = NULL;
    for (PetscInt r = q; r < op->ngroups && rank == 0; r++)
      if (op->groups[r].k == k && op->groups[r].nel > 0) {
        gr = &op->groups[r];
        break;
      }
    double *xs = NULL, *ps = NULL;
    if (gr) { /* one batch through the evaluation's own gather, then element-major */
      n = PetscMin(op->opts.batch, gr->nel);
      ag_work w1 = {(PetscInt)(gr - op->groups), 0, n, 0, 0, 0};
      gather(op, &w1, x, aux, auxl);
      PetscCall(PetscMalloc2(n * ni + 1, &xs, n * np + 1, &ps));
      for (PetscInt e = 0; e < n; e++) {
        for (PetscInt i = 0; i < ni; i++)
          xs[e * ni + i] = op->bin[i * n + e];
        for (PetscInt i = 0; i < np; i++)
          ps[e * np + i] = op->bp[i * n + e];
      }
    }
    PetscCall(ag_kernel_tune(k, &op->opts, xs, np ? ps : NULL, (int)n, comm));
    if (gr) PetscCall(PetscFree2(xs, ps));
  }
  PetscCall(view_at_setup(op)); /* deferred from the set-up */
  PetscFunctionReturn(0);
}

/* the first element of batch wk whose Jacobian (bjac) holds an inf or a NaN: op->nonfinite,
   its group and cell */
static void nonfinite_where(AGOperator op, const ag_work *wk, const PetscReal *bjac) {
  const ag_group *gr = &op->groups[wk->q];
  PetscInt n = wk->n, ne = gr->k->jp->nentries;
  for (PetscInt m = 0; m < n * ne && !op->nonfinite; m++)
    if (PetscIsInfOrNanScalar(bjac[m])) {
      PetscInt e = wk->e0 + m % n;
      op->nonfinite = PETSC_TRUE;
      op->nonfinite_group = wk->q;
      for (int d = 0; d < 3; d++)
        op->nonfinite_cell[d] = gr->cell[3 * e + d];
    }
}

static PetscErrorCode jacobian_host(AGOperator op, Vec X, Mat P) {
  const PetscScalar *x, *aux = NULL, *auxl = NULL;
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCall(ag_assembly_prepare(op, P)); /* at P's first Jacobian: AG_Pattern */
  PetscCall(PetscTime(&t0));
  PetscCall(PetscLogEventBegin(AG_JacobianEval, 0, 0, 0, 0));
  PetscCall(ag_assembly_begin(op, P));
  op->nonfinite = PETSC_FALSE;
  PetscCall(DMGlobalToLocal(op->da, X, INSERT_VALUES, op->xloc));
  PetscCall(VecGetArrayRead(op->xloc, &x));
  PetscCall(aux_begin(op, &aux, &auxl));
  op->bp_n = 0; /* the kernels' constants may have changed since the last evaluation */
  if (op->opts.tune) PetscCall(tune_kernels(op, x, aux, auxl));
  for (PetscInt k = 0; k < op->nwork; k++) {
    PetscInt w;
    PetscReal *bjac;
    ag_assembly_batch(op, k, &w, &bjac);
    const ag_group *gr = &op->groups[op->work[w].q];
    gather(op, &op->work[w], x, aux, auxl);
    ag_evaluator_eval_batch(gr->k->ev, (int)op->work[w].n, op->bin, op->bp, op->bout, bjac);
    if (ag_assembly_add(op, k) && !op->nonfinite) nonfinite_where(op, &op->work[w], bjac);
  }
  {
    PetscBool bad;
    PetscCall(ag_assembly_end(op, P, &bad));
    /* in place, the values written show an inf or a NaN: find the element, evaluating the
       batches again (only then) */
    for (PetscInt w = 0; bad && w < op->nwork && !op->nonfinite; w++) {
      const ag_work *wk = &op->work[w];
      const ag_group *gr = &op->groups[wk->q];
      gather(op, wk, x, aux, auxl);
      ag_evaluator_eval_batch(gr->k->ev, (int)wk->n, op->bin, op->bp, op->bout, op->bjac);
      if (ag_any_nonfinite(op->bjac, wk->n * gr->k->jp->nentries))
        nonfinite_where(op, wk, op->bjac);
    }
  }
  PetscCall(aux_end(op, &aux, &auxl));
  PetscCall(VecRestoreArrayRead(op->xloc, &x));
  PetscCall(PetscLogEventEnd(AG_JacobianEval, 0, 0, 0, 0));
  PetscCall(PetscTime(&t1));
  op->njac++;
  op->jac_time += t1 - t0;
  PetscFunctionReturn(0);
}

static const ag_backend_ops host_c_ops = {AG_BACKEND_C, NULL, jacobian_host, NULL, NULL};
static const ag_backend_ops host_interp_ops = {AG_BACKEND_INTERP, NULL, jacobian_host, NULL, NULL};

const ag_backend_ops *ag_backend_ops_get(AGBackend b) {
  switch (b) {
  case AG_BACKEND_INTERP: return &host_interp_ops;
  case AG_BACKEND_CUDA: return &ag_backend_cuda_ops;
  default: return &host_c_ops;
  }
}

PetscErrorCode AGOperatorComputeJacobian(AGOperator op, Vec X, Mat P) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(X, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(P, MAT_CLASSID, 3);
  PetscCall(check_kind(op, PETSC_FALSE, "AGOperatorComputeIJacobian"));
  PetscCall(AGOperatorSetUp(op));
  PetscCall(op->bops->jacobian(op, X, P));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorComputeIJacobian(AGOperator op, PetscReal t, Vec U, Vec Udot,
                                          PetscReal shift, Mat P) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscValidHeaderSpecific(Udot, VEC_CLASSID, 4);
  PetscValidHeaderSpecific(P, MAT_CLASSID, 6);
  (void)t;
  PetscCall(check_kind(op, PETSC_TRUE, "AGOperatorComputeJacobian"));
  PetscCall(AGOperatorSetUp(op));
  op->shift = shift;
  PetscCall(udot_begin(op, Udot));
  PetscCall(op->bops->jacobian(op, U, P));
  PetscCall(udot_end(op));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetIFunction(AGOperator op, PetscBool flg) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCheck(op->ncells + op->nfaces == 0, PetscObjectComm((PetscObject)op),
             PETSC_ERR_ARG_WRONGSTATE,
             "alphagrad: AGOperatorSetIFunction comes before the kernels are added");
  op->ifunction = flg;
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorView(AGOperator op, PetscViewer v) {
  PetscInt dim, M, N, P, dof;
  PetscBool isascii;
  MPI_Comm comm = PetscObjectComm((PetscObject)op->da);
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  if (!v) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)op), &v));
  PetscValidHeaderSpecific(v, PETSC_VIEWER_CLASSID, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)v, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(
      DMDAGetInfo(op->da, &dim, &M, &N, &P, NULL, NULL, NULL, &dof, NULL, NULL, NULL, NULL, NULL));
  PetscCall(PetscViewerASCIIPrintf(v,
                                   "alphagrad operator on a %" PetscInt_FMT
                                   "-D DMDA (%" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
                                   ", dof %" PetscInt_FMT ")\n",
                                   dim, M, N, P, dof));
  PetscCall(PetscViewerASCIIPushTab(v));
  if (op->derived)
    PetscCall(PetscViewerASCIIPrintf(v, "derived by DMCoarsen/DMRefine from the operator of "
                                        "another grid\n"));
  if (op->ready) {
    PetscBool geom = PETSC_FALSE;
    for (PetscInt q = 0; q < op->ngroups; q++)
      geom = (PetscBool)(geom || op->groups[q].k->geometry);
    if (geom)
      PetscCall(PetscViewerASCIIPrintf(v,
                                       "geometry parameters: spacings %g %g %g, origin %g %g %g\n",
                                       (double)op->h[0], (double)op->h[1], (double)op->h[2],
                                       (double)op->x0[0], (double)op->x0[1], (double)op->x0[2]));
  }
  if (!op->ready) {
    for (PetscInt s = 0; s < op->ncells; s++)
      PetscCall(ag_kernel_view(op->cells[s].k, "cell", v));
    for (PetscInt s = 0; s < op->nfaces; s++)
      PetscCall(ag_kernel_view(op->faces[s].k, face_role[op->faces[s].dir][0], v));
  }
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    PetscInt nel;
    PetscCallMPI(MPI_Allreduce(&gr->nel, &nel, 1, MPIU_INT, MPI_SUM, comm));
    char role[64];
    PetscCall(PetscSNPrintf(role, sizeof role, "%s (%" PetscInt_FMT " elements)", gr->role, nel));
    PetscCall(ag_kernel_view(gr->k, role, v));
  }
  if (op->ready) {
    long long mine[2] = {(long long)op->ncoo_kernels, (long long)op->ncoo}, n[2];
    PetscCallMPI(MPI_Allreduce(mine, n, 2, MPI_LONG_LONG, MPI_SUM, comm));
    PetscCall(PetscViewerASCIIPrintf(
        v, "Jacobian entries from the kernels: %lld; batch %" PetscInt_FMT "\n", n[0],
        op->opts.batch));
    if (ag_assembly_in_place(op))
      PetscCall(ag_assembly_view(op, v));
    else if (op->coo_mat_id >= 0)
      PetscCall(PetscViewerASCIIPrintf(v,
                                       "assembly: COO, %lld entries (the kernels', then zeros: "
                                       "diagonal%s)\n",
                                       n[1],
                                       op->opts.exact_pattern ? "" : ", the matrix's structure"));
    if (op->nempty)
      PetscCall(PetscViewerASCIIPrintf(
          v, "rows no kernel writes: %" PetscInt_FMT " (zero Jacobian rows)\n", op->nempty));
    if (op->njac)
      PetscCall(PetscViewerASCIIPrintf(v, "Jacobians: %" PetscInt_FMT ", %.3g ms each (rank 0)\n",
                                       op->njac, 1e3 * op->jac_time / op->njac));
    if (op->nres)
      PetscCall(PetscViewerASCIIPrintf(v, "residuals: %" PetscInt_FMT ", %.3g ms each (rank 0)\n",
                                       op->nres, 1e3 * op->res_time / op->nres));
    if (op->bops->view) PetscCall(op->bops->view(op, v));
  }
  PetscCall(PetscViewerASCIIPopTab(v));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorViewFromOptions(AGOperator op, PetscObject obj, const char name[]) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCall(PetscObjectViewFromOptions((PetscObject)op, obj, name));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_set_opts(AGOperator op, const ag_plugin_opts *o) {
  PetscFunctionBegin;
  if (!op->ready) op->opts = *o;
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorSetOptionsPrefix(AGOperator op, const char prefix[]) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)op, prefix));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorAppendOptionsPrefix(AGOperator op, const char prefix[]) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)op, prefix));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorGetOptionsPrefix(AGOperator op, const char *prefix[]) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)op, prefix));
  PetscFunctionReturn(0);
}

/* the set-up options under the operator's prefix; the SNES options checker (snes.c) reads
   the same options under the SNES's prefix and hands them over with ag_operator_set_opts */
PetscErrorCode AGOperatorSetFromOptions(AGOperator op) {
  ag_plugin_opts o;
  PetscFunctionBegin;
  PetscValidHeaderSpecific(op, AG_OPERATOR_CLASSID, 1);
  o = op->opts;
  PetscObjectOptionsBegin((PetscObject)op);
  PetscCall(PetscOptionsString("-orders", "Order libraries (HDF5), comma-separated",
                               "AGOperatorSetFromOptions", o.orders, o.orders, sizeof o.orders,
                               NULL));
  PetscCall(PetscOptionsReal("-search_time",
                             "Seconds of order search for a kernel with no stored order; 0: none",
                             "AGOperatorSetFromOptions", o.search_time, &o.search_time, NULL));
  PetscCall(PetscOptionsEnum(
      "-backend", "Element Jacobians by generated C code, the interpreter, or generated CUDA",
      "AGOperatorSetFromOptions", AGBackends, (PetscEnum)o.backend, (PetscEnum *)&o.backend, NULL));
  PetscCall(PetscOptionsString("-cache", "Directory of compiled kernels",
                               "AGOperatorSetFromOptions", o.cache_dir, o.cache_dir,
                               sizeof o.cache_dir, NULL));
  PetscCall(PetscOptionsInt("-batch", "Elements per batch", "AGOperatorSetFromOptions", o.batch,
                            &o.batch, NULL));
  PetscCall(PetscOptionsBool("-verbose", "One line per kernel at set-up",
                             "AGOperatorSetFromOptions", o.verbose, &o.verbose, NULL));
  {
    PetscEnum pat = (PetscEnum)o.exact_pattern;
    PetscCall(PetscOptionsEnum("-pattern",
                               "Nonzero structure: the matrix's own and the kernels' entries "
                               "(matrix), or the kernels' entries only (exact)",
                               "AGOperatorSetFromOptions", AGPatterns, pat, &pat, NULL));
    o.exact_pattern = (PetscBool)(pat == 1);
  }
  PetscCall(PetscObjectProcessOptionsHandlers((PetscObject)op, PetscOptionsObject));
  PetscOptionsEnd();
  PetscCheck(o.batch >= 1, PetscObjectComm((PetscObject)op), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -%sbatch %" PetscInt_FMT " must be >= 1",
             ((PetscObject)op)->prefix ? ((PetscObject)op)->prefix : "", o.batch);
  PetscCheck(o.search_time >= 0, PetscObjectComm((PetscObject)op), PETSC_ERR_ARG_OUTOFRANGE,
             "alphagrad: -%ssearch_time %g must be >= 0",
             ((PetscObject)op)->prefix ? ((PetscObject)op)->prefix : "", (double)o.search_time);
  PetscCall(ag_operator_set_opts(op, &o));
  PetscFunctionReturn(0);
}

PetscErrorCode AGOperatorDestroy(AGOperator *op) {
  PetscFunctionBegin;
  if (!op || !*op) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*op, AG_OPERATOR_CLASSID, 1);
  if (--((PetscObject)(*op))->refct > 0) {
    *op = NULL;
    PetscFunctionReturn(0);
  }
  AGOperator o = *op;
  if (o->bops && o->bops->destroy) PetscCall(o->bops->destroy(o));
  if (!o->derived) { /* the DM's weak pointer to this operator (SNESAlphaGradSetOperator) */
    PetscContainer box = NULL;
    void *p = NULL;
    PetscCall(PetscObjectQuery((PetscObject)o->da, ag_operator_dm_key(o), (PetscObject *)&box));
    if (box) PetscCall(PetscContainerGetPointer(box, &p));
    if (p == (void *)o)
      PetscCall(PetscObjectCompose((PetscObject)o->da, ag_operator_dm_key(o), NULL));
    PetscCall(ag_operator_hooks_remove(o));
  }
  for (PetscInt s = 0; s < o->ncells; s++) {
    PetscCall(AGKernelDestroy(&o->cells[s].k));
    PetscCall(AGKernelDestroy(&o->cells[s].boundary));
    for (int q = 0; q < 6; q++)
      PetscCall(AGKernelDestroy(&o->cells[s].side[q]));
  }
  for (PetscInt s = 0; s < o->nfaces; s++) {
    PetscCall(AGKernelDestroy(&o->faces[s].k));
    PetscCall(AGKernelDestroy(&o->faces[s].low));
    PetscCall(AGKernelDestroy(&o->faces[s].high));
  }
  PetscCall(PetscFree(o->cells));
  PetscCall(PetscFree(o->faces));
  for (PetscInt q = 0; q < o->ngroups; q++) {
    PetscCall(PetscFree(o->groups[q].in_idx));
    PetscCall(PetscFree(o->groups[q].out_idx));
    PetscCall(PetscFree(o->groups[q].aux_idx));
    PetscCall(PetscFree(o->groups[q].cell));
  }
  PetscCall(PetscFree(o->groups));
  if (o->ready) PetscCall(PetscFree4(o->bin, o->bp, o->bout, o->bjac));
  PetscCall(PetscFree(o->coo_vals));
  PetscCall(ag_assembly_destroy(&o->as));
  PetscCall(PetscFree(o->work));
  PetscCall(VecDestroy(&o->xloc));
  PetscCall(VecDestroy(&o->floc));
  PetscCall(VecDestroy(&o->udotloc));
  PetscCall(VecDestroy(&o->aux));
  PetscCall(VecDestroy(&o->auxloc));
  if (!o->derived) PetscCall(DMDestroy(&o->da)); /* a derived operator is owned by its DMDA */
  PetscCall(PetscHeaderDestroy(op));
  PetscFunctionReturn(0);
}
