/* Owns machine profiles: signature, file format, resolution and calibration (profile.h). */
#include "jacobian/profile.h"

#include "base/readfile.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = 0;
}

void ag_profile_signature(ag_machine_profile *p, const ag_jit_opts *opt) {
  snprintf(p->cpu, sizeof p->cpu, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[1024];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
      const char *v = strchr(line, ':') + 1;
      while (*v == ' ' || *v == '\t')
        v++;
      snprintf(p->cpu, sizeof p->cpu, "%.255s", v);
      trim(p->cpu);
      break;
    }
  if (f) fclose(f);
  snprintf(p->compiler, sizeof p->compiler, "unknown");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s --version 2>/dev/null", ag_jit_cc(opt));
  FILE *pp = popen(cmd, "r");
  if (pp) {
    if (fgets(line, sizeof line, pp)) {
      trim(line);
      if (line[0]) snprintf(p->compiler, sizeof p->compiler, "%.255s", line);
    }
    pclose(pp);
  }
  snprintf(p->flags, sizeof p->flags, "%s", ag_jit_cflags(opt));
}

void ag_profile_signature_str(const ag_machine_profile *p, char *buf, size_t n) {
  snprintf(buf, n, "%s | %s | %s", p->cpu, p->compiler, p->flags);
}

static uint64_t signature_hash(const ag_machine_profile *p) {
  uint64_t h = AG_FNV1A_INIT;
  h = ag_fnv1a(h, p->cpu, strlen(p->cpu) + 1);
  h = ag_fnv1a(h, p->compiler, strlen(p->compiler) + 1);
  return ag_fnv1a(h, p->flags, strlen(p->flags) + 1);
}

char *ag_profile_path(const ag_jit_opts *opt) {
  ag_machine_profile p;
  ag_profile_signature(&p, opt);
  char *dir = ag_jit_cache_dir(opt ? opt->cache_dir : NULL);
  size_t n = strlen(dir) + 64;
  char *path = ag_malloc(n);
  snprintf(path, n, "%s/profile-%016llx.txt", dir, (unsigned long long)signature_hash(&p));
  free(dir);
  return path;
}

int ag_profile_load(const char *path, ag_machine_profile *p, ag_error *err) {
  memset(p, 0, sizeof *p);
  ag_error re;
  if (access(path, F_OK) == 0 && !ag_is_regular_file(path)) {
    ag_read_file(path, &re); /* says what it is */
    return ag_failc(err, AG_ERR_INPUT, "the profile %s", re.msg);
  }
  FILE *f = fopen(path, "r");
  if (!f) return ag_failc(err, AG_ERR_IO, "%s: cannot open the profile: %s", path, strerror(errno));
  char line[1024];
  int ln = 0, format = 0, have = 0;
  long *const wt[3] = {&p->w.mul, &p->w.add, &p->w.fma};
  static const char *const wn[3] = {"mul_ps", "add_ps", "fma_ps"};
  while (fgets(line, sizeof line, f)) {
    ln++;
    if (!strchr(line, '\n') && !feof(f)) {
      fclose(f);
      return ag_failc(err, AG_ERR_FORMAT, "%s:%d: line too long", path, ln);
    }
    trim(line);
    if (!line[0] || line[0] == '#') continue;
    char *sp = strchr(line, ' ');
    const char *val = sp ? sp + 1 : "";
    if (sp) *sp = 0;
    if (!format) {
      if (strcmp(line, "format") || strcmp(val, "alphagrad-profile 1")) {
        fclose(f);
        return ag_failc(err, AG_ERR_FORMAT,
                        "%s:%d: not an alphagrad machine profile (expected 'format "
                        "alphagrad-profile 1' first)",
                        path, ln);
      }
      format = 1;
    } else if (!strcmp(line, "cpu")) {
      snprintf(p->cpu, sizeof p->cpu, "%s", val);
    } else if (!strcmp(line, "compiler")) {
      snprintf(p->compiler, sizeof p->compiler, "%s", val);
    } else if (!strcmp(line, "flags")) {
      snprintf(p->flags, sizeof p->flags, "%s", val);
    } else if (!strcmp(line, "date")) {
      snprintf(p->date, sizeof p->date, "%s", val);
    } else {
      int k = -1;
      for (int i = 0; i < 3; i++)
        if (!strcmp(line, wn[i])) k = i;
      char *end;
      long v = k >= 0 ? strtol(val, &end, 10) : 0;
      if (k < 0) {
        fclose(f);
        return ag_failc(err, AG_ERR_FORMAT, "%s:%d: unknown key '%s'", path, ln, line);
      }
      if (!*val || *end || v <= 0 || v > 1000000) {
        fclose(f);
        return ag_failc(err, AG_ERR_CORRUPT,
                        "%s:%d: %s must be a positive integer (picoseconds), got '%s'", path, ln,
                        wn[k], val);
      }
      *wt[k] = v;
      have |= 1 << k;
    }
  }
  fclose(f);
  if (!format) return ag_failc(err, AG_ERR_FORMAT, "%s: empty profile", path);
  for (int i = 0; i < 3; i++)
    if (!(have & (1 << i)))
      return ag_failc(err, AG_ERR_CORRUPT, "%s: the profile has no %s", path, wn[i]);
  snprintf(p->source, sizeof p->source, "%s", path);
  return 0;
}

int ag_profile_save(const char *path, const ag_machine_profile *p, ag_error *err) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) return ag_failc(err, AG_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  fprintf(f,
          "# alphagrad machine profile: execution cost weights, picoseconds per element\n"
          "# (alphagrad calibrate; docs/profiles.md)\n"
          "format alphagrad-profile 1\ncpu %s\ncompiler %s\nflags %s\n"
          "mul_ps %ld\nadd_ps %ld\nfma_ps %ld\ndate %s\n",
          p->cpu, p->compiler, p->flags, p->w.mul, p->w.add, p->w.fma, p->date);
  if (fclose(f) || rename(tmp, path)) {
    int e = errno;
    unlink(tmp);
    return ag_failc(err, AG_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  }
  return 0;
}

int ag_profile_resolve(const char *path, ag_machine_profile *p, ag_error *err) {
  ag_machine_profile here;
  ag_profile_signature(&here, NULL);
  if (path) {
    if (ag_profile_load(path, p, err)) return -1;
    if (strcmp(p->cpu, here.cpu) || strcmp(p->compiler, here.compiler) ||
        strcmp(p->flags, here.flags))
      return ag_failc(err, AG_ERR_MISMATCH,
                      "%s: the profile was measured on another machine or compiler (cpu '%s', "
                      "compiler '%s', flags '%s'); this one is cpu '%s', compiler '%s', flags "
                      "'%s': run alphagrad calibrate here",
                      path, p->cpu, p->compiler, p->flags, here.cpu, here.compiler, here.flags);
    return 0;
  }
  char *mine = ag_profile_path(NULL);
  int rc = access(mine, F_OK) == 0 ? ag_profile_load(mine, p, err) : 1;
  free(mine);
  if (rc < 0) return -1; /* this machine's profile is damaged: say so, do not guess */
  if (rc == 0) return 0;
  *p = here;
  ag_exec_weights_default(&p->w);
  snprintf(p->source, sizeof p->source, "built-in default");
  return 0;
}

/* ---- calibration ---- */

#define CAL_K 256 /* operations per element in the timed bodies */
#define CAL_N 4104

/* Body of K operations of one kind over 8 chains: t_j = OP(t_{j-8}, t_{j-7}[, t_{j-6}]),
   t_0..t_7 the inputs; the outputs are the last 8. */
static void cal_body(FILE *f, const char *kind, int K, int batch) {
  for (int i = 0; i < 8; i++)
    fprintf(f,
            batch ? "    const double t%d = in[%d * n + k];\n" : "  const double t%d = in[%d];\n",
            i, i);
  for (int j = 8; j < 8 + K; j++) {
    fprintf(f, batch ? "    const double t%d = " : "  const double t%d = ", j);
    if (!strcmp(kind, "mul"))
      fprintf(f, "t%d * t%d;\n", j - 8, j - 7);
    else if (!strcmp(kind, "add"))
      fprintf(f, "t%d + t%d;\n", j - 8, j - 7);
    else
      fprintf(f, "t%d * t%d + t%d;\n", j - 8, j - 7, j - 6);
  }
  for (int i = 0; i < 8; i++)
    fprintf(f, batch ? "    out[%d * n + k] = t%d;\n" : "  out[%d] = t%d;\n", i, K + i);
}

static void cal_source(FILE *f) {
  static const char *const kinds[4] = {"base", "mul", "add", "fma"};
  fputs("#include <math.h>\n", f);
  for (int c = 0; c < 4; c++) {
    int K = c ? CAL_K : 0;
    fprintf(f, "__attribute__((noinline)) void one_%s(const double *in, double *out) {\n",
            kinds[c]);
    cal_body(f, kinds[c], K, 0);
    fprintf(f,
            "}\nvoid batch_%s(int n, const double *in, double *out) {\n"
            "  for (int k0 = 0; k0 + 16 <= n; k0 += 16) {\n#pragma GCC ivdep\n"
            "   for (int b = 0; b < 16; b++) {\n    const int k = k0 + b;\n",
            kinds[c]);
    cal_body(f, kinds[c], K, 1);
    fputs("   }\n  }\n}\n", f);
  }
}

typedef void (*cal_one)(const double *, double *);
typedef void (*cal_batch)(int, const double *, double *);

int ag_profile_calibrate(ag_machine_profile *p, const ag_jit_opts *opt, double seconds,
                         ag_error *err) {
  ag_profile_signature(p, opt);
  char src[64], so[64], log[64], cmd[8192];
  snprintf(src, sizeof src, "/tmp/ag-calibrate-%ld.c", (long)getpid());
  snprintf(so, sizeof so, "/tmp/ag-calibrate-%ld.so", (long)getpid());
  snprintf(log, sizeof log, "/tmp/ag-calibrate-%ld.log", (long)getpid());
  FILE *f = fopen(src, "w");
  if (!f) return ag_failc(err, AG_ERR_IO, "calibrate: cannot write %s: %s", src, strerror(errno));
  cal_source(f);
  if (fclose(f)) return ag_failc(err, AG_ERR_IO, "calibrate: cannot write %s", src);
  snprintf(cmd, sizeof cmd, "%s %s -o '%s' '%s' -lm >'%s' 2>&1", ag_jit_cc(opt), ag_jit_cflags(opt),
           so, src, log);
  int st = system(cmd);
  unlink(src);
  unlink(log);
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    unlink(so);
    return ag_failc(err, AG_ERR_BACKEND, "calibrate: the compiler failed: %s", cmd);
  }
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  unlink(so);
  if (!h) return ag_failc(err, AG_ERR_BACKEND, "calibrate: dlopen: %s", dlerror());
  static const char *const kinds[4] = {"base", "mul", "add", "fma"};
  cal_one one[4];
  cal_batch bat[4];
  for (int c = 0; c < 4; c++) {
    char name[32];
    snprintf(name, sizeof name, "one_%s", kinds[c]);
    *(void **)&one[c] = dlsym(h, name);
    snprintf(name, sizeof name, "batch_%s", kinds[c]);
    *(void **)&bat[c] = dlsym(h, name);
    if (!one[c] || !bat[c]) {
      dlclose(h);
      return ag_failc(err, AG_ERR_BACKEND, "calibrate: symbol %s missing", name);
    }
  }
  double *in = ag_malloc((size_t)8 * CAL_N * sizeof(double));
  double *out = ag_malloc((size_t)8 * CAL_N * sizeof(double));
  double *ein = ag_malloc((size_t)8 * CAL_N * sizeof(double)), eout[8];
  for (int k = 0; k < CAL_N; k++)
    for (int i = 0; i < 8; i++)
      in[(size_t)i * CAL_N + k] = ein[(size_t)k * 8 + i] = 1 + 1e-3 * sin(0.7 * k + i);
  /* per (kind, entry point): the best time per element over interleaved rounds */
  double best[4][2];
  for (int c = 0; c < 4; c++)
    best[c][0] = best[c][1] = INFINITY;
  const int rounds = 9;
  const double per = (seconds > 0 ? seconds : 2) / (rounds * 8.0);
  for (int r = 0; r < rounds; r++)
    for (int c = 0; c < 4; c++)
      for (int w = 0; w < 2; w++) {
        double t0 = ag_now(), t;
        long reps = 0;
        do {
          if (w == 0)
            bat[c](CAL_N, in, out);
          else
            for (int k = 0; k < CAL_N; k++)
              one[c](ein + (size_t)k * 8, eout);
          reps++;
          t = ag_now() - t0;
        } while (t < per);
        double ns = t / ((double)reps * CAL_N) * 1e9;
        if (ns < best[c][w]) best[c][w] = ns;
      }
  dlclose(h);
  free(in);
  free(out);
  free(ein);
  /* ps per operation: the slope over the base, geometric mean of the two entry points */
  long *const wt[3] = {&p->w.mul, &p->w.add, &p->w.fma};
  for (int c = 1; c < 4; c++) {
    double sb = (best[c][0] - best[0][0]) / CAL_K * 1e3,
           so1 = (best[c][1] - best[0][1]) / CAL_K * 1e3;
    double ps = sqrt(fmax(sb, 1) * fmax(so1, 1));
    *wt[c - 1] = (long)lround(ps < 1 ? 1 : ps);
  }
  time_t now = time(NULL);
  struct tm tmv;
  gmtime_r(&now, &tmv);
  strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  snprintf(p->source, sizeof p->source, "calibrated now");
  return 0;
}
