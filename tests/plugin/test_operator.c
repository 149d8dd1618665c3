/* The AGOperator conformance test (test_operator). */
/* Conformance test of the PETSc plugin's AGOperator against its documentation
   (include/alphagrad_petsc.h), independent of the implementation.

   For each configuration (1-, 2- and 3-D DMDAs; dof 1..3; star and box stencils of width
   0..2; DM_BOUNDARY_NONE with boundary kernels and DM_BOUNDARY_PERIODIC; cell kernels, face
   kernels in every direction with low/high boundary kernels, one-sided boundary kernels
   (AGOperatorSetSideKernel, with the corner precedence); an auxiliary vector, also read by
   face kernels (AGOperatorSetAuxiliaryFaces: the low cell's values, then the high cell's; a
   boundary face's one cell; aux DMDAs of stencil width >= 1, also narrower than the
   operator's); several kernels per operator; a builder-API kernel) and each mode (c: the
   generated C, default batch, exact pattern (COO assembly); interp: the interpreter with
   batch 5, selected through SNES options, in place into DMCreateMatrix's AIJ; baij: the
   generated C, batch 7, in place into a BAIJ matrix (DMSetMatType; 2-D and 3-D: PETSc's
   DMDA has no BAIJ in 1-D)):
     (a) the operator's residual against a reference residual computed here on rank 0, in
         natural ordering, by calling the very same kernel functions (op_kernels/ files,
         #included as C) following the documented conventions (stencil point order, face
         sides and signs, boundary and one-sided kernels, parameter layout): 1e-13 relative;
     (b) the Jacobian (DMCreateMatrix; computed twice, at another state first, so that the
         reuse of the COO pattern is exercised) against central differences of the
         operator's residual, column by column: 1e-6 relative; no stored entry outside the
         documented stencil (backend c, -snes_jacobian_alphagrad_pattern exact), or, with
         the default pattern (interp), no nonzero outside it and every entry of
         DMCreateMatrix's structure kept; J v against directional differences for random v; a second
         matrix gets the same values; in place (interp, baij), the Jacobian assembled by COO
         into a matrix without structure agrees to 1e-14 relative. Identical (kernel, constants)
   pairs share one AGKernel object; with an auxiliary vector the residual is checked again after
   changing it. Where the operator's residual raises a PETSc error, the configuration fails and the
   Jacobian is checked against differences of the reference residual instead.
   Then the documented refusals (ghosted boundary, box kernel on a star DMDA, widths,
   kernel sizes, missing parameters; side kernels: widths, sides the DMDA lacks, a cell
   kernel not added, kernel sizes; face aux values: an aux DMDA of stencil width 0, a face
   kernel reading aux values without AGOperatorSetAuxiliaryFaces, the call after the first
   use) must return errors.
   Prints one line per configuration and backend, a summary, and exits 1 on any failure.

   Usage: test_operator [SOURCE_DIR]  (default $AG_SOURCE_DIR; the kernels are read from
   SOURCE_DIR/tests/plugin/op_kernels). Options: -only NAME (one configuration),
   -backends c,interp,baij, -verbose. */
#include "graph/graph.h"
#include <alphagrad_petsc.h>
#include <math.h>
#include <petscdmda.h>
#include <petscsnes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the kernels, as plain C */
#include "op_kernels/cell.c"
#include "op_kernels/face.c"
#include "op_kernels/face_aux.c"
#include "op_kernels/side.c"

#define RES_TOL 1e-13
#define JAC_TOL 1e-6
#define JV_TOL  1e-6
#define FD_H    1e-5

typedef void (*kfn)(const double *, double *, const double *);
typedef struct {
  const char *file; /* "cell.c", "face.c", or NULL: the builder graph */
  const char *name;
  kfn f;
} kref;
#define KC(fn)                                                                                     \
  { "cell.c", #fn, fn }
#define KF(fn)                                                                                     \
  { "face.c", #fn, fn }
#define KS(fn)                                                                                     \
  { "side.c", #fn, fn }
#define KA(fn)                                                                                     \
  { "face_aux.c", #fn, fn }
#define KB(fn)                                                                                     \
  { NULL, #fn, fn }
#define K0                                                                                         \
  { NULL, NULL, NULL }
#define NOFACES                                                                                    \
  {                                                                                                \
    {                                                                                              \
      K0, K0, K0, 0, 0, {0, 0}, {0, 0}, { 0, 0 }                                                   \
    }                                                                                              \
  }

/* a one-sided boundary kernel (AGOperatorSetSideKernel): k.f NULL for none */
typedef struct {
  kref k;
  PetscInt w; /* cells inward */
  double c[2];
} sidespec;
#define SIDE(fn, w, c0, c1)                                                                        \
  {                                                                                                \
    KS(fn), w, { c0, c1 }                                                                          \
  }
#define NOSIDES                                                                                    \
  {                                                                                                \
    {                                                                                              \
      K0, 0, { 0, 0 }                                                                              \
    }                                                                                              \
  }

typedef struct {
  kref k, b; /* cell kernel, boundary kernel (b.f NULL: none) */
  DMDAStencilType st;
  PetscInt w;
  double c[2], bc[2]; /* constants of k and of b */
  sidespec side[6];   /* by AGSide: xlo, xhi, ylo, yhi, zlo, zhi */
} cellspec;

typedef struct {
  kref k, lo, hi;
  PetscInt dir, w;
  double c[2], lc[2], hc[2];
} facespec;

typedef struct {
  const char *name;
  PetscInt dim, m[3], dof, sw;
  DMDAStencilType dst;
  DMBoundaryType bt[3];
  PetscInt auxdof;
  int ncell, nface;
  cellspec cell[3];
  facespec face[6];
  PetscBool auxfaces; /* AGOperatorSetAuxiliaryFaces: face kernels take aux values */
  PetscInt auxsw;     /* the aux DMDA's stencil width; 0: the DMDA's (DMDACreateCompatibleDMDA) */
} config;

/* ---- the builder-API kernel: 2-D star width 1 (5 points), dof 2, 2 constants ----
   out[c] = p0 * sum_q (1 + 0.21 q + 0.4 c) x[2q+c] x[(2q+c+3) % 10]
          + p1 * sin(x[4+c]) * x[4+(c+1)%2] + exp(0.1 x[2c]) */
static void builder_ref(const double *x, double *out, const double *p) {
  for (int c = 0; c < 2; c++) {
    double acc = 0.0;
    for (int q = 0; q < 5; q++) {
      int i = 2 * q + c, j = (2 * q + c + 3) % 10;
      acc = acc + (1.0 + 0.21 * q + 0.4 * c) * x[i] * x[j];
    }
    out[c] = p[0] * acc + p[1] * sin(x[4 + c]) * x[4 + (c + 1) % 2] + exp(0.1 * x[2 * c]);
  }
}

static ag_graph *builder_graph(void) {
  ag_graph *g = ag_graph_new("test_operator_builder");
  int p0 = ag_graph_param(g, 0), p1 = ag_graph_param(g, 1);
  for (int c = 0; c < 2; c++) {
    int acc = ag_graph_const(g, 0.0);
    for (int q = 0; q < 5; q++) {
      int i = 2 * q + c, j = (2 * q + c + 3) % 10;
      int w = ag_graph_const(g, 1.0 + 0.21 * q + 0.4 * c);
      int t = ag_graph_op(g, AG_OP_MUL, w, ag_graph_input(g, i));
      t = ag_graph_op(g, AG_OP_MUL, t, ag_graph_input(g, j));
      acc = ag_graph_op(g, AG_OP_ADD, acc, t);
    }
    int a = ag_graph_op(g, AG_OP_MUL, p0, acc);
    int s = ag_graph_op(g, AG_OP_SIN, ag_graph_input(g, 4 + c), -1);
    int b = ag_graph_op(g, AG_OP_MUL, p1, s);
    b = ag_graph_op(g, AG_OP_MUL, b, ag_graph_input(g, 4 + (c + 1) % 2));
    int e = ag_graph_op(g, AG_OP_MUL, ag_graph_const(g, 0.1), ag_graph_input(g, 2 * c));
    e = ag_graph_op(g, AG_OP_EXP, e, -1);
    int o = ag_graph_op(g, AG_OP_ADD, ag_graph_op(g, AG_OP_ADD, a, b), e);
    ag_graph_output(g, o);
  }
  ag_error err;
  err.msg[0] = 0;
  if (ag_graph_finalize(g, &err) != 0) {
    fprintf(stderr, "builder graph: %s\n", err.msg);
    ag_graph_free(g);
    return NULL;
  }
  return g;
}

/* ---- configurations ---- */

/* face kernels take no auxiliary values (auxfaces, auxsw) */
#define NOAUXFACES PETSC_FALSE, 0

#define NONE DM_BOUNDARY_NONE
#define PER  DM_BOUNDARY_PERIODIC
#define STAR DMDA_STENCIL_STAR
#define BOX  DMDA_STENCIL_BOX

static const config configs[] = {
    {"1d-star1-dof1-none",
     1,
     {24, 1, 1},
     1,
     1,
     STAR,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KC(cell_3_1), KC(cellb_1), STAR, 1, {1.3, 0.7}, {1.1, 0.4}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"1d-w2-dof2-periodic-2cells-2faces",
     1,
     {20, 1, 1},
     2,
     2,
     STAR,
     {PER, NONE, NONE},
     0,
     2,
     2,
     {{KC(cell_5_2), K0, STAR, 2, {0.9, 0.35}, {0, 0}, NOSIDES},
      {KC(cell_3_2), K0, BOX, 1, {-0.6, 0.25}, {0, 0}, NOSIDES}},
     {{KF(face_w1_2), K0, K0, 0, 1, {1.2, 0.3}, {0, 0}, {0, 0}},
      {KF(face_w2_2), K0, K0, 0, 2, {-0.8, 0.5}, {0, 0}, {0, 0}}},
     NOAUXFACES},
    {"1d-faces-dof3-none-aux3",
     1,
     {16, 1, 1},
     3,
     2,
     STAR,
     {NONE, NONE, NONE},
     3,
     2,
     2,
     {{KC(cell_1_3_a3), K0, STAR, 0, {1.5, 0.2}, {0, 0}, NOSIDES},
      {KC(cell_5_3), K0, STAR, 2, {0.45, -0.3}, {0, 0}, NOSIDES}},
     {{KF(face_w1_3), KF(facelo_w1_3), KF(facehi_w1_3), 0, 1, {1.1, 0.4}, {0.9, 0.2}, {1.3, -0.1}},
      {KF(face_w2_3),
       KF(facelo_w2_3),
       KF(facehi_w2_3),
       0,
       2,
       {-0.7, 0.6},
       {0.5, -0.4},
       {0.8, 0.3}}},
     NOAUXFACES},
    {"2d-star1-dof1-none",
     2,
     {8, 7, 1},
     1,
     1,
     STAR,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KC(cell_5_1), KC(cellb_1), STAR, 1, {1.2, 0.8}, {0.9, 0.3}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"2d-box1-dof2-none-aux2",
     2,
     {7, 6, 1},
     2,
     1,
     BOX,
     {NONE, NONE, NONE},
     2,
     1,
     0,
     {{KC(cell_9_2_a2), KC(cellb_2_a2), BOX, 1, {0.8, 0.6}, {1.2, 0.5}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"2d-star2-dof3-xper-ynone",
     2,
     {8, 7, 1},
     3,
     2,
     STAR,
     {PER, NONE, NONE},
     0,
     1,
     0,
     {{KC(cell_9_3), KC(cellb_3), STAR, 2, {0.7, 0.45}, {1.4, -0.2}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"2d-faces-xy-w12-dof2-none-aux1",
     2,
     {7, 6, 1},
     2,
     2,
     STAR,
     {NONE, NONE, NONE},
     1,
     1,
     4,
     {{KC(cell_1_2_a1), K0, STAR, 0, {1.1, 0.5}, {0, 0}, NOSIDES}},
     {{KF(face_w1_2), KF(facelo_w1_2), KF(facehi_w1_2), 0, 1, {1.0, 0.2}, {0.7, 0.3}, {1.2, -0.2}},
      {KF(face_w1_2), KF(facelo_w1_2), KF(facehi_w1_2), 1, 1, {-0.6, 0.9}, {1.3, -0.5}, {0.4, 0.6}},
      {KF(face_w2_2), KF(facelo_w2_2), KF(facehi_w2_2), 0, 2, {0.5, -0.3}, {0.6, 0.1}, {0.9, 0.2}},
      {KF(face_w2_2), KF(facelo_w2_2), K0, 1, 2, {0.8, 0.7}, {-0.9, 0.4}, {0, 0}}},
     NOAUXFACES},
    {"2d-box2-dof1-periodic+faces",
     2,
     {7, 6, 1},
     1,
     2,
     BOX,
     {PER, PER, NONE},
     0,
     1,
     2,
     {{KC(cell_25_1), K0, BOX, 2, {0.3, 0.5}, {0, 0}, NOSIDES}},
     {{KF(face_w2_1), K0, K0, 0, 2, {0.9, 0.1}, {0, 0}, {0, 0}},
      {KF(face_w1_1), K0, K0, 1, 1, {-1.1, 0.4}, {0, 0}, {0, 0}}},
     NOAUXFACES},
    {"2d-builder-star1-dof2-none",
     2,
     {6, 5, 1},
     2,
     1,
     STAR,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KB(builder_ref), KC(cellb_2), STAR, 1, {0.9, 0.6}, {1.1, 0.3}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"3d-star1-dof1-none-aux3",
     3,
     {5, 4, 4},
     1,
     1,
     STAR,
     {NONE, NONE, NONE},
     3,
     1,
     0,
     {{KC(cell_7_1_a3), KC(cellb_1_a3), STAR, 1, {1.1, 0.6}, {0.8, 0.4}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"3d-box1-dof2-periodic",
     3,
     {4, 4, 4},
     2,
     1,
     BOX,
     {PER, PER, PER},
     0,
     2,
     0,
     {{KC(cell_27_2), K0, BOX, 1, {0.25, 0.5}, {0, 0}, NOSIDES},
      {KC(cell_1_2), K0, STAR, 0, {0.7, -0.4}, {0, 0}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"3d-star2-dof2-xnone-yper-znone",
     3,
     {6, 4, 6},
     2,
     2,
     STAR,
     {NONE, PER, NONE},
     0,
     1,
     0,
     {{KC(cell_13_2), KC(cellb_2), STAR, 2, {0.6, 0.4}, {1.3, 0.2}, NOSIDES}},
     NOFACES,
     NOAUXFACES},
    {"3d-box1+faces-xyz-dof3-zper",
     3,
     {4, 4, 4},
     3,
     2,
     BOX,
     {NONE, NONE, PER},
     0,
     1,
     4,
     {{KC(cell_27_3), KC(cellb_3), BOX, 1, {0.2, 0.3}, {1.0, 0.1}, NOSIDES}},
     {{KF(face_w1_3), KF(facelo_w1_3), KF(facehi_w1_3), 0, 1, {1.0, 0.3}, {0.8, 0.2}, {1.1, -0.3}},
      {KF(face_w2_3), KF(facelo_w2_3), KF(facehi_w2_3), 1, 2, {0.6, -0.2}, {1.2, 0.5}, {0.7, 0.4}},
      {KF(face_w2_3), K0, K0, 2, 2, {-0.5, 0.8}, {0, 0}, {0, 0}},
      {KF(face_w1_3), K0, K0, 2, 1, {0.9, 0.1}, {0, 0}, {0, 0}}},
     NOAUXFACES},
    /* identical (function, constants) share one AGKernel object: face_w1_2 in z and x,
       facelo_w1_2 as the z low, y low and y high boundary kernel */
    {"3d-faces-z12-y1-none+x-per-shared-dof2",
     3,
     {4, 3, 6},
     2,
     2,
     STAR,
     {PER, NONE, NONE},
     0,
     1,
     4,
     {{KC(cell_1_2), K0, STAR, 0, {0.7, -0.4}, {0, 0}, NOSIDES}},
     {{KF(face_w1_2), KF(facelo_w1_2), KF(facehi_w1_2), 2, 1, {1.0, 0.2}, {0.7, 0.3}, {1.2, -0.2}},
      {KF(face_w2_2), KF(facelo_w2_2), KF(facehi_w2_2), 2, 2, {0.5, -0.3}, {0.6, 0.1}, {0.9, 0.2}},
      {KF(face_w1_2), K0, K0, 0, 1, {1.0, 0.2}, {0, 0}, {0, 0}},
      {KF(face_w1_2), KF(facelo_w1_2), KF(facelo_w1_2), 1, 1, {-0.6, 0.9}, {0.7, 0.3}, {0.7, 0.3}}},
     NOAUXFACES},
    /* one-sided boundary kernels: xlo and yhi, the boundary kernel elsewhere; corners: xlo
       before yhi (top left), yhi where xhi has none (top right), the boundary kernel where
       neither side has one (bottom right) */
    {"2d-star1-dof2-none-sides-xlo-yhi-w1",
     2,
     {7, 6, 1},
     2,
     1,
     STAR,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KC(cell_5_2),
       KC(cellb_2),
       STAR,
       1,
       {0.9, 0.4},
       {1.2, -0.3},
       {[AG_SIDE_XLO] = SIDE(side_2_2, 1, 1.1, 0.35),
        [AG_SIDE_YHI] = SIDE(side_2_2, 1, -0.7, 0.55)}}},
     NOFACES,
     NOAUXFACES},
    /* every side its own kernel, reading 2 cells inward (wider than the cell's stencil; DMDA
       stencil width 2); the boundary kernel is never used */
    {"3d-box1-dof1-none-sides-all-w2",
     3,
     {5, 4, 4},
     1,
     2,
     BOX,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KS(scell_27_1),
       KC(cellb_1),
       BOX,
       1,
       {0.35, 0.6},
       {1.0, 0.2},
       {SIDE(side_3_1, 2, 0.9, 0.3), SIDE(side_3_1, 2, -0.6, 0.45), SIDE(side_3_1, 2, 1.2, -0.25),
        SIDE(side_3_1, 2, 0.5, 0.7), SIDE(side_3_1, 2, -1.1, 0.15),
        SIDE(side_3_1, 2, 0.75, -0.5)}}},
     NOFACES,
     NOAUXFACES},
    /* x periodic: side kernels on ylo and yhi, with the auxiliary value after the constants */
    {"2d-star1-dof2-xper-ynone-sides-y-w1-aux1",
     2,
     {8, 6, 1},
     2,
     1,
     STAR,
     {PER, NONE, NONE},
     1,
     1,
     0,
     {{KS(scell_5_2_a1),
       K0,
       STAR,
       1,
       {0.6, 0.5},
       {0, 0},
       {[AG_SIDE_YLO] = SIDE(side_2_2_a1, 1, 0.85, -0.4),
        [AG_SIDE_YHI] = SIDE(side_2_2_a1, 1, -0.95, 0.3)}}},
     NOFACES,
     NOAUXFACES},
    /* a star stencil of width 2 (two layers of boundary cells); a side kernel on the
       periodic side yhi is never used; xlo before zhi, zhi where xhi has none, the boundary
       kernel on xhi and zlo */
    {"3d-star2-dof2-yper-sides-xlo-w2-yhi-zhi-w1",
     3,
     {6, 4, 6},
     2,
     2,
     STAR,
     {NONE, PER, NONE},
     0,
     1,
     0,
     {{KC(cell_13_2),
       KC(cellb_2),
       STAR,
       2,
       {0.6, 0.4},
       {1.3, 0.2},
       {[AG_SIDE_XLO] = SIDE(side_3_2, 2, 0.7, -0.35),
        [AG_SIDE_YHI] = SIDE(side_2_2, 1, 1.4, 0.6),
        [AG_SIDE_ZHI] = SIDE(side_2_2, 1, -0.8, 0.25)}}},
     NOFACES,
     NOAUXFACES},
    /* 1-D, xhi only (two layers), the boundary kernel on xlo */
    {"1d-star2-dof3-none-side-xhi-w2",
     1,
     {14, 1, 1},
     3,
     2,
     STAR,
     {NONE, NONE, NONE},
     0,
     1,
     0,
     {{KC(cell_5_3),
       KC(cellb_3),
       STAR,
       2,
       {0.45, -0.3},
       {0.9, 0.35},
       {[AG_SIDE_XHI] = SIDE(side_3_3, 2, 0.65, 0.4)}}},
     NOFACES,
     NOAUXFACES},
    /* face kernels with auxiliary values (AGOperatorSetAuxiliaryFaces): constants, the low
       cell's aux values, the high cell's; boundary faces: those of their one cell. A cell
       kernel (and its boundary kernel) reading the cell's aux values as before */
    {"1d-faceaux-w1-lohi-dof2-none-aux2",
     1,
     {18, 1, 1},
     2,
     1,
     STAR,
     {NONE, NONE, NONE},
     2,
     1,
     1,
     {{KA(acell_3_2_a2), KC(cellb_2_a2), STAR, 1, {0.8, 0.35}, {1.1, 0.4}, NOSIDES}},
     {{KA(fa_w1_2_a2),
       KA(falo_w1_2_a2),
       KA(fahi_w1_2_a2),
       0,
       1,
       {0.9, 0.3},
       {1.2, -0.25},
       {0.7, 0.45}}},
     PETSC_TRUE,
     0},
    /* x periodic (face 0's low cell is the last cell), width 2 in x and y (low cell f-1,
       high cell f all the same), width 1 in y with both boundary kernels; the aux DMDA has
       stencil width 1, the operator's 2 */
    {"2d-faceaux-xper-w2-y-w12-dof1-aux1-sw1",
     2,
     {8, 7, 1},
     1,
     2,
     STAR,
     {PER, NONE, NONE},
     1,
     0,
     3,
     {{K0, K0, STAR, 0, {0, 0}, {0, 0}, NOSIDES}},
     {{KA(fa_w2_1_a1), K0, K0, 0, 2, {0.7, 0.2}, {0, 0}, {0, 0}},
      {KA(fa_w1_1_a1),
       KA(falo_w1_1_a1),
       KA(fahi_w1_1_a1),
       1,
       1,
       {-0.9, 0.5},
       {1.1, 0.3},
       {0.6, -0.4}},
      {KA(fa_w2_1_a1), KA(falo_w2_1_a1), K0, 1, 2, {0.5, -0.35}, {0.8, 0.15}, {0, 0}}},
     PETSC_TRUE,
     1},
    /* 3-D, faces in z only (widths 1 and 2), aux dof 3, y periodic */
    {"3d-faceaux-z-w12-dof2-yper-aux3",
     3,
     {3, 4, 5},
     2,
     2,
     STAR,
     {NONE, PER, NONE},
     3,
     1,
     2,
     {{KC(cell_1_2), K0, STAR, 0, {0.7, -0.4}, {0, 0}, NOSIDES}},
     {{KA(fa_w1_2_a3),
       KA(falo_w1_2_a3),
       KA(fahi_w1_2_a3),
       2,
       1,
       {1.0, 0.25},
       {0.85, -0.3},
       {1.15, 0.2}},
      {KA(fa_w2_2_a3), K0, KA(fahi_w2_2_a3), 2, 2, {-0.6, 0.4}, {0, 0}, {0.75, 0.5}}},
     PETSC_TRUE,
     0},
};
#define NCONFIGS ((int)(sizeof configs / sizeof configs[0]))

/* ---- deterministic values (by natural index, so independent of the distribution) ---- */
static double hrand(unsigned long long n, unsigned long long seed) {
  unsigned long long z = n * 0x9E3779B97F4A7C15ULL + (seed + 1) * 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 31;
  z *= 0x94D049BB133111EBULL;
  z ^= z >> 29;
  z *= 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 32;
  return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- the reference, in natural ordering on rank 0 ---- */

typedef struct {
  const config *cf;
  PetscInt N;            /* unknowns */
  const double *x, *aux; /* natural ordering */
  double *F;             /* residual */
  char *dep;             /* N x N: row depends on column by the documented stencil */
} refctx;

/* natural index of cell (i,j,k) wrapped by periodicity; -1 outside a non-periodic domain */
static PetscInt cell_index(const config *cf, const PetscInt at[3]) {
  PetscInt q[3] = {at[0], at[1], at[2]};
  for (int d = 0; d < 3; d++) {
    PetscInt m = d < cf->dim ? cf->m[d] : 1;
    if (q[d] < 0 || q[d] >= m) {
      if (d >= cf->dim || cf->bt[d] != DM_BOUNDARY_PERIODIC) return -1;
      q[d] = ((q[d] % m) + m) % m;
    }
  }
  return (q[2] * cf->m[1] + q[1]) * cf->m[0] + q[0];
}

/* the documented stencil: lexicographic in (dz, dy, dx), dx fastest; star keeps the points
   with at most one non-zero offset */
static int doc_stencil(PetscInt dim, DMDAStencilType st, PetscInt w, PetscInt off[][3]) {
  int n = 0;
  PetscInt wy = dim >= 2 ? w : 0, wz = dim >= 3 ? w : 0;
  for (PetscInt dz = -wz; dz <= wz; dz++)
    for (PetscInt dy = -wy; dy <= wy; dy++)
      for (PetscInt dx = -w; dx <= w; dx++) {
        if (st == DMDA_STENCIL_STAR && (dx != 0) + (dy != 0) + (dz != 0) > 1) continue;
        off[n][0] = dx;
        off[n][1] = dy;
        off[n][2] = dz;
        n++;
      }
  return n;
}

/* adds s * out to the rows of cell `row`, marks the dependence on the cells cols[0..nc-1] */
static void contribute(refctx *r, PetscInt row, const double *out, double s, const PetscInt *cols,
                       int nc) {
  PetscInt dof = r->cf->dof;
  for (PetscInt c = 0; c < dof; c++) {
    r->F[row * dof + c] += s * out[c];
    if (!r->dep) continue;
    for (int q = 0; q < nc; q++)
      for (PetscInt e = 0; e < dof; e++)
        r->dep[(row * dof + c) * r->N + cols[q] * dof + e] = 1;
  }
}

/* the one-sided kernel (index into cs->side) a cell at `at` whose stencil does not fit uses:
   the first side, in the order xlo, xhi, ylo, yhi, zlo, zhi, through which its stencil leaves
   the domain (i - w < 0 for xlo, i + w >= M for xhi, ...; non-periodic directions only) and
   that has a side kernel; -1 if none has (the boundary kernel, if any) */
static int side_of(const config *cf, const cellspec *cs, const PetscInt at[3]) {
  for (int q = 0; q < 2 * (int)cf->dim; q++) {
    int d = q / 2;
    if (cf->bt[d] == DM_BOUNDARY_PERIODIC || !cs->side[q].k.f) continue;
    if (q % 2 == 0 ? at[d] - cs->w < 0 : at[d] + cs->w >= cf->m[d]) return q;
  }
  return -1;
}

/* a face kernel's parameters: its constants c, then (face kernels taking aux values) the
   aux values of the low cell, then of the high cell (a boundary face: highc < 0, its one
   cell lowc) */
static void face_params(const refctx *r, const double *c, PetscInt lowc, PetscInt highc,
                        double *p) {
  PetscInt ad = r->cf->auxdof;
  p[0] = c[0];
  p[1] = c[1];
  if (!r->cf->auxfaces || !ad) return;
  for (PetscInt a = 0; a < ad; a++) {
    p[2 + a] = r->aux[lowc * ad + a];
    if (highc >= 0) p[2 + ad + a] = r->aux[highc * ad + a];
  }
}

static void reference(refctx *r) {
  const config *cf = r->cf;
  PetscInt dof = cf->dof, M[3] = {cf->m[0], cf->dim > 1 ? cf->m[1] : 1, cf->dim > 2 ? cf->m[2] : 1};
  PetscInt off[125][3], cols[125];
  double in[125 * 3], out[3], p[16];
  memset(r->F, 0, sizeof(double) * r->N);
  if (r->dep) memset(r->dep, 0, (size_t)r->N * r->N);
  for (int s = 0; s < cf->ncell; s++) {
    const cellspec *cs = &cf->cell[s];
    int np = doc_stencil(cf->dim, cs->st, cs->w, off);
    for (PetscInt k = 0; k < M[2]; k++)
      for (PetscInt j = 0; j < M[1]; j++)
        for (PetscInt i = 0; i < M[0]; i++) {
          PetscInt at[3] = {i, j, k}, me = cell_index(cf, at);
          int fits = 1;
          for (int q = 0; q < np; q++) {
            PetscInt a[3] = {i + off[q][0], j + off[q][1], k + off[q][2]};
            cols[q] = cell_index(cf, a);
            if (cols[q] < 0) fits = 0;
          }
          int side = fits ? -1 : side_of(cf, cs, at);
          /* parameters: the constants, then the auxiliary values at the cell */
          const double *cc = fits ? cs->c : side >= 0 ? cs->side[side].c : cs->bc;
          p[0] = cc[0];
          p[1] = cc[1];
          for (PetscInt a = 0; a < cf->auxdof; a++)
            p[2 + a] = r->aux[me * cf->auxdof + a];
          if (fits) {
            for (int q = 0; q < np; q++)
              for (PetscInt c = 0; c < dof; c++)
                in[q * dof + c] = r->x[cols[q] * dof + c];
            cs->k.f(in, out, p);
            contribute(r, me, out, 1.0, cols, np);
          } else if (side >= 0) {
            /* the cell, then the w cells inward along the side's normal, nearest first */
            const sidespec *ss = &cs->side[side];
            PetscInt d = side / 2, step = side % 2 ? -1 : 1;
            for (PetscInt q = 0; q <= ss->w; q++) {
              PetscInt a[3] = {i, j, k};
              a[d] += step * q;
              cols[q] = cell_index(cf, a);
              for (PetscInt c = 0; c < dof; c++)
                in[q * dof + c] = r->x[cols[q] * dof + c];
            }
            ss->k.f(in, out, p);
            contribute(r, me, out, 1.0, cols, (int)ss->w + 1);
          } else if (cs->b.f) {
            cs->b.f(r->x + me * dof, out, p);
            contribute(r, me, out, 1.0, &me, 1);
          }
        }
  }
  for (int s = 0; s < cf->nface; s++) {
    const facespec *fs = &cf->face[s];
    PetscInt d = fs->dir, w = fs->w, ext = M[d];
    int per = cf->bt[d] == DM_BOUNDARY_PERIODIC;
    PetscInt t1 = (d + 1) % 3, t2 = (d + 2) % 3;
    for (PetscInt a = 0; a < M[t2]; a++)
      for (PetscInt b = 0; b < M[t1]; b++) {
        /* the cell at position q along d */
#define CELLAT(q, res)                                                                             \
  do {                                                                                             \
    PetscInt at_[3];                                                                               \
    at_[d] = (q);                                                                                  \
    at_[t1] = b;                                                                                   \
    at_[t2] = a;                                                                                   \
    res = cell_index(cf, at_);                                                                     \
  } while (0)
        /* face f lies between cells f-1 and f */
        for (PetscInt f = 0; f <= (per ? ext - 1 : ext); f++) {
          PetscInt nc = 0, lowc, highc;
          if (!per && f == 0) {
            if (!fs->lo.f) continue;
            for (PetscInt q = 0; q < w; q++)
              CELLAT(q, cols[nc++]);
            for (PetscInt q = 0; q < nc; q++)
              for (PetscInt c = 0; c < dof; c++)
                in[q * dof + c] = r->x[cols[q] * dof + c];
            CELLAT(0, lowc);
            face_params(r, fs->lc, lowc, -1, p); /* the aux values of the first cell */
            fs->lo.f(in, out, p);
            contribute(r, lowc, out, -1.0, cols, (int)nc); /* subtracted from the first cell */
          } else if (!per && f == ext) {
            if (!fs->hi.f) continue;
            for (PetscInt q = ext - w; q < ext; q++)
              CELLAT(q, cols[nc++]);
            for (PetscInt q = 0; q < nc; q++)
              for (PetscInt c = 0; c < dof; c++)
                in[q * dof + c] = r->x[cols[q] * dof + c];
            CELLAT(ext - 1, highc);
            face_params(r, fs->hc, highc, -1, p); /* the aux values of the last cell */
            fs->hi.f(in, out, p);
            contribute(r, highc, out, 1.0, cols, (int)nc); /* added to the last cell */
          } else {
            if (!per && (f - w < 0 || f + w > ext)) continue; /* not all 2w cells exist */
            for (PetscInt q = f - w; q < f + w; q++)
              CELLAT(q, cols[nc++]);
            for (PetscInt q = 0; q < nc; q++)
              for (PetscInt c = 0; c < dof; c++)
                in[q * dof + c] = r->x[cols[q] * dof + c];
            CELLAT(f - 1, lowc); /* wraps to the last cell for f = 0 when periodic */
            CELLAT(f, highc);
            face_params(r, fs->c, lowc, highc, p);
            fs->k.f(in, out, p);
            contribute(r, lowc, out, 1.0, cols, (int)nc);
            contribute(r, highc, out, -1.0, cols, (int)nc);
          }
        }
#undef CELLAT
      }
  }
}

/* ---- PETSc side ---- */

typedef struct {
  DM da;
  Vec nat, seq; /* natural vector, its copy on rank 0 */
  VecScatter tozero;
  PetscInt N, lo, hi;
  PetscInt *nat2petsc; /* on every rank */
} natmap;

static PetscErrorCode natmap_create(DM da, natmap *nm) {
  Vec g, all;
  VecScatter sc;
  PetscScalar *a;
  const PetscScalar *b;
  PetscFunctionBeginUser;
  nm->da = da;
  PetscCall(DMDACreateNaturalVector(da, &nm->nat));
  PetscCall(VecScatterCreateToZero(nm->nat, &nm->tozero, &nm->seq));
  PetscCall(DMCreateGlobalVector(da, &g));
  PetscCall(VecGetSize(g, &nm->N));
  PetscCall(VecGetOwnershipRange(g, &nm->lo, &nm->hi));
  PetscCall(VecGetArray(g, &a));
  for (PetscInt i = nm->lo; i < nm->hi; i++)
    a[i - nm->lo] = (PetscScalar)i;
  PetscCall(VecRestoreArray(g, &a));
  PetscCall(DMDAGlobalToNaturalBegin(da, g, INSERT_VALUES, nm->nat));
  PetscCall(DMDAGlobalToNaturalEnd(da, g, INSERT_VALUES, nm->nat));
  PetscCall(VecScatterCreateToAll(nm->nat, &sc, &all));
  PetscCall(VecScatterBegin(sc, nm->nat, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, nm->nat, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(PetscMalloc1(nm->N, &nm->nat2petsc));
  PetscCall(VecGetArrayRead(all, &b));
  for (PetscInt n = 0; n < nm->N; n++)
    nm->nat2petsc[n] = (PetscInt)PetscRealPart(b[n]);
  PetscCall(VecRestoreArrayRead(all, &b));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&all));
  PetscCall(VecDestroy(&g));
  PetscFunctionReturn(0);
}

static PetscErrorCode natmap_destroy(natmap *nm) {
  PetscFunctionBeginUser;
  PetscCall(VecDestroy(&nm->nat));
  PetscCall(VecDestroy(&nm->seq));
  PetscCall(VecScatterDestroy(&nm->tozero));
  PetscCall(PetscFree(nm->nat2petsc));
  PetscFunctionReturn(0);
}

/* global vector g <- natural values v[0..N-1] (given on every rank) */
static PetscErrorCode set_natural(const natmap *nm, Vec g, const double *v) {
  PetscScalar *a;
  PetscFunctionBeginUser;
  PetscCall(VecGetArray(g, &a));
  for (PetscInt n = 0; n < nm->N; n++) {
    PetscInt i = nm->nat2petsc[n];
    if (i >= nm->lo && i < nm->hi) a[i - nm->lo] = v[n];
  }
  PetscCall(VecRestoreArray(g, &a));
  PetscFunctionReturn(0);
}

/* natural values of g on rank 0 (out[0..N-1]; untouched elsewhere) */
static PetscErrorCode get_natural(natmap *nm, Vec g, double *out) {
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)g), &rank));
  PetscCall(DMDAGlobalToNaturalBegin(nm->da, g, INSERT_VALUES, nm->nat));
  PetscCall(DMDAGlobalToNaturalEnd(nm->da, g, INSERT_VALUES, nm->nat));
  PetscCall(VecScatterBegin(nm->tozero, nm->nat, nm->seq, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(nm->tozero, nm->nat, nm->seq, INSERT_VALUES, SCATTER_FORWARD));
  if (rank == 0) {
    const PetscScalar *a;
    PetscCall(VecGetArrayRead(nm->seq, &a));
    for (PetscInt n = 0; n < nm->N; n++)
      out[n] = PetscRealPart(a[n]);
    PetscCall(VecRestoreArrayRead(nm->seq, &a));
  }
  PetscFunctionReturn(0);
}

/* J in natural ordering, dense on rank 0: Jd[row*N+col], stored[row*N+col] = 1 where J has a
   stored entry */
static PetscErrorCode gather_matrix(const natmap *nm, Mat J, double *Jd, char *stored) {
  MPI_Comm comm = PetscObjectComm((PetscObject)J);
  PetscMPIInt rank, size;
  PetscInt rs, re, nloc = 0;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(MatGetOwnershipRange(J, &rs, &re));
  PetscInt *p2n;
  PetscCall(PetscMalloc1(nm->N, &p2n));
  for (PetscInt n = 0; n < nm->N; n++)
    p2n[nm->nat2petsc[n]] = n;
  for (PetscInt r = rs; r < re; r++) {
    PetscInt nc;
    PetscCall(MatGetRow(J, r, &nc, NULL, NULL));
    nloc += nc;
    PetscCall(MatRestoreRow(J, r, &nc, NULL, NULL));
  }
  long *ij;
  double *v;
  PetscCall(PetscMalloc2(2 * nloc + 1, &ij, nloc + 1, &v));
  PetscInt m = 0;
  for (PetscInt r = rs; r < re; r++) {
    PetscInt nc;
    const PetscInt *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(J, r, &nc, &cols, &vals));
    for (PetscInt q = 0; q < nc; q++, m++) {
      ij[2 * m] = (long)p2n[r];
      ij[2 * m + 1] = (long)p2n[cols[q]];
      v[m] = PetscRealPart(vals[q]);
    }
    PetscCall(MatRestoreRow(J, r, &nc, &cols, &vals));
  }
  int mine = (int)nloc, *counts = NULL, *displs = NULL, *counts2 = NULL, *displs2 = NULL, total = 0;
  if (rank == 0)
    PetscCall(PetscMalloc4(size, &counts, size, &displs, size, &counts2, size, &displs2));
  PetscCallMPI(MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
  long *aij = NULL;
  double *av = NULL;
  if (rank == 0) {
    for (int r = 0; r < size; r++) {
      displs[r] = total;
      counts2[r] = 2 * counts[r];
      displs2[r] = 2 * total;
      total += counts[r];
    }
    PetscCall(PetscMalloc2(2 * total + 1, &aij, total + 1, &av));
  }
  PetscCallMPI(MPI_Gatherv(ij, 2 * mine, MPI_LONG, aij, counts2, displs2, MPI_LONG, 0, comm));
  PetscCallMPI(MPI_Gatherv(v, mine, MPI_DOUBLE, av, counts, displs, MPI_DOUBLE, 0, comm));
  if (rank == 0) {
    PetscInt N = nm->N;
    memset(Jd, 0, sizeof(double) * N * N);
    memset(stored, 0, (size_t)N * N);
    for (int e = 0; e < total; e++) {
      Jd[aij[2 * e] * N + aij[2 * e + 1]] += av[e];
      stored[aij[2 * e] * N + aij[2 * e + 1]] = 1;
    }
    PetscCall(PetscFree2(aij, av));
    PetscCall(PetscFree4(counts, displs, counts2, displs2));
  }
  PetscCall(PetscFree2(ij, v));
  PetscCall(PetscFree(p2n));
  PetscFunctionReturn(0);
}

static PetscErrorCode create_dmda(MPI_Comm comm, const config *cf, PetscInt dof, DM *da) {
  PetscFunctionBeginUser;
  if (cf->dim == 1)
    PetscCall(DMDACreate1d(comm, cf->bt[0], cf->m[0], dof, cf->sw, NULL, da));
  else if (cf->dim == 2)
    PetscCall(DMDACreate2d(comm, cf->bt[0], cf->bt[1], cf->dst, cf->m[0], cf->m[1], PETSC_DECIDE,
                           PETSC_DECIDE, dof, cf->sw, NULL, NULL, da));
  else
    PetscCall(DMDACreate3d(comm, cf->bt[0], cf->bt[1], cf->bt[2], cf->dst, cf->m[0], cf->m[1],
                           cf->m[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, dof, cf->sw, NULL,
                           NULL, NULL, da));
  PetscCall(DMSetUp(*da));
  PetscFunctionReturn(0);
}

/* a DMDA with the sizes and distribution of da (ownership ranges), dof values per point and
   stencil width sw (the auxiliary vector's DMDA) */
static PetscErrorCode create_dmda_like(DM da, PetscInt dof, PetscInt sw, DM *out) {
  PetscInt dim, M, N, P, m, n, p;
  DMBoundaryType bx, by, bz;
  DMDAStencilType st;
  const PetscInt *lx, *ly, *lz;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, &dim, &M, &N, &P, &m, &n, &p, NULL, NULL, &bx, &by, &bz, &st));
  PetscCall(DMDAGetOwnershipRanges(da, &lx, &ly, &lz));
  MPI_Comm comm = PetscObjectComm((PetscObject)da);
  if (dim == 1)
    PetscCall(DMDACreate1d(comm, bx, M, dof, sw, lx, out));
  else if (dim == 2)
    PetscCall(DMDACreate2d(comm, bx, by, st, M, N, m, n, dof, sw, lx, ly, out));
  else
    PetscCall(DMDACreate3d(comm, bx, by, bz, st, M, N, P, m, n, p, dof, sw, lx, ly, lz, out));
  PetscCall(DMSetUp(*out));
  PetscFunctionReturn(0);
}

/* kernels of one operator: an identical (function, constants) pair gets the same AGKernel
   object (the operator takes references; one kernel may serve several slots) */
typedef struct {
  int n;
  const kref *r[24];
  double c[24][2];
  AGKernel k[24];
} kcache;

static PetscErrorCode make_kernel(MPI_Comm comm, const char *kdir, kcache *kc, const kref *r,
                                  const double *c, AGKernel *k) {
  PetscFunctionBeginUser;
  *k = NULL;
  if (!r->f) PetscFunctionReturn(0);
  for (int i = 0; i < kc->n; i++)
    if (kc->r[i]->f == r->f && kc->c[i][0] == c[0] && kc->c[i][1] == c[1]) {
      *k = kc->k[i];
      PetscFunctionReturn(0);
    }
  if (r->file) {
    char spec[PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/%s:%s", kdir, r->file, r->name));
    PetscCall(AGKernelCreate(comm, spec, k));
  } else {
    ag_graph *g = builder_graph();
    PetscCheck(g, comm, PETSC_ERR_LIB, "builder graph failed");
    PetscCall(AGKernelCreateFromGraph(comm, g, k));
  }
  PetscReal v[2] = {c[0], c[1]};
  PetscCall(AGKernelSetParameters(*k, 2, v));
  PetscCheck(kc->n < 24, comm, PETSC_ERR_PLIB, "kernel cache full");
  kc->r[kc->n] = r;
  kc->c[kc->n][0] = c[0];
  kc->c[kc->n][1] = c[1];
  kc->k[kc->n++] = *k;
  PetscFunctionReturn(0);
}

static PetscErrorCode build_operator(MPI_Comm comm, const char *kdir, const config *cf, DM da,
                                     Vec aux, AGOperator *op) {
  kcache kc;
  PetscFunctionBeginUser;
  kc.n = 0;
  PetscCall(AGOperatorCreate(da, op));
  /* before the operator's first use */
  if (cf->auxfaces) PetscCall(AGOperatorSetAuxiliaryFaces(*op, PETSC_TRUE));
  for (int s = 0; s < cf->ncell; s++) {
    const cellspec *cs = &cf->cell[s];
    AGKernel k, b;
    PetscCall(make_kernel(comm, kdir, &kc, &cs->k, cs->c, &k));
    PetscCall(make_kernel(comm, kdir, &kc, &cs->b, cs->bc, &b));
    PetscCall(AGOperatorAddCellKernel(*op, k, cs->st, cs->w, b));
    for (int q = 0; q < 6; q++) {
      AGKernel sk;
      if (!cs->side[q].k.f) continue;
      PetscCall(make_kernel(comm, kdir, &kc, &cs->side[q].k, cs->side[q].c, &sk));
      PetscCall(AGOperatorSetSideKernel(*op, k, (AGSide)q, cs->side[q].w, sk));
    }
  }
  for (int s = 0; s < cf->nface; s++) {
    const facespec *fs = &cf->face[s];
    AGKernel k, lo, hi;
    PetscCall(make_kernel(comm, kdir, &kc, &fs->k, fs->c, &k));
    PetscCall(make_kernel(comm, kdir, &kc, &fs->lo, fs->lc, &lo));
    PetscCall(make_kernel(comm, kdir, &kc, &fs->hi, fs->hc, &hi));
    PetscCall(AGOperatorAddFaceKernel(*op, k, fs->dir, fs->w, lo, hi));
  }
  for (int i = 0; i < kc.n; i++)
    PetscCall(AGKernelDestroy(&kc.k[i]));
  if (aux) PetscCall(AGOperatorSetAuxiliaryVec(*op, aux));
  PetscFunctionReturn(0);
}

/* the interpreter (and batch 5) through the SNES options of the plugin */
static PetscErrorCode select_backend(DM da, AGOperator op, const char *backend) {
  SNES snes;
  PetscFunctionBeginUser;
  if (!strcmp(backend, "c")) { /* the operator's default backend, with the exact pattern */
    PetscCall(PetscOptionsSetValue(NULL, "-snes_jacobian_alphagrad_pattern", "exact"));
    PetscCall(AGOperatorSetFromOptions(op));
    PetscCall(PetscOptionsClearValue(NULL, "-snes_jacobian_alphagrad_pattern"));
    PetscFunctionReturn(0);
  }
  if (!strcmp(backend, "baij")) { /* backend c, the default pattern, batch 7, BAIJ matrices */
    PetscCall(PetscOptionsSetValue(NULL, "-snes_jacobian_alphagrad_batch", "7"));
    PetscCall(AGOperatorSetFromOptions(op));
    PetscCall(PetscOptionsClearValue(NULL, "-snes_jacobian_alphagrad_batch"));
    PetscCall(DMSetMatType(da, MATBAIJ));
    PetscFunctionReturn(0);
  }
  PetscCall(SNESCreate(PetscObjectComm((PetscObject)da), &snes));
  PetscCall(SNESSetDM(snes, da));
  PetscCall(SNESAlphaGradSetOperator(snes, op, PETSC_FALSE));
  PetscCall(PetscOptionsSetValue(NULL, "-snes_jacobian_alphagrad_backend", backend));
  PetscCall(PetscOptionsSetValue(NULL, "-snes_jacobian_alphagrad_batch", "5"));
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(PetscOptionsClearValue(NULL, "-snes_jacobian_alphagrad_backend"));
  PetscCall(PetscOptionsClearValue(NULL, "-snes_jacobian_alphagrad_batch"));
  PetscCall(SNESDestroy(&snes));
  PetscFunctionReturn(0);
}

/* after set-up: the operator's view must name the backend used by every kernel (and batch 5
   with the interpreter, which is selected with -snes_jacobian_alphagrad_batch 5) */
static PetscErrorCode check_backend(AGOperator op, MPI_Comm comm, const char *backend,
                                    PetscBool *ok) {
  PetscViewer v;
  PetscMPIInt rank;
  char path[PETSC_MAX_PATH_LEN] = "", want[64];
  int okint = 1;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    const char *t = getenv("TMPDIR");
    PetscCall(
        PetscSNPrintf(path, sizeof path, "%s/test_operator_view_XXXXXX", t && *t ? t : "/tmp"));
    int fd = mkstemp(path);
    PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "mkstemp %s failed", path);
    close(fd);
  }
  PetscCallMPI(MPI_Bcast(path, (int)sizeof path, MPI_CHAR, 0, comm));
  PetscCall(PetscViewerASCIIOpen(comm, path, &v));
  PetscCall(AGOperatorView(op, v));
  PetscCall(PetscViewerDestroy(&v));
  if (rank == 0) {
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    remove(path);
    PetscCall(
        PetscSNPrintf(want, sizeof want, "backend %s,", strcmp(backend, "baij") ? backend : "c"));
    if (!strstr(buf, "backend ")) okint = 0;
    for (const char *s = strstr(buf, "backend "); s; s = strstr(s + 1, "backend "))
      if (strncmp(s, want, strlen(want))) okint = 0;
    if (!strcmp(backend, "interp") && !strstr(buf, "batch 5")) okint = 0;
    if (!strcmp(backend, "baij") && !strstr(buf, "batch 7")) okint = 0;
  }
  PetscCallMPI(MPI_Bcast(&okint, 1, MPI_INT, 0, comm));
  *ok = okint ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

typedef struct {
  double res, jac, jv, fd_out;
  double jac2; /* a second matrix against the first (relative Frobenius); in place (default
                  pattern) also against COO assembly of the same Jacobian */
  long outside, nnz;
  long dm_nnz; /* nonzeros of DMCreateMatrix's matrix, kept with the default pattern */
  PetscBool backend_ok;
  PetscBool res_failed; /* AGOperatorComputeResidual raised a PETSc error */
  char res_msg[256];
} result;

/* the residual in natural ordering (on rank 0) at the natural state xn (the same on every
   rank): the operator's, or where that fails, the reference's */
typedef struct {
  AGOperator op;
  natmap *nm;
  Vec Xw, Fw;
  PetscBool use_op;
  refctx ref;
} evalctx;

static PetscErrorCode eval_residual(evalctx *e, double *xn, double *out) {
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  if (e->use_op) {
    PetscCall(set_natural(e->nm, e->Xw, xn));
    PetscCall(AGOperatorComputeResidual(e->op, e->Xw, e->Fw));
    PetscCall(get_natural(e->nm, e->Fw, out));
  } else {
    PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)e->Xw), &rank));
    if (rank == 0) {
      refctx r = e->ref;
      r.x = xn;
      r.F = out;
      r.dep = NULL;
      reference(&r);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode run_config(MPI_Comm comm, const char *kdir, const config *cf,
                                 const char *backend, PetscBool verbose, result *res) {
  PetscMPIInt rank;
  DM da, adm = NULL;
  Vec X, X0, F, Fw, aux = NULL, V, JV;
  Mat J;
  AGOperator op;
  natmap nm, am;
  PetscBool exact = (PetscBool)!strcmp(backend, "c"); /* select_backend */
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  memset(res, 0, sizeof *res);
  PetscCall(create_dmda(comm, cf, cf->dof, &da));
  PetscCall(natmap_create(da, &nm));
  PetscInt N = nm.N;
  double *xn, *x0n, *auxn = NULL, *Fref, *Fop, *fp, *fm, *Jd = NULL, *vn, *jvn;
  char *dep = NULL, *stored = NULL;
  PetscCall(PetscMalloc6(N, &xn, N, &x0n, N, &Fref, N, &Fop, N, &fp, N, &fm));
  PetscCall(PetscMalloc2(N, &vn, N, &jvn));
  for (PetscInt n = 0; n < N; n++) {
    xn[n] = 0.2 + 0.8 * hrand((unsigned long long)n, 1);
    x0n[n] = 0.1 + 1.0 * hrand((unsigned long long)n, 2);
  }
  PetscCall(DMCreateGlobalVector(da, &X));
  PetscCall(VecDuplicate(X, &X0));
  PetscCall(VecDuplicate(X, &F));
  PetscCall(VecDuplicate(X, &Fw));
  PetscCall(VecDuplicate(X, &V));
  PetscCall(VecDuplicate(X, &JV));
  PetscCall(set_natural(&nm, X, xn));
  PetscCall(set_natural(&nm, X0, x0n));
  if (cf->auxdof) {
    /* same sizes and distribution, auxdof values per cell; the DMDA's stencil width or
       cf->auxsw (face kernels taking aux values read ghosts: width >= 1) */
    if (cf->auxsw)
      PetscCall(create_dmda_like(da, cf->auxdof, cf->auxsw, &adm));
    else
      PetscCall(DMDACreateCompatibleDMDA(da, cf->auxdof, &adm));
    {
      PetscInt asw;
      PetscCall(DMDAGetInfo(adm, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &asw, NULL, NULL,
                            NULL, NULL));
      PetscCheck(!cf->auxfaces || asw >= 1, comm, PETSC_ERR_PLIB,
                 "test_operator: configuration %s: face aux values need an aux DMDA of stencil "
                 "width >= 1",
                 cf->name);
    }
    PetscCall(natmap_create(adm, &am));
    PetscCall(PetscMalloc1(am.N, &auxn));
    for (PetscInt n = 0; n < am.N; n++)
      auxn[n] = -0.5 + 1.5 * hrand((unsigned long long)n, 3);
    PetscCall(DMCreateGlobalVector(adm, &aux));
    PetscCall(set_natural(&am, aux, auxn));
  }

  PetscCall(build_operator(comm, kdir, cf, da, aux, &op));
  PetscCall(select_backend(da, op, backend));

  /* (a) residual; a PETSc error inside is recorded, and the Jacobian is then checked
     against differences of the reference residual instead */
  PetscErrorCode ierr;
  PetscCall(VecSet(F, 123.0)); /* the residual overwrites F */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorComputeResidual(op, X, F);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    const char *text = NULL;
    char *specific = NULL;
    PetscCall(PetscErrorMessage(ierr, &text, &specific));
    res->res_failed = PETSC_TRUE;
    PetscCall(PetscSNPrintf(res->res_msg, sizeof res->res_msg, "%s",
                            specific && specific[0] ? specific : (text ? text : "?")));
    for (char *c = res->res_msg; *c; c++)
      if (*c == '\n') *c = ' ';
  } else {
    PetscCall(get_natural(&nm, F, Fop));
  }
  PetscCall(check_backend(op, comm, backend, &res->backend_ok));
  if (rank == 0) {
    PetscCall(PetscMalloc3(N * N, &Jd, N * N, &dep, N * N, &stored));
    refctx r = {cf, N, xn, auxn, Fref, dep};
    reference(&r);
    if (!res->res_failed) {
      double dmax = 0, fref = 0;
      for (PetscInt n = 0; n < N; n++) {
        dmax = fmax(dmax, fabs(Fop[n] - Fref[n]));
        fref = fmax(fref, fabs(Fref[n]));
      }
      res->res = fref > 0 ? dmax / fref : dmax;
      if (verbose && res->res > RES_TOL)
        for (PetscInt n = 0; n < N; n++)
          if (fabs(Fop[n] - Fref[n]) > RES_TOL * fref)
            PetscCall(PetscPrintf(PETSC_COMM_SELF,
                                  "  F[%" PetscInt_FMT "] (cell %" PetscInt_FMT
                                  " dof %" PetscInt_FMT "): operator %.17g reference %.17g\n",
                                  n, n / cf->dof, n % cf->dof, Fop[n], Fref[n]));
    }
  }
  evalctx ev = {op, &nm, X0, Fw, (PetscBool)!res->res_failed, {cf, N, xn, auxn, NULL, NULL}};

  /* (b) Jacobian: first at another state (sets the COO pattern), then at X */
  PetscCall(DMCreateMatrix(da, &J));
  {
    MatInfo info;
    PetscCall(MatGetInfo(J, MAT_GLOBAL_SUM, &info));
    res->dm_nnz = (long)info.nz_used;
  }
  PetscCall(AGOperatorComputeJacobian(op, X0, J));
  PetscCall(AGOperatorComputeJacobian(op, X, J));
  PetscCall(gather_matrix(&nm, J, Jd, stored));

  /* central differences, column by column (natural ordering) */
  double jmax = 0, jerr = 0, fdout = 0, wfd = 0, wj = 0;
  PetscInt wrow = -1, wcol = -1;
  for (PetscInt col = 0; col < N; col++) {
    double keep = xn[col];
    xn[col] = keep + FD_H;
    PetscCall(eval_residual(&ev, xn, fp));
    xn[col] = keep - FD_H;
    PetscCall(eval_residual(&ev, xn, fm));
    xn[col] = keep;
    if (rank == 0)
      for (PetscInt row = 0; row < N; row++) {
        double fd = (fp[row] - fm[row]) / (2 * FD_H);
        jmax = fmax(jmax, fabs(fd));
        if (fabs(fd - Jd[row * N + col]) > jerr) {
          jerr = fabs(fd - Jd[row * N + col]);
          wrow = row;
          wcol = col;
          wfd = fd;
          wj = Jd[row * N + col];
        }
        if (!dep[row * N + col]) fdout = fmax(fdout, fabs(fd));
      }
  }
  if (rank == 0) {
    res->jac = jmax > 0 ? jerr / jmax : jerr;
    res->fd_out = jmax > 0 ? fdout / jmax : fdout;
    if (verbose && res->jac > JAC_TOL)
      PetscCall(PetscPrintf(PETSC_COMM_SELF,
                            "  worst Jacobian entry: row %" PetscInt_FMT " col %" PetscInt_FMT
                            " (natural): operator %.10g, differences %.10g%s\n",
                            wrow, wcol, wj, wfd, stored[wrow * N + wcol] ? "" : " (not stored)"));
    for (PetscInt e = 0; e < N * N; e++) {
      if (stored[e]) res->nnz++;
      /* the exact pattern (backend c here) stores nothing outside the stencil; the default
         keeps the DMDA matrix's structure as well, as zeros */
      if (stored[e] && !dep[e] && (exact || Jd[e] != 0)) {
        if (verbose && res->outside < 10)
          PetscCall(PetscPrintf(PETSC_COMM_SELF,
                                "  stored entry outside the stencil: row %" PetscInt_FMT
                                " col %" PetscInt_FMT " value %g\n",
                                e / N, e % N, Jd[e]));
        res->outside++;
      }
    }
  }

  /* J v against directional differences, random v (natural ordering) */
  for (int t = 0; t < 3; t++) {
    for (PetscInt n = 0; n < N; n++)
      vn[n] = -1.0 + 2.0 * hrand((unsigned long long)n, 10 + t);
    PetscCall(set_natural(&nm, V, vn));
    PetscCall(MatMult(J, V, JV));
    PetscCall(get_natural(&nm, JV, jvn));
    for (PetscInt n = 0; n < N; n++)
      x0n[n] = xn[n] + FD_H * vn[n];
    PetscCall(eval_residual(&ev, x0n, fp));
    for (PetscInt n = 0; n < N; n++)
      x0n[n] = xn[n] - FD_H * vn[n];
    PetscCall(eval_residual(&ev, x0n, fm));
    if (rank == 0) {
      double nd = 0, nj = 0;
      for (PetscInt n = 0; n < N; n++) {
        nj = fmax(nj, fabs(jvn[n]));
        nd = fmax(nd, fabs((fp[n] - fm[n]) / (2 * FD_H) - jvn[n]));
      }
      res->jv = fmax(res->jv, nj > 0 ? nd / nj : nd);
    }
  }

  /* a second matrix gets its own pattern and the same values */
  {
    Mat J2;
    PetscReal d, n;
    PetscCall(DMCreateMatrix(da, &J2));
    PetscCall(AGOperatorComputeJacobian(op, X, J2));
    PetscCall(MatNorm(J, NORM_FROBENIUS, &n));
    PetscCall(MatAXPY(J2, -1.0, J, DIFFERENT_NONZERO_PATTERN));
    PetscCall(MatNorm(J2, NORM_FROBENIUS, &d));
    res->jac2 = n > 0 ? d / n : d;
    PetscCall(MatDestroy(&J2));
  }
  /* in place (the default pattern on DMCreateMatrix's AIJ or BAIJ) against COO assembly: a
     matrix with no structure yet gets the COO pattern; the same values up to the order of
     summation (1e-14 relative) */
  if (!exact) {
    Mat J3;
    ISLocalToGlobalMapping l2g;
    PetscInt m, n, M, Nn;
    PetscReal d, nj;
    PetscCall(MatGetLocalSize(J, &m, &n));
    PetscCall(MatGetSize(J, &M, &Nn));
    PetscCall(MatGetLocalToGlobalMapping(J, &l2g, NULL));
    PetscCall(MatCreate(comm, &J3));
    PetscCall(MatSetSizes(J3, m, n, M, Nn));
    PetscCall(MatSetType(J3, MATAIJ));
    PetscCall(MatSetLocalToGlobalMapping(J3, l2g, l2g));
    PetscCall(AGOperatorComputeJacobian(op, X, J3));
    PetscCall(MatNorm(J3, NORM_FROBENIUS, &nj));
    PetscCall(MatAXPY(J, -1.0, J3, DIFFERENT_NONZERO_PATTERN)); /* J is not used after this */
    PetscCall(MatNorm(J, NORM_FROBENIUS, &d));
    d = nj > 0 ? d / nj : d;
    if (verbose || d > 1e-14)
      PetscCall(PetscPrintf(comm, "  in place against COO: %.2e relative%s\n", (double)d,
                            d > 1e-14 ? " (more than 1e-14)" : ""));
    res->jac2 = PetscMax(res->jac2, d > 1e-14 ? 1.0 : d);
    PetscCall(MatDestroy(&J3));
  }

  /* the auxiliary vector is read at every evaluation: new values, new residual */
  if (cf->auxdof && !res->res_failed) {
    for (PetscInt n = 0; n < am.N; n++)
      auxn[n] = 0.3 - 1.2 * hrand((unsigned long long)n, 4);
    PetscCall(set_natural(&am, aux, auxn));
    PetscCall(AGOperatorComputeResidual(op, X, F));
    PetscCall(get_natural(&nm, F, Fop));
    if (rank == 0) {
      refctx r = {cf, N, xn, auxn, Fref, NULL};
      reference(&r);
      double dmax = 0, fref = 0;
      for (PetscInt n = 0; n < N; n++) {
        dmax = fmax(dmax, fabs(Fop[n] - Fref[n]));
        fref = fmax(fref, fabs(Fref[n]));
      }
      res->res = fmax(res->res, fref > 0 ? dmax / fref : dmax);
    }
  }

  /* every rank gets rank 0's verdicts */
  double buf[4] = {res->res, fmax(res->jac, res->jac2), res->jv, res->fd_out};
  /* the default pattern keeps every entry of the DMDA's matrix */
  if (!exact && res->nnz < res->dm_nnz) res->outside += res->dm_nnz - res->nnz;
  long lb[2] = {res->outside, res->nnz};
  PetscCallMPI(MPI_Bcast(buf, 4, MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(lb, 2, MPI_LONG, 0, comm));
  res->res = buf[0];
  res->jac = buf[1];
  res->jv = buf[2];
  res->fd_out = buf[3];
  res->outside = lb[0];
  res->nnz = lb[1];

  if (rank == 0) PetscCall(PetscFree3(Jd, dep, stored));
  PetscCall(PetscFree6(xn, x0n, Fref, Fop, fp, fm));
  PetscCall(PetscFree2(vn, jvn));
  PetscCall(MatDestroy(&J));
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&X0));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&Fw));
  PetscCall(VecDestroy(&V));
  PetscCall(VecDestroy(&JV));
  if (cf->auxdof) {
    PetscCall(PetscFree(auxn));
    PetscCall(VecDestroy(&aux));
    PetscCall(natmap_destroy(&am));
    PetscCall(DMDestroy(&adm));
  }
  PetscCall(natmap_destroy(&nm));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

/* ---- documented refusals: each must return an error (and nothing may crash) ---- */

static PetscErrorCode expect_error(MPI_Comm comm, const char *what, PetscErrorCode ierr,
                                   int *nfail) {
  PetscFunctionBeginUser;
  if (!ierr) (*nfail)++;
  PetscCall(PetscPrintf(comm, "%-4s refused: %s\n", ierr ? "ok" : "FAIL", what));
  PetscFunctionReturn(0);
}

static PetscErrorCode negative_tests(MPI_Comm comm, const char *kdir, int *nrun, int *nfail) {
  DM da1, da2s, dag;
  AGOperator op = NULL;
  AGKernel k3 = NULL, k5 = NULL, k9 = NULL, f1 = NULL, b2 = NULL, b1 = NULL, s2 = NULL, s3 = NULL;
  Vec X, F;
  char spec[PETSC_MAX_PATH_LEN];
  PetscErrorCode ierr;
  PetscReal c1[1] = {1.0}, c2[2] = {1.0, 0.5};
  PetscFunctionBeginUser;
  PetscCall(DMDACreate1d(comm, DM_BOUNDARY_NONE, 12, 1, 1, NULL, &da1));
  PetscCall(DMSetUp(da1));
  PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 6, 6,
                         PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da2s));
  PetscCall(DMSetUp(da2s));
  PetscCall(DMDACreate1d(comm, DM_BOUNDARY_GHOSTED, 12, 1, 1, NULL, &dag));
  PetscCall(DMSetUp(dag));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/cell.c:cell_3_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &k3));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/cell.c:cell_5_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &k5));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/cell.c:cell_9_3", kdir));
  PetscCall(AGKernelCreate(comm, spec, &k9));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/face.c:face_w1_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &f1));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/cell.c:cellb_2", kdir));
  PetscCall(AGKernelCreate(comm, spec, &b2));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/cell.c:cellb_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &b1));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/side.c:side_2_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &s2));
  PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/side.c:side_3_1", kdir));
  PetscCall(AGKernelCreate(comm, spec, &s3));
  PetscCall(AGKernelSetParameters(k5, 2, c2));
  PetscCall(AGKernelSetParameters(b1, 2, c2));
  PetscCall(AGKernelSetParameters(s2, 2, c2));
  PetscCall(AGKernelSetParameters(s3, 2, c2));
  PetscCall(AGKernelSetParameters(f1, 2, c2));
  PetscCall(AGKernelSetParameters(b2, 2, c2));
  PetscCall(AGKernelSetParameters(k3, 1, c1)); /* reads 2 */

  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorCreate(dag, &op);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a DM_BOUNDARY_GHOSTED DMDA", ierr, nfail));
  if (!ierr) PetscCall(AGOperatorDestroy(&op));
  (*nrun)++;

  PetscCall(AGOperatorCreate(da2s, &op));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddCellKernel(op, k9, DMDA_STENCIL_BOX, 1, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a box cell kernel on a 2-D star DMDA", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddCellKernel(op, k5, DMDA_STENCIL_STAR, 2, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a cell kernel wider than the DMDA's stencil width", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddCellKernel(op, k3, DMDA_STENCIL_STAR, 1, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a cell kernel with 3 inputs for a 5-point stencil", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddCellKernel(op, k5, DMDA_STENCIL_STAR, 1, b2);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a boundary kernel with 2 inputs for dof 1", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddFaceKernel(op, f1, 2, 1, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a face kernel in z on a 2-D DMDA", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorAddFaceKernel(op, f1, 0, 2, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(
      expect_error(comm, "a face kernel of width 2 (inputs and stencil width 1)", ierr, nfail));
  PetscCall(AGOperatorDestroy(&op));
  *nrun += 6;

  /* one-sided boundary kernels (dof 1, DMDA stencil width 1): each refused call is otherwise
     consistent (the input count matches the width given, except in the last one) */
  PetscCall(AGOperatorCreate(da2s, &op));
  PetscCall(AGOperatorAddCellKernel(op, k5, DMDA_STENCIL_STAR, 1, NULL));
  PetscCall(AGOperatorSetSideKernel(op, k5, AG_SIDE_XLO, 1, s2)); /* accepted */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorSetSideKernel(op, k5, AG_SIDE_XHI, 0, b1);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a side kernel of width 0", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorSetSideKernel(op, k5, AG_SIDE_XHI, 2, s3);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a side kernel of width 2 (DMDA stencil width 1)", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorSetSideKernel(op, k5, AG_SIDE_ZLO, 1, s2);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a side kernel on side zlo of a 2-D DMDA", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorSetSideKernel(op, k3, AG_SIDE_YLO, 1, s2);
  PetscCall(PetscPopErrorHandler());
  PetscCall(
      expect_error(comm, "a side kernel for a cell kernel not added to the operator", ierr, nfail));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorSetSideKernel(op, k5, AG_SIDE_YHI, 1, s3);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(comm, "a side kernel with 3 inputs for width 1 and dof 1", ierr, nfail));
  PetscCall(AGOperatorDestroy(&op));
  *nrun += 5;

  /* too few parameters: refused at the first use */
  PetscCall(AGOperatorCreate(da1, &op));
  PetscCall(AGOperatorAddCellKernel(op, k3, DMDA_STENCIL_STAR, 1, NULL));
  PetscCall(DMCreateGlobalVector(da1, &X));
  PetscCall(VecDuplicate(X, &F));
  PetscCall(VecSet(X, 0.5));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = AGOperatorComputeResidual(op, X, F);
  PetscCall(PetscPopErrorHandler());
  PetscCall(expect_error(
      comm, "a kernel reading 2 parameters with 1 constant and no auxiliary vector", ierr, nfail));
  (*nrun)++;
  PetscCall(AGOperatorDestroy(&op));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&F));

  /* face kernels taking auxiliary values (AGOperatorSetAuxiliaryFaces; a face kernel reading
     2 constants, then 1 aux value of the low cell and 1 of the high cell) */
  {
    DM adm0, adm1;
    Vec aux0, aux1;
    AGKernel fa = NULL;
    PetscCall(PetscSNPrintf(spec, sizeof spec, "%s/face_aux.c:fa_w1_1_a1", kdir));
    PetscCall(AGKernelCreate(comm, spec, &fa));
    PetscCall(AGKernelSetParameters(fa, 2, c2));
    PetscCall(create_dmda_like(da1, 1, 0, &adm0)); /* stencil width 0 */
    PetscCall(create_dmda_like(da1, 1, 1, &adm1));
    PetscCall(DMCreateGlobalVector(adm0, &aux0));
    PetscCall(DMCreateGlobalVector(adm1, &aux1));
    PetscCall(VecSet(aux0, 0.5));
    PetscCall(VecSet(aux1, 0.5));

    /* the aux vector's DMDA has stencil width 0: refused at set-up */
    PetscCall(AGOperatorCreate(da1, &op));
    PetscCall(AGOperatorAddFaceKernel(op, fa, 0, 1, NULL, NULL));
    PetscCall(AGOperatorSetAuxiliaryFaces(op, PETSC_TRUE));
    PetscCall(AGOperatorSetAuxiliaryVec(op, aux0));
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = AGOperatorSetUp(op);
    PetscCall(PetscPopErrorHandler());
    PetscCall(expect_error(
        comm, "face aux values with an aux vector whose DMDA has stencil width 0 (set-up)", ierr,
        nfail));
    PetscCall(AGOperatorDestroy(&op));

    /* without AGOperatorSetAuxiliaryFaces face kernels take no aux values: too few
       parameters */
    PetscCall(AGOperatorCreate(da1, &op));
    PetscCall(AGOperatorAddFaceKernel(op, fa, 0, 1, NULL, NULL));
    PetscCall(AGOperatorSetAuxiliaryVec(op, aux1));
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = AGOperatorSetUp(op);
    PetscCall(PetscPopErrorHandler());
    PetscCall(expect_error(comm,
                           "a face kernel reading aux values with an aux vector but without "
                           "AGOperatorSetAuxiliaryFaces",
                           ierr, nfail));
    PetscCall(AGOperatorDestroy(&op));

    /* stencil width 1: accepted; then AGOperatorSetAuxiliaryFaces after the first use */
    PetscCall(AGOperatorCreate(da1, &op));
    PetscCall(AGOperatorAddFaceKernel(op, fa, 0, 1, NULL, NULL));
    PetscCall(AGOperatorSetAuxiliaryFaces(op, PETSC_TRUE));
    PetscCall(AGOperatorSetAuxiliaryVec(op, aux1));
    PetscCall(AGOperatorSetUp(op)); /* accepted */
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = AGOperatorSetAuxiliaryFaces(op, PETSC_FALSE);
    PetscCall(PetscPopErrorHandler());
    PetscCall(expect_error(comm, "AGOperatorSetAuxiliaryFaces after the operator's first use", ierr,
                           nfail));
    PetscCall(AGOperatorDestroy(&op));
    *nrun += 3;

    PetscCall(AGKernelDestroy(&fa));
    PetscCall(VecDestroy(&aux0));
    PetscCall(VecDestroy(&aux1));
    PetscCall(DMDestroy(&adm0));
    PetscCall(DMDestroy(&adm1));
  }

  PetscCall(AGKernelDestroy(&k3));
  PetscCall(AGKernelDestroy(&k5));
  PetscCall(AGKernelDestroy(&k9));
  PetscCall(AGKernelDestroy(&f1));
  PetscCall(AGKernelDestroy(&b2));
  PetscCall(AGKernelDestroy(&b1));
  PetscCall(AGKernelDestroy(&s2));
  PetscCall(AGKernelDestroy(&s3));
  PetscCall(DMDestroy(&da1));
  PetscCall(DMDestroy(&da2s));
  PetscCall(DMDestroy(&dag));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  char srcdir[PETSC_MAX_PATH_LEN] = "", kdir[PETSC_MAX_PATH_LEN], only[128] = "";
  char backends_opt[64] = "c,interp,baij";
  PetscBool verbose = PETSC_FALSE;
  int nfail = 0, nrun = 0, nreserr = 0;
  double worst[4] = {0, 0, 0, 0};
  PetscMPIInt size;
  PetscFunctionBeginUser;
  if (argc > 1 && argv[1][0] != '-') {
    PetscCall(PetscStrncpy(srcdir, argv[1], sizeof srcdir));
    argv[1] = argv[0];
    argc--;
    argv++;
  }
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  MPI_Comm comm = PETSC_COMM_WORLD;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (!srcdir[0]) {
    const char *e = getenv("AG_SOURCE_DIR");
    PetscCheck(e && *e, comm, PETSC_ERR_USER_INPUT,
               "test_operator: give the source directory as argv[1] or $AG_SOURCE_DIR");
    PetscCall(PetscStrncpy(srcdir, e, sizeof srcdir));
  }
  PetscCall(PetscSNPrintf(kdir, sizeof kdir, "%s/tests/plugin/op_kernels", srcdir));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-only", only, sizeof only, NULL));
  PetscCall(
      PetscOptionsGetString(NULL, NULL, "-backends", backends_opt, sizeof backends_opt, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(SNESAlphaGradRegister());

  PetscCall(PetscPrintf(
      comm,
      "operator conformance on %d rank%s (tolerances: residual %g, Jacobian %g, J v %g relative)\n",
      size, size > 1 ? "s" : "", RES_TOL, JAC_TOL, JV_TOL));
  const char *backends[3] = {"c", "interp", "baij"};
  for (int c = 0; c < NCONFIGS; c++) {
    const config *cf = &configs[c];
    if (only[0] && strcmp(only, cf->name)) continue;
    for (int b = 0; b < 3; b++) {
      if (!strstr(backends_opt, backends[b])) continue;
      if (b == 2 && cf->dim == 1) continue; /* PETSc's DMDA has no BAIJ matrices in 1-D */
      result r;
      PetscCall(run_config(comm, kdir, cf, backends[b], verbose, &r));
      PetscBool ok =
          (PetscBool)(!r.res_failed && r.res <= RES_TOL && r.jac <= JAC_TOL && r.jv <= JV_TOL &&
                      r.outside == 0 && r.fd_out <= JAC_TOL && r.backend_ok);
      nrun++;
      if (!ok) nfail++;
      if (r.res_failed) nreserr++;
      worst[0] = fmax(worst[0], r.res);
      worst[1] = fmax(worst[1], r.jac);
      worst[2] = fmax(worst[2], r.jv);
      worst[3] = fmax(worst[3], r.fd_out);
      PetscInt N = cf->m[0] * (cf->dim > 1 ? cf->m[1] : 1) * (cf->dim > 2 ? cf->m[2] : 1) * cf->dof;
      char rs[32];
      if (r.res_failed)
        PetscCall(PetscStrcpy(rs, "ERROR  "));
      else
        PetscCall(PetscSNPrintf(rs, sizeof rs, "%.1e", r.res));
      PetscCall(PetscPrintf(comm,
                            "%-4s %-40s %-6s N=%-4" PetscInt_FMT " res %s  jac %.1e  Jv %.1e  "
                            "nnz %ld outside %ld  fd-outside %.1e%s\n",
                            ok ? "ok" : "FAIL", cf->name, backends[b], N, rs, r.jac, r.jv, r.nnz,
                            r.outside, r.fd_out,
                            r.backend_ok ? "" : "  (backend not as selected)"));
      if (r.res_failed)
        PetscCall(PetscPrintf(
            comm,
            "     residual: PETSc error \"%s\" (Jacobian checked against the reference residual)\n",
            r.res_msg));
    }
  }
  if (!only[0]) {
    int nneg = 0, fneg = 0;
    PetscCall(negative_tests(comm, kdir, &nneg, &fneg));
    nrun += nneg;
    nfail += fneg;
  }
  PetscCall(PetscPrintf(comm,
                        "summary: %d of %d runs passed on %d rank%s; %d residual error%s; worst: "
                        "residual %.1e, Jacobian %.1e, J v %.1e, FD outside stencil %.1e\n",
                        nrun - nfail, nrun, size, size > 1 ? "s" : "", nreserr,
                        nreserr == 1 ? "" : "s", worst[0], worst[1], worst[2], worst[3]));
  if (nrun == 0) nfail = 1;
  PetscCall(PetscFinalize());
  return nfail ? 1 : 0;
}
