/* alphagrad for PETSc: exact Jacobians of residuals written as pointwise kernels on a DMDA.

   An application describes its residual once as an operator: kernels (C kernel files,
   docs/kernels.md, or graphs from the builder API) and how their inputs are gathered from
   the mesh and their outputs scattered to it. The operator gives the residual and its exact
   Jacobian (elimination orders from order libraries or a search; generated code compiled at
   run time). The run-time option -snes_jacobian alphagrad selects it; the user guide with
   every option is plugin/README.md.

   Kernel conventions (all kernels: void name(const double *in, double *out, const double *p)):

   Cell kernel, on a DMDA of dimension d with dof unknowns per point:
     in   the unknowns at the points of a stencil around the cell, point after point, dof
          values each. Points are ordered lexicographically by their offset (dz, dy, dx)
          with dx fastest; a star stencil of width w keeps the points with at most one
          non-zero offset, a box stencil all (2w+1)^d. E.g. 2-D star, width 1: (0,-1),
          (-1,0), (0,0), (1,0), (0,1) as (dx,dy), i.e. south, west, centre, east, north.
     out  dof values, added to the residual of the cell.
     p    the kernel's constant parameters (AGKernelSetParameters), then the auxiliary
          vector's values at the cell (AGOperatorSetAuxiliaryVec), if any, then the grid's
          geometry when the kernel asks for it (AGKernelSetGeometry): the spacings h_1..h_d,
          then the coordinates x_1..x_d of the cell (of the face's centre for face kernels).
          The spacing of a direction with M points is (max - min)/(M - 1) over the DMDA's
          bounding box (DMDASetUniformCoordinates), / M when periodic; without coordinates
          the domain is [0, 1] in each direction (so hx = 1/(M - 1), as in SNES ex5). With
          geometry, one kernel file serves every grid of a multigrid hierarchy or of grid
          sequencing (operators follow their DMDA through DMCoarsen/DMRefine).
   A cell whose stencil leaves a non-periodic domain uses the cell kernel's boundary kernel
   instead: in = the cell's own dof values, out = dof values (a Dirichlet row, e.g. u - g),
   p as above. Without a boundary kernel, only cells whose stencil fits are computed (the
   others get nothing from this kernel).
   One-sided boundary kernels (AGOperatorSetSideKernel) replace the boundary kernel on one
   side of the domain (xlo: i = 0 side, xhi, ylo, yhi, zlo, zhi) for the cells whose stencil
   leaves the domain through that side: in = the cell's dof values, then those of the w cells
   inward along the side's normal, nearest first (a wall row that reads the cell inside, e.g.
   the vorticity of SNES ex19's walls); out and p as for the boundary kernel. A cell on
   several sides (a corner) uses the kernel of the first of its sides in the order xlo, xhi,
   ylo, yhi, zlo, zhi that has one, else the boundary kernel.

   Face kernel in direction dir (0 = x, 1 = y, 2 = z), width w:
     in   the 2w cells along dir around the face, from the low side to the high side
          (w = 1: the left and right cell states, dof values each).
     out  dof values: the flux through the face, in the +dir direction. It is added to the
          residual of the cell on the low side and subtracted from the cell on the high side.
          (So for u_t + f(u)_x = 0 the residual holds (u - u_old)/dt * h + F(i+1/2) - F(i-1/2)
          with the first term a cell kernel.)
     p    the kernel's constant parameters (then, after AGOperatorSetAuxiliaryFaces, the
          auxiliary values of the low cell, then of the high cell; then geometry).
   Faces on a non-periodic domain boundary use the boundary kernel of that side:
     low side (the face before the first cell): in = the w cells after the face, increasing
          index; its out is subtracted from the first cell (as for the high side of a face);
     high side (after the last cell): in = the w cells before the face; out added to the
          last cell.
   Without a boundary kernel for a side, its boundary faces contribute nothing. Interior faces
   whose 2w cells do not all exist (w > 1 near a boundary) contribute nothing either: write
   such schemes with a cell-width-1 fallback in the boundary kernels.

   Periodic and non-periodic (DM_BOUNDARY_NONE) DMDA boundaries are supported; ghosted and
   mirror boundaries are refused. The DMDA's stencil width must be at least the widths of
   the operator's kernels. */
#ifndef ALPHAGRAD_PETSC_H
#define ALPHAGRAD_PETSC_H

#include "alphagrad.h" /* the core: builder API (ag_graph_*), errors, orders */
#include <petscdmda.h>
#include <petscsnes.h>
#include <petscts.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kernels and operators are PetscObjects (classes "AlphaGrad Kernel" and "AlphaGrad
   Operator"): PetscObjectReference, PetscObjectSetName, PetscObjectViewFromOptions, ... */
typedef struct _p_AGKernel *AGKernel;
typedef struct _p_AGOperator *AGOperator;
struct ag_graph; /* graph/graph.h */

/* Where element Jacobians are computed: generated C compiled at run time, the interpreter,
   or generated CUDA on the GPU (-snes_jacobian_alphagrad_backend c|interp|cuda). */
typedef enum { AG_BACKEND_C, AG_BACKEND_INTERP, AG_BACKEND_CUDA } AGBackend;
PETSC_EXTERN const char *const AGBackends[];

/* The package: class ids and -log_view events (AGSetUp, AGSearch, AGCodegen,
   AGJacobianEval, AGResidual). Called by the Create functions, SNESAlphaGradRegister() and
   PetscDLLibraryRegister_alphagrad(); AGFinalizePackage() runs at PetscFinalize(). */
PETSC_EXTERN PetscErrorCode AGInitializePackage(void);
PETSC_EXTERN PetscErrorCode AGFinalizePackage(void);
/* Registers -snes_jacobian alphagrad (the package, then the SNES options checker; once, later
   calls do nothing). Called by PetscDLLibraryRegister_alphagrad() when the library is loaded
   with -dll_append; call it yourself after PetscInitialize() when you link the library. */
PETSC_EXTERN PetscErrorCode SNESAlphaGradRegister(void);
PETSC_EXTERN PetscErrorCode PetscDLLibraryRegister_alphagrad(void);

/* A kernel from a source: "file.c:function" (a C kernel) or "graphs.txt:section" (a
   reference DAG text file). Errors name the file and line. Collective on comm (every rank
   reads the file). */
PETSC_EXTERN PetscErrorCode AGKernelCreate(MPI_Comm comm, const char source[], AGKernel *k);
/* A kernel from a finalized builder graph (graph/graph.h); the kernel takes ownership of
   g (ag_graph_free is called when the kernel is destroyed). */
PETSC_EXTERN PetscErrorCode AGKernelCreateFromGraph(MPI_Comm comm, struct ag_graph *g, AGKernel *k);
/* Constant parameters p[0..n-1] (the first n of the kernel's parameters; values beyond the
   last parameter the kernel reads are ignored, so kernels may share one parameter list). */
PETSC_EXTERN PetscErrorCode AGKernelSetParameters(AGKernel k, PetscInt n, const PetscReal v[]);
PETSC_EXTERN PetscErrorCode AGKernelGetSizes(AGKernel k, PetscInt *ni, PetscInt *no, PetscInt *np);
/* Prints the kernel's source, graph sizes and, once set up, its order and code (viewer NULL:
   stdout of its communicator). */
PETSC_EXTERN PetscErrorCode AGKernelView(AGKernel k, PetscViewer viewer);
/* With PETSC_TRUE the grid's spacings and the element's coordinates are appended to the
   kernel's parameters (see the conventions above; -snes_jacobian_alphagrad_geometry for the
   kernels named by options). Default PETSC_FALSE. Not with the cuda backend. */
PETSC_EXTERN PetscErrorCode AGKernelSetGeometry(AGKernel k, PetscBool geometry);
/* Drops a reference (PetscObjectDereference); the last one frees the kernel. */
PETSC_EXTERN PetscErrorCode AGKernelDestroy(AGKernel *k);

/* An operator on a DMDA (reference taken). Its options prefix is "snes_jacobian_alphagrad_"
   (with the SNES's prefix in front once attached to a SNES). The operator follows its DMDA:
   DMCoarsen and DMRefine of it (rediscretised -pc_type mg, -snes_grid_sequence, -da_refine
   hierarchies, FAS) give the new DMDA an operator with the same kernels, options and prefix
   (AGOperatorGetForDM finds it), and SNESComputeJacobianAlphaGrad uses the operator of the
   DM it is called on. */
PETSC_EXTERN PetscErrorCode AGOperatorCreate(DM da, AGOperator *op);
/* The operator of dm: the one attached to a SNES on dm, or the one derived for dm by
   DMCoarsen/DMRefine from an operator of a finer or coarser grid; NULL if none (no reference
   taken). An operator with an auxiliary vector needs that grid's vector on derived
   operators: AGOperatorSetAuxiliaryVec on the operator found here. */
PETSC_EXTERN PetscErrorCode AGOperatorGetForDM(DM dm, AGOperator *op);
/* Drops a reference (PetscObjectDereference); the last one frees the operator. */
PETSC_EXTERN PetscErrorCode AGOperatorDestroy(AGOperator *op);
PETSC_EXTERN PetscErrorCode AGOperatorSetOptionsPrefix(AGOperator op, const char prefix[]);
PETSC_EXTERN PetscErrorCode AGOperatorAppendOptionsPrefix(AGOperator op, const char prefix[]);
PETSC_EXTERN PetscErrorCode AGOperatorGetOptionsPrefix(AGOperator op, const char *prefix[]);
/* Reads -PREFIX{orders,search_time,backend,cache,batch,verbose} (the options of the table
   in plugin/README.md without "snes_jacobian_alphagrad_"), before the set-up. */
PETSC_EXTERN PetscErrorCode AGOperatorSetFromOptions(AGOperator op);
/* Element lists, orders and code of the kernels (collective; done at the first residual or
   Jacobian otherwise; later calls do nothing). Afterwards -PREFIXview [viewer] shows it. */
PETSC_EXTERN PetscErrorCode AGOperatorSetUp(AGOperator op);
/* A cell kernel with its stencil (type DMDA_STENCIL_STAR or DMDA_STENCIL_BOX, width >= 0)
   and boundary kernel (may be NULL). The operator takes references to the kernels. */
PETSC_EXTERN PetscErrorCode AGOperatorAddCellKernel(AGOperator op, AGKernel k, DMDAStencilType st,
                                                    PetscInt width, AGKernel boundary);
/* The sides of a DMDA's domain, for one-sided boundary kernels: xlo is the side i = 0,
   xhi the side i = M - 1, and so on (-snes_jacobian_alphagrad_boundary_kernel_xlo, ...). */
typedef enum {
  AG_SIDE_XLO,
  AG_SIDE_XHI,
  AG_SIDE_YLO,
  AG_SIDE_YHI,
  AG_SIDE_ZLO,
  AG_SIDE_ZHI
} AGSide;
PETSC_EXTERN const char *const AGSides[];
/* The one-sided boundary kernel k of the cell kernel cell (added before) on one side: the
   cells on that side whose stencil leaves the domain get k, whose inputs are the cell's dof
   values and those of the width (>= 1, <= the DMDA's stencil width) cells inward along the
   side's normal, nearest first (an IFunction operator: then the cell's time derivatives, or
   none). Precedence at corners and the other conventions: above. k NULL removes it. */
PETSC_EXTERN PetscErrorCode AGOperatorSetSideKernel(AGOperator op, AGKernel cell, AGSide side,
                                                    PetscInt width, AGKernel k);
/* A face-flux kernel in direction dir with width w >= 1 and boundary kernels for the low and
   high side (each may be NULL). */
PETSC_EXTERN PetscErrorCode AGOperatorAddFaceKernel(AGOperator op, AGKernel k, PetscInt dir,
                                                    PetscInt width, AGKernel low, AGKernel high);
/* A global vector of a DMDA with the operator's layout (same sizes and distribution, any
   dof): its values at a cell are appended to the parameters of the cell kernels (and their
   boundary kernels). The operator reads it at every evaluation (keep it up to date, e.g. the
   previous time step's state). Reference taken; NULL removes it. */
PETSC_EXTERN PetscErrorCode AGOperatorSetAuxiliaryVec(AGOperator op, Vec aux);
/* With PETSC_TRUE (before the operator's first use), face kernels take auxiliary values too:
   after their constants, the auxiliary values of the face's low cell, then of its high cell
   (a boundary face: of its one cell), then geometry. The auxiliary vector's DMDA needs stencil
   width >= 1 (the cells of faces on a rank's edge are ghosts). Default PETSC_FALSE (face
   kernels take none). Not with the cuda backend. */
PETSC_EXTERN PetscErrorCode AGOperatorSetAuxiliaryFaces(AGOperator op, PetscBool faces);
/* Implicit time stepping (TS): with PETSC_TRUE, before kernels are added, every cell kernel
   takes the cell's dof time derivatives U_t after its stencil's values (a boundary kernel:
   the cell's dof values, then their dof time derivatives), and the operator computes
   F(t, U, U_t) (AGOperatorComputeIFunction) and the Jacobian shift * dF/dU_t + dF/dU in one
   pass (AGOperatorComputeIJacobian). Face kernels take no time derivatives. */
PETSC_EXTERN PetscErrorCode AGOperatorSetIFunction(AGOperator op, PetscBool ifunction);
PETSC_EXTERN PetscErrorCode AGOperatorComputeIFunction(AGOperator op, PetscReal t, Vec U, Vec Udot,
                                                       Vec F);
PETSC_EXTERN PetscErrorCode AGOperatorComputeIJacobian(AGOperator op, PetscReal t, Vec U, Vec Udot,
                                                       PetscReal shift, Mat P);
/* The operator's residual F(X) (global vectors of its DMDA). */
PETSC_EXTERN PetscErrorCode AGOperatorComputeResidual(AGOperator op, Vec X, Vec F);
/* Its Jacobian at X into the matrix P (created by DMCreateMatrix on its DMDA, or with the
   same layout). The first call on a matrix finds each entry's place in P's own AIJ/BAIJ
   structure (DMCreateMatrix's), or sets P's COO pattern for other matrices. */
PETSC_EXTERN PetscErrorCode AGOperatorComputeJacobian(AGOperator op, Vec X, Mat P);
/* Prints what the operator holds: kernels, graph sizes, orders and where they came from,
   costs against forward/reverse/Markowitz, backend, cache (viewer NULL: stdout of its
   communicator; ASCII viewers). */
PETSC_EXTERN PetscErrorCode AGOperatorView(AGOperator op, PetscViewer viewer);
/* -PREFIXname [viewer] (e.g. name "-view": -snes_jacobian_alphagrad_view ascii:FILE) */
PETSC_EXTERN PetscErrorCode AGOperatorViewFromOptions(AGOperator op, PetscObject obj,
                                                      const char name[]);

/* Attaches op to snes (reference taken) and gives it the options prefix SNESPREFIX +
   "snes_jacobian_alphagrad_". With residual = PETSC_TRUE the operator's residual becomes the
   SNES function (SNESSetFunction); otherwise the application keeps its own residual and the
   operator is used for the Jacobian only. The Jacobian is the operator's when -snes_jacobian
   alphagrad is given (or after SNESAlphaGradSetUse()). */
PETSC_EXTERN PetscErrorCode SNESAlphaGradSetOperator(SNES snes, AGOperator op, PetscBool residual);
/* The operator attached to snes (NULL if none; no reference taken). */
PETSC_EXTERN PetscErrorCode SNESAlphaGradGetOperator(SNES snes, AGOperator *op);
/* Selects the alphagrad Jacobian as -snes_jacobian alphagrad does (before SNESSetUp): installs
   SNESComputeJacobianAlphaGrad with ctx NULL. */
PETSC_EXTERN PetscErrorCode SNESAlphaGradSetUse(SNES snes);

/* The operator's exact Jacobian at X into P (and J assembled when J != P), in the form of
   SNESJacobianFunction, as SNESComputeJacobianDefaultColor is for coloring:
     SNESSetJacobian(snes, J, P, SNESComputeJacobianAlphaGrad, op);
   ctx is an AGOperator, or NULL: the operator attached to the SNES (SNESAlphaGradSetOperator),
   else the one attached to another SNES on the same DM (a nonlinear preconditioner), else
   one built from -snes_jacobian_alphagrad_kernel. -snes_jacobian alphagrad installs it with
   ctx NULL. With -snes_jacobian_alphagrad_check the application's residual is compared with
   the operator's at every call. */
PETSC_EXTERN PetscErrorCode SNESComputeJacobianAlphaGrad(SNES snes, Vec X, Mat J, Mat P, void *ctx);

/* Implicit TS. Attaches an IFunction operator (AGOperatorSetIFunction) to ts: its exact
   IJacobian (TSSetIJacobian with TSComputeIJacobianAlphaGrad) and, with ifunction =
   PETSC_TRUE, its IFunction too (TSSetIFunction); otherwise the application keeps its own
   IFunction. -snes_jacobian alphagrad on the TS's SNES does the same from options (with
   -snes_jacobian_alphagrad_kernel, the kernel takes the time derivatives as above). */
PETSC_EXTERN PetscErrorCode TSAlphaGradSetOperator(TS ts, AGOperator op, PetscBool ifunction);
/* The right-hand side G(t, U) of a TS (TSSetRHSFunction: U_t = G, or F(t, U, U_t) = G for
   IMEX) as an ordinary operator (cell and face kernels of the stencil's values, no time
   derivatives): its exact Jacobian dG/dU becomes the TS's RHS Jacobian
   (TSComputeRHSJacobianAlphaGrad), which TS uses for implicit methods and fully implicit
   ARKIMEX (an IMEX method treats G explicitly and needs none); with rhsfunction = PETSC_TRUE
   the operator's residual becomes the TS's RHS function. Beside an IFunction operator on the
   same DMDA (TSAlphaGradSetOperator) when both parts are given. -snes_jacobian_alphagrad_rhs_kernel
   does the same from options. Before the operator's first use. */
PETSC_EXTERN PetscErrorCode TSAlphaGradSetRHSOperator(TS ts, AGOperator op, PetscBool rhsfunction);
/* In the form of TSRHSJacobian: ctx an AGOperator, or NULL (the RHS operator of the TS's DM). */
PETSC_EXTERN PetscErrorCode TSComputeRHSJacobianAlphaGrad(TS ts, PetscReal t, Vec U, Mat A, Mat B,
                                                          void *ctx);
/* In the form of TSIJacobian: ctx an AGOperator, or NULL (the operator of the TS's DM). */
PETSC_EXTERN PetscErrorCode TSComputeIJacobianAlphaGrad(TS ts, PetscReal t, Vec U, Vec Udot,
                                                        PetscReal shift, Mat A, Mat B, void *ctx);

/* Deprecated names (since 0.2; removed in the release after): one-line forwards. */
PETSC_EXTERN PETSC_DEPRECATED_FUNCTION("Use SNESAlphaGradSetOperator() (since 0.2)") PetscErrorCode
    SNESSetAlphaGradOperator(SNES snes, AGOperator op, PetscBool residual);
PETSC_EXTERN PETSC_DEPRECATED_FUNCTION("Use SNESAlphaGradGetOperator() (since 0.2)") PetscErrorCode
    SNESGetAlphaGradOperator(SNES snes, AGOperator *op);

#ifdef __cplusplus
}
#endif
#endif
