/* The device side of gpu.h with the CUDA driver API (loaded with dlopen), NVRTC and
   cuSPARSE. Built only when the CUDA toolkit is found (AG_HAVE_CUDA); gpu_stub.c otherwise. */
#define _GNU_SOURCE
#include <cuda.h>
#include <cusparse.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nvrtc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hash.h"
#include "gpu/gpu.h"
#include "jacobian/codegen_c.h"
#include "jacobian/codegen_cuda.h"
#include "jacobian/jit.h"

int ag_gpu_built_with_cuda(void) { return 1; }

/* ---- the driver, loaded at run time ---- */

#define XSTR(x) #x
#define STR(x)  XSTR(x)
/* each entry: the pointer p_NAME of the type of NAME (cuda.h maps some names to _v2) */
// clang-format off
#define DRIVER_FUNCS(X)                                                                     \
  X(cuInit) X(cuDeviceGetCount) X(cuDeviceGet) X(cuDeviceGetName) X(cuDeviceGetAttribute) \
  X(cuDeviceTotalMem) X(cuDevicePrimaryCtxRetain) X(cuDevicePrimaryCtxRelease)            \
  X(cuCtxSetCurrent) X(cuCtxSynchronize) X(cuMemAlloc) X(cuMemFree) X(cuMemcpyHtoD)        \
  X(cuMemcpyDtoH) X(cuMemsetD8) X(cuModuleLoadData) X(cuModuleUnload)                      \
  X(cuModuleGetFunction) X(cuLaunchKernel) X(cuGetErrorName) X(cuGetErrorString)
// clang-format on
#define DECLARE(f) static __typeof__(&f) p_##f;
DRIVER_FUNCS(DECLARE)

static int driver_state; /* 0 not tried, 1 loaded and initialised, -1 failed */
static char driver_why[512];

static const char *cu_name(CUresult r) {
  const char *s = NULL;
  if (p_cuGetErrorName && p_cuGetErrorName(r, &s) == CUDA_SUCCESS && s) return s;
  return "CUDA error";
}
static const char *cu_text(CUresult r) {
  const char *s = NULL;
  if (p_cuGetErrorString && p_cuGetErrorString(r, &s) == CUDA_SUCCESS && s) return s;
  return "";
}

static int load_driver(void) {
  if (driver_state) return driver_state;
  void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(driver_why, sizeof driver_why,
             "no CUDA driver (libcuda.so.1 cannot be loaded: %s): this machine has no NVIDIA GPU "
             "driver",
             dlerror());
    return driver_state = -1;
  }
#define LOAD(f)                                                                                    \
  *(void **)(&p_##f) = dlsym(h, STR(f));                                                           \
  if (!p_##f) {                                                                                    \
    snprintf(driver_why, sizeof driver_why, "CUDA driver too old: libcuda.so.1 lacks %s", STR(f)); \
    return driver_state = -1;                                                                      \
  }
  DRIVER_FUNCS(LOAD)
#undef LOAD
  CUresult r = p_cuInit(0);
  if (r != CUDA_SUCCESS) {
    snprintf(driver_why, sizeof driver_why, "no CUDA device (cuInit: %s: %s)", cu_name(r),
             cu_text(r));
    return driver_state = -1;
  }
  int n = 0;
  r = p_cuDeviceGetCount(&n);
  if (r != CUDA_SUCCESS || n < 1) {
    snprintf(driver_why, sizeof driver_why, "no CUDA device (cuDeviceGetCount: %s, %d devices)",
             r == CUDA_SUCCESS ? "ok" : cu_name(r), n);
    return driver_state = -1;
  }
  return driver_state = 1;
}

int ag_gpu_available(ag_error *err) {
  if (load_driver() < 0) return ag_failc(err, AG_ERR_BACKEND, "%s", driver_why);
  return 0;
}

#define CU(call, what)                                                                             \
  do {                                                                                             \
    CUresult r_ = (call);                                                                          \
    if (r_ != CUDA_SUCCESS)                                                                        \
      return ag_failc(err, AG_ERR_BACKEND, "cuda: %s: %s (%s)", what, cu_name(r_), cu_text(r_));   \
  } while (0)
/* ---- NVRTC ---- */

static char nvrtc_ver[64];
const char *ag_nvrtc_version(void) {
  if (!nvrtc_ver[0]) {
    int ma = 0, mi = 0;
    if (nvrtcVersion(&ma, &mi) == NVRTC_SUCCESS)
      snprintf(nvrtc_ver, sizeof nvrtc_ver, "NVRTC %d.%d", ma, mi);
    else
      snprintf(nvrtc_ver, sizeof nvrtc_ver, "NVRTC (version unknown)");
  }
  return nvrtc_ver;
}

static long nvrtc_count;
long ag_gpu_compile_count(void) { return __atomic_load_n(&nvrtc_count, __ATOMIC_RELAXED); }

#define NVRTC_FIXED_OPTS "-default-device --fmad=false -std=c++17"

/* the architecture NVRTC compiles for: arch itself when supported, else the newest it has
   below arch (PTX then runs through the driver's JIT) */
static int nvrtc_arch(int arch, int *exact) {
  int n = 0, best = 0;
  *exact = 0;
  if (nvrtcGetNumSupportedArchs(&n) != NVRTC_SUCCESS || n <= 0) return arch;
  int *a = malloc(sizeof(int) * (size_t)n);
  if (!a || nvrtcGetSupportedArchs(a) != NVRTC_SUCCESS) {
    free(a);
    return arch;
  }
  for (int i = 0; i < n; i++) {
    if (a[i] == arch) *exact = 1;
    if (a[i] <= arch && a[i] > best) best = a[i];
  }
  free(a);
  return *exact ? arch : (best ? best : arch);
}

int ag_nvrtc_compile(const char *src, const char *name, int arch, int cubin, char **image,
                     size_t *size, char **log, ag_error *err) {
  *image = NULL;
  *size = 0;
  if (log) *log = NULL;
  nvrtcProgram prog;
  nvrtcResult r = nvrtcCreateProgram(&prog, src, name, 0, NULL, NULL);
  if (r != NVRTC_SUCCESS)
    return ag_failc(err, AG_ERR_BACKEND, "nvrtc: create %s: %s", name, nvrtcGetErrorString(r));
  char archopt[64];
  snprintf(archopt, sizeof archopt, "--gpu-architecture=%s_%d", cubin ? "sm" : "compute", arch);
  const char *opts[] = {archopt, "-default-device", "--fmad=false", "-std=c++17"};
  __atomic_add_fetch(&nvrtc_count, 1, __ATOMIC_RELAXED);
  r = nvrtcCompileProgram(prog, 4, opts);
  size_t ls = 0;
  char *lg = NULL;
  if (nvrtcGetProgramLogSize(prog, &ls) == NVRTC_SUCCESS && ls > 0) {
    lg = malloc(ls + 1);
    if (lg && nvrtcGetProgramLog(prog, lg) != NVRTC_SUCCESS) lg[0] = 0;
    if (lg) lg[ls] = 0;
  }
  if (r != NVRTC_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "nvrtc: %s (%s): %s: %.3000s", name, archopt,
             nvrtcGetErrorString(r), lg ? lg : "");
    if (log)
      *log = lg;
    else
      free(lg);
    nvrtcDestroyProgram(&prog);
    return -1;
  }
  size_t n = 0;
  r = cubin ? nvrtcGetCUBINSize(prog, &n) : nvrtcGetPTXSize(prog, &n);
  char *img = r == NVRTC_SUCCESS ? malloc(n + 1) : NULL;
  if (img) r = cubin ? nvrtcGetCUBIN(prog, img) : nvrtcGetPTX(prog, img);
  nvrtcDestroyProgram(&prog);
  if (!img || r != NVRTC_SUCCESS) {
    free(img);
    free(lg);
    return ag_failc(err, AG_ERR_BACKEND, "nvrtc: %s: cannot get the %s: %s", name,
                    cubin ? "CUBIN" : "PTX", nvrtcGetErrorString(r));
  }
  *image = img;
  *size = n;
  if (log)
    *log = lg;
  else
    free(lg);
  return 0;
}

/* ---- the context ---- */

struct ag_gpu {
  CUdevice dev;
  CUcontext ctx;
  int arch;
  char name[256];
  cusparseHandle_t sp;
  CUmodule support;
  CUfunction f_gather, f_params, f_scatter;
};

static int make_current(ag_gpu *g, ag_error *err) {
  CU(p_cuCtxSetCurrent(g->ctx), "cuCtxSetCurrent");
  return 0;
}

static const char *support_src =
    "extern \"C\" __global__ void ag_gather(int n, int ni, const double *__restrict__ x,\n"
    "    const int *__restrict__ idx, double *__restrict__ dst) {\n"
    "  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  if (t >= (long long)n * ni) return;\n"
    "  const long long i = t / n, e = t - i * n;\n"
    "  dst[t] = x[idx[e * ni + i]];\n"
    "}\n"
    "extern \"C\" __global__ void ag_params(int n, int np, int nc, const double *__restrict__ c,\n"
    "    const double *__restrict__ aux, const int *__restrict__ aux_idx, double *__restrict__ "
    "dst) {\n"
    "  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  if (t >= (long long)n * np) return;\n"
    "  const int i = (int)(t / n);\n"
    "  const long long e = t - (long long)i * n;\n"
    "  dst[t] = i < nc ? c[i] : aux[aux_idx[e] + (i - nc)];\n"
    "}\n"
    "extern \"C\" __global__ void ag_scatter(int nnz, const int *__restrict__ ptr,\n"
    "    const int *__restrict__ code, const double *__restrict__ x, double *__restrict__ vals) {\n"
    "  const int q = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  if (q >= nnz) return;\n"
    "  double s = 0;\n"
    "  for (int t = ptr[q]; t < ptr[q + 1]; t++) {\n"
    "    const int c = code[t];\n"
    "    const double v = x[c >> 1];\n"
    "    s += (c & 1) ? -v : v;\n"
    "  }\n"
    "  vals[q] = s;\n"
    "}\n";

static int load_image(CUmodule *mod, const void *image, ag_error *err) {
  CU(p_cuModuleLoadData(mod, image), "cuModuleLoadData");
  return 0;
}

ag_gpu *ag_gpu_open(int device, ag_error *err) {
  if (load_driver() < 0) {
    ag_failc(err, AG_ERR_BACKEND, "%s", driver_why);
    return NULL;
  }
  ag_gpu *g = calloc(1, sizeof *g);
  if (!g) {
    ag_failc(err, AG_ERR_LIMIT, "gpu: out of memory");
    return NULL;
  }
  CUresult r;
  int ma = 0, mi = 0, sms = 0;
  size_t mem = 0;
  char nm[200] = "";
  if ((r = p_cuDeviceGet(&g->dev, device)) != CUDA_SUCCESS ||
      (r = p_cuDeviceGetName(nm, sizeof nm, g->dev)) != CUDA_SUCCESS ||
      (r = p_cuDeviceGetAttribute(&ma, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, g->dev)) !=
          CUDA_SUCCESS ||
      (r = p_cuDeviceGetAttribute(&mi, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, g->dev)) !=
          CUDA_SUCCESS ||
      (r = p_cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, g->dev)) !=
          CUDA_SUCCESS ||
      (r = p_cuDeviceTotalMem(&mem, g->dev)) != CUDA_SUCCESS ||
      (r = p_cuDevicePrimaryCtxRetain(&g->ctx, g->dev)) != CUDA_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "cuda: device %d: %s (%s)", device, cu_name(r), cu_text(r));
    free(g);
    return NULL;
  }
  g->arch = 10 * ma + mi;
  snprintf(g->name, sizeof g->name, "%s (sm_%d, %d SMs, %.0f GiB)", nm, g->arch, sms,
           (double)mem / (1 << 30));
  if (make_current(g, err)) goto fail;
  cusparseStatus_t s = cusparseCreate(&g->sp);
  if (s != CUSPARSE_STATUS_SUCCESS) {
    g->sp = NULL;
    ag_failc(err, AG_ERR_BACKEND, "cusparse: cusparseCreate: %s", cusparseGetErrorString(s));
    goto fail;
  }
  { /* the support kernels (small: compiled at every open, PTX for the device) */
    int exact;
    int a = nvrtc_arch(g->arch, &exact);
    char *img = NULL, *log = NULL;
    size_t sz;
    if (ag_nvrtc_compile(support_src, "alphagrad_support.cu", a, exact, &img, &sz, &log, err)) {
      free(log);
      goto fail;
    }
    free(log);
    int rc = load_image(&g->support, img, err);
    free(img);
    if (rc) goto fail;
    if ((r = p_cuModuleGetFunction(&g->f_gather, g->support, "ag_gather")) != CUDA_SUCCESS ||
        (r = p_cuModuleGetFunction(&g->f_params, g->support, "ag_params")) != CUDA_SUCCESS ||
        (r = p_cuModuleGetFunction(&g->f_scatter, g->support, "ag_scatter")) != CUDA_SUCCESS) {
      ag_failc(err, AG_ERR_BACKEND, "cuda: support kernels: %s", cu_name(r));
      goto fail;
    }
  }
  return g;
fail:
  ag_gpu_close(g);
  return NULL;
}

void ag_gpu_close(ag_gpu *g) {
  if (!g) return;
  if (g->ctx) p_cuCtxSetCurrent(g->ctx);
  if (g->support) p_cuModuleUnload(g->support);
  if (g->sp) cusparseDestroy(g->sp);
  if (g->ctx) p_cuDevicePrimaryCtxRelease(g->dev);
  free(g);
}

const char *ag_gpu_name(const ag_gpu *g) { return g->name; }
int ag_gpu_arch(const ag_gpu *g) { return g->arch; }

ag_dptr ag_gpu_alloc(ag_gpu *g, size_t bytes, ag_error *err) {
  CUdeviceptr p = 0;
  if (make_current(g, err)) return 0;
  CUresult r = p_cuMemAlloc(&p, bytes ? bytes : 8);
  if (r != CUDA_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "cuda: cuMemAlloc(%zu bytes): %s (%s)", bytes, cu_name(r),
             cu_text(r));
    return 0;
  }
  return (ag_dptr)p;
}

void ag_gpu_free(ag_gpu *g, ag_dptr p) {
  if (!g || !p) return;
  p_cuCtxSetCurrent(g->ctx);
  p_cuMemFree((CUdeviceptr)p);
}

int ag_gpu_upload(ag_gpu *g, ag_dptr dst, const void *src, size_t bytes, ag_error *err) {
  if (!bytes) return 0;
  if (make_current(g, err)) return -1;
  CU(p_cuMemcpyHtoD((CUdeviceptr)dst, src, bytes), "cuMemcpyHtoD");
  return 0;
}

int ag_gpu_download(ag_gpu *g, void *dst, ag_dptr src, size_t bytes, ag_error *err) {
  if (!bytes) return 0;
  if (make_current(g, err)) return -1;
  CU(p_cuMemcpyDtoH(dst, (CUdeviceptr)src, bytes), "cuMemcpyDtoH");
  return 0;
}

int ag_gpu_memset0(ag_gpu *g, ag_dptr dst, size_t bytes, ag_error *err) {
  if (!bytes) return 0;
  if (make_current(g, err)) return -1;
  CU(p_cuMemsetD8((CUdeviceptr)dst, 0, bytes), "cuMemsetD8");
  return 0;
}

int ag_gpu_sync(ag_gpu *g, ag_error *err) {
  if (make_current(g, err)) return -1;
  CU(p_cuCtxSynchronize(), "cuCtxSynchronize (an earlier kernel failed?)");
  return 0;
}

static int launch(ag_gpu *g, CUfunction f, long long nthreads, void **args, const char *what,
                  ag_error *err) {
  if (nthreads <= 0) return 0;
  long long blocks = (nthreads + AG_CUDA_BLOCK - 1) / AG_CUDA_BLOCK;
  if (blocks > 0x7fffffffLL)
    return ag_failc(err, AG_ERR_LIMIT, "cuda: %s: %lld threads are too many", what, nthreads);
  if (make_current(g, err)) return -1;
  CUresult r =
      p_cuLaunchKernel(f, (unsigned)blocks, 1, 1, AG_CUDA_BLOCK, 1, 1, 0, NULL, args, NULL);
  if (r != CUDA_SUCCESS)
    return ag_failc(err, AG_ERR_BACKEND, "cuda: launch of %s: %s (%s)", what, cu_name(r),
                    cu_text(r));
  return 0;
}

/* ---- the kernel cache ---- */

#define TRAILER_MAGIC "AGCUDA1"
#define TRAILER_LEN   80

#define fnv  ag_fnv1a /* base/hash.h */
#define FNV0 AG_FNV1A_INIT

uint64_t ag_gpu_kernel_key(const ag_jacprog *jp, int arch) {
  /* the C backend's key over the graph and the order's program, with the NVRTC version,
     the CUDA generator version and the options in place of the compiler and its flags */
  char cc[128], flags[128];
  snprintf(cc, sizeof cc, "%s %s", ag_nvrtc_version(), AG_CODEGEN_CUDA_VERSION);
  snprintf(flags, sizeof flags, "%s arch %d", NVRTC_FIXED_OPTS, arch);
  ag_jit_opts o = {cc, flags, NULL};
  return ag_jit_key(jp, &o);
}

static char *cache_dir(const ag_gpu_jit_opts *o) {
  return ag_jit_cache_dir(o ? o->cache_dir : NULL);
}

static void trailer(char *buf, uint64_t key, const void *body, size_t n) {
  memset(buf, ' ', TRAILER_LEN);
  char t[TRAILER_LEN + 1];
  int l =
      snprintf(t, sizeof t, "%s %016llx %016llx %016llx", TRAILER_MAGIC, (unsigned long long)key,
               (unsigned long long)n, (unsigned long long)fnv(FNV0, body, n));
  memcpy(buf, t, (size_t)l);
  buf[TRAILER_LEN - 1] = '\n';
}

/* the body of a valid cache file (malloc'ed), NULL with why */
static char *read_entry(const char *path, uint64_t key, char *why, size_t nwhy) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, nwhy, "missing");
    return NULL;
  }
  char *b = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > TRAILER_LEN && fseek(f, 0, SEEK_SET) == 0) {
    b = malloc((size_t)size);
    if (b && fread(b, 1, (size_t)size, f) != (size_t)size) {
      free(b);
      b = NULL;
    }
  }
  fclose(f);
  if (!b) {
    snprintf(why, nwhy, "unreadable or truncated (%ld bytes)", size);
    return NULL;
  }
  char want[TRAILER_LEN];
  size_t body = (size_t)size - TRAILER_LEN;
  trailer(want, key, b, body);
  if (memcmp(b + body, want, TRAILER_LEN) != 0) {
    snprintf(why, nwhy, "bad trailer (corrupt, truncated or another key)");
    free(b);
    return NULL;
  }
  return b;
}

static int write_entry(const char *dir, const char *path, uint64_t key, const char *img, size_t n,
                       ag_error *err) {
  static long counter;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/.tmp-%016llx-%d-%ld.cubin", dir, (unsigned long long)key,
           (int)getpid(), __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return ag_failc(err, AG_ERR_IO, "gpu jit: cannot write %s: %s", tmp, strerror(errno));
  char tr[TRAILER_LEN];
  trailer(tr, key, img, n);
  int ok = write(fd, img, n) == (ssize_t)n && write(fd, tr, TRAILER_LEN) == TRAILER_LEN &&
           fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return ag_failc(err, AG_ERR_IO, "gpu jit: cannot publish %s: %s", path, strerror(e));
  }
  return 0;
}

static void fn_names(uint64_t key, char *fname, size_t n1, char *k1, size_t nk1, char *k2,
                     size_t n2) {
  snprintf(fname, n1, "agk_%016llx", (unsigned long long)key);
  snprintf(k1, nk1, "%s_cuda", fname);
  snprintf(k2, n2, "%s_cuda_primal", fname);
}

/* loads body into k; 0 or -1 with why */
static int bind_module(ag_gpu_kernel *k, const char *body, uint64_t key, char *why, size_t nwhy) {
  char fname[64], n1[96], n2[96];
  fn_names(key, fname, sizeof fname, n1, sizeof n1, n2, sizeof n2);
  CUmodule m;
  CUresult r = p_cuModuleLoadData(&m, body);
  if (r != CUDA_SUCCESS) {
    snprintf(why, nwhy, "cuModuleLoadData: %s (%s)", cu_name(r), cu_text(r));
    return -1;
  }
  CUfunction f1, f2;
  if ((r = p_cuModuleGetFunction(&f1, m, n1)) != CUDA_SUCCESS ||
      (r = p_cuModuleGetFunction(&f2, m, n2)) != CUDA_SUCCESS) {
    snprintf(why, nwhy, "the module lacks %s: %s", n1, cu_name(r));
    p_cuModuleUnload(m);
    return -1;
  }
  k->module = m;
  k->fn = f1;
  k->fn_primal = f2;
  return 0;
}

ag_gpu_kernel *ag_gpu_kernel_load(ag_gpu *g, const ag_jacprog *jp, const ag_gpu_jit_opts *opt,
                                  ag_error *err) {
  if (make_current(g, err)) return NULL;
  int exact;
  int arch = nvrtc_arch(g->arch, &exact);
  uint64_t key = ag_gpu_kernel_key(jp, exact ? arch : -arch);
  ag_gpu_kernel *k = calloc(1, sizeof *k);
  char *dir = cache_dir(opt);
  if (!k || !dir) {
    free(k);
    free(dir);
    ag_failc(err, AG_ERR_LIMIT, "gpu jit: out of memory");
    return NULL;
  }
  k->key = key;
  k->ni = jp->g->ninputs;
  k->no = jp->g->noutputs;
  k->np = jp->g->nparams;
  k->nentries = jp->nentries;
  if (ag_mkdir_p(dir)) {
    ag_failc(err, AG_ERR_IO, "gpu jit: cannot create the cache directory %s: %s", dir,
             strerror(errno));
    goto fail;
  }
  size_t plen = strlen(dir) + 40;
  k->path = malloc(plen);
  if (!k->path) goto fail;
  snprintf(k->path, plen, "%s/%016llx.%s", dir, (unsigned long long)key, exact ? "cubin" : "ptx");
  char why[256] = "";
  char *body = read_entry(k->path, key, why, sizeof why);
  if (body) {
    int rc = bind_module(k, body, key, why, sizeof why);
    free(body);
    if (rc == 0) {
      free(dir);
      return k;
    }
    k->rebuilt = 1;
  } else if (strcmp(why, "missing") != 0) {
    k->rebuilt = 1;
  }
  snprintf(k->why, sizeof k->why, "%s", why);
  { /* generate, compile, publish, load */
    char fname[64], n1[96], n2[96];
    fn_names(key, fname, sizeof fname, n1, sizeof n1, n2, sizeof n2);
    char *src = NULL;
    size_t srclen = 0;
    FILE *f = open_memstream(&src, &srclen);
    if (!f) {
      ag_failc(err, AG_ERR_LIMIT, "gpu jit: out of memory");
      goto fail;
    }
    int rc = ag_codegen_cuda(jp, fname, f, err);
    fclose(f);
    if (rc) {
      free(src);
      goto fail;
    }
    char *img = NULL, *log = NULL;
    size_t n = 0;
    char srcname[96];
    snprintf(srcname, sizeof srcname, "%s.cu", fname);
    rc = ag_nvrtc_compile(src, srcname, arch, exact, &img, &n, &log, err);
    free(src);
    free(log);
    if (rc) goto fail;
    k->compiled = 1;
    if (!exact) n += 1; /* PTX: keep its terminating NUL */
    rc = write_entry(dir, k->path, key, img, n, err);
    if (rc == 0)
      rc = bind_module(k, img, key, why, sizeof why)
               ? ag_failc(err, AG_ERR_BACKEND, "gpu jit: %s", why)
               : 0;
    free(img);
    if (rc) goto fail;
  }
  free(dir);
  return k;
fail:
  free(dir);
  ag_gpu_kernel_free(g, k);
  return NULL;
}

void ag_gpu_kernel_free(ag_gpu *g, ag_gpu_kernel *k) {
  if (!k) return;
  if (k->module && g) {
    p_cuCtxSetCurrent(g->ctx);
    p_cuModuleUnload((CUmodule)k->module);
  }
  free(k->path);
  free(k);
}

int ag_gpu_kernel_eval(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p, ag_dptr out,
                       ag_dptr jac, ag_error *err) {
  CUdeviceptr a = in, b = p, c = out, d = jac;
  void *args[] = {&n, &a, &b, &c, &d};
  return launch(g, (CUfunction)k->fn, n, args, "the element Jacobian kernel", err);
}

int ag_gpu_kernel_eval_primal(ag_gpu *g, ag_gpu_kernel *k, int n, ag_dptr in, ag_dptr p,
                              ag_dptr out, ag_error *err) {
  CUdeviceptr a = in, b = p, c = out;
  void *args[] = {&n, &a, &b, &c};
  return launch(g, (CUfunction)k->fn_primal, n, args, "the element residual kernel", err);
}

/* ---- support kernels ---- */

int ag_gpu_gather(ag_gpu *g, int n, int ni, ag_dptr x, ag_dptr idx, ag_dptr dst, ag_error *err) {
  CUdeviceptr a = x, b = idx, c = dst;
  void *args[] = {&n, &ni, &a, &b, &c};
  return launch(g, g->f_gather, (long long)n * ni, args, "ag_gather", err);
}

int ag_gpu_params(ag_gpu *g, int n, int np, int nc, ag_dptr c, ag_dptr aux, ag_dptr aux_idx,
                  ag_dptr dst, ag_error *err) {
  CUdeviceptr a = c, b = aux, ai = aux_idx, d = dst;
  void *args[] = {&n, &np, &nc, &a, &b, &ai, &d};
  return launch(g, g->f_params, (long long)n * np, args, "ag_params", err);
}

struct ag_gpu_scatter {
  int nnz;
  ag_dptr ptr, code;
};

ag_gpu_scatter *ag_gpu_scatter_create(ag_gpu *g, int nnz, const int *ptr, const int *code,
                                      ag_error *err) {
  ag_gpu_scatter *s = calloc(1, sizeof *s);
  if (!s) {
    ag_failc(err, AG_ERR_LIMIT, "gpu: out of memory");
    return NULL;
  }
  s->nnz = nnz;
  size_t nc = (size_t)ptr[nnz];
  if (!(s->ptr = ag_gpu_alloc(g, sizeof(int) * ((size_t)nnz + 1), err)) ||
      !(s->code = ag_gpu_alloc(g, sizeof(int) * (nc + 1), err)) ||
      ag_gpu_upload(g, s->ptr, ptr, sizeof(int) * ((size_t)nnz + 1), err) ||
      ag_gpu_upload(g, s->code, code, sizeof(int) * nc, err)) {
    ag_gpu_scatter_free(g, s);
    return NULL;
  }
  return s;
}

void ag_gpu_scatter_free(ag_gpu *g, ag_gpu_scatter *s) {
  if (!s) return;
  ag_gpu_free(g, s->ptr);
  ag_gpu_free(g, s->code);
  free(s);
}

int ag_gpu_scatter_apply(ag_gpu *g, ag_gpu_scatter *s, ag_dptr x, ag_dptr vals, ag_error *err) {
  CUdeviceptr a = s->ptr, b = s->code, c = x, d = vals;
  int nnz = s->nnz;
  void *args[] = {&nnz, &a, &b, &c, &d};
  return launch(g, g->f_scatter, nnz, args, "ag_scatter", err);
}

/* ---- COO -> CSR on the device ---- */

int ag_gpu_csr_map_build(ag_gpu *g, ag_csr_map *m, long ncoo, const int *ci, const int *cj,
                         int nrows, int ncols, ag_error *err) {
  memset(m, 0, sizeof *m);
  long nk = 0;
  for (long i = 0; i < ncoo; i++) {
    if (ci[i] < 0 || cj[i] < 0) continue;
    if (ci[i] >= nrows || cj[i] >= ncols)
      return ag_fail(err, "csr map: COO entry %ld (%d, %d) outside the %d x %d matrix", i, ci[i],
                     cj[i], nrows, ncols);
    nk++;
  }
  if (nk > 0x7fffffffL)
    return ag_failc(err, AG_ERR_LIMIT, "csr map: %ld entries exceed 32-bit CSR indices", nk);
  int n = (int)nk, rc = -1;
  int *rows = malloc(sizeof(int) * ((size_t)n + 1)), *cols = malloc(sizeof(int) * ((size_t)n + 1));
  int *perm = malloc(sizeof(int) * ((size_t)n + 1)),
      *rp = malloc(sizeof(int) * ((size_t)nrows + 1));
  long *kept = malloc(sizeof(long) * ((size_t)n + 1)),
       *lperm = malloc(sizeof(long) * ((size_t)n + 1));
  ag_dptr dr = 0, dc = 0, dp = 0, drp = 0, dbuf = 0;
  if (!rows || !cols || !perm || !rp || !kept || !lperm) {
    ag_failc(err, AG_ERR_LIMIT, "csr map: out of memory");
    goto done;
  }
  for (long i = 0, t = 0; i < ncoo; i++)
    if (ci[i] >= 0 && cj[i] >= 0) {
      rows[t] = ci[i];
      cols[t] = cj[i];
      kept[t++] = i;
    }
  if (make_current(g, err)) goto done;
  size_t bsize = 0;
  if (!(dr = ag_gpu_alloc(g, sizeof(int) * ((size_t)n + 1), err)) ||
      !(dc = ag_gpu_alloc(g, sizeof(int) * ((size_t)n + 1), err)) ||
      !(dp = ag_gpu_alloc(g, sizeof(int) * ((size_t)n + 1), err)) ||
      !(drp = ag_gpu_alloc(g, sizeof(int) * ((size_t)nrows + 1), err)) ||
      ag_gpu_upload(g, dr, rows, sizeof(int) * (size_t)n, err) ||
      ag_gpu_upload(g, dc, cols, sizeof(int) * (size_t)n, err))
    goto done;
  for (int t = 0; t < n;
       t++) /* the identity permutation (cusparseCreateIdentityPermutation is deprecated) */
    perm[t] = t;
  if (ag_gpu_upload(g, dp, perm, sizeof(int) * (size_t)n, err)) goto done;
  if (n > 0) {
    cusparseStatus_t s = cusparseXcoosort_bufferSizeExt(
        g->sp, nrows, ncols, n, (const int *)(uintptr_t)dr, (const int *)(uintptr_t)dc, &bsize);
    if (s != CUSPARSE_STATUS_SUCCESS) {
      ag_failc(err, AG_ERR_BACKEND, "cusparse: cusparseXcoosort_bufferSizeExt: %s",
               cusparseGetErrorString(s));
      goto done;
    }
    if (!(dbuf = ag_gpu_alloc(g, bsize + 8, err))) goto done;
    if ((s = cusparseXcoosortByRow(g->sp, nrows, ncols, n, (int *)(uintptr_t)dr,
                                   (int *)(uintptr_t)dc, (int *)(uintptr_t)dp,
                                   (void *)(uintptr_t)dbuf)) != CUSPARSE_STATUS_SUCCESS ||
        (s = cusparseXcoo2csr(g->sp, (const int *)(uintptr_t)dr, n, nrows, (int *)(uintptr_t)drp,
                              CUSPARSE_INDEX_BASE_ZERO)) != CUSPARSE_STATUS_SUCCESS) {
      ag_failc(err, AG_ERR_BACKEND, "cusparse: sorting the COO pattern: %s",
               cusparseGetErrorString(s));
      goto done;
    }
    if (ag_gpu_sync(g, err) || ag_gpu_download(g, rows, dr, sizeof(int) * (size_t)n, err) ||
        ag_gpu_download(g, cols, dc, sizeof(int) * (size_t)n, err) ||
        ag_gpu_download(g, perm, dp, sizeof(int) * (size_t)n, err) ||
        ag_gpu_download(g, rp, drp, sizeof(int) * ((size_t)nrows + 1), err))
      goto done;
  } else {
    for (int r = 0; r <= nrows; r++)
      rp[r] = 0;
  }
  for (int t = 0; t < n; t++) {
    if (perm[t] < 0 || perm[t] >= n) {
      ag_failc(err, AG_ERR_BACKEND, "cusparse: sorting the COO pattern gave a bad permutation");
      goto done;
    }
    lperm[t] = kept[perm[t]];
  }
  rc = ag_csr_map_from_row_sorted(m, ncoo, nrows, ncols, n, rows, cols, lperm, rp, err);
done:
  ag_gpu_free(g, dr);
  ag_gpu_free(g, dc);
  ag_gpu_free(g, dp);
  ag_gpu_free(g, drp);
  ag_gpu_free(g, dbuf);
  free(rows);
  free(cols);
  free(perm);
  free(rp);
  free(kept);
  free(lperm);
  return rc;
}

int ag_gpu_spmv(ag_gpu *g, int nrows, int ncols, int nnz, ag_dptr rowptr, ag_dptr colind,
                ag_dptr vals, ag_dptr x, ag_dptr y, ag_error *err) {
  if (make_current(g, err)) return -1;
  cusparseSpMatDescr_t A = NULL;
  cusparseDnVecDescr_t vx = NULL, vy = NULL;
  double one = 1, zero = 0;
  size_t bsize = 0;
  ag_dptr buf = 0;
  int rc = -1;
  cusparseStatus_t s;
  if ((s = cusparseCreateCsr(&A, nrows, ncols, nnz, (void *)(uintptr_t)rowptr,
                             (void *)(uintptr_t)colind, (void *)(uintptr_t)vals, CUSPARSE_INDEX_32I,
                             CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, CUDA_R_64F)) !=
          CUSPARSE_STATUS_SUCCESS ||
      (s = cusparseCreateDnVec(&vx, ncols, (void *)(uintptr_t)x, CUDA_R_64F)) !=
          CUSPARSE_STATUS_SUCCESS ||
      (s = cusparseCreateDnVec(&vy, nrows, (void *)(uintptr_t)y, CUDA_R_64F)) !=
          CUSPARSE_STATUS_SUCCESS ||
      (s = cusparseSpMV_bufferSize(g->sp, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, A, vx, &zero, vy,
                                   CUDA_R_64F, CUSPARSE_SPMV_ALG_DEFAULT, &bsize)) !=
          CUSPARSE_STATUS_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "cusparse: SpMV set-up: %s", cusparseGetErrorString(s));
    goto done;
  }
  if (!(buf = ag_gpu_alloc(g, bsize + 8, err))) goto done;
  if ((s = cusparseSpMV(g->sp, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, A, vx, &zero, vy, CUDA_R_64F,
                        CUSPARSE_SPMV_ALG_DEFAULT, (void *)(uintptr_t)buf)) !=
      CUSPARSE_STATUS_SUCCESS) {
    ag_failc(err, AG_ERR_BACKEND, "cusparse: cusparseSpMV: %s", cusparseGetErrorString(s));
    goto done;
  }
  rc = ag_gpu_sync(g, err);
done:
  if (A) cusparseDestroySpMat(A);
  if (vx) cusparseDestroyDnVec(vx);
  if (vy) cusparseDestroyDnVec(vy);
  ag_gpu_free(g, buf);
  return rc;
}
