/* The alphagrad package: class ids, -log_view events, init/finalize, core error classes. */
#include "plugin/plugin_impl.h"

PetscClassId AG_KERNEL_CLASSID, AG_OPERATOR_CLASSID;
PetscLogEvent AG_SetUp, AG_Search, AG_Codegen, AG_JacobianEval, AG_Residual, AG_Pattern;

const char *const AGBackends[] = {"c", "interp", "cuda", "AGBackend", "AG_BACKEND_", NULL};
const char *const AGPatterns[] = {"matrix", "exact", "AGPattern", "AG_PATTERN_", NULL};
const char *const AGSides[] = {"xlo", "xhi",    "ylo",      "yhi", "zlo",
                               "zhi", "AGSide", "AG_SIDE_", NULL};

static PetscBool AGPackageInitialized = PETSC_FALSE;

/* Model: SNESInitializePackage (src/snes/interface/dlregissnes.c). */
PetscErrorCode AGInitializePackage(void) {
  char logList[256];
  PetscBool opt, pkg;
  PetscClassId classids[2];
  PetscFunctionBegin;
  if (AGPackageInitialized) PetscFunctionReturn(0);
  AGPackageInitialized = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("AlphaGrad Kernel", &AG_KERNEL_CLASSID));
  PetscCall(PetscClassIdRegister("AlphaGrad Operator", &AG_OPERATOR_CLASSID));
  PetscCall(PetscLogEventRegister("AGSetUp", AG_OPERATOR_CLASSID, &AG_SetUp));
  PetscCall(PetscLogEventRegister("AGSearch", AG_KERNEL_CLASSID, &AG_Search));
  PetscCall(PetscLogEventRegister("AGCodegen", AG_KERNEL_CLASSID, &AG_Codegen));
  PetscCall(PetscLogEventRegister("AGJacobianEval", AG_OPERATOR_CLASSID, &AG_JacobianEval));
  PetscCall(PetscLogEventRegister("AGResidual", AG_OPERATOR_CLASSID, &AG_Residual));
  PetscCall(PetscLogEventRegister("AGPattern", AG_OPERATOR_CLASSID, &AG_Pattern));
  /* -info_exclude and -log_exclude with the package name "ag" */
  classids[0] = AG_KERNEL_CLASSID;
  classids[1] = AG_OPERATOR_CLASSID;
  PetscCall(PetscInfoProcessClass("ag", 2, classids));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-log_exclude", logList, sizeof(logList), &opt));
  if (opt) {
    PetscCall(PetscStrInList("ag", logList, ',', &pkg));
    if (pkg) {
      PetscCall(PetscLogEventExcludeClass(AG_KERNEL_CLASSID));
      PetscCall(PetscLogEventExcludeClass(AG_OPERATOR_CLASSID));
    }
  }
  PetscCall(PetscRegisterFinalize(AGFinalizePackage));
  PetscFunctionReturn(0);
}

PetscErrorCode AGFinalizePackage(void) {
  PetscFunctionBegin;
  AGPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode ag_petsc_error_class(ag_status code) {
  switch (code) {
  case AG_ERR_INPUT: return PETSC_ERR_ARG_WRONG;
  case AG_ERR_IO: return PETSC_ERR_FILE_OPEN;
  case AG_ERR_FORMAT: return PETSC_ERR_FILE_UNEXPECTED;
  case AG_ERR_CORRUPT: return PETSC_ERR_FILE_UNEXPECTED;
  case AG_ERR_MISMATCH: return PETSC_ERR_ARG_INCOMP;
  case AG_ERR_LIMIT: return PETSC_ERR_MEM;
  case AG_ERR_BACKEND: return PETSC_ERR_LIB;
  case AG_ERR_UNSUPPORTED: return PETSC_ERR_SUP;
  default: return PETSC_ERR_LIB; /* AG_OK on a failure: a core call that set no code */
  }
}
