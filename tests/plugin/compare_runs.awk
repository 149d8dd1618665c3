# compare_runs.awk: compares the output of a PETSc run with alphagrad (file B) against the
# same run with another Jacobian (file A), line by line: the lines must match word for word
# (so the same Newton and linear iterations, convergence reasons, solver views), numbers
# within a relative tolerance tol (-v tol=1e-3: what -snes_monitor_short prints of two
# Jacobians that agree to rounding) or both below floor (-v floor=1e-7, relative to the first
# number of the run: converged norms where finite differences' error shows). The lines in
# which the two runs name their Jacobian are dropped (-snes_view). Prints the largest relative
# difference of the compared numbers; exit 1 on the first mismatch, with both lines.
# ("allocated nonzeros" is not compared: a matrix assembled through PETSc's COO interface
# reports 0 there; the nonzeros themselves are.)
# usage: awk -v tol=1e-3 -v floor=1e-7 -f compare_runs.awk A B
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?[,.:;)]?$/ }
function clean(s) { sub(/[,.:;)]$/, "", s); return s + 0 }
function keep(line) {
  if (line ~ /Jacobian is built/ || line ~ /kernel .*: [0-9]+ multiplications/ ||
      line ~ /^ *backend [a-z]+; [0-9]+ Jacobians/) return 0
  return 1
}
function next_line(file,    line, r) {
  while ((r = (getline line < file)) > 0) {
    if (keep(line)) {
      gsub(/Jacobian by alphagrad \(exact, vertex elimination\) /, "", line)
      gsub(/, allocated nonzeros=[0-9]+/, "", line) # PETSc's COO assembly reports 0 allocated
      return line
    }
  }
  return r == 0 ? "\001EOF" : "\001ERR"
}
BEGIN {
  if (ARGC != 3) { print "usage: awk -f compare_runs.awk A B"; exit 2 }
  a = ARGV[1]; b = ARGV[2]; ARGC = 1
  if (tol == "") tol = 1e-3
  if (floor == "") floor = 1e-7
  worst = 0; first = 0; n = 0
  while (1) {
    la = next_line(a); lb = next_line(b); n++
    if (la == "\001EOF" && lb == "\001EOF") break
    na = split(la, wa); nb = split(lb, wb)
    bad = (na != nb)
    for (i = 1; i <= na && !bad; i++) {
      if (isnum(wa[i]) && isnum(wb[i])) {
        x = clean(wa[i]); y = clean(wb[i])
        if (first == 0 && x != 0) first = (x < 0 ? -x : x)
        m = (x < 0 ? -x : x); if ((y < 0 ? -y : y) > m) m = (y < 0 ? -y : y)
        d = x - y; if (d < 0) d = -d
        if (m > floor * first && m > 0) { r = d / m; if (r > worst) worst = r; if (r > tol) bad = 1 }
      } else if (wa[i] != wb[i]) bad = 1
    }
    if (bad) { printf "line %d differs:\n  %s\n  %s\n", n, la, lb; exit 1 }
  }
  printf "%d lines agree; largest relative difference %.3g\n", n - 1, worst
}
