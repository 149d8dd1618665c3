/* alphagrad orders: inspect HDF5 order libraries.
     alphagrad orders list   LIB.h5 [--json]
     alphagrad orders show   LIB.h5 HASH|NAME [--json]
     alphagrad orders export LIB.h5 HASH|NAME [-o FILE] [--json]
   Errors: "alphagrad: message" on stderr (and {"error": ...} on stdout with --json), exit 1;
   usage errors exit 2. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "orderlib/orderlib.h"

static const char *orders_usage =
    "usage: alphagrad orders list   LIB.h5 [--json]\n"
    "       alphagrad orders show   LIB.h5 HASH|NAME [--json]\n"
    "       alphagrad orders export LIB.h5 HASH|NAME [-o FILE] [--json]\n"
    "\n"
    "An order library is an HDF5 file with the best known elimination order of each graph,\n"
    "keyed by the graph's structural hash (schema: hdf5-data/README.md).\n"
    "\n"
    "commands:\n"
    "  list     one line per graph: hash, name, sizes, cost, method, optimal, date\n"
    "  show     every field of one graph's entry, and its order\n"
    "  export   the order as text \"[1, 2, 3]\" (on stdout, or in FILE with -o), usable as\n"
    "           alphagrad cost SOURCE --order @FILE\n"
    "\n"
    "HASH is the 16-hex-digit structural hash printed by 'alphagrad graph' (a unique prefix\n"
    "of at least 4 digits will do); NAME is the graph name stored with the entry.\n"
    "\n"
    "options:\n"
    "  --json             one JSON object on stdout\n"
    "  -o, --output FILE  export: write the order to FILE instead of stdout\n"
    "  -h, --help         this text\n";

static int o_json;

static void jstr(FILE *f, const char *s) { ag_cli_json_str(f, s); }

static void jnum(double x) {
  if (isfinite(x))
    printf("%.17g", x);
  else
    printf("null");
}

static int o_die(const char *msg) {
  fprintf(stderr, "alphagrad: %s\n", msg);
  if (o_json) {
    printf("{\"error\": ");
    jstr(stdout, msg);
    printf("}\n");
  }
  return 1;
}

static int o_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "alphagrad: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(run 'alphagrad orders --help' for usage)\n");
  return 2;
}

/* a library string for a terminal line: "-" when empty, control characters escaped (a
   crafted library must not forge lines or send terminal escapes); four rotating buffers,
   so up to four may appear in one printf */
static const char *or_dash(const char *s) {
  static char buf[4][1024];
  static int k;
  k = (k + 1) % 4;
  return s && s[0] ? ag_cli_safe(s, buf[k], sizeof buf[k]) : "-";
}

static void json_fields(const ag_order_entry *e) {
  char hs[17];
  ag_orderlib_hash_str(e->hash, hs);
  printf("\"hash\": \"%s\", \"name\": ", hs);
  jstr(stdout, e->name);
  printf(", \"ni\": %d, \"nv\": %d, \"no\": %d, \"neliminable\": %d, \"cost\": %ld, "
         "\"lower_bound\": ",
         e->ni, e->nv, e->no, e->neliminable, e->cost);
  if (e->lower_bound < 0)
    printf("null");
  else
    printf("%ld", e->lower_bound);
  printf(", \"optimal\": %s, \"method\": ", e->optimal ? "true" : "false");
  jstr(stdout, e->method);
  printf(", \"search_time\": ");
  jnum(e->search_time);
  printf(", \"budget\": ");
  jnum(e->budget);
  printf(", \"date\": ");
  jstr(stdout, e->date);
  printf(", \"version\": ");
  jstr(stdout, e->version);
  printf(", \"model\": ");
  jstr(stdout, ag_order_entry_model_is(e, "tensor") ? "tensor" : "scalar");
  printf(", \"objective\": ");
  jstr(stdout, ag_order_entry_tuned(e)                ? e->objective
               : ag_order_entry_model_is(e, "tensor") ? "tensor"
                                                      : "mults");
  if (ag_order_entry_tuned(e)) {
    printf(", \"signature\": ");
    jstr(stdout, e->signature);
    printf(", \"value\": ");
    jnum(e->value);
    printf(", \"ns\": ");
    jnum(e->ns);
    printf(", \"gain\": ");
    jnum(e->gain);
  }
}

static void print_order(FILE *f, const ag_order_entry *e) {
  fputc('[', f);
  for (int i = 0; i < e->len; i++)
    fprintf(f, "%s%d", i ? ", " : "", e->order[i]);
  fputc(']', f);
}

static int is_hex(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!isxdigit((unsigned char)*s)) return 0;
  return 1;
}

/* The entry named by key: exact hash, else exact name, else unique hash prefix (>= 4). */
static int find_entry(const ag_order_entry *es, int n, const char *key, const char *lib, int *idx) {
  char msg[1024], hs[17];
  uint64_t h;
  if (!ag_orderlib_hash_parse(key, &h))
    for (int i = 0; i < n; i++)
      if (es[i].hash == h && !ag_order_entry_tuned(&es[i])) {
        *idx = i;
        return 0;
      }
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1 && !(is_hex(key) && strlen(key) >= 4 && strlen(key) <= 16)) break;
    int found = -1, count = 0;
    size_t l = 0;
    msg[0] = 0;
    for (int i = 0; i < n; i++) {
      if (ag_order_entry_tuned(&es[i])) continue; /* show/export name the plain entries */
      ag_orderlib_hash_str(es[i].hash, hs);
      int match;
      if (pass == 0)
        match = !strcmp(es[i].name, key);
      else {
        match = 1;
        for (size_t k = 0; key[k]; k++)
          if (tolower((unsigned char)key[k]) != hs[k]) match = 0;
      }
      if (!match) continue;
      found = i;
      count++;
      if (l < sizeof msg - 40) l += (size_t)snprintf(msg + l, sizeof msg - l, " %s", hs);
    }
    if (count == 1) {
      *idx = found;
      return 0;
    }
    if (count > 1) {
      char m2[1400];
      snprintf(m2, sizeof m2, "order library %s: '%s' matches %d graphs (hashes%s); give the hash",
               lib, key, count, msg);
      return o_die(m2);
    }
  }
  snprintf(msg, sizeof msg,
           "order library %s has no graph '%s' ('alphagrad orders list %s' lists its graphs)", lib,
           key, lib);
  return o_die(msg);
}

static int do_list(const char *lib, const ag_order_entry *es, int n) {
  char hs[17];
  if (o_json) {
    printf("{\"library\": ");
    jstr(stdout, lib);
    printf(", \"graphs\": [");
    for (int i = 0; i < n; i++) {
      printf("%s{", i ? ", " : "");
      json_fields(&es[i]);
      printf("}");
    }
    printf("]}\n");
    return 0;
  }
  for (int i = 0; i < n; i++) {
    const ag_order_entry *e = &es[i];
    ag_orderlib_hash_str(e->hash, hs);
    printf("%s  %-18s  ni=%d nv=%d no=%d  cost=%ld  method=%s  optimal=%s  date=%s%s\n", hs,
           or_dash(e->name), e->ni, e->nv, e->no, e->cost, or_dash(e->method),
           e->optimal ? "yes" : "no", or_dash(e->date),
           ag_order_entry_model_is(e, "tensor") ? "  model=tensor" : "");
    if (ag_order_entry_tuned(e)) {
      printf("    tuned: objective=%s value=%.4g", or_dash(e->objective), e->value);
      if (e->ns > 0) printf(" ns=%.4g gain=%.3fx", e->ns, e->gain);
      printf(" on %s\n", or_dash(e->signature));
    }
  }
  return 0;
}

static int do_show(const char *lib, const ag_order_entry *e) {
  char hs[17];
  ag_orderlib_hash_str(e->hash, hs);
  if (o_json) {
    printf("{\"library\": ");
    jstr(stdout, lib);
    printf(", ");
    json_fields(e);
    printf(", \"order\": ");
    print_order(stdout, e);
    printf("}\n");
    return 0;
  }
  printf("library      %s\n", lib);
  printf("name         %s\n", or_dash(e->name));
  printf("hash         %s\n", hs);
  printf("inputs       %d\n", e->ni);
  printf("vertices     %d\n", e->nv);
  printf("outputs      %d\n", e->no);
  printf("eliminable   %d\n", e->neliminable);
  printf("cost         %ld\n", e->cost);
  if (e->lower_bound >= 0)
    printf("lower_bound  %ld\n", e->lower_bound);
  else
    printf("lower_bound  none\n");
  printf("optimal      %s\n", e->optimal ? "yes (proven)" : "no (not proven)");
  printf("method       %s\n", or_dash(e->method));
  printf("search_time  %g s\n", e->search_time);
  printf("budget       %g s\n", e->budget);
  printf("date         %s\n", or_dash(e->date));
  printf("version      %s\n", or_dash(e->version));
  printf("order        ");
  print_order(stdout, e);
  printf("\n");
  return 0;
}

static int do_export(const ag_order_entry *e, const char *out) {
  char hs[17], msg[1200];
  ag_orderlib_hash_str(e->hash, hs);
  if (out) {
    FILE *f = fopen(out, "w");
    if (!f) {
      snprintf(msg, sizeof msg, "cannot write %s: %s", out, strerror(errno));
      return o_die(msg);
    }
    print_order(f, e);
    fputc('\n', f);
    int bad = ferror(f);
    if (fclose(f) || bad) {
      snprintf(msg, sizeof msg, "cannot write %s: %s", out, strerror(errno));
      return o_die(msg);
    }
  }
  if (o_json) {
    printf("{\"hash\": \"%s\", \"name\": ", hs);
    jstr(stdout, e->name);
    printf(", \"cost\": %ld, \"eliminations\": %d", e->cost, e->len);
    if (out) {
      printf(", \"file\": ");
      jstr(stdout, out);
    } else {
      printf(", \"order\": ");
      print_order(stdout, e);
    }
    printf("}\n");
  } else if (!out) {
    print_order(stdout, e);
    printf("\n");
  }
  return 0;
}

int ag_cmd_orders(int argc, char **argv) {
  const char *sub = NULL, *lib = NULL, *key = NULL, *out = NULL;
  o_json = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--json")) o_json = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
      fputs(orders_usage, stdout);
      return 0;
    }
    if (!strcmp(a, "--json")) continue;
    if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      if (i + 1 >= argc) return o_usage("option %s needs a value", a);
      out = argv[++i];
    } else if (a[0] == '-' && a[1])
      return o_usage("orders: unknown option '%s'", a);
    else if (!sub)
      sub = a;
    else if (!lib)
      lib = a;
    else if (!key)
      key = a;
    else
      return o_usage("orders: unexpected argument '%s'", a);
  }
  if (!sub) {
    fputs(orders_usage, stderr);
    return 2;
  }
  int list = !strcmp(sub, "list"), show = !strcmp(sub, "show"), export_ = !strcmp(sub, "export");
  if (!list && !show && !export_)
    return o_usage("orders: unknown command '%s' (expected list, show or export)", sub);
  if (!lib) return o_usage("orders %s needs a library file (LIB.h5)", sub);
  if (list && key) return o_usage("orders list: unexpected argument '%s'", key);
  if (!list && !key) return o_usage("orders %s needs a graph (HASH or NAME)", sub);
  if (out && !export_) return o_usage("%s", "orders: -o is for 'orders export'");

  ag_error err;
  ag_order_entry *es;
  int n;
  if (ag_orderlib_read(lib, &es, &n, &err)) return o_die(err.msg);
  int rc, k = 0;
  if (list)
    rc = do_list(lib, es, n);
  else if ((rc = find_entry(es, n, key, lib, &k)) == 0)
    rc = show ? do_show(lib, &es[k]) : do_export(&es[k], out);
  ag_order_entries_free(es, n);
  if (fflush(stdout)) rc = 1;
  return rc;
}
