/* Owns the tensor graph file reader (tensor_read.h). */
#include "tensor/tensor_read.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/readfile.h"

typedef struct {
  const char *where;
  int line;
  ag_error *err;
} cursor;

__attribute__((format(printf, 2, 3))) static int fail_at(cursor *c, const char *fmt, ...) {
  char msg[800];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ag_failc(c->err, AG_ERR_FORMAT, "%s:%d: %s", c->where, c->line, msg);
}

/* "key=<int>" in [p, eol) as a whole word; 1 found (*v set), 0 absent, -1 not a number */
static int key_long(const char *p, const char *eol, const char *key, long *v) {
  size_t k = strlen(key);
  for (const char *q = p; q + k < eol; q++)
    if ((q == p || q[-1] == ' ') && !strncmp(q, key, k) && q[k] == '=') {
      char *end;
      *v = strtol(q + k + 1, &end, 10);
      return end == q + k + 1 ? -1 : 1;
    }
  return 0;
}

/* "key=[a,b,...]" in [p, eol): up to max integers into v; returns how many, -1 when absent,
   -2 when malformed */
static int key_list(const char *p, const char *eol, const char *key, long *v, int max) {
  size_t k = strlen(key);
  for (const char *q = p; q + k + 1 < eol; q++)
    if ((q == p || q[-1] == ' ') && !strncmp(q, key, k) && q[k] == '=' && q[k + 1] == '[') {
      const char *s = q + k + 2;
      int n = 0;
      while (s < eol && *s == ' ')
        s++;
      if (*s == ']') return 0;
      for (;;) {
        char *end;
        long x = strtol(s, &end, 10);
        if (end == s || n == max) return -2;
        v[n++] = x;
        s = end;
        while (*s == ' ')
          s++;
        if (*s == ']') return n;
        if (*s != ',') return -2;
        s++;
      }
    }
  return -1;
}

static int list_names(const char *text, char *buf, size_t n) {
  int count = 0;
  buf[0] = 0;
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, "## ", 3)) continue;
    const char *s = p + 3, *e = s;
    while (*e && *e != ':' && *e != '\n' && *e != ' ')
      e++;
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%.*s", count ? ", " : "", (int)(e - s), s);
    count++;
  }
  return count;
}

/* "xI" or "vJ" at *pp: kind 'x' or 'v' and the 1-based number; 0, or -1 */
static int var_ref(const char **pp, char *kind, long *num) {
  const char *p = *pp;
  if (*p != 'x' && *p != 'v') return -1;
  if (!isdigit((unsigned char)p[1])) return -1;
  char *end;
  *kind = *p;
  *num = strtol(p + 1, &end, 10);
  *pp = end;
  return 0;
}

static uint64_t graph_hash(const ag_tgraph *g) {
  uint64_t h = ag_hash_mix(0x74656e736f723176ULL /* "tensor1v" */, (uint64_t)g->ni);
  h = ag_hash_mix(h, (uint64_t)g->nv);
  h = ag_hash_mix(h, (uint64_t)g->no);
  for (int j = 0; j < g->no; j++)
    h = ag_hash_mix(h, (uint64_t)g->outputs[j]);
  for (int k = 0; k < g->nvar; k++)
    for (int c = 0; c < g->nv; c++) {
      const ag_tedge *e = &g->E[(size_t)k * g->nv + c];
      if (!e->t) continue;
      h = ag_hash_mix(h, (uint64_t)k << 32 | (uint64_t)c);
      h = ag_hash_mix(h, (uint64_t)(uint16_t)e->t << 48 | (uint64_t)(uint16_t)e->o1 << 32 |
                             (uint64_t)(uint16_t)e->o2 << 16 | (uint64_t)(uint16_t)e->p1);
      h = ag_hash_mix(h, (uint64_t)(uint16_t)e->p2);
    }
  return h;
}

ag_tgraph *ag_tgraph_read_text(const char *text, const char *where, const char *name,
                               ag_error *err) {
  cursor c = {where, 0, err};
  char names[2048];
  int nsections = list_names(text, names, sizeof names);
  if (nsections == 0) {
    ag_failc(err, AG_ERR_FORMAT,
             "%s: no graph sections ('## Name: inputs=... vertices=... outputs=... "
             "output_vertices=[...]')",
             where);
    return NULL;
  }
  if (!name && nsections > 1) {
    ag_fail(err, "%s: holds %d graphs (%s); choose one with --name", where, nsections, names);
    return NULL;
  }
  ag_tgraph *g = NULL;
  long edges_hdr = -1, cur = 0; /* the vertex whose edge lines follow (1-based; 0: none) */
  int nx = 0, nvx = 0, in_section = 0, header_line = 0;
  const char *p = text;
  while (*p) {
    c.line++;
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    const char *next = *eol ? eol + 1 : eol;
    const char *s = p;
    while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
      s++;
    int indented = s > p;
    if (s == eol || *s == '#') {
      if (!strncmp(p, "## ", 3)) { /* a section header */
        if (in_section) break;     /* the end of ours */
        const char *n0 = p + 3, *n1 = n0;
        while (n1 < eol && *n1 != ':' && *n1 != ' ')
          n1++;
        if (name && ((size_t)(n1 - n0) != strlen(name) || strncmp(n0, name, (size_t)(n1 - n0)))) {
          p = next;
          continue;
        }
        if (n1 == n0 || *n1 != ':') {
          fail_at(&c, "section header without a name ('## Name: inputs=...')");
          goto fail;
        }
        in_section = 1;
        header_line = c.line;
        long ni = 0, nv = 0, no = 0, outs[4096];
        static const char *req[3] = {"inputs", "vertices", "outputs"};
        long *dst[3] = {&ni, &nv, &no};
        for (int i = 0; i < 3; i++) {
          int r = key_long(n1, eol, req[i], dst[i]);
          if (r <= 0) {
            fail_at(&c, "section header: '%s=N' is %s", req[i], r ? "not a number" : "missing");
            goto fail;
          }
        }
        if (ni < 0 || nv < 1 || no < 1 || no > nv || ni > 100000 || nv > 100000) {
          fail_at(&c, "section header: inputs=%ld vertices=%ld outputs=%ld are out of range", ni,
                  nv, no);
          goto fail;
        }
        if ((long)(ni + nv) * nv > 50000000L) {
          ag_failc(err, AG_ERR_LIMIT, "%s:%d: a tensor graph of %ld vertices is too large", where,
                   c.line, nv);
          goto fail;
        }
        int nouts = key_list(n1, eol, "output_vertices", outs, 4096);
        if (nouts < 0) {
          fail_at(&c, "section header: 'output_vertices=[...]' is %s",
                  nouts == -1 ? "missing" : "malformed");
          goto fail;
        }
        if (nouts != no) {
          fail_at(&c, "section header: outputs=%ld but output_vertices lists %d", no, nouts);
          goto fail;
        }
        g = ag_calloc(1, sizeof *g);
        g->name = ag_malloc((size_t)(n1 - n0) + 1);
        memcpy(g->name, n0, (size_t)(n1 - n0));
        g->name[n1 - n0] = 0;
        g->ni = (int)ni, g->nv = (int)nv, g->no = (int)no, g->nvar = (int)(ni + nv);
        g->neliminable = g->nv - g->no;
        g->outputs = ag_malloc((size_t)no * sizeof(int));
        g->is_out = ag_calloc((size_t)nv, 1);
        g->E = ag_calloc((size_t)g->nvar * nv, sizeof(ag_tedge));
        g->prim = ag_calloc((size_t)nv, sizeof(char *));
        g->shape = ag_calloc((size_t)g->nvar, sizeof *g->shape);
        for (int j = 0; j < nouts; j++) {
          if (outs[j] < 1 || outs[j] > nv || g->is_out[outs[j] - 1]) {
            fail_at(&c, "section header: output vertex %ld is %s", outs[j],
                    outs[j] < 1 || outs[j] > nv ? "not in 1..vertices" : "repeated");
            goto fail;
          }
          g->outputs[j] = (int)outs[j];
          g->is_out[outs[j] - 1] = 1;
        }
        long el;
        if (key_long(n1, eol, "eliminable", &el) == 1 && el != g->neliminable) {
          fail_at(&c, "section header: eliminable=%ld but vertices - outputs = %d", el,
                  g->neliminable);
          goto fail;
        }
        if (key_long(n1, eol, "edges", &edges_hdr) != 1) edges_hdr = -1;
        long *refs[3] = {&g->ref_fwd, &g->ref_rev, &g->ref_markowitz};
        static const char *rk[3] = {"fwd", "rev", "minMarkowitz"};
        for (int i = 0; i < 3; i++)
          if (key_long(n1, eol, rk[i], refs[i]) != 1) *refs[i] = -1;
      }
      p = next;
      continue;
    }
    if (!in_section) {
      p = next;
      continue;
    }
    char kind;
    long num;
    const char *q = s;
    if (var_ref(&q, &kind, &num)) {
      fail_at(&c,
              "expected 'xK shape=...', 'vK = op(...)' or an edge 'SRC -> vK type=T jac=[...]'");
      goto fail;
    }
    while (*q == ' ')
      q++;
    if (!strncmp(q, "->", 2)) { /* an edge into the current vertex */
      if (!indented) {
        fail_at(&c, "an edge line must be indented under the vertex it points into");
        goto fail;
      }
      const char *r = q + 2;
      while (*r == ' ')
        r++;
      char tk;
      long tn;
      if (var_ref(&r, &tk, &tn) || tk != 'v') {
        fail_at(&c, "edge: expected a target 'vK' after '->'");
        goto fail;
      }
      if (tn != cur || cur == 0) {
        fail_at(&c, "edge into v%ld is not under the line of v%ld", tn, tn);
        goto fail;
      }
      if ((kind == 'x' && (num < 1 || num > g->ni)) || (kind == 'v' && (num < 1 || num > g->nv))) {
        fail_at(&c, "edge from %c%ld: no such %s (1..%d)", kind, num,
                kind == 'x' ? "input" : "vertex", kind == 'x' ? g->ni : g->nv);
        goto fail;
      }
      long t = 0, jac[4] = {0};
      int rt = key_long(r, eol, "type", &t), nj = key_list(r, eol, "jac", jac, 4);
      if (rt != 1 || t < -10 || t > 11 || t == 0) {
        fail_at(&c, "edge: 'type=T' with T in -10..11, not 0, is %s",
                rt == 0 ? "missing" : "out of range");
        goto fail;
      }
      if (nj != 4) {
        fail_at(&c, "edge: 'jac=[o1,o2,p1,p2]' (four dimensions) is %s",
                nj == -1 ? "missing" : "malformed");
        goto fail;
      }
      for (int i = 0; i < 4; i++)
        if (jac[i] < 1 || jac[i] > AG_TDIM_MAX) {
          fail_at(&c, "edge: dimension %ld of jac is not in 1..%d", jac[i], AG_TDIM_MAX);
          goto fail;
        }
      int k = kind == 'x' ? (int)num - 1 : g->ni + (int)num - 1;
      ag_tedge *e = &g->E[(size_t)k * g->nv + (cur - 1)];
      if (e->t) {
        fail_at(&c, "edge %c%ld -> v%ld is listed twice", kind, num, cur);
        goto fail;
      }
      *e = (ag_tedge){(int16_t)t, (int16_t)jac[0], (int16_t)jac[1], (int16_t)jac[2],
                      (int16_t)jac[3]};
      g->nedges++;
    } else if (kind == 'x') {
      if (indented || num != nx + 1 || nvx) {
        fail_at(&c, "input x%ld out of sequence (expected x%d, inputs before vertices)", num,
                nx + 1);
        goto fail;
      }
      if (num > g->ni) {
        fail_at(&c, "input x%ld: the header says inputs=%d", num, g->ni);
        goto fail;
      }
      long d[2];
      if (key_list(q, eol, "ag", d, 2) == 2)
        g->shape[num - 1][0] = (int)d[0], g->shape[num - 1][1] = (int)d[1];
      nx++;
    } else {
      if (indented || num != nvx + 1) {
        fail_at(&c, "vertex v%ld out of sequence (expected v%d)", num, nvx + 1);
        goto fail;
      }
      if (num > g->nv) {
        fail_at(&c, "vertex v%ld: the header says vertices=%d", num, g->nv);
        goto fail;
      }
      if (*q != '=') {
        fail_at(&c, "vertex v%ld: expected '= primitive(operands)'", num);
        goto fail;
      }
      const char *a = q + 1;
      while (*a == ' ')
        a++;
      const char *b = a;
      while (b < eol && (isalnum((unsigned char)*b) || *b == '_'))
        b++;
      if (b == a || *b != '(') {
        fail_at(&c, "vertex v%ld: expected '= primitive(operands)'", num);
        goto fail;
      }
      g->prim[num - 1] = ag_malloc((size_t)(b - a) + 1);
      memcpy(g->prim[num - 1], a, (size_t)(b - a));
      g->prim[num - 1][b - a] = 0;
      long d[2];
      if (key_list(b, eol, "ag", d, 2) == 2)
        g->shape[g->ni + num - 1][0] = (int)d[0], g->shape[g->ni + num - 1][1] = (int)d[1];
      cur = num;
      nvx++;
    }
    p = next;
  }
  if (!in_section) {
    ag_fail(err, "%s: no graph '%s' (it holds %s)", where, name, names);
    err->code = AG_ERR_INPUT;
    return NULL;
  }
  c.line = header_line;
  if (nx != g->ni || nvx != g->nv) {
    fail_at(&c, "section '%s' declares inputs=%d vertices=%d but lists %d inputs and %d vertices",
            g->name, g->ni, g->nv, nx, nvx);
    goto fail;
  }
  if (edges_hdr >= 0 && edges_hdr != g->nedges) {
    fail_at(&c, "section '%s' declares edges=%ld but lists %d", g->name, edges_hdr, g->nedges);
    goto fail;
  }
  g->hash = graph_hash(g);
  return g;
fail:
  ag_tgraph_free(g);
  return NULL;
}

ag_tgraph *ag_tgraph_read_file(const char *path, const char *name, ag_error *err) {
  char *text = ag_read_file(path, err);
  if (!text) return NULL;
  ag_tgraph *g = ag_tgraph_read_text(text, path, name, err);
  free(text);
  return g;
}

int ag_tgraph_file_is_tensor(const char *path) {
  ag_error e;
  char *text = ag_read_file(path, &e);
  if (!text) return 0;
  int yes = 0;
  for (const char *p = text; p && *p && !yes; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    const char *s = p;
    while (*s == ' ' || *s == '\t')
      s++;
    if (s == p || *s == '#') continue; /* edge lines are indented */
    const char *arrow = strstr(s, "->"), *eol = strchr(s, '\n');
    if (!eol) eol = s + strlen(s);
    const char *type = strstr(s, " type=");
    yes = arrow && arrow < eol && type && type < eol;
  }
  free(text);
  return yes;
}
