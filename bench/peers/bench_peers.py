#!/usr/bin/env python3
"""Peers benchmark: alphagrad's generated C code against CasADi's generated C and JAX.

For every SOURCE (`file.c` or `file.c:function`, a kernel in alphagrad's C subset):

  alphagrad  the product's default order: `alphagrad search SOURCE --time S --json --quiet`
             (objective `measured`, the default for C kernels), then
             `alphagrad codegen SOURCE --order @ORDERFILE --function agk_NAME`, compiled
             with --cc/--cflags (default: the JIT's flags). Timed: NAME (one element),
             NAME_batch (n elements, structure of arrays), NAME called per element
             (element-major, "loop"), NAME_primal_batch (outputs only).
  CasADi     the primal program read from that generated file (the `const double vN =
             EXPR;` and `out[J] = vN;` lines of the `_one` function; the derivative lines
             `dK`, `tK`, `jac[...]` are ignored) built as SX; C code of
             Function('fj', [x, p], [y, jacobian(y, x)]) and Function('f', [x, p], [y])
             from casadi.CodeGenerator, same compiler and flags. Timed: fj on one element,
             fj per element over n elements (element-major), f per element.
  JAX        the same primal program as a jnp function: jit(vmap(x, p -> (f, jacfwd(f)))),
             the same with jacrev, jit(vmap(f)) over n elements, and jit of the
             single-element fwd/rev functions; float64, one CPU thread (pinned), compile
             time excluded.

alphagrad's and CasADi's code are timed in one process (harness.c), calibrated, then
interleaved repetition by repetition; JAX afterwards in this process. Checks: alphagrad's
C, CasADi's C and JAX at the test point against `alphagrad jacobian SOURCE --at ... --json`
(the interpreter), and over all n elements CasADi and JAX against alphagrad's batch output
(relative 1e-9; entries below 1e-6 of an element's largest are compared against that
floor, see batch_rel_diff; the strict entrywise value is printed too).
Run with the venv of setup_venv.sh (bench/peers/README.md):
  /work/venv-peers/bin/python bench/peers/bench_peers.py [--json F] $(cat bench/peers/kernels.txt)
"""
import argparse
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

# One CPU thread for XLA and BLAS, before jax/numpy are imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CFLAGS = "-O3 -march=native -ffp-contract=off -fno-math-errno -fPIC -shared"
TOL = 1e-9


class ParseError(Exception):
    pass


# --------------------------------------------------------------------------------------
# alphagrad CLI
# --------------------------------------------------------------------------------------

def run_cli(alphagrad, args):
    r = subprocess.run([alphagrad] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("alphagrad %s failed (%d):\n%s%s" % (" ".join(args), r.returncode,
                                                               r.stdout, r.stderr))
    return r.stdout


def graph_info(alphagrad, source):
    out = run_cli(alphagrad, ["graph", source]).splitlines()
    m = re.match(r"inputs (\d+)\s+vertices (\d+)\s+outputs (\d+)\s+eliminable (\d+)\s+edges (\d+)"
                 r"(?:\s+params (\d+))?", out[1].strip())
    if not m:
        raise ParseError("unexpected 'alphagrad graph' line 2: %r" % out[1])
    return {"ni": int(m.group(1)), "vertices": int(m.group(2)), "no": int(m.group(3)),
            "np": int(m.group(6) or 0)}


def _comment_values(text, tag):
    """The numbers of a `/* TAG: v, v, ...  */` comment (continuation lines may start with
    `*`), or None."""
    m = re.search(re.escape(tag) + r":(.*?)\*/", text, re.S)
    if not m:
        return None
    body = " ".join(ln.strip().lstrip("*") for ln in m.group(1).splitlines())
    try:
        return [float(v) for v in body.replace(" ", "").split(",") if v]
    except ValueError:
        return None


def test_point(source, ni, np_):
    """The file's `alphagrad-test-point: ...` comment if it has ni values, else a
    deterministic point; parameters: the file's `peers-test-params: ...` comment if it has
    np values, else a deterministic positive vector (0.5, 0.55, 0.6, ...)."""
    path = source.split(":")[0]
    with open(path) as fh:
        text = fh.read()
    at = _comment_values(text, "alphagrad-test-point")
    if at is None or len(at) != ni:
        at = [0.3 + 0.1 * ((7 * i) % 11) / 10.0 * (1 if i % 3 else -1) for i in range(ni)]
    params = _comment_values(text, "peers-test-params")
    if params is None or len(params) != np_:
        params = [0.5 + 0.05 * k for k in range(np_)]
    return at, params


def fmt_list(v):
    return ",".join(repr(float(x)) for x in v)


def alphagrad_jacobian(alphagrad, source, at, params):
    args = ["jacobian", source, "--at", fmt_list(at), "--json"]
    if params:
        args += ["--params", fmt_list(params)]
    d = json.loads(run_cli(alphagrad, args))
    return d["outputs"], d["jacobian"]


# --------------------------------------------------------------------------------------
# Parsing the primal program of the generated C
# --------------------------------------------------------------------------------------

_V = r"v(\d+)"
_LIT = r"\(?(-?(?:0x[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?p[+-]?\d+|NAN|INFINITY))\)?"
_FUN1 = {"sqrt", "exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
         "tanh", "asinh", "acosh", "atanh", "fabs", "erf", "erfc", "cbrt", "log10", "log2",
         "exp2", "expm1", "log1p"}
_FUN2 = {"atan2", "pow", "hypot", "fmin", "fmax"}
_RX = [
    ("in", re.compile(r"in\[(\d+)\]$")),
    ("p", re.compile(r"p\[(\d+)\]$")),
    ("const", re.compile(_LIT + r"$")),
    ("bin", re.compile(_V + r" ([-+*/]) " + _V + r"$")),
    ("neg", re.compile(r"-" + _V + r"$")),
    ("sel", re.compile(r"\(" + _V + r" ([<>]) " + _V + r" \|\| " + _V + r" != " + _V +
                       r"\) \? " + _V + r" : " + _V + r"$")),
    ("call1", re.compile(r"(\w+)\(" + _V + r"\)$")),
    ("call2", re.compile(r"(\w+)\(" + _V + r", " + _V + r"\)$")),
    ("powc", re.compile(r"pow\(" + _V + r", " + _LIT + r"\)$")),
]
_LINE = re.compile(r"const double v(\d+) = (.*);$")
_OUT = re.compile(r"out\[(\d+)\] = v(\d+);$")


def parse_literal(s):
    if s in ("NAN", "-NAN"):
        return float("nan")
    if s == "INFINITY":
        return float("inf")
    if s == "-INFINITY":
        return float("-inf")
    return float.fromhex(s)


def parse_expr(expr, defined, where):
    """One EXPR of a primal line -> (kind, args)."""
    def ref(g):
        k = int(g)
        if k not in defined:
            raise ParseError("%s: v%d used before its definition" % (where, k))
        return k
    for kind, rx in _RX:
        m = rx.match(expr)
        if not m:
            continue
        g = m.groups()
        if kind in ("in", "p"):
            return (kind, (int(g[0]),))
        if kind == "const":
            return ("const", (parse_literal(g[0]),))
        if kind == "bin":
            return ({"+": "add", "-": "sub", "*": "mul", "/": "div"}[g[1]], (ref(g[0]), ref(g[2])))
        if kind == "neg":
            return ("neg", (ref(g[0]),))
        if kind == "sel":
            # (vB < vA || vA != vA) ? vB : vA  is fmin(vA, vB); with '>' fmax(vA, vB)
            b, op, a, a2, a3, b2, a4 = g[0], g[1], g[2], g[3], g[4], g[5], g[6]
            if not (a == a2 == a3 == a4 and b == b2):
                raise ParseError("%s: unrecognised selection %r" % (where, expr))
            return ("fmin" if op == "<" else "fmax", (ref(a), ref(b)))
        if kind == "call1":
            if g[0] not in _FUN1:
                raise ParseError("%s: unknown function %r" % (where, g[0]))
            return (g[0], (ref(g[1]),))
        if kind == "call2":
            if g[0] not in _FUN2:
                raise ParseError("%s: unknown function %r" % (where, g[0]))
            return (g[0], (ref(g[1]), ref(g[2])))
        if kind == "powc":
            return ("powc", (ref(g[0]), parse_literal(g[1])))
    raise ParseError("%s: cannot parse expression %r" % (where, expr))


def parse_generated(path, ni, np_, no):
    """The primal program of the `_one` function: (nodes [(id, kind, args)], outputs)."""
    with open(path) as fh:
        lines = fh.read().splitlines()
    start = None
    for i, ln in enumerate(lines):
        if re.match(r"static .*\bvoid \w+_one\(const double \*in, const double \*p, double \*out,"
                    r" double \*jac\) \{$", ln):
            start = i
            break
    if start is None:
        raise ParseError("%s: no `static ... void NAME_one(...)` function" % path)
    nodes, defined, outs = [], set(), {}
    end = None
    for i in range(start + 1, len(lines)):
        ln = lines[i]
        if ln == "}":
            end = i
            break
        s = ln.strip()
        where = "%s:%d" % (path, i + 1)
        if s.startswith("const double v"):
            m = _LINE.match(s)
            if not m:
                raise ParseError("%s: cannot parse primal line %r" % (where, s))
            vid = int(m.group(1))
            if vid in defined:
                raise ParseError("%s: v%d defined twice" % (where, vid))
            kind, args = parse_expr(m.group(2), defined, where)
            if kind == "in" and args[0] >= ni or kind == "p" and args[0] >= np_:
                raise ParseError("%s: index out of range in %r" % (where, s))
            nodes.append((vid, kind, args))
            defined.add(vid)
        elif s.startswith("out["):
            m = _OUT.match(s)
            if not m:
                raise ParseError("%s: cannot parse output line %r" % (where, s))
            j, vid = int(m.group(1)), int(m.group(2))
            if vid not in defined:
                raise ParseError("%s: output of undefined v%d" % (where, vid))
            if j in outs:
                raise ParseError("%s: out[%d] assigned twice" % (where, j))
            outs[j] = vid
        # anything else (derivative slots, jac[...], casts) is not the primal: ignored
    if end is None:
        raise ParseError("%s: end of the _one function not found" % path)
    if sorted(outs) != list(range(no)):
        raise ParseError("%s: outputs %s, expected 0..%d" % (path, sorted(outs), no - 1))
    if not nodes:
        raise ParseError("%s: no primal lines" % path)
    return nodes, [outs[j] for j in range(no)]


def evaluate(nodes, outs, x, p, lib):
    """Evaluate the node program with the functions of lib (a dict); x, p indexable."""
    val = {}
    for vid, kind, a in nodes:
        if kind == "in":
            r = x[a[0]]
        elif kind == "p":
            r = p[a[0]]
        elif kind == "const":
            r = lib["const"](a[0])
        elif kind == "add":
            r = val[a[0]] + val[a[1]]
        elif kind == "sub":
            r = val[a[0]] - val[a[1]]
        elif kind == "mul":
            r = val[a[0]] * val[a[1]]
        elif kind == "div":
            r = val[a[0]] / val[a[1]]
        elif kind == "neg":
            r = -val[a[0]]
        elif kind == "powc":
            r = lib["pow"](val[a[0]], lib["const"](a[1]))
        elif len(a) == 1:
            r = lib[kind](val[a[0]])
        else:
            r = lib[kind](val[a[0]], val[a[1]])
        val[vid] = r
    return [val[o] for o in outs]


# --------------------------------------------------------------------------------------
# CasADi
# --------------------------------------------------------------------------------------

def casadi_lib():
    import casadi as ca
    ln10, ln2 = math.log(10.0), math.log(2.0)
    return {
        "const": lambda c: ca.SX(c),
        "sqrt": ca.sqrt, "exp": ca.exp, "log": ca.log, "sin": ca.sin, "cos": ca.cos,
        "tan": ca.tan, "asin": ca.asin, "acos": ca.acos, "atan": ca.atan, "sinh": ca.sinh,
        "cosh": ca.cosh, "tanh": ca.tanh, "asinh": ca.asinh, "acosh": ca.acosh,
        "atanh": ca.atanh, "fabs": ca.fabs, "erf": ca.erf, "erfc": lambda a: 1 - ca.erf(a),
        "cbrt": lambda a: ca.sign(a) * ca.power(ca.fabs(a), 1.0 / 3.0),
        "log10": lambda a: ca.log(a) / ln10, "log2": lambda a: ca.log(a) / ln2,
        "exp2": lambda a: ca.exp(a * ln2), "expm1": ca.expm1, "log1p": ca.log1p,
        "atan2": ca.atan2, "pow": ca.power, "hypot": ca.hypot, "fmin": ca.fmin,
        "fmax": ca.fmax,
    }


def casadi_build(name, nodes, outs, ni, np_, workdir, cc, cflags):
    """Generate and compile the C code; returns (so path, fj symbol, f symbol, nnz, sparsity)."""
    import casadi as ca
    x = ca.SX.sym("x", ni)
    p = ca.SX.sym("p", np_)
    ys = evaluate(nodes, outs, [x[i] for i in range(ni)], [p[k] for k in range(np_)],
                  casadi_lib())
    y = ca.vertcat(*ys)
    jac = ca.jacobian(y, x)
    fj = ca.Function(name + "_fj", [x, p], [y, jac])
    f = ca.Function(name + "_f", [x, p], [y])
    cname = name + "_casadi.c"
    gen = ca.CodeGenerator(cname, {"with_header": True, "with_mem": False, "verbose": False,
                                   "avoid_stack": False, "thread_safe": False})
    gen.add(fj)
    gen.add(f)
    gen.generate(workdir + "/")
    src = os.path.join(workdir, cname)
    so = os.path.join(workdir, name + "_casadi.so")
    cmd = [cc] + shlex.split(cflags) + ["-o", so, src, "-lm"]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("compile failed: %s\n%s" % (" ".join(cmd), r.stderr))
    sp = fj.sparsity_out(1)
    return {"so": so, "fj": name + "_fj", "f": name + "_f", "nnz": sp.nnz(),
            "rows": list(sp.get_triplet()[0]), "cols": list(sp.get_triplet()[1]),
            "compile_s": time.time() - t0, "casadi_ops": fj.n_instructions()}


def casadi_eval_so(info, ni, np_, no, at, params):
    """Call the compiled fj once through ctypes: (outputs, dense Jacobian)."""
    import ctypes
    lib = ctypes.CDLL(info["so"])
    fn = getattr(lib, info["fj"])
    wk = getattr(lib, info["fj"] + "_work")
    ll = ctypes.c_longlong
    sa, sr, si, sw = ll(), ll(), ll(), ll()
    wk(ctypes.byref(sa), ctypes.byref(sr), ctypes.byref(si), ctypes.byref(sw))
    D = ctypes.c_double
    xin = (D * max(ni, 1))(*at)
    pin = (D * max(np_, 1))(*(params or [0.0]))
    y = (D * no)()
    jv = (D * max(info["nnz"], 1))()
    arg = (ctypes.POINTER(D) * max(sa.value, 2))()
    res = (ctypes.POINTER(D) * max(sr.value, 2))()
    arg[0] = ctypes.cast(xin, ctypes.POINTER(D))
    arg[1] = ctypes.cast(pin, ctypes.POINTER(D))
    res[0] = ctypes.cast(y, ctypes.POINTER(D))
    res[1] = ctypes.cast(jv, ctypes.POINTER(D))
    iw = (ll * (si.value + 1))()
    w = (D * (sw.value + 1))()
    if fn(arg, res, iw, w, 0) != 0:
        raise RuntimeError("casadi function returned non-zero")
    J = [[0.0] * ni for _ in range(no)]
    for e, (r_, c_) in enumerate(zip(info["rows"], info["cols"])):
        J[r_][c_] = jv[e]
    return list(y), J


# --------------------------------------------------------------------------------------
# JAX
# --------------------------------------------------------------------------------------

def jax_function(nodes, outs):
    import jax.numpy as jnp
    import jax.scipy.special as jss

    def fmin(a, b):  # C: (b < a || a != a) ? b : a
        return jnp.where((b < a) | (a != a), b, a)

    def fmax(a, b):
        return jnp.where((b > a) | (a != a), b, a)

    lib = {
        "const": lambda c: jnp.float64(c),
        "sqrt": jnp.sqrt, "exp": jnp.exp, "log": jnp.log, "sin": jnp.sin, "cos": jnp.cos,
        "tan": jnp.tan, "asin": jnp.arcsin, "acos": jnp.arccos, "atan": jnp.arctan,
        "sinh": jnp.sinh, "cosh": jnp.cosh, "tanh": jnp.tanh, "asinh": jnp.arcsinh,
        "acosh": jnp.arccosh, "atanh": jnp.arctanh, "fabs": jnp.abs, "erf": jss.erf,
        "erfc": jss.erfc, "cbrt": jnp.cbrt, "log10": jnp.log10, "log2": jnp.log2,
        "exp2": jnp.exp2, "expm1": jnp.expm1, "log1p": jnp.log1p, "atan2": jnp.arctan2,
        "pow": jnp.power, "hypot": jnp.hypot, "fmin": fmin, "fmax": fmax,
    }

    def f(x, p):
        ys = evaluate(nodes, outs, [x[i] for i in range(x.shape[0])],
                      [p[k] for k in range(p.shape[0])], lib)
        return jnp.stack([jnp.asarray(v, dtype=jnp.float64) * jnp.ones((), jnp.float64)
                          for v in ys])
    return f


def time_jax_calls(calls, min_time, reps):
    """calls: {key: thunk returning a result to block on}. Calibrate, interleave, best.
    Every call is waited for (block_until_ready) before the next is dispatched: no overlap
    of Python dispatch on one thread with execution on another (one core), and the
    per-call overhead is counted, as in an application that uses the result."""
    import jax
    iters, best = {}, {}
    for key, fn in calls.items():
        jax.block_until_ready(fn())  # compile + warm-up
        jax.block_until_ready(fn())
        it = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(it):
                jax.block_until_ready(fn())
            t = time.perf_counter() - t0
            if t >= min_time:
                break
            it = int(it * min(16.0, max(1.5, 1.2 * min_time / max(t, 1e-9)))) + 1
        iters[key], best[key] = it, float("inf")
    for _ in range(reps):
        for key, fn in calls.items():
            t0 = time.perf_counter()
            for _ in range(iters[key]):
                jax.block_until_ready(fn())
            best[key] = min(best[key], (time.perf_counter() - t0) / iters[key])
    return best


# --------------------------------------------------------------------------------------

def max_rel_diff(a_out, a_jac, b_out, b_jac):
    """max |a - b| / max(|b|, 1e-12 * max|b|) over outputs and Jacobian entries."""
    def md(a, b):
        flat_b = [abs(v) for v in b]
        floor = 1e-12 * max(flat_b + [1e-300])
        return max([abs(x - y) / max(abs(y), floor) for x, y in zip(a, b)] + [0.0])
    fa = [v for row in a_jac for v in row]
    fb = [v for row in b_jac for v in row]
    return max(md(list(a_out), list(b_out)), md(fa, fb))


def short_name(source):
    path, _, fn = source.partition(":")
    base = os.path.splitext(os.path.basename(path))[0]
    return fn if fn else base



# --------------------------------------------------------------------------------------
# alphagrad: the product's default order (search, measured objective), its C code
# --------------------------------------------------------------------------------------

def alphagrad_search(alphagrad, source, seconds, json_path, reuse):
    """`alphagrad search SOURCE --time S --json --quiet` (objective: measured, the
    default for C kernels); its JSON (the last line of stdout), cached in json_path."""
    if reuse and os.path.exists(json_path):
        with open(json_path) as fh:
            return json.load(fh)
    out = run_cli(alphagrad, ["search", source, "--time", "%g" % seconds, "--json", "--quiet"])
    d = json.loads(out.strip().splitlines()[-1])
    with open(json_path, "w") as fh:
        json.dump(d, fh)
    return d


def alphagrad_build(alphagrad, source, order, fname, workdir, name, cc, cflags):
    """codegen with --order @FILE, compiled with the same compiler and flags as CasADi's."""
    ofile = os.path.join(workdir, name + ".order")
    with open(ofile, "w") as fh:
        fh.write(" ".join(str(v) for v in order) + "\n")
    gen = os.path.join(workdir, name + "_ag.c")
    run_cli(alphagrad, ["codegen", source, "--order", "@" + ofile, "--function", fname,
                        "-o", gen])
    so = os.path.join(workdir, name + "_ag.so")
    cmd = [cc] + shlex.split(cflags) + ["-o", so, gen, "-lm"]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("compile failed: %s\n%s" % (" ".join(cmd), r.stderr))
    import ctypes
    lib = ctypes.CDLL(so)
    nent = ctypes.c_int.in_dll(lib, fname + "_nentries").value
    rows = list((ctypes.c_int * max(nent, 1)).in_dll(lib, fname + "_rows"))[:nent]
    cols = list((ctypes.c_int * max(nent, 1)).in_dll(lib, fname + "_cols"))[:nent]
    return {"gen": gen, "so": so, "fname": fname, "nnz": nent, "rows": rows, "cols": cols,
            "compile_s": time.time() - t0, "ops": count_ops_ag(gen, fname)}


def alphagrad_eval_so(info, ni, np_, no, at, params):
    import ctypes
    lib = ctypes.CDLL(info["so"])
    fn = getattr(lib, info["fname"])
    D = ctypes.c_double
    xin = (D * max(ni, 1))(*at)
    pin = (D * max(np_, 1))(*(params or [0.0]))
    y = (D * no)()
    jv = (D * max(info["nnz"], 1))()
    fn(xin, pin, y, jv)
    J = [[0.0] * ni for _ in range(no)]
    for e, (r_, c_) in enumerate(zip(info["rows"], info["cols"])):
        J[r_][c_] = jv[e]
    return list(y), J


# --------------------------------------------------------------------------------------
# a rough count of the floating-point operations of one element's generated code
# --------------------------------------------------------------------------------------

_HEXLIT = re.compile(r"-?0x[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?p[+-]?\d+")
_DECLIT = re.compile(r"(?<![\w.])\d+\.?\d*(?:[eE][+-]?\d+)?")
_CALL = re.compile(r"\b(sqrt|exp|log|sin|cos|tan|asin|acos|atan|sinh|cosh|tanh|asinh|acosh|"
                   r"atanh|fabs|erf|erfc|cbrt|log10|log2|exp2|expm1|log1p|atan2|pow|hypot|"
                   r"fmin|fmax|casadi_sq|casadi_sign|casadi_fmin|casadi_fmax)\s*\(")


def count_ops_text(body):
    """(arithmetic operators + - * /, math calls, comparisons/selects) of C text."""
    t = _HEXLIT.sub("C", body)
    t = _DECLIT.sub("C", t)
    t = re.sub(r"\[[^\]]*\]", "", t)          # indices
    t = re.sub(r"\((?:const )?double\)", "", t)  # casts
    t = t.replace("+=", "+").replace("-=", "-").replace("*=", "*").replace("/=", "/")
    arith = len(re.findall(r"[-+*/]", re.sub(r"/\*.*?\*/", "", t, flags=re.S)))
    calls = len(_CALL.findall(t))
    cmp_ = len(re.findall(r"[<>]|==|!=|\?", t))
    return {"arith": arith, "calls": calls, "cmp": cmp_}


def count_ops_ag(gen, fname):
    """Operations of the single-element function NAME_one, by part: primal (vN), partials
    (dN), accumulation (tN, jac[...] lines)."""
    with open(gen) as fh:
        lines = fh.read().splitlines()
    i = next(i for i, ln in enumerate(lines) if re.search(r"\b%s_one\(" % re.escape(fname), ln))
    parts = {"primal": [], "partials": [], "accumulate": []}
    for ln in lines[i + 1:]:
        if ln == "}":
            break
        s = ln.strip()
        m = re.match(r"(?:const )?double ([a-z])\d+ = (.*);$", s)
        if m:
            key = {"v": "primal", "d": "partials"}.get(m.group(1), "accumulate")
            parts[key].append(m.group(2))
        elif re.match(r"\w+(\[\d+\])? [-+*/]?= ", s):
            parts["accumulate"].append(s.split("=", 1)[1])
    res = {}
    for key, exprs in parts.items():
        c = count_ops_text("\n".join(exprs))
        c["statements"] = len(exprs)
        res[key] = c
    res["total_flops"] = sum(res[k]["arith"] + res[k]["calls"] for k in parts)
    return res


def count_ops_casadi(src, sym):
    """Operations of CasADi's generated function for symbol sym (the static casadi_fN it
    calls)."""
    with open(src) as fh:
        text = fh.read()
    m = re.search(r"int %s\(const casadi_real\*\* arg.*?\{\s*return (casadi_f\d+)\(" % re.escape(sym),
                  text, re.S)
    if not m:
        return None
    inner = m.group(1)
    m2 = re.search(r"static int %s\(.*?\)\s*\{(.*?)\n\}" % inner, text, re.S)
    if not m2:
        return None
    body = m2.group(1)
    stmts = [ln.split("=", 1)[1] for ln in body.split(";") if re.search(r"\b[aw]\d+\s*=", ln)]
    c = count_ops_text("\n".join(stmts))
    c["statements"] = len(stmts)
    c["total_flops"] = c["arith"] + c["calls"]
    return c


# --------------------------------------------------------------------------------------

def geomean(v):
    v = [x for x in v if x and x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in v) / len(v)) if v else float("nan")


def dense_batch(vals, rows, cols, n, no, ni):
    """(n, nnz) entries -> (n, no, ni) dense."""
    import numpy as np
    D = np.zeros((n, no, ni))
    if len(rows):
        D[:, np.asarray(rows), np.asarray(cols)] = vals
    return D


def batch_rel_diff(A, B, floor=1e-6):
    """max |A - B| / max(|B|, floor * max|B of that element|) over all elements and entries
    of (n, ...) arrays. The floor keeps entries that are tiny against the element's largest
    (cancellation: RoeFlux_1d has entries of 2e-6 next to 8.7, whose last bits differ between
    any two correct evaluation orders) from failing a relative test at rounding level."""
    import numpy as np
    A = np.asarray(A).reshape(A.shape[0], -1)
    B = np.asarray(B).reshape(B.shape[0], -1)
    big = np.max(np.abs(np.nan_to_num(B)), axis=1, keepdims=True)
    scale = np.maximum(np.abs(B), floor * big + 1e-300)
    d = np.abs(A - B) / scale
    d[np.isnan(A) & np.isnan(B)] = 0.0
    return float(np.nanmax(d)) if d.size else 0.0, bool(np.isnan(d).any())


def batch_check_pair(A, B):
    """(check value: floor 1e-6, strict entrywise value: floor 1e-12)."""
    return batch_rel_diff(A, B)[0], batch_rel_diff(A, B, 1e-12)[0]


def print_table(hdr, rows):
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(hdr)]
    print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(hdr)) + " |")
    print("|" + "|".join("-" * (w[i] + 2) for i in range(len(hdr))) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i])
                                for i, c in enumerate(r)) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="+", metavar="SOURCE", help="file.c or file.c:function")
    ap.add_argument("--cflags", default=DEFAULT_CFLAGS,
                    help="flags for both tools' C code (default: alphagrad's JIT flags)")
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON")
    ap.add_argument("--n", type=int, default=4104, help="batch size (elements)")
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per repetition")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (best is reported)")
    ap.add_argument("--search-time", type=float, default=4.0,
                    help="alphagrad search --time (the measured objective picks the order)")
    ap.add_argument("--reuse-search", action="store_true",
                    help="reuse WORKDIR/NAME.search.json from an earlier run if present")
    ap.add_argument("--alphagrad", default=os.path.join(ROOT, "build", "bin", "alphagrad"))
    ap.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    ap.add_argument("--skip-jax", action="store_true")
    ap.add_argument("--cpu", type=int, default=None,
                    help="pin the process, its threads and the harness to this CPU (default: "
                         "the highest-numbered CPU it may run on; -1: no pinning). XLA's CPU "
                         "runtime runs work on a thread pool whatever XLA_FLAGS say; pinning "
                         "keeps JAX on one core")
    args = ap.parse_args()
    if args.cpu is None:
        args.cpu = max(os.sched_getaffinity(0))

    import numpy as np
    import casadi
    workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="ag-peers-"))
    os.makedirs(workdir, exist_ok=True)
    print("# workdir %s, pinned to CPU %s, n %d, cc %s %s" % (
        workdir, args.cpu if args.cpu >= 0 else "none", args.n, args.cc, args.cflags), flush=True)
    print("# casadi %s, AG_JIT_CACHE=%s" % (casadi.__version__, os.environ.get("AG_JIT_CACHE")),
          flush=True)

    ks = []
    failed = False

    def check(label, err, extra=""):
        nonlocal failed
        ok = err <= TOL
        failed |= not ok
        print("check %-34s max rel diff %.2e  %s%s" % (label, err, "OK" if ok else "FAIL", extra),
              flush=True)
        return err

    # ---------------- alphagrad order (search, unpinned: it times on this machine) ------
    for idx, src in enumerate(args.sources):
        name = "k%d_%s" % (idx, re.sub(r"\W", "_", short_name(src)))
        gi = graph_info(args.alphagrad, src)
        t0 = time.time()
        sr = alphagrad_search(args.alphagrad, src, args.search_time,
                              os.path.join(workdir, name + ".search.json"), args.reuse_search)
        print("# %s: search %.1f s, picked %s (its timing: ns %.1f, ns_batch %.1f, ns_one %.1f,"
              " fwd %.1f, rev %.1f)" % (src, time.time() - t0, sr.get("picked"), sr["ns"],
                                       sr["ns_batch"], sr["ns_one"], sr["fwd_ns"], sr["rev_ns"]),
              flush=True)
        ks.append(dict(source=src, name=name, kernel=short_name(src), search=sr, **gi))

    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})

    for idx, k in enumerate(ks):
        src, name = k["source"], k["name"]
        fname = "agk_" + name
        ag = alphagrad_build(args.alphagrad, src, k["search"]["order"], fname, workdir, name,
                             args.cc, args.cflags)
        k["ag"] = ag
        nodes, outs = parse_generated(ag["gen"], k["ni"], k["np"], k["no"])
        at, params = test_point(src, k["ni"], k["np"])
        ref_out, ref_jac = alphagrad_jacobian(args.alphagrad, src, at, params)
        rng = np.random.default_rng(1234 + idx)
        n = args.n
        # element-major data: the point, perturbed by up to +-1% per element
        X = np.asarray(at, dtype=np.float64)[None, :] * (1.0 + 0.01 * rng.uniform(-1, 1, (n, k["ni"])))
        X[0] = at
        P = np.tile(np.asarray(params, dtype=np.float64), (n, 1)).reshape(n, k["np"])
        k.update(nodes=nodes, outs=outs, at=at, params=params, ref_out=ref_out,
                 ref_jac=ref_jac, X=X, P=P)
        k["xin"] = os.path.join(workdir, name + "_in.bin")
        k["pin"] = os.path.join(workdir, name + "_p.bin")
        X.tofile(k["xin"])
        P.tofile(k["pin"])
        print("# %s: %d inputs, %d params, %d outputs, %d vertices, %d primal nodes parsed, "
              "alphagrad %d entries (compile %.1f s)" % (src, k["ni"], k["np"], k["no"],
                                                         k["vertices"], len(nodes), ag["nnz"],
                                                         ag["compile_s"]), flush=True)
        y, J = alphagrad_eval_so(ag, k["ni"], k["np"], k["no"], at, params)
        k["check_ag_point"] = check("alphagrad C %s vs interpreter" % k["kernel"],
                                    max_rel_diff(y, J, ref_out, ref_jac))

    # ---------------- CasADi code ----------------
    for k in ks:
        info = casadi_build(k["name"], k["nodes"], k["outs"], k["ni"], k["np"], workdir,
                            args.cc, args.cflags)
        info["ops"] = count_ops_casadi(os.path.join(workdir, k["name"] + "_casadi.c"), info["fj"])
        k["casadi"] = info
        y, J = casadi_eval_so(info, k["ni"], k["np"], k["no"], k["at"], k["params"])
        k["check_casadi_point"] = check("casadi %s vs alphagrad" % k["kernel"],
                                        max_rel_diff(y, J, k["ref_out"], k["ref_jac"]),
                                        "  (nnz %d, compile %.1f s)" % (info["nnz"],
                                                                        info["compile_s"]))

    # ---------------- harness: both C codes in one process ----------------
    harness = os.path.join(workdir, "harness")
    r = subprocess.run([args.cc, "-O2", "-o", harness, os.path.join(HERE, "harness.c"), "-ldl"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("harness compile failed:\n" + r.stderr)
    cfg = os.path.join(workdir, "harness.cfg")
    with open(cfg, "w") as fh:
        fh.write("# min_time %g\n# reps %d\n" % (args.min_time, args.reps))
        for k in ks:
            c, a = k["casadi"], k["ag"]
            fh.write("casadi %s %s %s %s %d %d %d %d %d %s %s\n" % (
                k["name"], c["so"], c["fj"], c["f"], k["ni"], k["np"], k["no"], c["nnz"],
                args.n, k["xin"], k["pin"]))
            fh.write("alphagrad %s %s %s %d %d %d %d %d %s %s\n" % (
                k["name"], a["so"], a["fname"], k["ni"], k["np"], k["no"], a["nnz"],
                args.n, k["xin"], k["pin"]))
    dumpdir = os.path.join(workdir, "dump")
    os.makedirs(dumpdir, exist_ok=True)
    r = subprocess.run([harness, cfg, "dump", dumpdir], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("harness dump failed:\n" + r.stdout + r.stderr)
    for k in ks:
        n, no, ni = args.n, k["no"], k["ni"]
        ld = lambda tool, mode, w: np.fromfile(os.path.join(
            dumpdir, "%s_%s_%s_%s.bin" % (tool, k["name"], mode, w)))
        a, c = k["ag"], k["casadi"]
        agY = ld("alphagrad", "batch", "out").reshape(n, no)
        agJ = dense_batch(ld("alphagrad", "batch", "jac").reshape(n, a["nnz"]), a["rows"],
                          a["cols"], n, no, ni)
        k["agY"], k["agJ"] = agY, agJ
        for mode in ("loop", "fbatch"):
            Y = ld("alphagrad", mode, "out").reshape(n, no)
            e = batch_rel_diff(Y, agY)[0]
            if mode == "loop":
                J = dense_batch(ld("alphagrad", mode, "jac").reshape(n, a["nnz"]), a["rows"],
                                a["cols"], n, no, ni)
                e = max(e, batch_rel_diff(J, agJ)[0])
            k["check_ag_" + mode] = check("alphagrad %s %s vs batch" % (mode, k["kernel"]), e)
        cY = ld("casadi", "loop", "out").reshape(n, no)
        cJ = dense_batch(ld("casadi", "loop", "jac").reshape(n, c["nnz"]), c["rows"], c["cols"],
                         n, no, ni)
        e1, s1 = batch_check_pair(cY, agY)
        e2, s2 = batch_check_pair(cJ, agJ)
        k["strict_casadi_batch"] = max(s1, s2)
        k["check_casadi_batch"] = check("casadi %s, %d elements, vs alphagrad" % (k["kernel"], n),
                                        max(e1, e2), "  (strict entrywise %.1e)" % max(s1, s2))
        nanfrac = float(np.isnan(agJ).any(axis=(1, 2)).mean())
        if nanfrac:
            print("# note: %s: %.1f%% of the elements have a NaN Jacobian entry" % (
                k["kernel"], 100 * nanfrac))

    print("# timing alphagrad and casadi C code (harness, one process, interleaved) ...",
          flush=True)
    r = subprocess.run([harness, cfg], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("harness failed:\n" + r.stdout + r.stderr)
    res = {}
    for ln in r.stdout.splitlines():
        f = ln.split()
        if f and f[0] == "RESULT":
            res[(f[1], f[2], f[3])] = float(f[4])
    for k in ks:
        k["ag_one_ns"] = res[("alphagrad", k["name"], "one")]
        k["ag_loop_ns"] = res[("alphagrad", k["name"], "loop")]
        k["ag_batch_ns"] = res[("alphagrad", k["name"], "batch")]
        k["ag_f_batch_ns"] = res[("alphagrad", k["name"], "fbatch")]
        k["casadi_one_ns"] = res[("casadi", k["name"], "one")]
        k["casadi_batch_ns"] = res[("casadi", k["name"], "loop")]
        k["casadi_f_batch_ns"] = res[("casadi", k["name"], "fbatch")]

    # ---------------- JAX ----------------
    if not args.skip_jax:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        print("# jax %s, XLA_FLAGS=%s" % (jax.__version__, os.environ.get("XLA_FLAGS")), flush=True)
        calls = {}
        for k in ks:
            t0 = time.time()
            f = jax_function(k["nodes"], k["outs"])
            fj_fwd = lambda x, p, f=f: (f(x, p), jax.jacfwd(f)(x, p))
            fj_rev = lambda x, p, f=f: (f(x, p), jax.jacrev(f)(x, p))
            fwd = jax.jit(jax.vmap(fj_fwd))
            rev = jax.jit(jax.vmap(fj_rev))
            fwd1 = jax.jit(fj_fwd)
            rev1 = jax.jit(fj_rev)
            prim = jax.jit(jax.vmap(f))
            X = jnp.asarray(k["X"])
            P = jnp.asarray(k["P"])
            x0, p0 = X[0], P[0]
            for mode, fn in (("fwd", fwd), ("rev", rev)):
                y, J = fn(X, P)
                y, J = np.asarray(y), np.asarray(J)
                e = max_rel_diff(y[0].tolist(), J[0].tolist(), k["ref_out"], k["ref_jac"])
                e1, s1 = batch_check_pair(y, k["agY"])
                e2, s2 = batch_check_pair(J, k["agJ"])
                k["strict_jax_" + mode] = max(s1, s2)
                k["check_jax_" + mode] = check("jax %s %s, %d elements, vs alphagrad" % (
                    mode, k["kernel"], args.n), max(e, e1, e2),
                    "  (strict entrywise %.1e)" % max(s1, s2))
            k["jax_build_s"] = time.time() - t0
            calls[(k["name"], "fwd")] = lambda fn=fwd, X=X, P=P: fn(X, P)
            calls[(k["name"], "rev")] = lambda fn=rev, X=X, P=P: fn(X, P)
            calls[(k["name"], "f")] = lambda fn=prim, X=X, P=P: fn(X, P)
            calls[(k["name"], "fwd1")] = lambda fn=fwd1, x=x0, p=p0: fn(x, p)
            calls[(k["name"], "rev1")] = lambda fn=rev1, x=x0, p=p0: fn(x, p)
        print("# timing jax ...", flush=True)
        best = time_jax_calls(calls, args.min_time, args.reps)
        for k in ks:
            k["jax_fwd_ns"] = 1e9 * best[(k["name"], "fwd")] / args.n
            k["jax_rev_ns"] = 1e9 * best[(k["name"], "rev")] / args.n
            k["jax_f_ns"] = 1e9 * best[(k["name"], "f")] / args.n
            k["jax_fwd_one_ns"] = 1e9 * best[(k["name"], "fwd1")]
            k["jax_rev_one_ns"] = 1e9 * best[(k["name"], "rev1")]
            k["jax_ns"] = min(k["jax_fwd_ns"], k["jax_rev_ns"])

    # ---------------- report ----------------
    def g(k, key, fmt="%.0f"):
        return fmt % k[key] if key in k else "-"
    for k in ks:
        k["ag_jf"] = k["ag_batch_ns"] / k["ag_f_batch_ns"]
        k["casadi_jf"] = k["casadi_batch_ns"] / k["casadi_f_batch_ns"]
        k["ratio_batch"] = k["casadi_batch_ns"] / k["ag_batch_ns"]
        k["ratio_one"] = k["casadi_one_ns"] / k["ag_one_ns"]
        k["ratio_loop"] = k["casadi_batch_ns"] / k["ag_loop_ns"]
        if "jax_ns" in k:
            k["jax_jf"] = k["jax_ns"] / k["jax_f_ns"]
            k["ratio_jax_batch"] = k["jax_ns"] / k["ag_batch_ns"]
        k["order_picked"] = k["search"].get("picked")

    print()
    print("Jacobian (outputs + all entries), ns per element:")
    hdr = ("kernel", "order", "ag one", "ag batch", "ag loop", "casadi one", "casadi batch",
           "jax fwd one", "jax rev one", "jax fwd batch", "jax rev batch",
           "casadi/ag one", "casadi/ag batch", "jax/ag batch")
    rows = [(k["kernel"], str(k["order_picked"]), g(k, "ag_one_ns"), g(k, "ag_batch_ns"),
             g(k, "ag_loop_ns"), g(k, "casadi_one_ns"), g(k, "casadi_batch_ns"),
             g(k, "jax_fwd_one_ns"), g(k, "jax_rev_one_ns"), g(k, "jax_fwd_ns"),
             g(k, "jax_rev_ns"), g(k, "ratio_one", "%.2f"), g(k, "ratio_batch", "%.2f"),
             g(k, "ratio_jax_batch", "%.2f")) for k in ks]
    gm = lambda key: geomean([k.get(key) for k in ks])
    rows.append(("geometric mean", "", "%.0f" % gm("ag_one_ns"), "%.0f" % gm("ag_batch_ns"),
                 "%.0f" % gm("ag_loop_ns"), "%.0f" % gm("casadi_one_ns"),
                 "%.0f" % gm("casadi_batch_ns"), "%.0f" % gm("jax_fwd_one_ns"),
                 "%.0f" % gm("jax_rev_one_ns"), "%.0f" % gm("jax_fwd_ns"),
                 "%.0f" % gm("jax_rev_ns"), "%.2f" % gm("ratio_one"), "%.2f" % gm("ratio_batch"),
                 "%.2f" % gm("ratio_jax_batch")))
    print_table(hdr, rows)
    print()
    print("Outputs only (batch), ns per element, and J/F = Jacobian batch / outputs-only batch:")
    hdr = ("kernel", "vertices", "ag F", "ag J/F", "casadi F", "casadi J/F", "jax F",
           "jax J/F", "ag flops", "casadi flops", "search ns_batch")
    rows = [(k["kernel"], str(k["vertices"]), g(k, "ag_f_batch_ns"), g(k, "ag_jf", "%.2f"),
             g(k, "casadi_f_batch_ns"), g(k, "casadi_jf", "%.2f"), g(k, "jax_f_ns"),
             g(k, "jax_jf", "%.2f"), str(k["ag"]["ops"]["total_flops"]),
             str(k["casadi"]["ops"]["total_flops"] if k["casadi"]["ops"] else "-"),
             "%.0f" % k["search"]["ns_batch"]) for k in ks]
    rows.append(("geometric mean", "", "%.0f" % gm("ag_f_batch_ns"), "%.2f" % gm("ag_jf"),
                 "%.0f" % gm("casadi_f_batch_ns"), "%.2f" % gm("casadi_jf"),
                 "%.0f" % gm("jax_f_ns"), "%.2f" % gm("jax_jf"), "", "", ""))
    print_table(hdr, rows)
    print("(one: a single element, the same one over and over; batch: %d elements, alphagrad "
          "_batch on structure of arrays, CasADi one call per element (element-major), JAX "
          "jit(vmap); ag loop: alphagrad's single-element function called per element like "
          "CasADi; jax batch = min over jacfwd/jacrev in J/F; flops: + - * / and math calls in "
          "one element's generated code; best of %d interleaved repetitions of >= %.2g s)"
          % (args.n, args.reps, args.min_time))

    if args.json:
        keep = ("source", "kernel", "ni", "np", "no", "vertices", "order_picked",
                "ag_one_ns", "ag_batch_ns", "ag_loop_ns", "ag_f_batch_ns", "ag_jf",
                "casadi_one_ns", "casadi_batch_ns", "casadi_f_batch_ns", "casadi_jf",
                "jax_fwd_ns", "jax_rev_ns", "jax_f_ns", "jax_fwd_one_ns", "jax_rev_one_ns",
                "jax_ns", "jax_jf", "ratio_one", "ratio_batch", "ratio_loop", "ratio_jax_batch",
                "check_ag_point", "check_ag_loop", "check_ag_fbatch", "check_casadi_point",
                "check_casadi_batch", "check_jax_fwd", "check_jax_rev", "strict_casadi_batch",
                "strict_jax_fwd", "strict_jax_rev", "jax_build_s")
        out = {"n": args.n, "reps": args.reps, "min_time_s": args.min_time,
               "cflags": args.cflags, "cc": args.cc, "casadi": casadi.__version__,
               "kernels": []}
        for k in ks:
            d = {key: k[key] for key in keep if key in k}
            d["search"] = {key: v for key, v in k["search"].items() if key != "order"}
            d["ag_jac_nnz"] = k["ag"]["nnz"]
            d["ag_compile_s"] = k["ag"]["compile_s"]
            d["ag_ops"] = k["ag"]["ops"]
            d["casadi_jac_nnz"] = k["casadi"]["nnz"]
            d["casadi_compile_s"] = k["casadi"]["compile_s"]
            d["casadi_ops"] = k["casadi"]["ops"]
            d["casadi_instructions"] = k["casadi"]["casadi_ops"]
            out["kernels"].append(d)
        out["geomean"] = {key: gm(key) for key in (
            "ag_one_ns", "ag_batch_ns", "casadi_one_ns", "casadi_batch_ns", "jax_fwd_ns",
            "jax_rev_ns", "ratio_one", "ratio_batch", "ratio_jax_batch", "ag_jf",
            "casadi_jf", "jax_jf")}
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    if failed:
        print("bench_peers: a correctness check FAILED", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
