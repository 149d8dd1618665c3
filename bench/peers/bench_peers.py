#!/usr/bin/env python3
"""Peers benchmark: the generated code of CasADi and JAX on alphagrad's kernels.

For every SOURCE (`file.c` or `file.c:function`, a kernel in alphagrad's C subset) the
script reads the kernel's primal program from `alphagrad codegen` output (the
`const double vN = EXPR;` and `out[J] = vN;` lines of the `_one` function; everything
else there, the derivative code, is ignored), builds the same function as a CasADi SX
expression and as a JAX function, and times

  CasADi  C code from casadi.CodeGenerator of Function('fj', [x, p], [y, jacobian(y, x)])
          and of Function('f', [x, p], [y]), compiled with gcc (--cflags), called from
          harness.c (one process for all kernels): single element, 4096 elements
          (element-major), outputs only over 4096 elements;
  JAX     jit(vmap(x, p -> (f(x, p), jacfwd(f)(x, p)))) and the same with jacrev, and
          jit(vmap(f)), float64, one CPU thread, batch of 4096 (compile time excluded).

It checks the CasADi C code's and JAX's outputs and Jacobian at one point against
`alphagrad jacobian SOURCE --at ... --json` (relative 1e-9), and prints a table.
Run with the venv of setup_venv.sh:
  /work/venv-peers/bin/python bench/peers/bench_peers.py [--cflags ...] [--json F] SOURCE...
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


def test_point(source, ni, np_):
    """The file's `alphagrad-test-point: ...` comment if it has ni values, else a
    deterministic point; parameters: the file's `peers-test-params: ...` comment if it has
    np values, else a deterministic positive vector (0.5, 0.55, 0.6, ...)."""
    path = source.split(":")[0]
    at = None
    with open(path) as fh:
        text = fh.read()
    m = re.search(r"alphagrad-test-point:([^*]*)", text)
    m2 = re.search(r"peers-test-params:([^*]*)", text)
    if m:
        vals = [float(v) for v in m.group(1).replace(" ", "").split(",") if v]
        if len(vals) == ni:
            at = vals
    if at is None:
        at = [0.3 + 0.1 * ((7 * i) % 11) / 10.0 * (1 if i % 3 else -1) for i in range(ni)]
    params = None
    if m2:
        vals = [float(v) for v in m2.group(1).replace(" ", "").split(",") if v]
        if len(vals) == np_:
            params = vals
    if params is None:
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="+", metavar="SOURCE", help="file.c or file.c:function")
    ap.add_argument("--cflags", default=DEFAULT_CFLAGS, help="flags for the CasADi C code")
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON")
    ap.add_argument("--n", type=int, default=4096, help="batch size (elements)")
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per repetition")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (best is reported)")
    ap.add_argument("--alphagrad", default=os.path.join(ROOT, "build", "bin", "alphagrad"))
    ap.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    ap.add_argument("--skip-jax", action="store_true")
    ap.add_argument("--skip-casadi", action="store_true")
    ap.add_argument("--cpu", type=int, default=None,
                    help="pin the process, its threads and the harness to this CPU (default: "
                         "the highest-numbered CPU it may run on; -1: no pinning). XLA's CPU "
                         "runtime runs work on a thread pool whatever XLA_FLAGS say; pinning "
                         "keeps JAX on one core")
    args = ap.parse_args()
    if args.cpu is None:
        args.cpu = max(os.sched_getaffinity(0))
    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})

    import numpy as np
    workdir = args.workdir or tempfile.mkdtemp(prefix="ag-peers-")
    os.makedirs(workdir, exist_ok=True)
    print("# workdir %s, pinned to CPU %s" % (workdir, args.cpu if args.cpu >= 0 else "none"),
          flush=True)

    ks = []
    failed = False
    for idx, src in enumerate(args.sources):
        name = "k%d_%s" % (idx, re.sub(r"\W", "_", short_name(src)))
        gi = graph_info(args.alphagrad, src)
        gen = os.path.join(workdir, name + "_ag.c")
        run_cli(args.alphagrad, ["codegen", src, "--function", "agk", "-o", gen])
        nodes, outs = parse_generated(gen, gi["ni"], gi["np"], gi["no"])
        at, params = test_point(src, gi["ni"], gi["np"])
        ag_out, ag_jac = alphagrad_jacobian(args.alphagrad, src, at, params)
        # element-major data: the point, perturbed by up to +-1% per element
        rng = np.random.default_rng(1234 + idx)
        n = args.n
        X = np.asarray(at, dtype=np.float64)[None, :] * (1.0 + 0.01 * rng.uniform(-1, 1, (n, gi["ni"])))
        X[0] = at
        P = np.tile(np.asarray(params, dtype=np.float64), (n, 1)).reshape(n, gi["np"])
        k = dict(source=src, name=name, kernel=short_name(src), nodes=nodes, outs=outs, at=at,
                 params=params, ag_out=ag_out, ag_jac=ag_jac, X=X, P=P, **gi)
        xin = os.path.join(workdir, name + "_in.bin")
        pin = os.path.join(workdir, name + "_p.bin")
        X.tofile(xin)
        P.tofile(pin)
        k["xin"], k["pin"] = xin, pin
        ks.append(k)
        print("# %s: %d inputs, %d params, %d outputs, %d vertices, %d primal nodes parsed"
              % (src, gi["ni"], gi["np"], gi["no"], gi["vertices"], len(nodes)), flush=True)

    # ---------------- CasADi ----------------
    if not args.skip_casadi:
        import casadi
        print("# casadi %s, cc %s %s" % (casadi.__version__, args.cc, args.cflags), flush=True)
        for k in ks:
            info = casadi_build(k["name"], k["nodes"], k["outs"], k["ni"], k["np"], workdir,
                                args.cc, args.cflags)
            k["casadi"] = info
            y, J = casadi_eval_so(info, k["ni"], k["np"], k["no"], k["at"], k["params"])
            err = max_rel_diff(y, J, k["ag_out"], k["ag_jac"])
            ok = err <= TOL
            failed |= not ok
            k["casadi_check"] = err
            print("check casadi %-28s max rel diff to alphagrad %.2e  %s  (Jacobian nnz %d, "
                  "compile %.1f s)" % (k["kernel"], err, "OK" if ok else "FAIL", info["nnz"],
                                        info["compile_s"]), flush=True)
        harness = os.path.join(workdir, "harness")
        r = subprocess.run([args.cc, "-O2", "-o", harness, os.path.join(HERE, "harness.c"), "-ldl"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("harness compile failed:\n" + r.stderr)
        cfg = os.path.join(workdir, "harness.cfg")
        with open(cfg, "w") as fh:
            fh.write("# min_time %g\n# reps %d\n" % (args.min_time, args.reps))
            for k in ks:
                c = k["casadi"]
                fh.write("%s %s %s %s %d %d %d %d %d %s %s\n" % (
                    k["name"], c["so"], c["fj"], c["f"], k["ni"], k["np"], k["no"], c["nnz"],
                    args.n, k["xin"], k["pin"]))
        print("# timing casadi (harness, one process) ...", flush=True)
        r = subprocess.run([harness, cfg], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("harness failed:\n" + r.stdout + r.stderr)
        res = {}
        for ln in r.stdout.splitlines():
            f = ln.split()
            if f and f[0] == "RESULT":
                res[(f[1], f[2])] = float(f[3])
        for k in ks:
            k["casadi_one_ns"] = res[(k["name"], "one")]
            k["casadi_batch_ns"] = res[(k["name"], "batch")]
            k["casadi_f_batch_ns"] = res[(k["name"], "fbatch")]

    # ---------------- JAX ----------------
    if not args.skip_jax:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        print("# jax %s, XLA_FLAGS=%s" % (jax.__version__, os.environ.get("XLA_FLAGS")), flush=True)
        calls = {}
        for k in ks:
            f = jax_function(k["nodes"], k["outs"])
            fwd = jax.jit(jax.vmap(lambda x, p, f=f: (f(x, p), jax.jacfwd(f)(x, p))))
            rev = jax.jit(jax.vmap(lambda x, p, f=f: (f(x, p), jax.jacrev(f)(x, p))))
            prim = jax.jit(jax.vmap(f))
            X = jnp.asarray(k["X"])
            P = jnp.asarray(k["P"])
            # check at the point (element 0)
            for mode, fn in (("jacfwd", fwd), ("jacrev", rev)):
                y, J = fn(X[:1], P[:1])
                err = max_rel_diff(np.asarray(y[0]).tolist(), np.asarray(J[0]).tolist(),
                                   k["ag_out"], k["ag_jac"])
                ok = err <= TOL
                failed |= not ok
                k["jax_check_" + mode] = err
                print("check jax %s %-26s max rel diff to alphagrad %.2e  %s"
                      % (mode, k["kernel"], err, "OK" if ok else "FAIL"), flush=True)
            calls[(k["name"], "fwd")] = lambda fn=fwd, X=X, P=P: fn(X, P)
            calls[(k["name"], "rev")] = lambda fn=rev, X=X, P=P: fn(X, P)
            calls[(k["name"], "f")] = lambda fn=prim, X=X, P=P: fn(X, P)
        print("# timing jax ...", flush=True)
        best = time_jax_calls(calls, args.min_time, args.reps)
        for k in ks:
            k["jax_fwd_ns"] = 1e9 * best[(k["name"], "fwd")] / args.n
            k["jax_rev_ns"] = 1e9 * best[(k["name"], "rev")] / args.n
            k["jax_f_ns"] = 1e9 * best[(k["name"], "f")] / args.n
            k["jax_ns"] = min(k["jax_fwd_ns"], k["jax_rev_ns"])
            k["jax_mode"] = "fwd" if k["jax_fwd_ns"] <= k["jax_rev_ns"] else "rev"

    # ---------------- report ----------------
    def g(k, key, fmt="%.0f"):
        return fmt % k[key] if key in k else "-"
    hdr = ("kernel", "vertices", "casadi ns one", "casadi ns batch", "casadi F ns batch",
           "casadi J/F", "jax ns batch")
    rows = []
    for k in ks:
        if "casadi_batch_ns" in k:
            k["casadi_jf"] = k["casadi_batch_ns"] / k["casadi_f_batch_ns"]
        jx = g(k, "jax_ns") + (" (%s)" % k["jax_mode"] if "jax_mode" in k else "")
        rows.append((k["kernel"], str(k["vertices"]), g(k, "casadi_one_ns"),
                     g(k, "casadi_batch_ns"), g(k, "casadi_f_batch_ns"),
                     g(k, "casadi_jf", "%.2f"), jx))
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(hdr)]
    line = "| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(hdr)) + " |"
    print()
    print(line)
    print("|" + "|".join("-" * (w[i] + 2) for i in range(len(hdr))) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i])
                                for i, c in enumerate(r)) + " |")
    print("(ns per element; batch: %d elements, element-major; best of %d interleaved "
          "repetitions of >= %.2g s)" % (args.n, args.reps, args.min_time))

    if args.json:
        keep = ("source", "kernel", "ni", "np", "no", "vertices", "casadi_one_ns",
                "casadi_batch_ns", "casadi_f_batch_ns", "casadi_jf", "casadi_check",
                "jax_ns", "jax_mode", "jax_fwd_ns", "jax_rev_ns", "jax_f_ns",
                "jax_check_jacfwd", "jax_check_jacrev")
        out = {"n": args.n, "reps": args.reps, "min_time_s": args.min_time,
               "cflags": args.cflags, "cc": args.cc, "kernels": []}
        for k in ks:
            d = {key: k[key] for key in keep if key in k}
            if "casadi" in k:
                d["casadi_jac_nnz"] = k["casadi"]["nnz"]
                d["casadi_compile_s"] = k["casadi"]["compile_s"]
            out["kernels"].append(d)
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    if failed:
        print("bench_peers: a correctness check FAILED", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
