/* Machine profiles: the weights of the execution cost model (graph/exec_cost.h) measured on
   one machine with one compiler and one set of flags, by `alphagrad calibrate`.

   A profile is a small text file (docs/profiles.md):
     # comment lines
     format alphagrad-profile 1
     cpu <model name from /proc/cpuinfo>
     compiler <first line of `CC --version`>
     flags <the JIT flags>
     mul_ps <integer>   add_ps <integer>   fma_ps <integer>   (one per line)
     date <UTC time of the calibration>
   Its signature is (cpu, compiler, flags). `alphagrad calibrate` writes the profile of this
   machine to the cache directory (jit.h) as profile-<16 hex digits of the signature's
   hash>.txt; searches use that one when it exists, else the built-in default weights
   (ag_exec_weights_default). A profile given explicitly must carry this machine's
   signature: another machine's profile is refused with both signatures named. */
#ifndef AG_PROFILE_H
#define AG_PROFILE_H

#include <stddef.h>

#include "base/error.h"
#include "graph/exec_cost.h"
#include "jacobian/jit.h"

typedef struct {
  ag_exec_weights w;
  char cpu[256], compiler[256], flags[512];
  char date[32];
  char source[4200]; /* where the weights came from: a file, or "built-in default" */
} ag_machine_profile;

/* This machine's signature under opt (compiler and flags as the JIT uses them). */
void ag_profile_signature(ag_machine_profile *p, const ag_jit_opts *opt);
/* The signature as one string, "cpu | compiler | flags" (order libraries key tuned entries
   by it). */
void ag_profile_signature_str(const ag_machine_profile *p, char *buf, size_t n);
/* The default profile path of this machine's signature (malloc'ed). */
char *ag_profile_path(const ag_jit_opts *opt);
/* Reads a profile; errors name file:line. */
int ag_profile_load(const char *path, ag_machine_profile *p, ag_error *err);
/* Writes a profile (atomically: a temporary file renamed). */
int ag_profile_save(const char *path, const ag_machine_profile *p, ag_error *err);
/* The profile to use: path when given (its signature must be this machine's), else this
   machine's calibrated profile when there is one, else the built-in default. */
int ag_profile_resolve(const char *path, ag_machine_profile *p, ag_error *err);
/* Measures the weights with microbenchmarks compiled like generated code (about `seconds`
   of timing plus three compilations); fills p (signature included). */
int ag_profile_calibrate(ag_machine_profile *p, const ag_jit_opts *opt, double seconds,
                         ag_error *err);

#endif
