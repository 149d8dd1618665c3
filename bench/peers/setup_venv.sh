#!/bin/sh
# Create (or reuse) the virtual environment used only by bench/peers/bench_peers.py.
# Idempotent: re-running it only installs what is missing. The product never depends on it.
set -eu
VENV="${VENV_PEERS:-/work/venv-peers}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install casadi jax jaxlib numpy
"$VENV/bin/python" -c 'import casadi, jax, numpy; print("casadi", casadi.__version__, "jax", jax.__version__, "numpy", numpy.__version__)'
