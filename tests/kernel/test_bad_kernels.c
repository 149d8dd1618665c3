/* Every kernel in tests/kernels/bad must be rejected by the C front end with a message
   that points at the offending line and names the construct.

   The first line of each file is `// expect CODE: LINE: substring`: the error code must be
   CODE (ag_status_name: format, unsupported, limit, input, I/O), the message must start with
   "<path>:LINE:COL: " and contain the substring. LINE "-" marks errors that have no position
   (e.g. a file with two kernels and no function chosen): the message must contain the path. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>

#include "check.h"
#include "graph/graph.h"
#include "kernel/parse_kernel.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses "// expect CODE: LINE: substring" into code, line (-1 for "-") and sub. */
static int read_expect(const char *path, ag_status *code, long *line, char *sub, size_t subsz) {
  char buf[512];
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char *ok = fgets(buf, sizeof buf, f);
  fclose(f);
  if (!ok) return -1;
  buf[strcspn(buf, "\r\n")] = 0;
  const char *p = buf, *key = "// expect ";
  if (strncmp(p, key, strlen(key))) return -1;
  p += strlen(key);
  size_t n = strcspn(p, ":");
  *code = AG_OK;
  for (int c = AG_ERR_INPUT; c < AG_ERR_NCODES; c++)
    if (strlen(ag_status_name((ag_status)c)) == n && !strncmp(p, ag_status_name((ag_status)c), n))
      *code = (ag_status)c;
  if (*code == AG_OK || strncmp(p + n, ": ", 2)) return -1;
  p += n + 2;
  if (*p == '-') {
    *line = -1;
    p++;
  } else {
    char *end;
    *line = strtol(p, &end, 10);
    if (end == p || *line <= 0) return -1;
    p = end;
  }
  if (strncmp(p, ": ", 2) || !p[2]) return -1;
  snprintf(sub, subsz, "%s", p + 2);
  return 0;
}

int main(void) {
  const char *root = getenv("AG_SOURCE_DIR");
  CHECK(root != NULL, "AG_SOURCE_DIR is not set");
  if (!root) return check_report("test_bad_kernels");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/kernels/bad", root);
  DIR *d = opendir(dir);
  CHECK(d != NULL, "cannot open %s", dir);
  if (!d) return check_report("test_bad_kernels");
  char **names = NULL;
  int n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 3 || strcmp(e->d_name + len - 2, ".c")) continue;
    if (n == cap) names = realloc(names, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n) qsort(names, (size_t)n, sizeof *names, cmp_str);
  CHECK(n >= 40, "found %d bad kernels in %s, expected at least 40", n, dir);

  for (int i = 0; i < n; i++) {
    char path[4600], sub[512];
    long line = 0;
    ag_status code = AG_OK;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    int fails = check_failures;
    int hdr = read_expect(path, &code, &line, sub, sizeof sub);
    CHECK(hdr == 0, "%s: first line must be '// expect CODE: LINE: substring'", names[i]);
    ag_error err;
    err.msg[0] = 0;
    ag_graph *g = ag_parse_kernel_file(path, NULL, &err);
    CHECK(g == NULL, "%s: accepted, expected an error", names[i]);
    ag_graph_free(g);
    if (hdr == 0 && !g) {
      if (line > 0) {
        char prefix[4700];
        snprintf(prefix, sizeof prefix, "%s:%ld:", path, line);
        size_t k = strlen(prefix);
        int at = !strncmp(err.msg, prefix, k);
        CHECK(at, "%s: message does not start with '%s': %s", names[i], prefix, err.msg);
        if (at) { /* then the column and ": " */
          const char *c = err.msg + k;
          while (isdigit((unsigned char)*c))
            c++;
          CHECK(c > err.msg + k && c[0] == ':' && c[1] == ' ', "%s: no column in: %s", names[i],
                err.msg);
        }
      } else {
        CHECK(strstr(err.msg, path) != NULL, "%s: message does not name the file: %s", names[i],
              err.msg);
      }
      CHECK(strstr(err.msg, sub) != NULL, "%s: message lacks '%s': %s", names[i], sub, err.msg);
      CHECK(err.code == code, "%s: code %s, expected %s: %s", names[i], ag_status_name(err.code),
            ag_status_name(code), err.msg);
    }
    printf("%-36s %s  [%s] %s\n", names[i], check_failures == fails ? "ok  " : "FAIL",
           ag_status_name(err.code), err.msg);
    free(names[i]);
  }
  free(names);
  return check_report("test_bad_kernels");
}
