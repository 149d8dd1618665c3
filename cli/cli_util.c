/* Owns the helpers the command-line files share (cli_util.h). */
#include "cli/cli_util.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "base/readfile.h"

/* the length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one */
static int utf8_len(const unsigned char *p) {
  int n = p[0] < 0x80             ? 1
          : (p[0] & 0xe0) == 0xc0 ? 2
          : (p[0] & 0xf0) == 0xe0 ? 3
          : (p[0] & 0xf8) == 0xf0 ? 4
                                  : 0;
  if (n == 2 && p[0] < 0xc2) return 0; /* overlong */
  for (int i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) return 0;
  if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90)))
    return 0;
  return n;
}

void ag_cli_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
    int n = utf8_len(p);
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p == '\t')
      fputs("\\t", f);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(f, "\\u%04x", *p);
    else if (n == 0) { /* not UTF-8: the replacement character, so the JSON stays valid */
      fputs("\\ufffd", f);
      n = 1;
    } else
      fwrite(p, 1, (size_t)n, f);
    p += n > 0 ? n : 1;
  }
  fputc('"', f);
}

const char *ag_cli_safe(const char *s, char *buf, size_t n) {
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && k + 5 < n;) {
    int u = utf8_len(p);
    /* C1 controls (U+0080..U+009F) drive some terminals too */
    int c1 = u == 2 && p[0] == 0xc2 && p[1] < 0xa0;
    if (*p < 0x20 || *p == 0x7f || u == 0 || c1) {
      k += (size_t)snprintf(buf + k, n - k, "\\x%02x", *p);
      p++;
    } else {
      if (k + (size_t)u + 1 >= n) break;
      memcpy(buf + k, p, (size_t)u);
      k += (size_t)u;
      p += u;
    }
  }
  buf[k] = 0;
  return buf;
}

int ag_cli_mpi_start(int wanted, int *argc, char ***argv, int *rank, int *size) {
  int use = wanted || getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK");
  *rank = 0, *size = 1;
  if (use) {
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
  }
  return use;
}

int ag_cli_is_hdf5(const char *path) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  unsigned char buf[8];
  if (!ag_is_regular_file(path)) return 0; /* never block on a FIFO */
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, 8, f);
  fclose(f);
  return n == 8 && !memcmp(buf, sig, 8);
}
