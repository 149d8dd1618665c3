/* Owns the reference DAG reader (parse_dag.h): the text format of the paper's graphs. */
#include "kernel/parse_dag.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/readfile.h"

typedef struct {
  const char *where;
  int line;
  const char *bol;
  ag_error *err;
} cursor;

static int fail_at(cursor *c, const char *p, const char *msg, const char *arg) {
  return ag_failc(c->err, AG_ERR_FORMAT, "%s:%d:%d: %s%s%s%s", c->where, c->line,
                  (int)(p - c->bol) + 1, msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  return p;
}

/* Reads "key=<int>" from a header line; -1 when absent. */
static long header_int(const char *line, const char *eol, const char *key) {
  size_t k = strlen(key);
  for (const char *p = line; p + k < eol; p++)
    if ((p == line || p[-1] == ' ') && !strncmp(p, key, k) && p[k] == '=')
      return strtol(p + k + 1, NULL, 10);
  return -1;
}

static int list_names(const char *text, char *buf, size_t n) {
  int count = 0;
  buf[0] = 0;
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, "## ", 3)) continue;
    const char *s = skip_ws(p + 3), *e = s;
    while (*e && *e != ':' && *e != '\n' && *e != ' ')
      e++;
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%.*s", count ? ", " : "", (int)(e - s), s);
    count++;
  }
  return count;
}

ag_graph *ag_parse_dag_text(const char *text, const char *where, const char *name, ag_error *err) {
  cursor c = {where, 0, text, err};
  char names[2048];
  int nsections = list_names(text, names, sizeof names);
  if (nsections == 0) {
    ag_failc(err, AG_ERR_FORMAT,
             "%s: no graph sections ('## Name: inputs=... vertices=... outputs=...')", where);
    return NULL;
  }
  if (!name && nsections > 1) {
    ag_fail(err, "%s: holds %d graphs (%s); choose one with --name", where, nsections, names);
    return NULL;
  }
  ag_graph *g = NULL;
  long ni = -1, nv = -1, no = -1, count = 0;
  int *vnode = NULL;
  const char *outs = NULL; /* the output_vertices list of the header */
  int outs_line = 0;
  const char *outs_bol = NULL;
  int in_section = 0, done = 0;
  const char *p = text;
  while (*p && !done) {
    c.line++;
    c.bol = p;
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    const char *s = skip_ws(p);
    if (!strncmp(s, "## ", 3)) {
      if (in_section) {
        done = 1;
        break;
      }
      const char *n0 = skip_ws(s + 3), *n1 = n0;
      while (n1 < eol && *n1 != ':' && *n1 != ' ')
        n1++;
      if (!name || ((size_t)(n1 - n0) == strlen(name) && !strncmp(n0, name, (size_t)(n1 - n0)))) {
        in_section = 1;
        char nm[256];
        snprintf(nm, sizeof nm, "%.*s", (int)(n1 - n0), n0);
        ni = header_int(s, eol, "inputs");
        nv = header_int(s, eol, "vertices");
        no = header_int(s, eol, "outputs");
        outs = strstr(s, "output_vertices=[");
        if (outs && outs > eol) outs = NULL;
        outs_line = c.line;
        outs_bol = c.bol;
        if (ni <= 0 || nv <= 0 || no <= 0 || !outs) {
          fail_at(&c, s,
                  "section header needs inputs=, vertices=, outputs= and output_vertices=[...]",
                  NULL);
          goto fail;
        }
        if (ni > 1000000 || nv > 10000000) {
          fail_at(&c, s, "graph too large", NULL);
          goto fail;
        }
        g = ag_graph_new(nm);
        g->structure_only = 1;
        for (int k = 0; k < ni; k++)
          ag_graph_input(g, k);
        vnode = ag_malloc((size_t)(nv + 1) * sizeof(int));
      }
    } else if (in_section && *s && *s != '#' && s < eol) {
      /* vK = op(a, b) */
      const char *q = s;
      if (*q != 'v' || !isdigit((unsigned char)q[1])) {
        fail_at(&c, q, "expected a vertex line 'vK = op(operands)'", NULL);
        goto fail;
      }
      long k = strtol(q + 1, (char **)&q, 10);
      if (k != count + 1) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "v%ld", count + 1);
        fail_at(&c, s, "vertices must be numbered consecutively; expected", tmp);
        goto fail;
      }
      if (k > nv) {
        fail_at(&c, s, "more vertex lines than the header's vertices=", NULL);
        goto fail;
      }
      q = skip_ws(q);
      if (*q != '=') {
        fail_at(&c, q, "expected '='", NULL);
        goto fail;
      }
      q = skip_ws(q + 1);
      const char *o0 = q;
      while (isalnum((unsigned char)*q) || *q == '_')
        q++;
      char opname[64];
      snprintf(opname, sizeof opname, "%.*s", (int)(q - o0), o0);
      int op = ag_op_from_name(o0, (int)(q - o0));
      if (op >= AG_OP_LT) /* conditions, selects, piecewise: C kernels only */
        op = -1;
      if (op < 0) {
        fail_at(&c, o0, "unknown operation", opname);
        goto fail;
      }
      q = skip_ws(q);
      if (*q != '(') {
        fail_at(&c, q, "expected '(' after the operation name", NULL);
        goto fail;
      }
      int args[3], nargs = 0, any_active = 0;
      q = skip_ws(q + 1);
      while (*q != ')') {
        if (nargs == 3) {
          fail_at(&c, q, "too many operands", NULL);
          goto fail;
        }
        const char *a0 = q;
        if (*q == 'c' && !isalnum((unsigned char)q[1])) {
          args[nargs++] = ag_graph_const(g, NAN);
          q++;
        } else if ((*q == 'x' || *q == 'v') && isdigit((unsigned char)q[1])) {
          long j = strtol(q + 1, (char **)&q, 10);
          long lim = *a0 == 'x' ? ni : count;
          if (j < 1 || j > lim) {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%.*s", (int)(q - a0), a0);
            fail_at(&c, a0,
                    *a0 == 'x' ? "input out of range (header says inputs="
                               : "operand is not an earlier vertex:",
                    tmp);
            goto fail;
          }
          args[nargs++] = *a0 == 'x' ? g->input_node[j - 1] : vnode[j];
          any_active = 1;
        } else {
          fail_at(&c, a0, "expected an operand xI, vJ or c", NULL);
          goto fail;
        }
        q = skip_ws(q);
        if (*q == ',')
          q = skip_ws(q + 1);
        else if (*q != ')') {
          fail_at(&c, q, "expected ',' or ')'", NULL);
          goto fail;
        }
      }
      int arity = ag_op_arity(op);
      if (nargs != arity) {
        char tmp[192];
        snprintf(tmp, sizeof tmp, "%s takes %d operand%s, got %d", opname, arity,
                 arity == 1 ? "" : "s", nargs);
        fail_at(&c, o0, tmp, NULL);
        goto fail;
      }
      if (!any_active) {
        fail_at(&c, o0, "vertex has no variable operand (only constants)", NULL);
        goto fail;
      }
      count++;
      vnode[count] = op == AG_OP_IPOW ? ag_graph_ipow(g, args[0], 2)
                                      : ag_graph_op(g, op, args[0], nargs > 1 ? args[1] : -1);
      if (op == AG_OP_IPOW) g->nodes[vnode[count]].value = NAN; /* exponent not recorded */
    }
    p = *eol ? eol + 1 : eol;
  }
  if (!in_section) {
    ag_fail(err, "%s: no graph named '%s' (available: %s)", where, name, names);
    return NULL;
  }
  if (count != nv) {
    ag_failc(err, AG_ERR_FORMAT,
             "%s: graph '%s' has %ld vertex lines but its header says vertices=%ld", where, g->name,
             count, nv);
    goto fail;
  }
  c.line = outs_line;
  c.bol = outs_bol;
  for (const char *q = outs + strlen("output_vertices=["); *q != ']';) {
    if (*q == ',' || *q == ' ') {
      q++;
      continue;
    }
    if (*q == '\n' || *q == '\r' || !*q) {
      fail_at(&c, q, "unterminated output_vertices list (missing ']')", NULL);
      goto fail;
    }
    char *end;
    long j = strtol(q, &end, 10);
    if (end == q || j < 1 || j > nv) {
      fail_at(&c, q, "output_vertices entry is not a vertex of this graph", NULL);
      goto fail;
    }
    ag_graph_output(g, vnode[j]);
    q = end;
  }
  if (g->noutputs != no) {
    ag_failc(err, AG_ERR_FORMAT, "%s:%d: output_vertices lists %d vertices but outputs=%ld", where,
             outs_line, g->noutputs, no);
    goto fail;
  }
  free(vnode);
  if (ag_graph_finalize(g, err)) {
    ag_graph_free(g);
    return NULL;
  }
  return g;
fail:
  free(vnode);
  ag_graph_free(g);
  return NULL;
}

ag_graph *ag_parse_dag_file(const char *path, const char *name, ag_error *err) {
  char *text = ag_read_file(path, err);
  if (!text) return NULL;
  ag_graph *g = ag_parse_dag_text(text, path, name, err);
  free(text);
  return g;
}
