/* CUDA code generation: the Jacobian program of codegen_c.h as CUDA kernels over elements
   (one element per thread, structure-of-arrays loads and stores that coalesce across a
   warp). The source compiles with NVRTC (run time, gpu/gpu.h) and with nvcc (ahead of time,
   `alphagrad codegen --cuda`). No CUDA dependency: this file only writes text. Layout and
   entry points: docs/codegen.md ("CUDA"). */
#ifndef AG_CODEGEN_CUDA_H
#define AG_CODEGEN_CUDA_H

#include <stdio.h>

#include "jacobian/jacobian.h"

/* Version of the CUDA wrapper; part of the GPU cache key together with AG_CODEGEN_VERSION
   (the straight-line body comes from codegen_c). */
#define AG_CODEGEN_CUDA_VERSION "alphagrad-codegen-cuda 1"

/* Writes the CUDA source for jp. fname (a C identifier) names:
     extern "C" __global__ void FNAME_cuda(int n, const double *in, const double *p,
                                           double *out, double *jac);
     extern "C" __global__ void FNAME_cuda_primal(int n, const double *in, const double *p,
                                                  double *out);
   element k = blockIdx.x * blockDim.x + threadIdx.x of n, with in[i*n + k], p[i*n + k],
   out[j*n + k], jac[e*n + k] as FNAME_batch of the C backend (64-bit index arithmetic).
   Outside NVRTC (nvcc, #ifndef __CUDACC_RTC__) the file also defines the host tables
   FNAME_ni, FNAME_no, FNAME_np, FNAME_nentries, FNAME_rows[], FNAME_cols[] (extern "C") and
   the launchers FNAME_cuda_launch(n, in, p, out, jac, stream) and
   FNAME_cuda_primal_launch(n, in, p, out, stream) (device pointers; they return the
   cudaError_t of the launch as an int). Returns 0, or -1 with err set. */
int ag_codegen_cuda(const ag_jacprog *jp, const char *fname, FILE *out, ag_error *err);

/* Threads per block the launchers use (and gpu/ uses). */
#define AG_CUDA_BLOCK 128

#endif
