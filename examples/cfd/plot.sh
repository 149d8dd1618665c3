#!/usr/bin/env bash
# PNG pictures of the examples/cfd results with gnuplot, from the text dumps that sod and
# wedge write with -output DIR:
#   DIR/sod.png    the density profile of sod (cells) against the exact Riemann solution
#   DIR/wedge.png  the density of wedge as a colour map, with the exact shock line (theta-
#                  beta-Mach) from the corner and the measured mid-jump contour points
# Usage: plot.sh [--install] DIR
#   --install  install gnuplot (apt-get install -y gnuplot-nox) if it is missing; without it
#              a missing gnuplot is reported and the pictures are skipped (exit status 0).
set -eu
install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi
DIR=${1:?usage: plot.sh [--install] DIR (the -output directory of sod / wedge)}
[ -d "$DIR" ] || { echo "plot.sh: no directory $DIR" >&2; exit 1; }

if ! command -v gnuplot > /dev/null 2>&1; then
  if [ "$install" = 1 ]; then
    echo "plot.sh: installing gnuplot-nox"
    apt-get install -y gnuplot-nox > /dev/null || { apt-get update > /dev/null && apt-get install -y gnuplot-nox > /dev/null; }
  else
    echo "plot.sh: gnuplot is not installed: skipping the pictures (run plot.sh --install DIR, or apt-get install gnuplot-nox)"
    exit 0
  fi
fi
# a terminal for PNG: pngcairo if this gnuplot has it, else png (libgd)
if gnuplot -e "set terminal" 2>&1 | grep -q pngcairo; then TERM_PNG="pngcairo size 900,600"; else TERM_PNG="png size 900,600"; fi

made=0
if [ -f "$DIR/sod.dat" ]; then
  cells=$(awk '/^# sod:/ { print $3 }' "$DIR/sod.dat")
  t=$(awk '/^# sod:/ { print $7 }' "$DIR/sod.dat")
  gnuplot <<GP
set terminal $TERM_PNG
set output "$DIR/sod.png"
set title "Sod shock tube: density at t = $t ($cells cells, Roe flux, backward Euler)"
set xlabel "x"; set ylabel "density"; set key top right; set grid
plot "$DIR/sod_exact.dat" using 1:2 with lines lw 2 lc rgb "black" title "exact", \
     "$DIR/sod.dat" using 1:2 with points pt 7 ps 0.6 lc rgb "red" title "computed"
GP
  echo "plot.sh: $DIR/sod.png"
  made=1
fi
if [ -f "$DIR/wedge_density.dat" ] && [ -f "$DIR/wedge_info.txt" ]; then
  val() { awk -v k="$1" '$1 == k { print $2 }' "$DIR/wedge_info.txt"; }
  Lx=$(val Lx); Ly=$(val Ly); M=$(val mach); th=$(val theta); be=$(val beta_exact); bm=$(val beta_measured)
  nx=$(val nx); ny=$(val ny)
  gnuplot <<GP
set terminal $TERM_PNG
set output "$DIR/wedge.png"
set title sprintf("Wedge: Mach %s, theta %s deg, %sx%s cells: beta exact %.2f, measured %.2f deg", "$M", "$th", "$nx", "$ny", $be, $bm)
set xlabel "x"; set ylabel "y (wall at y = 0)"
set xrange [0:$Lx]; set yrange [0:$Ly]; set size ratio -1
set palette rgbformulae 33,13,10; set cblabel "density"
set key top left box opaque
a = ($be - $th) * pi / 180
plot "$DIR/wedge_density.dat" using 1:2:3 with image notitle, \
     [0:$Lx] x * tan(a) with lines lw 2 lc rgb "white" title "exact shock (theta-beta-Mach)", \
     "$DIR/wedge_shock.dat" using 1:2 with points pt 6 ps 0.8 lc rgb "black" title "measured mid-jump contour"
GP
  echo "plot.sh: $DIR/wedge.png"
  made=1
fi
[ "$made" = 1 ] || { echo "plot.sh: no sod.dat or wedge_density.dat in $DIR (run sod / wedge with -output $DIR)" >&2; exit 1; }
