/* Owns run-time compilation of generated C with the on-disk cache of shared objects (jit.h). */
#define _GNU_SOURCE
#include "jacobian/jit.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "jacobian/codegen_c.h"

#define SYM           "ag_jit_kernel"
#define TRAILER_MAGIC "AGJIT1"
#define TRAILER_LEN   64 /* "AGJIT1 <key> <size> <fnv>\n" padded with spaces */

static long compile_count;
long ag_jit_compile_count(void) { return __atomic_load_n(&compile_count, __ATOMIC_RELAXED); }

#define fnv  ag_fnv1a
#define FNV0 AG_FNV1A_INIT

/* AG_CC_TIMEOUT seconds (default 300) for one compilation */
static double compile_timeout(void) {
  const char *e = getenv("AG_CC_TIMEOUT");
  char *end;
  double t = e && *e ? strtod(e, &end) : 300;
  return e && *e && (*end || !(t > 0)) ? 300 : t;
}

/* /bin/sh -c cmd in its own process group; waits at most limit seconds, then kills the
   group (a compiler and what it started). The wait status, or -1 (fork failed). */
static int run_with_timeout(const char *cmd, double limit, int *timed_out) {
  *timed_out = 0;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid); /* either side may win the race; both set the same group */
  struct timespec nap = {0, 5000000}, t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return st;
    if (r < 0 && errno != EINTR) return -1;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec) > limit) {
      kill(-pid, SIGKILL);
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
      *timed_out = 1;
      return st;
    }
    nanosleep(&nap, NULL);
  }
}

static const char *opt_cc(const ag_jit_opts *o) {
  if (o && o->cc) return o->cc;
  const char *e = getenv("AG_CC");
  return e && *e ? e : AG_JIT_DEFAULT_CC;
}
static const char *opt_cflags(const ag_jit_opts *o) {
  if (o && o->cflags) return o->cflags;
  const char *e = getenv("AG_CFLAGS");
  return e ? e : AG_JIT_DEFAULT_CFLAGS;
}
char *ag_jit_cache_dir(const char *configured) {
  char buf[4096];
  const char *e;
  if (configured) return ag_strdup(configured);
  if ((e = getenv("AG_JIT_CACHE")) && *e) return ag_strdup(e);
  if ((e = getenv("XDG_CACHE_HOME")) && *e) {
    snprintf(buf, sizeof buf, "%s/alphagrad", e);
    return ag_strdup(buf);
  }
  e = getenv("HOME");
  snprintf(buf, sizeof buf, "%s/.cache/alphagrad", e && *e ? e : "/tmp");
  return ag_strdup(buf);
}

const char *ag_jit_cc(const ag_jit_opts *o) { return opt_cc(o); }
const char *ag_jit_cflags(const ag_jit_opts *o) { return opt_cflags(o); }

static char *opt_dir(const ag_jit_opts *o) { return ag_jit_cache_dir(o ? o->cache_dir : NULL); }

uint64_t ag_jit_key(const ag_jacprog *jp, const ag_jit_opts *opt) {
  uint64_t h = FNV0, full = ag_graph_hash_full(jp->g);
  const ag_dag *d = &jp->g->dag;
  h = fnv(h, &full, sizeof full);
  h = fnv(h, &jp->nslots, sizeof jp->nslots);
  h = fnv(h, jp->partial_slot, (size_t)2 * d->nv * sizeof(int));
  h = fnv(h, &jp->nops, sizeof jp->nops);
  for (int k = 0; k < jp->nops; k++) {
    int v[4] = {jp->ops[k].dst, jp->ops[k].a, jp->ops[k].b, jp->ops[k].acc};
    h = fnv(h, v, sizeof v);
  }
  h = fnv(h, &jp->nentries, sizeof jp->nentries);
  h = fnv(h, jp->row, (size_t)jp->nentries * sizeof(int));
  h = fnv(h, jp->col, (size_t)jp->nentries * sizeof(int));
  h = fnv(h, jp->slot, (size_t)jp->nentries * sizeof(int));
  const char *s[3] = {AG_CODEGEN_VERSION, opt_cc(opt), opt_cflags(opt)};
  for (int i = 0; i < 3; i++)
    h = fnv(h, s[i], strlen(s[i]) + 1);
  return h;
}

int ag_mkdir_p(const char *dir) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      if (mkdir(buf, 0755) && errno != EEXIST) return -1;
      *p = '/';
    }
  if (mkdir(buf, 0755) && errno != EEXIST) return -1;
  struct stat st;
  return (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) ? 0 : -1;
}

/* The expected key string exported by the shared object. */
static void key_string(char *buf, size_t n, uint64_t key) {
  snprintf(buf, n, "%016llx %s", (unsigned long long)key, AG_CODEGEN_VERSION);
}

/* Checks the trailer (key, size and checksum of the bytes before it) without loading. */
static int check_file(const char *path, uint64_t key) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  int ok = 0;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size > TRAILER_LEN && fseek(f, 0, SEEK_SET) == 0) {
      unsigned char *b = malloc((size_t)size);
      if (b && fread(b, 1, (size_t)size, f) == (size_t)size) {
        size_t body = (size_t)size - TRAILER_LEN;
        char want[TRAILER_LEN + 1];
        snprintf(want, sizeof want, "%s %016llx %016llx %016llx", TRAILER_MAGIC,
                 (unsigned long long)key, (unsigned long long)body,
                 (unsigned long long)fnv(FNV0, b, body));
        ok = !memcmp(b + body, want, strlen(want));
      }
      free(b);
    }
  }
  fclose(f);
  return ok ? 0 : -1;
}

/* Appends the trailer to a freshly compiled object. */
static int add_trailer(const char *path, uint64_t key) {
  FILE *f = fopen(path, "r+b");
  if (!f) return -1;
  int rc = -1;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    unsigned char *b = size > 0 ? malloc((size_t)size) : NULL;
    if (b && fseek(f, 0, SEEK_SET) == 0 && fread(b, 1, (size_t)size, f) == (size_t)size) {
      char tr[TRAILER_LEN + 1];
      memset(tr, ' ', TRAILER_LEN);
      int m = snprintf(tr, sizeof tr, "%s %016llx %016llx %016llx", TRAILER_MAGIC,
                       (unsigned long long)key, (unsigned long long)size,
                       (unsigned long long)fnv(FNV0, b, (size_t)size));
      tr[m] = ' ';
      tr[TRAILER_LEN - 1] = '\n';
      if (fseek(f, 0, SEEK_END) == 0 && fwrite(tr, 1, TRAILER_LEN, f) == TRAILER_LEN &&
          fflush(f) == 0 && fsync(fileno(f)) == 0)
        rc = 0;
    }
    free(b);
  }
  if (fclose(f)) rc = -1;
  return rc;
}

/* Loads and validates path; 0 on success (j filled). */
static int try_load(ag_jit *j, const char *path, uint64_t key, char *why, size_t nwhy) {
  if (check_file(path, key)) {
    snprintf(why, nwhy, "missing, truncated or corrupt");
    return -1;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(why, nwhy, "dlopen: %s", e ? e : "?");
    return -1;
  }
  char want[128];
  key_string(want, sizeof want, key);
  const char *k = dlsym(h, SYM "_key");
  void *fn = dlsym(h, SYM), *bt = dlsym(h, SYM "_batch"), *pb = dlsym(h, SYM "_primal_batch");
  if (!k || strcmp(k, want) || !fn || !bt || !pb) {
    snprintf(why, nwhy, "key or symbols do not match");
    dlclose(h);
    return -1;
  }
  j->handle = h;
  /* object to function pointer: through memcpy (ISO C forbids the cast) */
  memcpy(&j->fn, &fn, sizeof fn);
  memcpy(&j->batch, &bt, sizeof bt);
  memcpy(&j->primal_batch, &pb, sizeof pb);
  return 0;
}

static char *read_log(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return ag_strdup("");
  char buf[600];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  for (size_t i = 0; i < n; i++)
    if (buf[i] == '\n') buf[i] = ' ';
  return ag_strdup(buf);
}

/* Generates and compiles into a temporary file in dir, then renames it to final. */
static int build(const ag_jacprog *jp, const ag_jit_opts *opt, const char *dir, const char *final,
                 uint64_t key, ag_error *err) {
  static int counter;
  char src[4200], so[4200], log[4200], cmd[16384], ks[128];
  if (strchr(dir, '\''))
    return ag_fail(err, "jit: cache directory %s contains a single quote", dir);
  int c = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
  snprintf(src, sizeof src, "%s/.tmp-%016llx-%ld-%d.c", dir, (unsigned long long)key,
           (long)getpid(), c);
  snprintf(so, sizeof so, "%s/.tmp-%016llx-%ld-%d.so", dir, (unsigned long long)key, (long)getpid(),
           c);
  snprintf(log, sizeof log, "%s/.tmp-%016llx-%ld-%d.log", dir, (unsigned long long)key,
           (long)getpid(), c);
  FILE *f = fopen(src, "w");
  if (!f) return ag_failc(err, AG_ERR_IO, "jit: cannot write %s: %s", src, strerror(errno));
  key_string(ks, sizeof ks, key);
  int rc = ag_codegen_c(jp, SYM, f, err);
  if (rc == 0) fprintf(f, "\nconst char %s_key[] = \"%s\";\n", SYM, ks);
  if (fclose(f) || rc) {
    unlink(src);
    return rc ? -1 : ag_failc(err, AG_ERR_IO, "jit: cannot write %s", src);
  }
  snprintf(cmd, sizeof cmd, "%s %s -o '%s' '%s' -lm >'%s' 2>&1", opt_cc(opt), opt_cflags(opt), so,
           src, log);
  __atomic_fetch_add(&compile_count, 1, __ATOMIC_RELAXED);
  const double limit = compile_timeout();
  int timed_out = 0;
  int st = run_with_timeout(cmd, limit, &timed_out);
  rc = -1;
  if (st == -1) {
    ag_failc(err, AG_ERR_BACKEND, "jit: cannot run the compiler: %s", strerror(errno));
  } else if (timed_out) {
    ag_failc(err, AG_ERR_LIMIT,
             "jit: compiler '%s' did not finish within %g s (AG_CC_TIMEOUT); killed", opt_cc(opt),
             limit);
  } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char *l = read_log(log);
    ag_failc(err, AG_ERR_BACKEND, "jit: compiler '%s' failed (status %d): %s", opt_cc(opt),
             WIFEXITED(st) ? WEXITSTATUS(st) : -1, l);
    free(l);
  } else if (add_trailer(so, key)) {
    ag_failc(err, AG_ERR_IO, "jit: cannot finish %s: %s", so, strerror(errno));
  } else if (rename(so, final)) {
    ag_failc(err, AG_ERR_IO, "jit: cannot rename %s to %s: %s", so, final, strerror(errno));
  } else {
    rc = 0;
  }
  unlink(src);
  unlink(log);
  if (rc) unlink(so);
  return rc;
}

ag_jit *ag_jit_load(const ag_jacprog *jp, const ag_jit_opts *opt, ag_error *err) {
  char *dir = opt_dir(opt);
  if (ag_mkdir_p(dir)) {
    ag_failc(err, AG_ERR_IO, "jit: cannot create cache directory %s: %s", dir, strerror(errno));
    free(dir);
    return NULL;
  }
  /* the cache's objects are loaded into this process (dlopen runs their constructors before
     any key check): a directory others can write to would let them run code here */
  struct stat ds;
  if (stat(dir, &ds) == 0 && ((ds.st_mode & (S_IWGRP | S_IWOTH)) || ds.st_uid != geteuid())) {
    ag_failc(err, AG_ERR_INPUT,
             "jit: cache directory %s is %s (mode %04o); objects planted there would run in this "
             "process: make it private (chmod go-w) or set AG_JIT_CACHE to a directory of yours",
             dir, ds.st_uid != geteuid() ? "owned by another user" : "writable by group or others",
             (unsigned)(ds.st_mode & 07777));
    free(dir);
    return NULL;
  }
  uint64_t key = ag_jit_key(jp, opt);
  char path[4200], why[512];
  snprintf(path, sizeof path, "%s/%016llx.so", dir, (unsigned long long)key);
  ag_jit *j = ag_calloc(1, sizeof *j);
  j->key = key;
  j->path = ag_strdup(path);
  const ag_graph *g = jp->g;
  j->ni = g->ninputs;
  j->no = g->noutputs;
  j->np = g->nparams;
  j->nentries = jp->nentries;
  struct stat st;
  int existed = stat(path, &st) == 0;
  if (try_load(j, path, key, why, sizeof why) == 0) {
    free(dir);
    return j;
  }
  j->rebuilt = existed;
  snprintf(j->why, sizeof j->why, "%s", existed ? why : "missing");
  j->compiled = 1;
  int failed = build(jp, opt, dir, path, key, err) != 0;
  if (!failed && try_load(j, path, key, why, sizeof why)) {
    ag_failc(err, AG_ERR_BACKEND, "jit: %s does not load after building: %s", path, why);
    failed = 1;
  }
  if (failed) {
    free(dir);
    ag_jit_free(j);
    return NULL;
  }
  free(dir);
  return j;
}

void ag_jit_free(ag_jit *j) {
  if (!j) return;
  if (j->handle) dlclose(j->handle);
  free(j->path);
  free(j);
}

/* ---- compiled or interpreted ---- */

ag_evaluator *ag_interpreter(const ag_jacprog *jp) {
  ag_evaluator *ev = ag_calloc(1, sizeof *ev);
  ev->jp = jp;
  const ag_graph *g = jp->g;
  ev->work = ag_malloc((ag_jacprog_work_size(jp) + 1) * sizeof(double));
  ev->tin = ag_malloc(((size_t)g->ninputs + 1) * sizeof(double));
  ev->tp = ag_malloc(((size_t)g->nparams + 1) * sizeof(double));
  ev->tout = ag_malloc(((size_t)g->noutputs + 1) * sizeof(double));
  ev->tjac = ag_malloc(((size_t)jp->nentries + 1) * sizeof(double));
  return ev;
}

ag_evaluator *ag_jit_or_interp(const ag_jacprog *jp, const ag_jit_opts *opt) {
  ag_error err;
  err.msg[0] = 0;
  ag_jit *j = ag_jit_load(jp, opt, &err);
  if (j) {
    ag_evaluator *ev = ag_calloc(1, sizeof *ev);
    ev->jp = jp;
    ev->jit = j;
    return ev;
  }
  fprintf(stderr, "alphagrad: warning: no compiled code (%s); using the interpreter\n", err.msg);
  return ag_interpreter(jp);
}

void ag_evaluator_free(ag_evaluator *ev) {
  if (!ev) return;
  ag_jit_free(ev->jit);
  free(ev->work);
  free(ev->tin);
  free(ev->tp);
  free(ev->tout);
  free(ev->tjac);
  free(ev);
}

void ag_evaluator_eval(ag_evaluator *ev, const double *in, const double *p, double *out,
                       double *jac) {
  if (ev->jit)
    ev->jit->fn(in, p, out, jac);
  else
    ag_jacprog_eval(ev->jp, in, p, out, jac, ev->work);
}

/* element k of a structure-of-arrays batch into tin/tp */
static void gather_element(ag_evaluator *ev, int n, int k, const double *in, const double *p) {
  const ag_graph *g = ev->jp->g;
  for (int i = 0; i < g->ninputs; i++)
    ev->tin[i] = in[(size_t)i * n + k];
  for (int i = 0; i < g->nparams; i++)
    ev->tp[i] = p[(size_t)i * n + k];
}

void ag_evaluator_eval_primal_batch(ag_evaluator *ev, int n, const double *in, const double *p,
                                    double *out) {
  if (ev->jit) {
    ev->jit->primal_batch(n, in, p, out);
    return;
  }
  const ag_graph *g = ev->jp->g;
  for (int k = 0; k < n; k++) {
    gather_element(ev, n, k, in, p);
    ag_graph_eval(g, ev->tin, ev->tp, ev->tout, ev->work);
    for (int o = 0; o < g->noutputs; o++)
      out[(size_t)o * n + k] = ev->tout[o];
  }
}

void ag_evaluator_eval_batch(ag_evaluator *ev, int n, const double *in, const double *p,
                             double *out, double *jac) {
  if (ev->jit) {
    ev->jit->batch(n, in, p, out, jac);
    return;
  }
  const ag_graph *g = ev->jp->g;
  for (int k = 0; k < n; k++) {
    gather_element(ev, n, k, in, p);
    ag_jacprog_eval(ev->jp, ev->tin, ev->tp, ev->tout, ev->tjac, ev->work);
    for (int o = 0; o < g->noutputs; o++)
      out[(size_t)o * n + k] = ev->tout[o];
    for (int e = 0; e < ev->jp->nentries; e++)
      jac[(size_t)e * n + k] = ev->tjac[e];
  }
}
