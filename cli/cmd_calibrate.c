/* alphagrad calibrate [--out FILE] [--seconds S] [--json]: measures the execution cost
   model's weights on this machine (jacobian/profile.h) and writes the machine profile. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "jacobian/profile.h"

static const char *calibrate_usage =
    "usage: alphagrad calibrate [--out FILE] [--seconds S] [--json]\n"
    "\n"
    "Measures what a multiplication, an addition and a fused multiply-add cost in generated\n"
    "Jacobian code on this machine (picoseconds per element; microbenchmarks compiled with\n"
    "the JIT's compiler and flags, $AG_CC and $AG_CFLAGS) and writes the machine profile that\n"
    "the execution cost model (search --objective exec) uses. Searches on this machine pick\n"
    "it up from the cache directory; without one they use built-in default weights.\n"
    "\n"
    "options:\n"
    "  --out FILE   where to write (default: this machine's profile in the JIT cache\n"
    "               directory, $AG_JIT_CACHE or ~/.cache/alphagrad, profile-<hash>.txt)\n"
    "  --seconds S  timing budget (default 2)\n"
    "  --json       print the profile as one JSON object\n"
    "The file format: docs/profiles.md.\n";

int ag_cmd_calibrate(int argc, char **argv) {
  const char *out = NULL;
  double seconds = 2;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(calibrate_usage, stdout);
      return 0;
    } else if (!strcmp(argv[i], "--json")) {
      json = 1;
    } else if ((!strcmp(argv[i], "--out") || !strcmp(argv[i], "--seconds")) && i + 1 < argc) {
      if (!strcmp(argv[i], "--out")) {
        out = argv[++i];
      } else {
        char *end;
        seconds = strtod(argv[++i], &end);
        if (*end || !(seconds > 0) || !isfinite(seconds) || seconds > 600) {
          fprintf(stderr, "alphagrad: --seconds needs a number in (0, 600], got '%s'\n", argv[i]);
          return 2;
        }
      }
    } else {
      fprintf(stderr, "alphagrad: %s '%s' for calibrate (see alphagrad calibrate --help)\n",
              argv[i][0] == '-' ? "unknown option or missing value" : "unexpected argument",
              argv[i]);
      return 2;
    }
  }
  ag_machine_profile p;
  ag_error err;
  if (!json) fprintf(stderr, "[calibrate] measuring for about %.1f s...\n", seconds);
  if (ag_profile_calibrate(&p, NULL, seconds, &err)) {
    fprintf(stderr, "alphagrad: %s\n", err.msg);
    return 1;
  }
  char *path = out ? NULL : ag_profile_path(NULL);
  const char *dst = out ? out : path;
  if (!out) { /* the cache directory may not exist yet */
    char *dir = ag_jit_cache_dir(NULL);
    ag_mkdir_p(dir);
    free(dir);
  }
  int rc = ag_profile_save(dst, &p, &err);
  if (rc)
    fprintf(stderr, "alphagrad: %s\n", err.msg);
  else if (json) {
    printf("{\"profile\": ");
    ag_cli_json_str(stdout, dst);
    printf(", \"mul_ps\": %ld, \"add_ps\": %ld, \"fma_ps\": %ld, \"cpu\": ", p.w.mul, p.w.add,
           p.w.fma);
    ag_cli_json_str(stdout, p.cpu);
    printf(", \"compiler\": ");
    ag_cli_json_str(stdout, p.compiler);
    printf(", \"flags\": ");
    ag_cli_json_str(stdout, p.flags);
    printf("}\n");
  } else
    printf("profile %s\n  cpu %s\n  compiler %s\n  flags %s\n  mul %ld ps, add %ld ps, fused "
           "multiply-add %ld ps per element\n",
           dst, p.cpu, p.compiler, p.flags, p.w.mul, p.w.add, p.w.fma);
  free(path);
  return rc ? 1 : 0;
}
