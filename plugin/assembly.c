/* Assembly of the element Jacobians into the matrix (plugin/assembly.c). */
/* How a Jacobian's element values get into P. Two ways, chosen per matrix at its first
   Jacobian:
     in place  P is an assembled AIJ or BAIJ matrix whose structure holds every kernel entry
               (DMCreateMatrix's, the default pattern "matrix"): values are written straight
               into P's value arrays through maps built once per matrix (a base and a
               shared pattern of offsets per element and target);
     COO       otherwise (or -snes_jacobian_alphagrad_pattern exact): the COO pattern is set
               once per matrix (MatSetPreallocationCOOLocal) and each Jacobian fills the COO
               values and calls MatSetValuesCOO.
   Also the schedule: the order in which a Jacobian evaluates its batches, so that the rows
   being written stay in cache. */
#include "plugin/plugin_impl.h"
#include <limits.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <string.h>

/* the COO pattern: entry (element e, target t, Jacobian entry q) of each group; the index
   arrays are returned in *pci, *pcj (PetscFree2) when asked, else freed */
/* The kernels' Jacobian entries in the order of their values (coo_vals): local (ghosted) row
   and column indices, row -1 where the row belongs to another rank. PetscFree each. */
static PetscErrorCode kernel_entries(AGOperator op, PetscInt **pci, PetscInt **pcj) {
  PetscInt *ci, *cj;
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(op->ncoo_kernels + 1, &ci));
  PetscCall(PetscMalloc1(op->ncoo_kernels + 1, &cj));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    const ag_jacprog *jp = gr->k->jp;
    PetscInt ni = gr->k->g->ninputs, no = gr->k->g->noutputs, nt = gr->ntarget, nje = jp->nentries;
    PetscCount m = gr->coo_base;
    for (PetscInt e = 0; e < gr->nel; e++)
      for (PetscInt t = 0; t < nt; t++)
        for (PetscInt en = 0; en < nje; en++, m++) {
          PetscInt row = gr->out_idx[(e * nt + t) * no + jp->row[en]];
          ci[m] = row;
          cj[m] = row < 0 ? -1 : gr->in_idx[e * ni + jp->col[en]];
        }
  }
  *pci = ci;
  *pcj = cj;
  PetscFunctionReturn(0);
}

/* The nonzero structure P has now (DMCreateMatrix's: the DMDA's stencil, every dof coupled)
   in local indices, in *xi, *xj (PetscFree2), *nx entries; none when P is not assembled or
   has no local-to-global mapping. Kept in the COO pattern (as zeros where no kernel writes),
   the matrix keeps the structure that preconditioners such as ILU(0) see with a hand-coded
   or finite-difference Jacobian. */
static PetscErrorCode matrix_pattern(Mat P, PetscCount *nx, PetscInt **xi, PetscInt **xj) {
  PetscBool assembled;
  ISLocalToGlobalMapping l2g = NULL;
  PetscInt rs, re, nc, *gi, *gj;
  PetscCount n = 0;
  const PetscInt *cols;
  PetscFunctionBegin;
  *nx = 0;
  *xi = *xj = NULL;
  PetscCall(MatAssembled(P, &assembled));
  PetscCall(MatGetLocalToGlobalMapping(P, &l2g, NULL));
  if (!assembled || !l2g) PetscFunctionReturn(0);
  PetscCall(MatGetOwnershipRange(P, &rs, &re));
  for (PetscInt r = rs; r < re; r++) {
    PetscCall(MatGetRow(P, r, &nc, NULL, NULL));
    n += nc;
    PetscCall(MatRestoreRow(P, r, &nc, NULL, NULL));
  }
  PetscCall(PetscMalloc2(n + 1, &gi, n + 1, &gj));
  n = 0;
  for (PetscInt r = rs; r < re; r++) {
    PetscCall(MatGetRow(P, r, &nc, &cols, NULL));
    for (PetscInt q = 0; q < nc; q++, n++) {
      gi[n] = r;
      gj[n] = cols[q];
    }
    PetscCall(MatRestoreRow(P, r, &nc, &cols, NULL));
  }
  PetscCall(PetscMalloc2(n + 1, xi, n + 1, xj));
  /* global to local; a column outside the ghosted region (none for a DMDA's own matrix)
     becomes -1, which the COO interface ignores */
  PetscCall(ISGlobalToLocalMappingApply(l2g, IS_GTOLM_MASK, (PetscInt)n, gi, NULL, *xi));
  PetscCall(ISGlobalToLocalMappingApply(l2g, IS_GTOLM_MASK, (PetscInt)n, gj, NULL, *xj));
  PetscCall(PetscFree2(gi, gj));
  *nx = n;
  PetscFunctionReturn(0);
}

/* The zero entries the COO pattern holds besides the kernels' (ki, kj: nk entries, local
   indices, row -1 for rows of other ranks): every owned row's diagonal (so that a row no
   kernel writes is an explicit zero row, not a missing diagonal) and, unless the pattern is
   exact, the matrix's own structure (matrix_pattern); entries the kernels write already are
   left out, so the COO values to sum at each Jacobian are the kernels' and no more than the
   structure adds. Returned in *ei, *ej (PetscFree each), *ne entries. */
static PetscErrorCode extra_entries(AGOperator op, Mat P, const PetscInt *ki, const PetscInt *kj,
                                    PetscCount nk, PetscCount *ne, PetscInt **ei, PetscInt **ej) {
  DMDALocalInfo g;
  PetscInt nloc, *koff, *kcol, *coff, *ccol, *xi = NULL, *xj = NULL;
  PetscCount nx = 0, nc, n = 0;
  PetscFunctionBegin;
  PetscCall(DMDAGetLocalInfo(op->da, &g));
  nloc = g.gxm * g.gym * g.gzm * g.dof;
  if (!op->opts.exact_pattern) PetscCall(matrix_pattern(P, &nx, &xi, &xj));
  /* the kernels' columns of each local row, sorted (a CSR by counting sort) */
  PetscCall(PetscCalloc2(nloc + 1, &koff, nloc + 1, &coff));
  for (PetscCount m = 0; m < nk; m++)
    if (ki[m] >= 0 && kj[m] >= 0) koff[ki[m] + 1]++;
  for (PetscInt r = 0; r < nloc; r++)
    koff[r + 1] += koff[r];
  PetscCall(PetscMalloc1(koff[nloc] + 1, &kcol));
  {
    PetscInt *at;
    PetscCall(PetscMalloc1(nloc + 1, &at));
    PetscCall(PetscArraycpy(at, koff, nloc + 1));
    for (PetscCount m = 0; m < nk; m++)
      if (ki[m] >= 0 && kj[m] >= 0) kcol[at[ki[m]]++] = kj[m];
    PetscCall(PetscFree(at));
  }
  for (PetscInt r = 0; r < nloc; r++)
    PetscCall(PetscSortInt(koff[r + 1] - koff[r], kcol + koff[r]));
  /* the candidates: the owned diagonal and the matrix's entries, by row */
  nc = (PetscCount)g.xm * g.ym * g.zm * g.dof + nx;
  for (PetscInt k = g.zs; k < g.zs + g.zm; k++)
    for (PetscInt j = g.ys; j < g.ys + g.ym; j++)
      for (PetscInt i = g.xs; i < g.xs + g.xm; i++)
        for (PetscInt c = 0; c < g.dof; c++)
          coff[ag_lidx(&g, i, j, k) + c + 1]++;
  for (PetscCount m = 0; m < nx; m++)
    if (xi[m] >= 0 && xj[m] >= 0) coff[xi[m] + 1]++;
  for (PetscInt r = 0; r < nloc; r++)
    coff[r + 1] += coff[r];
  PetscCall(PetscMalloc1(nc + 1, &ccol));
  {
    PetscInt *at;
    PetscCall(PetscMalloc1(nloc + 1, &at));
    PetscCall(PetscArraycpy(at, coff, nloc + 1));
    for (PetscInt k = g.zs; k < g.zs + g.zm; k++)
      for (PetscInt j = g.ys; j < g.ys + g.ym; j++)
        for (PetscInt i = g.xs; i < g.xs + g.xm; i++)
          for (PetscInt c = 0; c < g.dof; c++) {
            PetscInt r = ag_lidx(&g, i, j, k) + c;
            ccol[at[r]++] = r;
          }
    for (PetscCount m = 0; m < nx; m++)
      if (xi[m] >= 0 && xj[m] >= 0) ccol[at[xi[m]]++] = xj[m];
    PetscCall(PetscFree(at));
  }
  PetscCall(PetscFree2(xi, xj));
  /* keep each distinct candidate the kernels do not write */
  PetscCall(PetscMalloc1(nc + 1, ei));
  PetscCall(PetscMalloc1(nc + 1, ej));
  for (PetscInt r = 0; r < nloc; r++) {
    PetscInt len = coff[r + 1] - coff[r], *seg = ccol + coff[r];
    if (!len) continue;
    PetscCall(PetscSortRemoveDupsInt(&len, seg));
    for (PetscInt q = 0; q < len; q++) {
      PetscInt loc;
      PetscCall(PetscFindInt(seg[q], koff[r + 1] - koff[r], kcol + koff[r], &loc));
      if (loc >= 0) continue;
      (*ei)[n] = r;
      (*ej)[n] = seg[q];
      n++;
    }
  }
  *ne = n;
  PetscCall(PetscFree(kcol));
  PetscCall(PetscFree(ccol));
  PetscCall(PetscFree2(koff, coff));
  PetscFunctionReturn(0);
}

PetscErrorCode ag_operator_set_pattern(AGOperator op, Mat P, PetscInt **pci, PetscInt **pcj) {
  PetscInt *ci, *cj, *ei, *ej;
  PetscCount ne = 0;
  PetscLogDouble t0, t1, t2;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(AG_Pattern, 0, 0, 0, 0));
  PetscCall(PetscTime(&t0));
  PetscCall(kernel_entries(op, &ci, &cj));
  PetscCall(extra_entries(op, P, ci, cj, op->ncoo_kernels, &ne, &ei, &ej));
  /* the COO values (allocated only for COO assembly): the zeros after the kernels' stay 0 */
  if (!op->coo_vals || op->ncoo != op->ncoo_kernels + ne) {
    op->ncoo = op->ncoo_kernels + ne;
    PetscCall(PetscFree(op->coo_vals));
    PetscCall(PetscCalloc1(op->ncoo + 1, &op->coo_vals));
  }
  PetscCall(PetscRealloc(sizeof(PetscInt) * (op->ncoo + 1), &ci));
  PetscCall(PetscRealloc(sizeof(PetscInt) * (op->ncoo + 1), &cj));
  PetscCall(PetscArraycpy(ci + op->ncoo_kernels, ei, ne));
  PetscCall(PetscArraycpy(cj + op->ncoo_kernels, ej, ne));
  PetscCall(PetscFree(ei));
  PetscCall(PetscFree(ej));
  if (pci) { /* MatSetPreallocationCOOLocal overwrites the indices: keep a copy */
    PetscCall(PetscMalloc2(op->ncoo + 1, pci, op->ncoo + 1, pcj));
    PetscCall(PetscArraycpy(*pci, ci, op->ncoo));
    PetscCall(PetscArraycpy(*pcj, cj, op->ncoo));
  }
  {
    PetscInt bs;
    PetscBool mpiaij;
    PetscCall(MatGetBlockSize(P, &bs));
    PetscCall(PetscTime(&t1));
    PetscCall(MatSetPreallocationCOOLocal(P, op->ncoo, ci, cj));
    PetscCall(PetscTime(&t2));
    PetscCall(PetscInfo(
        P,
        "alphagrad: COO pattern: %.3f s for the entries, %.3f s in MatSetPreallocationCOOLocal\n",
        t1 - t0, t2 - t1));
    /* the COO preallocation rebuilds an MPIAIJ matrix's diagonal and off-diagonal blocks with
       block size 1: give them the matrix's again (block Jacobi's sub-matrices, their views) */
    PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIAIJ, &mpiaij));
    if (mpiaij && bs > 1) {
      Mat Ad, Ao;
      PetscCall(MatMPIAIJGetSeqAIJ(P, &Ad, &Ao, NULL));
      PetscInt abs_, m, n;
      PetscCall(MatGetBlockSize(Ad, &abs_));
      PetscCall(MatGetLocalSize(Ad, &m, &n));
      if (abs_ != bs && m % bs == 0 && n % bs == 0) PetscCall(MatSetBlockSizes(Ad, bs, bs));
    }
  }
  /* -snes_view, -ksp_view, -mat_view name the matrix after what computes it (unless the
     application named it) */
  if (!((PetscObject)P)->name)
    PetscCall(
        PetscObjectSetName((PetscObject)P, "Jacobian by alphagrad (exact, vertex elimination)"));
  PetscCall(PetscFree(ci));
  PetscCall(PetscFree(cj));
  PetscCall(PetscLogEventEnd(AG_Pattern, 0, 0, 0, 0));
  PetscCall(PetscObjectGetId((PetscObject)P, &op->coo_mat_id));
  PetscFunctionReturn(0);
}

/* ---- the batches ---- */

/* the steps from element e to e + 1 of the input, aux and row indices */
static void steps(const ag_group *gr, PetscInt ni, PetscInt e, PetscInt st[3]) {
  PetscInt nr = gr->ntarget * gr->k->g->noutputs;
  st[0] = gr->in_idx[(e + 1) * ni] - gr->in_idx[e * ni];
  st[1] = gr->aux_idx ? gr->aux_idx[(e + 1) * gr->aux_per] - gr->aux_idx[e * gr->aux_per] : 0;
  st[2] = gr->out_idx[(e + 1) * nr] - gr->out_idx[e * nr];
}

/* whether element e's input, aux and row indices are element e0's plus (e - e0) times the
   steps st (rows all owned) */
static PetscBool affine_at(const ag_group *gr, PetscInt ni, PetscInt e0, PetscInt e,
                           const PetscInt st[3]) {
  PetscInt nr = gr->ntarget * gr->k->g->noutputs;
  for (PetscInt i = 0; i < ni; i++)
    if (gr->in_idx[e * ni + i] != gr->in_idx[e0 * ni + i] + (e - e0) * st[0]) return PETSC_FALSE;
  if (gr->aux_idx)
    for (PetscInt i = 0; i < gr->aux_per; i++)
      if (gr->aux_idx[e * gr->aux_per + i] != gr->aux_idx[e0 * gr->aux_per + i] + (e - e0) * st[1])
        return PETSC_FALSE;
  for (PetscInt r = 0; r < nr; r++)
    if (gr->out_idx[e0 * nr + r] < 0 ||
        gr->out_idx[e * nr + r] != gr->out_idx[e0 * nr + r] + (e - e0) * st[2])
      return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Every group's elements in batches of at most opts.batch, in group order. A run of elements
   whose input, aux and row indices step evenly (the cells of a grid line, the faces between
   them) makes a batch of its own, gathered and scattered without index arrays; what is left
   between such runs (the ends of grid lines, boundaries) goes into indexed batches. */
PetscErrorCode ag_assembly_schedule(AGOperator op) {
  PetscInt B = op->opts.batch, nw = 0, cap = 0;
  const PetscInt minrun = PetscMin(B, 8);
  PetscFunctionBegin;
  PetscCall(PetscFree(op->work));
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    PetscInt ni = gr->k->g->ninputs, e0 = 0;
    while (e0 < gr->nel) {
      PetscInt n = 1, st[3] = {0, 0, 0};
      if (e0 + 1 < gr->nel) {
        steps(gr, ni, e0, st);
        while (n < B && e0 + n < gr->nel && affine_at(gr, ni, e0, e0 + n, st))
          n++;
      }
      if (n < minrun || st[0] <= 0) { /* indexed: up to the next long run, at most B */
        PetscInt m = n;
        st[0] = st[1] = st[2] = 0;
        while (m < B && e0 + m < gr->nel) {
          PetscInt r = 1, s = e0 + m, s2[3] = {0, 0, 0};
          if (s + 1 < gr->nel) {
            steps(gr, ni, s, s2);
            while (r < minrun && s + r < gr->nel && affine_at(gr, ni, s, s + r, s2))
              r++;
          }
          if (r >= minrun && s2[0] > 0) break;
          m++;
        }
        n = m;
      }
      if (nw == cap) {
        cap = 2 * cap + 64;
        PetscCall(PetscRealloc(sizeof(ag_work) * cap, &op->work));
      }
      op->work[nw++] = (ag_work){q, e0, n, st[0], st[1], st[2]};
      e0 += n;
    }
  }
  op->nwork = nw;
  PetscFunctionReturn(0);
}

/* ---- in place: the kernels' values straight into P's value arrays ---- */

/* Each (element, target) writes its ne entries at places base + offset in the value array of
   P's diagonal block (a) or off-diagonal block (b). The offsets relative to the two bases and
   which array form the target's pattern; targets away from the boundaries of the grid and of
   the rank share one. The targets are taken in the order of P's rows, in chunks whose places
   fit in a small window (AG_WINDOW values from place w0 on, in cache, zeroed); within a
   chunk, targets of the same pattern, sign and batch whose bases and elements step evenly
   form a block, applied entry by entry over its targets. Each stretch of a that no later
   chunk writes (everything before the next chunk's first row) is copied out of the window
   once, whole cache lines with non-temporal stores: the matrix is written front to back,
   once, as by a stream (no read of the old values, no zeroing pass; places no kernel writes
   get their zero from the window). b (columns of other ranks: a thin layer) is zeroed and
   added to. The batches are evaluated just before the first chunk that needs them, the
   kernel writing its Jacobians straight into a ring of buffers (a buffer is reused once its
   batch's last chunk is applied: faces in y keep theirs for about a grid line). */
/* the per-Jacobian loops in two versions, picked when the library loads: AVX2 where the CPU
   has it (32-byte vectors), else the baseline */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define AG_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define AG_CLONES
#endif
#define AG_WINDOW 8192 /* values (64 KiB) */
/* the bit pattern of an inf or a NaN (exponent all ones) carries into the sign bit */
#define NONFINITE_BIT(u)                                                                           \
  ((((u)&0x7FF0000000000000ULL) + 0x0010000000000000ULL) & 0x8000000000000000ULL)

/* a target, while the maps are built (its first row starts at its rec_key's key) */
typedef struct {
  PetscInt ba, bb; /* bases in a and b */
  int pid;         /* the pattern */
  int hi;          /* its places in a end before ba + hi */
  PetscReal sg;    /* the target's sign */
} ag_record;

/* cnt targets with the same pattern, sign and batch, whose bases and elements step evenly:
   target t at bases ba + t dba, bb + t dbb; entry en of its element at
   buf[vo + t dvo + en n] (the batch's buffer as the kernel wrote it: entry by entry) */
typedef struct {
  PetscInt ba, bb;
  int pid, cnt, dba, dbb, vo, dvo, n, ps; /* ps: the group's pstart */
  PetscReal sg;
} ag_block;

struct ag_assembly {
  PetscInt64 mat_id;         /* the matrix of the maps, -1 none */
  PetscObjectState nz_state; /* its nonzero state then */
  PetscBool blocked;         /* BAIJ: places in bs x bs blocks, column by column */
  PetscInt na, nb;           /* places in a and in b */
  PetscInt nrec;             /* targets */
  ag_block *blk;             /* chunk by chunk */
  PetscInt nblk, nchunk;
  PetscInt *cfirst;        /* chunk c: blocks cfirst[c] to cfirst[c + 1] */
  PetscInt *cfront, *cend; /* chunk c writes places of a from cfront[c] to before cend[c] */
  PetscInt *eval;          /* the batches in the order of evaluation */
  PetscInt *upto;          /* after eval[k], the chunks before upto[k] can be applied */
  PetscInt *ring;          /* per batch: its buffer */
  PetscInt nring;
  PetscReal *buf;         /* nring buffers of bstride values */
  size_t bstride;         /* batch * (most entries of a kernel) */
  int *code;              /* patterns (pattern_code) */
  PetscInt *cstart, npat; /* pattern p's codes from cstart[p] */
  PetscInt *pstart;       /* per group: its first entry in cf */
  PetscScalar *cf;        /* per group from pstart, per entry: the shift for d/dUdot, else 1
                             (times the target's sign) */
  PetscScalar *win;       /* the window: place v of a at win[v - w0] */
  /* while a Jacobian is assembled */
  Mat Ad, Ao;
  PetscScalar *a, *b;
  PetscBool in_place; /* this Jacobian is assembled in place (else COO) */
  PetscInt done;      /* chunks applied */
  PetscInt w0;        /* places of a before w0 are written out; the window holds w0 on */
  PetscInt hi;        /* the window is zero from hi on */
  uint64_t bad;       /* sign bit: a value written out was an inf or a NaN */
};

static PetscErrorCode maps_free(struct ag_assembly *as) {
  PetscFunctionBegin;
  PetscCall(PetscFree(as->blk));
  PetscCall(PetscFree3(as->cfirst, as->cfront, as->cend));
  PetscCall(PetscFree3(as->eval, as->upto, as->ring));
  PetscCall(PetscFree(as->buf));
  PetscCall(PetscFree(as->code));
  PetscCall(PetscFree(as->cstart));
  as->npat = as->nrec = as->nring = as->nblk = as->nchunk = 0;
  as->mat_id = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode ag_assembly_destroy(struct ag_assembly **as) {
  PetscFunctionBegin;
  if (!*as) PetscFunctionReturn(0);
  PetscCall(maps_free(*as));
  PetscCall(PetscFree((*as)->cf));
  PetscCall(PetscFree((*as)->win));
  PetscCall(PetscFree((*as)->pstart));
  PetscCall(PetscFree(*as));
  PetscFunctionReturn(0);
}

PetscBool ag_assembly_in_place(AGOperator op) { return (PetscBool)(op->as && op->as->in_place); }

PetscErrorCode ag_assembly_view(AGOperator op, PetscViewer v) {
  struct ag_assembly *as = op->as;
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(v,
                                   "assembly: in place, into the %s matrix's own structure (no "
                                   "COO); rank 0: %" PetscInt_FMT " targets in %" PetscInt_FMT
                                   " blocks, %" PetscInt_FMT " patterns\n",
                                   as->blocked ? "BAIJ" : "AIJ", as->nrec, as->nblk, as->npat));
  PetscFunctionReturn(0);
}

/* P's place of each kernel entry (COO order) and the place where its (block) row starts in
   a, -1 for rows of other ranks; *ok false when an entry is outside P's structure. */
static PetscErrorCode entry_places(AGOperator op, Mat P, PetscInt **pslot, PetscInt **prow,
                                   PetscBool *ok) {
  struct ag_assembly *as = op->as;
  PetscBool maij, mbaij, done, blk = as->blocked;
  ISLocalToGlobalMapping l2g = NULL;
  Mat Ad = P, Ao = NULL;
  const PetscInt *garray = NULL, *ia, *ja, *ib = NULL, *jb = NULL;
  PetscInt rs, re, cs, ce, na, nb = 0, ngarr = 0, *ci, *cj, *slot, *rowp, bs = 1;
  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  *pslot = *prow = NULL;
  PetscCall(MatGetLocalToGlobalMapping(P, &l2g, NULL));
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIAIJ, &maij));
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIBAIJ, &mbaij));
  if (blk) PetscCall(MatGetBlockSize(P, &bs));
  if (maij) PetscCall(MatMPIAIJGetSeqAIJ(P, &Ad, &Ao, &garray));
  if (mbaij) PetscCall(MatMPIBAIJGetSeqBAIJ(P, &Ad, &Ao, &garray));
  if (Ao) {
    PetscCall(MatGetLocalSize(Ao, NULL, &ngarr));
    ngarr /= bs; /* garray: the off-diagonal block's (block) columns, global, increasing */
  }
  PetscCall(MatGetOwnershipRange(P, &rs, &re));
  PetscCall(MatGetOwnershipRangeColumn(P, &cs, &ce));
  /* (block) compressed rows: BAIJ's block structure; AIJ's rows one by one */
  PetscCall(MatGetRowIJ(Ad, 0, PETSC_FALSE, blk, &na, &ia, &ja, &done));
  if (!done) PetscFunctionReturn(0);
  if (Ao) {
    PetscCall(MatGetRowIJ(Ao, 0, PETSC_FALSE, blk, &nb, &ib, &jb, &done));
    if (!done) {
      PetscCall(MatRestoreRowIJ(Ad, 0, PETSC_FALSE, blk, &na, &ia, &ja, &done));
      PetscFunctionReturn(0);
    }
  }
  PetscCall(kernel_entries(op, &ci, &cj));
  /* to global numbering (ISLocalToGlobalMappingApply maps -1 to -1) */
  PetscCall(ISLocalToGlobalMappingApply(l2g, (PetscInt)op->ncoo_kernels, ci, ci));
  PetscCall(ISLocalToGlobalMappingApply(l2g, (PetscInt)op->ncoo_kernels, cj, cj));
  PetscCall(PetscMalloc1(op->ncoo_kernels + 1, &slot));
  PetscCall(PetscMalloc1(op->ncoo_kernels + 1, &rowp));
  PetscInt bs2 = bs * bs, nva = ia[na] * bs2;
  PetscBool all = PETSC_TRUE;
  for (PetscCount m = 0; m < op->ncoo_kernels && all; m++) {
    PetscInt r = ci[m] - rs, c = cj[m], loc = -1, br, bi;
    slot[m] = rowp[m] = -1;
    if (ci[m] < 0) continue;
    if (r < 0 || r >= re - rs || c < 0) {
      all = PETSC_FALSE;
      break;
    }
    br = r / bs;
    bi = r % bs;
    rowp[m] = ia[br] * bs2;
    if (c >= cs && c < ce) {
      PetscCall(PetscFindInt((c - cs) / bs, ia[br + 1] - ia[br], ja + ia[br], &loc));
      if (loc >= 0) slot[m] = (ia[br] + loc) * bs2 + ((c - cs) % bs) * bs + bi;
    } else if (Ao) {
      PetscInt k;
      PetscCall(PetscFindInt(c / bs, ngarr, garray, &k));
      if (k >= 0) PetscCall(PetscFindInt(k, ib[br + 1] - ib[br], jb + ib[br], &loc));
      if (k >= 0 && loc >= 0) slot[m] = nva + (ib[br] + loc) * bs2 + (c % bs) * bs + bi;
    }
    if (slot[m] < 0) all = PETSC_FALSE;
  }
  as->na = nva;
  as->nb = Ao ? ib[nb] * bs2 : 0;
  PetscCall(MatRestoreRowIJ(Ad, 0, PETSC_FALSE, blk, &na, &ia, &ja, &done));
  if (Ao) PetscCall(MatRestoreRowIJ(Ao, 0, PETSC_FALSE, blk, &nb, &ib, &jb, &done));
  PetscCall(PetscFree(ci));
  PetscCall(PetscFree(cj));
  if (!all) {
    PetscCall(PetscFree(slot));
    PetscCall(PetscFree(rowp));
  }
  *pslot = slot;
  *prow = rowp;
  *ok = all;
  PetscFunctionReturn(0);
}

/* a table of distinct patterns (open addressing on a hash of the codes) */
typedef struct {
  int *code;
  PetscInt *cstart, npat, ncode, capc, capp;
  PetscInt *tab, tcap; /* pattern + 1, 0: empty */
} pattern_set;

static size_t hash_codes(const int *c, PetscInt n) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (PetscInt i = 0; i < n; i++) {
    h ^= (uint64_t)(unsigned)c[i];
    h *= 1099511628211ULL;
  }
  return (size_t)(h ^ (h >> 29));
}

static PetscErrorCode pattern_find(pattern_set *ps, const int *c, PetscInt n, int *pid) {
  PetscFunctionBegin;
  if (2 * (ps->npat + 1) > ps->tcap) { /* grow and rehash */
    PetscInt ncap = ps->tcap ? 2 * ps->tcap : 64, *nt;
    PetscCall(PetscCalloc1(ncap, &nt));
    for (PetscInt p = 0; p < ps->npat; p++) {
      PetscInt len = ps->cstart[p + 1] - ps->cstart[p];
      size_t h = hash_codes(ps->code + ps->cstart[p], len) & (size_t)(ncap - 1);
      while (nt[h])
        h = (h + 1) & (size_t)(ncap - 1);
      nt[h] = p + 1;
    }
    PetscCall(PetscFree(ps->tab));
    ps->tab = nt;
    ps->tcap = ncap;
  }
  size_t h = hash_codes(c, n) & (size_t)(ps->tcap - 1);
  for (; ps->tab[h]; h = (h + 1) & (size_t)(ps->tcap - 1)) {
    PetscInt p = ps->tab[h] - 1, len = ps->cstart[p + 1] - ps->cstart[p];
    if (len == n && !memcmp(ps->code + ps->cstart[p], c, sizeof(int) * (size_t)n)) {
      *pid = (int)p;
      PetscFunctionReturn(0);
    }
  }
  if (ps->ncode + n > ps->capc) {
    ps->capc = PetscMax(2 * ps->capc, ps->ncode + n + 256);
    PetscCall(PetscRealloc(sizeof(int) * ps->capc, &ps->code));
  }
  if (ps->npat + 2 > ps->capp) {
    ps->capp = 2 * ps->capp + 64;
    PetscCall(PetscRealloc(sizeof(PetscInt) * ps->capp, &ps->cstart));
  }
  if (!ps->npat) ps->cstart[0] = 0;
  PetscCall(PetscArraycpy(ps->code + ps->ncode, c, n));
  ps->ncode += n;
  ps->cstart[ps->npat + 1] = ps->ncode;
  ps->tab[h] = ps->npat + 1;
  *pid = (int)ps->npat++;
  PetscFunctionReturn(0);
}

typedef struct {
  PetscInt key; /* the place in a where the target's first row starts */
  PetscInt seq; /* its place in schedule order */
  PetscInt w, et;
  PetscCount m0; /* its first kernel entry (COO order) */
} rec_key;

static int rec_cmp(const void *pa, const void *pb) {
  const rec_key *a = pa, *b = pb;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* the records of every target with owned rows, in the order of P's rows (then in schedule
   order); rowp: where each kernel entry's row starts in a (entry_places) */
static PetscErrorCode records_sorted(AGOperator op, const PetscInt *rowp, rec_key **pr,
                                     PetscInt *nr) {
  PetscInt n = 0;
  rec_key *r;
  PetscFunctionBegin;
  for (PetscInt q = 0; q < op->ngroups; q++)
    n += op->groups[q].nel * op->groups[q].ntarget;
  PetscCall(PetscMalloc1(n + 1, &r));
  n = 0;
  for (PetscInt w = 0; w < op->nwork; w++) {
    const ag_group *gr = &op->groups[op->work[w].q];
    PetscInt nt = gr->ntarget, ne = gr->k->jp->nentries;
    for (PetscInt e = op->work[w].e0; e < op->work[w].e0 + op->work[w].n; e++)
      for (PetscInt t = 0; t < nt; t++) {
        PetscCount m0 = gr->coo_base + (PetscCount)(e * nt + t) * ne;
        PetscInt key = PETSC_MAX_INT;
        for (PetscInt en = 0; en < ne; en++)
          if (rowp[m0 + en] >= 0) key = PetscMin(key, rowp[m0 + en]);
        if (key == PETSC_MAX_INT) continue; /* rows of another rank */
        r[n] = (rec_key){key, n, w, (e - op->work[w].e0) * nt + t, m0};
        n++;
      }
  }
  qsort(r, (size_t)n, sizeof *r, rec_cmp);
  *pr = r;
  *nr = n;
  PetscFunctionReturn(0);
}

/* the order of evaluation (each batch just before the first chunk that needs it), how many
   chunks can be applied after each, and the ring of buffers; bchunk[i], bw[i]: chunk and
   batch of block i */
static PetscErrorCode program_build(AGOperator op, const PetscInt *bchunk, const PetscInt *bw) {
  struct ag_assembly *as = op->as;
  PetscInt nw = op->nwork, nc = as->nchunk, *first, *last, *freel, nfree = 0, me = 1;
  PetscFunctionBegin;
  PetscCall(PetscMalloc3(nw + 1, &first, nw + 1, &last, nw + 1, &freel));
  for (PetscInt w = 0; w < nw; w++) {
    first[w] = nc; /* a batch no chunk needs: evaluated last (for its checks) */
    last[w] = -1;
    me = PetscMax(me, op->groups[op->work[w].q].k->jp->nentries);
  }
  for (PetscInt i = as->nblk - 1; i >= 0; i--)
    first[bw[i]] = PetscMin(first[bw[i]], bchunk[i]);
  for (PetscInt i = 0; i < as->nblk; i++)
    last[bw[i]] = PetscMax(last[bw[i]], bchunk[i]);
  PetscCall(PetscMalloc3(nw + 1, &as->eval, nw + 1, &as->upto, nw + 1, &as->ring));
  { /* batches by their first chunk (a counting sort: stable) */
    PetscInt *cnt;
    PetscCall(PetscCalloc1(nc + 2, &cnt));
    for (PetscInt w = 0; w < nw; w++)
      cnt[first[w] + 1]++;
    for (PetscInt c = 0; c <= nc; c++)
      cnt[c + 1] += cnt[c];
    for (PetscInt w = 0; w < nw; w++)
      as->eval[cnt[first[w]]++] = w;
    PetscCall(PetscFree(cnt));
  }
  for (PetscInt k = 0; k < nw; k++)
    as->upto[k] = k + 1 < nw ? first[as->eval[k + 1]] : nc;
  /* ring buffers: a batch's is free again once its last chunk is applied (after the
     evaluation that made upto pass it) */
  as->nring = 0;
  {
    PetscInt *live, nlive = 0; /* batches holding a buffer */
    PetscCall(PetscMalloc1(nw + 1, &live));
    for (PetscInt k = 0; k < nw; k++) {
      PetscInt w = as->eval[k], done = k ? as->upto[k - 1] : 0;
      for (PetscInt l = 0; l < nlive;) /* applied before this evaluation */
        if (last[live[l]] < done) {
          freel[nfree++] = as->ring[live[l]];
          live[l] = live[--nlive];
        } else
          l++;
      as->ring[w] = nfree ? freel[--nfree] : as->nring++;
      live[nlive++] = w;
    }
    PetscCall(PetscFree(live));
  }
  as->bstride = (size_t)op->opts.batch * me;
  PetscCall(PetscMalloc1(as->nring * as->bstride + 1, &as->buf));
  PetscCall(PetscFree3(first, last, freel));
  PetscFunctionReturn(0);
}

/* for the blocks: targets by chunk, pattern, sign, batch, element */
typedef struct {
  PetscInt chunk, pid, w, e, r;
  int neg;
} blk_key;

static int blk_cmp(const void *pa, const void *pb) {
  const blk_key *a = pa, *b = pb;
  if (a->chunk != b->chunk) return a->chunk < b->chunk ? -1 : 1;
  if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
  if (a->neg != b->neg) return a->neg < b->neg ? -1 : 1;
  if (a->w != b->w) return a->w < b->w ? -1 : 1;
  if (a->e != b->e) return a->e < b->e ? -1 : 1;
  return a->r < b->r ? -1 : a->r > b->r;
}

/* Chunks: consecutive targets (in row order) whose places of a fit in the window from the
   first one's row on; within a chunk the order of the sums does not matter, so its targets
   are grouped by pattern, sign and batch into blocks of evenly stepping targets: one loop
   per block instead of a record per target. Then the program and each block's values. */
static PetscErrorCode blocks_build(AGOperator op, const ag_record *rec, const rec_key *rk,
                                   PetscBool *ok) {
  struct ag_assembly *as = op->as;
  PetscInt nr = as->nrec, nc = 0, *bchunk, *bw, *be, *de;
  blk_key *key;
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(nr + 1, &key));
  PetscCall(PetscMalloc3(nr + 2, &as->cfirst, nr + 1, &as->cfront, nr + 1, &as->cend));
  for (PetscInt r = 0; r < nr; r++) {
    PetscInt end = rec[r].ba + rec[r].hi;
    PetscInt span = nc ? PetscMax(as->cend[nc - 1], end) - as->cfront[nc - 1] : 0;
    /* a new chunk at a new row (the window then has nothing to keep past the rows written
       out) once half the window is used, or wherever the window would overflow */
    if (!nc || span > AG_WINDOW || (span > AG_WINDOW / 2 && rk[r].key != rk[r - 1].key)) {
      as->cfront[nc] = rk[r].key;
      as->cend[nc] = rk[r].key;
      nc++;
    }
    as->cend[nc - 1] = PetscMax(as->cend[nc - 1], end);
    const ag_group *gr = &op->groups[op->work[rk[r].w].q];
    key[r] = (blk_key){nc - 1, rec[r].pid, rk[r].w, rk[r].et / gr->ntarget, r, rec[r].sg < 0};
  }
  as->nchunk = nc;
  qsort(key, (size_t)nr, sizeof *key, blk_cmp);
  PetscCall(PetscMalloc1(nr + 1, &as->blk));
  PetscCall(PetscMalloc4(nr + 1, &bchunk, nr + 1, &bw, nr + 1, &be, nr + 1, &de));
  as->nblk = 0;
  for (PetscInt i = 0; i < nr; i++) {
    const ag_record *x = &rec[key[i].r];
    if (as->nblk) { /* does it continue the last block? */
      ag_block *b = &as->blk[as->nblk - 1];
      const blk_key *k0 = &key[i - b->cnt];
      PetscBool same = (PetscBool)(k0->chunk == key[i].chunk && k0->pid == key[i].pid &&
                                   k0->neg == key[i].neg && k0->w == key[i].w);
      if (same && b->cnt == 1 && key[i].e - k0->e < INT_MAX / 2 &&
          PetscAbsInt(x->ba - b->ba) < INT_MAX / 2 && PetscAbsInt(x->bb - b->bb) < INT_MAX / 2) {
        b->dba = (int)(x->ba - b->ba);
        b->dbb = (int)(x->bb - b->bb);
        de[as->nblk - 1] = key[i].e - k0->e;
        b->cnt = 2;
        continue;
      }
      if (same && b->cnt > 1 && x->ba == b->ba + (PetscInt)b->cnt * b->dba &&
          x->bb == b->bb + (PetscInt)b->cnt * b->dbb &&
          key[i].e == k0->e + b->cnt * de[as->nblk - 1]) {
        b->cnt++;
        continue;
      }
    }
    as->blk[as->nblk] = (ag_block){x->ba, x->bb, x->pid, 1, 0, 0, 0, 0, 0, 0, x->sg};
    bchunk[as->nblk] = key[i].chunk;
    bw[as->nblk] = key[i].w;
    be[as->nblk] = key[i].e;
    de[as->nblk] = 0;
    as->nblk++;
  }
  for (PetscInt c = 0, i = 0; c <= nc; c++) { /* first block of each chunk */
    while (i < as->nblk && bchunk[i] < c)
      i++;
    as->cfirst[c] = i;
  }
  PetscCall(program_build(op, bchunk, bw));
  *ok = PETSC_TRUE;
  for (PetscInt i = 0; i < as->nblk; i++) { /* where each block finds its values */
    size_t vo = (size_t)as->ring[bw[i]] * as->bstride + (size_t)be[i];
    if (vo > INT_MAX || PetscAbsInt(de[i]) > INT_MAX / 2) *ok = PETSC_FALSE;
    as->blk[i].vo = (int)vo;
    as->blk[i].dvo = (int)de[i];
    as->blk[i].n = (int)op->work[bw[i]].n;
    as->blk[i].ps = (int)as->pstart[op->work[bw[i]].q];
  }
  PetscCall(PetscFree(key));
  PetscCall(PetscFree4(bchunk, bw, be, de));
  PetscFunctionReturn(0);
}

/* A target's pattern from the offsets of its entries (off[en]: offset in a, -1 - offset in
   b, PETSC_MIN_INT: skipped): c = na, nb, then na pairs (offset, entry) in a and nb in b; *n
   codes. */
static void pattern_code(const PetscInt *off, PetscInt ne, int *c, PetscInt *n) {
  int na = 0, nb = 0, *p = c + 2;
  for (int pass = 0; pass < 2; pass++) /* a, then b */
    for (PetscInt en = 0; en < ne; en++) {
      if (off[en] == PETSC_MIN_INT || (pass == 0) != (off[en] >= 0)) continue;
      *p++ = (int)(pass == 0 ? off[en] : -1 - off[en]);
      *p++ = (int)en;
      if (pass == 0)
        na++;
      else
        nb++;
    }
  c[0] = na;
  c[1] = nb;
  *n = p - c;
}

/* The maps of P (an assembled AIJ or BAIJ matrix, sequential or MPI, whose structure holds
   every kernel entry: DMCreateMatrix's on a DMDA, -dm_mat_type aij or baij, with the default
   pattern "matrix"): each entry's place from P's own structure (MatGetRowIJ,
   MatMPIAIJGetSeqAIJ / MatMPIBAIJGetSeqBAIJ: public calls; P's structure is not changed, and
   it keeps DMCreateMatrix's preallocation, so no COO preallocation at set-up and no COO sum
   at each Jacobian), the targets in row order and their patterns, then the chunks, blocks
   and the order of evaluation (blocks_build). *ok false (on every rank: the COO fallback is
   collective): another type, no structure yet, or an entry outside it. */
static PetscErrorCode maps_build(AGOperator op, Mat P, PetscBool *ok) {
  struct ag_assembly *as = op->as;
  PetscBool aij, maij, baij, mbaij, assembled, all = PETSC_FALSE;
  ISLocalToGlobalMapping l2g = NULL;
  PetscInt *slot = NULL, *rowp = NULL;
  rec_key *rk = NULL;
  ag_record *rec = NULL;
  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  PetscCall(maps_free(as));
  if (op->opts.exact_pattern) PetscFunctionReturn(0);
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATSEQAIJ, &aij));
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIAIJ, &maij));
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATSEQBAIJ, &baij));
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIBAIJ, &mbaij));
  if (!aij && !maij && !baij && !mbaij) PetscFunctionReturn(0); /* the same type everywhere */
  PetscCall(MatAssembled(P, &assembled));
  PetscCall(MatGetLocalToGlobalMapping(P, &l2g, NULL));
  if (!assembled || !l2g) PetscFunctionReturn(0);
  as->blocked = (PetscBool)(baij || mbaij);
  PetscCall(entry_places(op, P, &slot, &rowp, &all));
  if (all) PetscCall(records_sorted(op, rowp, &rk, &as->nrec));
  if (all) { /* the targets and their patterns */
    int *c;
    pattern_set ps = {0};
    PetscInt me = 1, *off;
    for (PetscInt q = 0; q < op->ngroups; q++)
      me = PetscMax(me, op->groups[q].k->jp->nentries);
    PetscCall(PetscMalloc2(2 + 2 * me, &c, me, &off));
    PetscCall(PetscMalloc1(as->nrec + 1, &rec));
    for (PetscInt r = 0; r < as->nrec && all; r++) {
      PetscInt q = op->work[rk[r].w].q;
      const ag_group *gr = &op->groups[q];
      PetscInt ne = gr->k->jp->nentries, ba = PETSC_MAX_INT, bb = PETSC_MAX_INT, n = 0, hi = 0;
      const PetscInt *sl = slot + rk[r].m0;
      for (PetscInt en = 0; en < ne; en++) {
        if (sl[en] >= 0 && sl[en] < as->na) ba = PetscMin(ba, sl[en]);
        if (sl[en] >= as->na) bb = PetscMin(bb, sl[en] - as->na);
      }
      ba = ba == PETSC_MAX_INT ? rk[r].key : ba;
      bb = bb == PETSC_MAX_INT ? 0 : bb;
      for (PetscInt k = 0; k < ne; k++) { /* offset in a, -1 - offset in b, or skipped */
        PetscInt sv = sl[k], inb = sv >= as->na;
        off[k] = PETSC_MIN_INT;
        if (sv < 0) continue; /* a row of another rank */
        off[k] = inb ? -1 - (sv - as->na - bb) : sv - ba;
        /* a place of a within the window (after the rows already written out, which end where
           this target's first row starts) */
        if (!inb && (sv < rk[r].key || sv - rk[r].key >= AG_WINDOW)) all = PETSC_FALSE;
        if (!inb) hi = PetscMax(hi, off[k] + 1);
      }
      pattern_code(off, ne, c, &n);
      rec[r] = (ag_record){ba, bb, -1, (int)hi, gr->sign[rk[r].et % gr->ntarget]};
      if (all) PetscCall(pattern_find(&ps, c, n, &rec[r].pid));
    }
    PetscCall(PetscFree2(c, off));
    PetscCall(PetscFree(ps.tab));
    as->code = ps.code;
    as->cstart = ps.cstart;
    as->npat = ps.npat;
    if (!as->win) PetscCall(PetscCalloc1(AG_WINDOW, &as->win));
  }
  if (all) PetscCall(blocks_build(op, rec, rk, &all));
  PetscCall(PetscFree(rec));
  PetscCall(PetscFree(rk));
  PetscCall(PetscFree(slot));
  PetscCall(PetscFree(rowp));
  { /* one decision for all ranks: the COO fallback is collective */
    PetscMPIInt mine = all, every;
    PetscCallMPI(
        MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, PetscObjectComm((PetscObject)P)));
    all = (PetscBool)every;
  }
  if (!all) {
    PetscCall(maps_free(as));
    PetscCall(PetscInfo(
        P, "alphagrad: a kernel entry lies outside the matrix's structure: COO assembly\n"));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscInfo(P,
                      "alphagrad: in place: %" PetscInt_FMT " targets in %" PetscInt_FMT
                      " blocks and %" PetscInt_FMT " chunks, %" PetscInt_FMT
                      " distinct patterns, %" PetscInt_FMT " batch buffers\n",
                      as->nrec, as->nblk, as->nchunk, as->npat, as->nring));
  PetscCall(PetscObjectGetId((PetscObject)P, &as->mat_id));
  PetscCall(MatGetNonzeroState(P, &as->nz_state));
  if (!((PetscObject)P)->name)
    PetscCall(
        PetscObjectSetName((PetscObject)P, "Jacobian by alphagrad (exact, vertex elimination)"));
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* the value arrays of P's diagonal and off-diagonal blocks (b NULL when sequential) */
static PetscErrorCode value_arrays(struct ag_assembly *as, Mat P, PetscBool get) {
  PetscBool mpi;
  PetscFunctionBegin;
  if (get) {
    as->Ad = P;
    as->Ao = NULL;
    as->b = NULL;
    PetscCall(PetscObjectTypeCompareAny((PetscObject)P, &mpi, MATMPIAIJ, MATMPIBAIJ, ""));
    if (mpi && !as->blocked) PetscCall(MatMPIAIJGetSeqAIJ(P, &as->Ad, &as->Ao, NULL));
    if (mpi && as->blocked) PetscCall(MatMPIBAIJGetSeqBAIJ(P, &as->Ad, &as->Ao, NULL));
  }
  if (as->blocked) {
    if (get) {
      PetscCall(MatSeqBAIJGetArray(as->Ad, &as->a));
      if (as->Ao) PetscCall(MatSeqBAIJGetArray(as->Ao, &as->b));
    } else {
      PetscCall(MatSeqBAIJRestoreArray(as->Ad, &as->a));
      if (as->Ao) PetscCall(MatSeqBAIJRestoreArray(as->Ao, &as->b));
    }
  } else {
    if (get) {
      PetscCall(MatSeqAIJGetArray(as->Ad, &as->a));
      if (as->Ao) PetscCall(MatSeqAIJGetArray(as->Ao, &as->b));
    } else {
      PetscCall(MatSeqAIJRestoreArray(as->Ad, &as->a));
      if (as->Ao) PetscCall(MatSeqAIJRestoreArray(as->Ao, &as->b));
    }
  }
  PetscFunctionReturn(0);
}

/* ---- a Jacobian ---- */

PetscErrorCode ag_assembly_prepare(AGOperator op, Mat P) {
  struct ag_assembly *as;
  PetscInt64 id;
  PetscFunctionBegin;
  if (!op->as) {
    PetscCall(PetscNew(&op->as));
    op->as->mat_id = -1;
    PetscCall(PetscMalloc1(op->ngroups + 1, &op->as->pstart));
    op->as->pstart[0] = 0;
    for (PetscInt q = 0; q < op->ngroups; q++)
      op->as->pstart[q + 1] = op->as->pstart[q] + op->groups[q].k->jp->nentries;
    PetscCall(PetscMalloc1(op->as->pstart[op->ngroups] + 1, &op->as->cf));
  }
  as = op->as;
  /* the maps hold while P's structure does; a new matrix gets its own */
  PetscCall(PetscObjectGetId((PetscObject)P, &id));
  if (id == as->mat_id) {
    PetscObjectState nz;
    PetscCall(MatGetNonzeroState(P, &nz));
    if (nz != as->nz_state) PetscCall(maps_free(as));
  }
  if (id != as->mat_id && id != op->coo_mat_id) {
    PetscBool direct;
    PetscCall(PetscLogEventBegin(AG_Pattern, 0, 0, 0, 0));
    PetscCall(maps_build(op, P, &direct));
    PetscCall(PetscLogEventEnd(AG_Pattern, 0, 0, 0, 0));
    if (!direct) PetscCall(ag_operator_set_pattern(op, P, NULL, NULL));
  }
  as->in_place = (PetscBool)(as->mat_id >= 0 && as->mat_id == id);
  PetscFunctionReturn(0);
}

PetscErrorCode ag_assembly_begin(AGOperator op, Mat P) {
  struct ag_assembly *as = op->as;
  PetscFunctionBegin;
  /* the factors: the shift for the columns of time derivatives (IFunction kernels: their
     last nudot inputs), else 1; the target's sign comes on top */
  for (PetscInt q = 0; q < op->ngroups; q++) {
    const ag_group *gr = &op->groups[q];
    PetscInt ne = gr->k->jp->nentries, nu = gr->k->g->ninputs - gr->nudot;
    for (PetscInt en = 0; en < ne; en++)
      as->cf[as->pstart[q] + en] = gr->k->jp->col[en] >= nu ? op->shift : 1.0;
  }
  as->done = 0;
  as->w0 = as->hi = 0;
  as->bad = 0;
  if (as->in_place) {
    PetscCall(value_arrays(as, P, PETSC_TRUE));
    if (as->b) PetscCall(PetscArrayzero(as->b, as->nb));
  }
  PetscFunctionReturn(0);
}

void ag_assembly_batch(AGOperator op, PetscInt k, PetscInt *w, PetscReal **bjac) {
  struct ag_assembly *as = op->as;
  *w = as->in_place ? as->eval[k] : k;
  /* in place, the kernel writes its Jacobians into the batch's ring buffer */
  *bjac = as->in_place ? as->buf + (size_t)as->ring[*w] * as->bstride : op->bjac;
}

/* dst[0..n-1] = src[0..n-1]; whole 64-byte lines of dst with non-temporal stores: a line of
   the matrix written whole needs no read of its old contents first (half of the memory
   traffic of a plain store), and the matrix is not read again before the Jacobian ends */
static uint64_t copy_stream(PetscScalar *restrict dst, const PetscScalar *restrict src,
                            PetscInt n) {
  PetscInt k = 0;
  uint64_t bad = 0, u;
#if defined(__SSE2__)
  while (k < n && ((uintptr_t)(dst + k) & 63)) { /* to a line boundary */
    memcpy(&u, &src[k], sizeof u);
    bad |= NONFINITE_BIT(u);
    dst[k] = src[k];
    k++;
  }
  const __m128i ex = _mm_set1_epi64x((long long)0x7FF0000000000000ULL);
  const __m128i one = _mm_set1_epi64x((long long)0x0010000000000000ULL);
  __m128i acc = _mm_setzero_si128();
  for (; k + 8 <= n; k += 8)
    for (int i = 0; i < 8; i += 2) {
      __m128d v = _mm_loadu_pd(src + k + i);
      acc = _mm_or_si128(acc, _mm_add_epi64(_mm_and_si128(_mm_castpd_si128(v), ex), one));
      _mm_stream_pd(dst + k + i, v);
    }
  uint64_t lanes[2];
  memcpy(lanes, &acc, sizeof lanes);
  bad |= (lanes[0] | lanes[1]) & 0x8000000000000000ULL;
#endif
  for (; k < n; k++) {
    memcpy(&u, &src[k], sizeof u);
    bad |= NONFINITE_BIT(u);
    dst[k] = src[k];
  }
  return bad;
}

/* places w0..upto-1 of a out of the window (untouched places: zeros); the window then
   starts at upto */
static void flush_window(struct ag_assembly *as, PetscInt upto) {
  PetscInt n = upto - as->w0, nc = PetscMin(n, as->hi);
  PetscScalar *restrict dst = as->a + as->w0, *restrict win = as->win;
  as->bad |= copy_stream(dst, win, nc); /* the sums: an inf or a NaN in any term shows */
  for (PetscInt k = nc; k < n; k++)
    dst[k] = 0;
  if (as->hi > n) { /* values of places after upto: to the front */
    memmove(win, win + n, sizeof(PetscScalar) * (size_t)(as->hi - n));
    for (PetscInt k = as->hi - n; k < as->hi; k++)
      win[k] = 0;
    as->hi -= n;
  } else {
    for (PetscInt k = 0; k < as->hi; k++)
      win[k] = 0;
    as->hi = 0;
  }
  as->w0 = upto;
}

/* the chunks from as->done to upto */
AG_CLONES static void apply_chunks(AGOperator op, PetscInt upto) {
  struct ag_assembly *as = op->as;
  PetscScalar *b = as->b ? as->b : as->win;
  for (PetscInt c = as->done; c < upto; c++) {
    if (as->cfront[c] > as->w0) flush_window(as, as->cfront[c]); /* rows no later chunk writes */
    as->hi = PetscMax(as->hi, as->cend[c] - as->w0);
    for (PetscInt i = as->cfirst[c]; i < as->cfirst[c + 1]; i++) {
      const ag_block *bk = &as->blk[i];
      const int *p = as->code + as->cstart[bk->pid], na = p[0], nb = p[1];
      const PetscScalar *cf = as->cf + bk->ps;
      const int cnt = bk->cnt, dvo = bk->dvo;
      PetscScalar *restrict wa = as->win + (bk->ba - as->w0), *restrict wb = b + bk->bb;
      const PetscReal *restrict v = as->buf + bk->vo;
      /* entry by entry, each over the block's targets: reads that step through the batch's
         values of that entry, sums into places a row or a cell apart */
      p += 2;
      for (int j = 0; j < na + nb; j++, p += 2) {
        const PetscReal *restrict x = v + p[1] * bk->n;
        const PetscReal s = bk->sg * cf[p[1]];
        const int dd = j < na ? bk->dba : bk->dbb;
        PetscScalar *restrict d = (j < na ? wa : wb) + p[0];
        if (s == 1.0) /* the common factors without a multiplication */
#pragma GCC unroll 4
          for (int t = 0; t < cnt; t++)
            d[t * dd] += x[t * dvo];
        else if (s == -1.0)
#pragma GCC unroll 4
          for (int t = 0; t < cnt; t++)
            d[t * dd] -= x[t * dvo];
        else
#pragma GCC unroll 4
          for (int t = 0; t < cnt; t++)
            d[t * dd] += s * x[t * dvo];
      }
    }
  }
  as->done = upto;
}

/* an inf or a NaN among x[0..n-1] (integer arithmetic on the bits: it vectorises) */
AG_CLONES PetscBool ag_any_nonfinite(const PetscReal *restrict x, PetscInt n) {
  uint64_t bad = 0, u;
  for (PetscInt i = 0; i < n; i++) {
    memcpy(&u, &x[i], sizeof u);
    bad |= NONFINITE_BIT(u);
  }
  return (PetscBool)(bad != 0);
}

PetscBool ag_assembly_add(AGOperator op, PetscInt k) {
  struct ag_assembly *as = op->as;
  if (as->in_place) { /* infs and NaNs are found when the window is written out */
    apply_chunks(op, as->upto[k]);
    return PETSC_FALSE;
  }
  const ag_work *wk = &op->work[k];
  const ag_group *gr = &op->groups[wk->q];
  PetscInt nt = gr->ntarget, ne = gr->k->jp->nentries, n = wk->n;
  const PetscScalar *cf = as->cf + as->pstart[wk->q];
  PetscScalar *v = op->coo_vals + gr->coo_base + (PetscCount)wk->e0 * nt * ne;
  for (PetscInt e = 0; e < n; e++)
    for (PetscInt t = 0; t < nt; t++)
      for (PetscInt en = 0; en < ne; en++)
        *v++ = gr->sign[t] * (cf[en] * op->bjac[en * n + e]);
  return ag_any_nonfinite(op->bjac, n * ne);
}

PetscErrorCode ag_assembly_end(AGOperator op, Mat P, PetscBool *nonfinite) {
  PetscFunctionBegin;
  *nonfinite = PETSC_FALSE;
  if (ag_assembly_in_place(op)) {
    flush_window(op->as, op->as->na); /* the rest of a */
    *nonfinite = (PetscBool)(op->as->bad || (op->as->b && ag_any_nonfinite(op->as->b, op->as->nb)));
#if defined(__SSE2__)
    _mm_sfence(); /* the non-temporal stores before anyone reads the matrix */
#endif
    PetscCall(value_arrays(op->as, P, PETSC_FALSE));
    /* the same structure, new values: P's state moves on (preconditioners see the change) */
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  } else {
    PetscCall(MatSetValuesCOO(P, op->coo_vals, INSERT_VALUES));
  }
  PetscFunctionReturn(0);
}
