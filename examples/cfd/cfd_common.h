/* Shared helpers of examples/cfd (sod.c, wedge.c): which Jacobian the options select, timings
   from PETSc's log, the output directory, gathering a DMDA vector on rank 0, HDF5 + XDMF
   output and its read-back check. Application code, not kernels (not read by alphagrad). */
#ifndef CFD_COMMON_H
#define CFD_COMMON_H

#include <errno.h>
#include <petscdmda.h>
#include <petscsnes.h>
#include <petscviewerhdf5.h>
#include <sys/stat.h>

/* the Jacobian the options select, for the summary line */
static inline PetscErrorCode CfdJacobianLabel(char *label, size_t n) {
  char s[64] = "";
  PetscBool set, flg;
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(label, "newton_default", n));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-snes_jacobian", s, sizeof s, &set));
  if (set) PetscCall(PetscStrncpy(label, s, n));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-snes_fd_color", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(label, "fd_color", n));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-snes_fd", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(label, "fd", n));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-snes_mf", &flg, NULL));
  if (flg) PetscCall(PetscStrncpy(label, "mf", n));
  flg = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-snes_mf_operator", &flg, NULL));
  if (flg) { /* matrix-free operator, preconditioned with the Jacobian the options name */
    char base[64];
    PetscCall(PetscStrncpy(base, label, sizeof base));
    PetscCall(PetscSNPrintf(label, n, "mf_operator+%s", base));
  }
  PetscFunctionReturn(0);
}

/* PETSc's default log (for the SNESJacobianEval and SNESFunctionEval events) */
static inline PetscErrorCode CfdLogBegin(void) {
  PetscBool active;
  PetscFunctionBeginUser;
  PetscCall(PetscLogIsActive(&active));
  if (!active) PetscCall(PetscLogDefaultBegin());
  PetscFunctionReturn(0);
}

/* count and time (seconds, max over ranks) of a logged event in the main stage */
static inline PetscErrorCode CfdEventStats(const char *name, PetscInt *count, PetscReal *time) {
  PetscLogEvent ev;
  PetscEventPerfInfo info;
  PetscReal t;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventGetId(name, &ev));
  PetscCall(PetscLogEventGetPerfInfo(0, ev, &info));
  t = info.time;
  PetscCallMPI(MPI_Allreduce(&t, time, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  *count = info.count;
  PetscFunctionReturn(0);
}

/* mkdir -p for one level (rank 0); empty dir: no output */
static inline PetscErrorCode CfdMakeDir(const char *dir) {
  PetscMPIInt rank;
  int err = 0;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank == 0 && dir[0] && mkdir(dir, 0777) != 0 && errno != EEXIST) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  PetscCheck(!err, PETSC_COMM_WORLD, PETSC_ERR_FILE_OPEN,
             "cannot create the output directory %s: %s", dir, strerror(err));
  PetscFunctionReturn(0);
}

/* the whole of a global DMDA vector in natural order on rank 0 (*all: sequential vector of
   the full size on rank 0, empty elsewhere; destroy it) */
static inline PetscErrorCode CfdGather(DM da, Vec x, Vec *all) {
  Vec nat;
  VecScatter sc;
  PetscFunctionBeginUser;
  PetscCall(DMDACreateNaturalVector(da, &nat));
  PetscCall(DMDAGlobalToNaturalBegin(da, x, INSERT_VALUES, nat));
  PetscCall(DMDAGlobalToNaturalEnd(da, x, INSERT_VALUES, nat));
  PetscCall(VecScatterCreateToZero(nat, &sc, all));
  PetscCall(VecScatterBegin(sc, nat, *all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, nat, *all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&nat));
  PetscFunctionReturn(0);
}

/* An XDMF file (rank 0) for ParaView: a 2-D co-rectilinear mesh of nx x ny cells (origin
   x0, y0, spacings hx, hy) and the cell fields names[0..nf-1], each a dataset /name of shape
   (ny, nx) in the HDF5 file h5name (a name relative to the XDMF file). */
static inline PetscErrorCode CfdWriteXdmf(const char *path, const char *h5name, PetscInt nx,
                                          PetscInt ny, double x0, double y0, double hx, double hy,
                                          PetscInt nf, const char *const names[]) {
  FILE *f;
  PetscFunctionBeginUser;
  PetscCall(PetscFOpen(PETSC_COMM_WORLD, path, "w", &f));
  PetscCall(PetscFPrintf(
      PETSC_COMM_WORLD, f,
      "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n "
      "<Domain>\n"
      "  <Grid Name=\"mesh\" GridType=\"Uniform\">\n"
      "   <Topology TopologyType=\"2DCoRectMesh\" Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT
      "\"/>\n"
      "   <Geometry GeometryType=\"ORIGIN_DXDY\">\n"
      "    <DataItem Format=\"XML\" NumberType=\"Float\" Dimensions=\"2\">%.17g %.17g</DataItem>\n"
      "    <DataItem Format=\"XML\" NumberType=\"Float\" Dimensions=\"2\">%.17g %.17g</DataItem>\n"
      "   </Geometry>\n",
      ny + 1, nx + 1, y0, x0, hy, hx));
  for (PetscInt k = 0; k < nf; k++)
    PetscCall(PetscFPrintf(PETSC_COMM_WORLD, f,
                           "   <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
                           "    <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" "
                           "Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT "\">%s:/%s</DataItem>\n"
                           "   </Attribute>\n",
                           names[k], ny, nx, h5name, names[k]));
  PetscCall(PetscFPrintf(PETSC_COMM_WORLD, f, "  </Grid>\n </Domain>\n</Xdmf>\n"));
  PetscCall(PetscFClose(PETSC_COMM_WORLD, f));
  PetscFunctionReturn(0);
}

/* reads the vector named name back from the HDF5 file into a new vector of da and returns
   max |x - loaded| */
static inline PetscErrorCode CfdReadBack(DM da, const char *h5path, const char *name, Vec x,
                                         PetscReal *diff) {
  PetscViewer v;
  Vec y;
  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(da, &y));
  PetscCall(PetscObjectSetName((PetscObject)y, name));
  PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, h5path, FILE_MODE_READ, &v));
  PetscCall(VecLoad(y, v));
  PetscCall(PetscViewerDestroy(&v));
  PetscCall(VecAXPY(y, -1.0, x));
  PetscCall(VecNorm(y, NORM_INFINITY, diff));
  PetscCall(VecDestroy(&y));
  PetscFunctionReturn(0);
}

#endif
