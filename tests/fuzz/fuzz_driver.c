/* A deterministic stand-in for libFuzzer's driver (fuzz_kernel.c): runs every file of the
   given corpus directories through the target, then N mutants of them (byte flips, C tokens
   inserted, spans deleted or duplicated, lines swapped), chosen by a seed.
     test_fuzz_smoke [-n N] [-s SEED] DIR...
   Before each run the input is written to $TMPDIR/ag_fuzz_last.c, so that a crash (a
   sanitizer abort) leaves its reproducer there. Exit 0 when every input was handled. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  char *data;
  size_t n;
} blob;

static const char *tokens[] = {"(",
                               ")",
                               "{",
                               "}",
                               "[",
                               "]",
                               ";",
                               ",",
                               "=",
                               "+",
                               "-",
                               "*",
                               "/",
                               "%",
                               "<<",
                               ">>",
                               "&&",
                               "||",
                               "?",
                               ":",
                               "++",
                               "--",
                               "+=",
                               "#define X(a) a",
                               "#include \"x.h\"\n",
                               "#if 1\n",
                               "#endif\n",
                               "for (int i = 0; i < 3; i++)",
                               "if (",
                               "else",
                               "return",
                               "double",
                               "int",
                               "short",
                               "long",
                               "unsigned",
                               "const",
                               "static",
                               "restrict",
                               "in[0]",
                               "out[1]",
                               "p[0]",
                               "2147483647",
                               "1e308",
                               "0x7fffffff",
                               "-",
                               "sqrt(",
                               "pow(",
                               "fmax(",
                               "break;",
                               "\n",
                               "/*",
                               "*/",
                               "//",
                               "\"",
                               "'",
                               "\\",
                               "void",
                               "struct",
                               "while",
                               NULL};

static size_t ntokens(void) {
  size_t n = 0;
  while (tokens[n])
    n++;
  return n;
}

static void run(const char *data, size_t n, const char *last) {
  FILE *f = fopen(last, "wb");
  if (f) {
    fwrite(data, 1, n, f);
    fclose(f);
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, n);
}

static blob mutate(const blob *b, ag_rng *r) {
  size_t cap = b->n + 256;
  blob m = {malloc(cap + 1), b->n};
  memcpy(m.data, b->data, b->n);
  int rounds = 1 + ag_rng_below(r, 4);
  for (int k = 0; k < rounds; k++) {
    size_t at = m.n ? (size_t)ag_rng_below(r, (int)m.n) : 0;
    switch (ag_rng_below(r, 5)) {
    case 0: /* flip a byte */
      if (m.n) m.data[at] ^= (char)(1 << ag_rng_below(r, 8));
      break;
    case 1: { /* insert a C token */
      const char *t = tokens[ag_rng_below(r, (int)ntokens())];
      size_t l = strlen(t);
      if (m.n + l > cap) break;
      memmove(m.data + at + l, m.data + at, m.n - at);
      memcpy(m.data + at, t, l);
      m.n += l;
      break;
    }
    case 2: { /* delete a span */
      size_t l = (size_t)ag_rng_below(r, 16) + 1;
      if (at + l > m.n) l = m.n - at;
      memmove(m.data + at, m.data + at + l, m.n - at - l);
      m.n -= l;
      break;
    }
    case 3: { /* duplicate a span */
      size_t l = (size_t)ag_rng_below(r, 32) + 1;
      if (at + l > m.n) l = m.n - at;
      if (m.n + l > cap) break;
      memmove(m.data + at + l, m.data + at, m.n - at);
      m.n += l;
      break;
    }
    default: /* replace a digit by another */
      for (size_t i = at; i < m.n; i++)
        if (m.data[i] >= '0' && m.data[i] <= '9') {
          m.data[i] = (char)('0' + ag_rng_below(r, 10));
          break;
        }
    }
  }
  m.data[m.n] = 0;
  return m;
}

int main(int argc, char **argv) {
  long n = 2000;
  uint64_t seed = 1;
  blob *corpus = NULL;
  int nc = 0, cap = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) {
      n = atol(argv[++i]);
      continue;
    }
    if (!strcmp(argv[i], "-s") && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) {
      fprintf(stderr, "test_fuzz_smoke: cannot open %s\n", argv[i]);
      return 2;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      size_t l = strlen(e->d_name);
      if (l < 3 || strcmp(e->d_name + l - 2, ".c")) continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      FILE *f = fopen(path, "rb");
      if (!f) continue;
      blob b = {malloc(1 << 16), 0};
      b.n = fread(b.data, 1, (1 << 16) - 1, f);
      fclose(f);
      if (nc == cap) corpus = realloc(corpus, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(blob));
      corpus[nc++] = b;
    }
    closedir(d);
  }
  if (nc == 0) {
    fprintf(stderr, "usage: test_fuzz_smoke [-n N] [-s SEED] CORPUS_DIR...\n");
    return 2;
  }
  char last[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(last, sizeof last, "%s/ag_fuzz_last.c", tmp && *tmp ? tmp : "/tmp");
  for (int i = 0; i < nc; i++)
    run(corpus[i].data, corpus[i].n, last);
  ag_rng r;
  ag_rng_seed(&r, seed);
  for (long k = 0; k < n; k++) {
    blob m = mutate(&corpus[ag_rng_below(&r, nc)], &r);
    run(m.data, m.n, last);
    free(m.data);
  }
  for (int i = 0; i < nc; i++)
    free(corpus[i].data);
  free(corpus);
  printf("test_fuzz_smoke: %d corpus files and %ld mutants handled (seed %llu)\n", nc, n,
         (unsigned long long)seed);
  return 0;
}
