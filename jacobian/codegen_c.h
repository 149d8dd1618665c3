/* C code generation: one self-contained C file (only <math.h>) that computes a graph's
   outputs and its exact sparse Jacobian for one elimination order, as straight-line code
   with the same formulas as the interpreter (ag_jacprog_eval). Layout: docs/codegen.md. */
#ifndef AG_CODEGEN_C_H
#define AG_CODEGEN_C_H

#include <stdio.h>

#include "jacobian/jacobian.h"

/* Version of the generator; part of the JIT cache key (bump when the output changes). */
#define AG_CODEGEN_VERSION "alphagrad-codegen-c 9"

/* Writes the C file for jp to out. fname (a C identifier) names the entry points:
     void FNAME(const double *in, const double *p, double *out, double *jac);
     void FNAME_batch(int n, const double *in, const double *p, double *out, double *jac);
     void FNAME_primal_batch(int n, const double *in, const double *p, double *out);
     const int FNAME_nentries, FNAME_rows[], FNAME_cols[], FNAME_ni, FNAME_no, FNAME_np;
   Returns 0, or -1 with err set (bad name, write error). */
int ag_codegen_c(const ag_jacprog *jp, const char *fname, FILE *out, ag_error *err);

/* The straight-line statements for element k of n in the structure-of-arrays layout of
   FNAME_batch (reads in[i * n + k], p[i * n + k]; writes out[j * n + k] and, when
   with_jac, jac[e * n + k]), each line prefixed by ind. The enclosing code declares
   int n, int k and the pointers in, p, out, jac. Other generators (CUDA) wrap it. */
void ag_codegen_c_element_body(FILE *f, const ag_jacprog *jp, int with_jac, const char *ind);

#endif
