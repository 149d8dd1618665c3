#!/usr/bin/env bash
# Training curves from an `alphagrad train --log LOG.csv` file as a PNG (gnuplot):
#   top: the loss terms (total, policy, value) per episode;
#   bottom: per graph, the best self-play cost and the evaluation cost (points, when
#   --eval-every was given) against the forward, reverse and Markowitz baselines (lines).
# usage: scripts/plot_training.sh LOG.csv OUT.png
# Exits 0 with a message when gnuplot is missing (nothing written), 2 on usage errors.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 LOG.csv OUT.png" >&2
  exit 2
fi
log=$1 out=$2
if [ ! -r "$log" ]; then
  echo "plot_training: cannot read $log" >&2
  exit 1
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "plot_training: gnuplot not found (Debian: apt-get install gnuplot-nox); no plot written" >&2
  exit 0
fi
header=$(head -n 1 "$log")
case "$header" in
  episode,graph,steps,loss,*) ;;
  *) echo "plot_training: $log is not an alphagrad train log (header: $header)" >&2; exit 1 ;;
esac
# graph names from the best_<name> columns
graphs=$(printf '%s\n' "$header" | tr ',' '\n' | sed -n 's/^best_//p')
ng=$(printf '%s\n' "$graphs" | grep -c .)
if [ "$(wc -l <"$log")" -lt 2 ]; then
  echo "plot_training: $log has no rows" >&2
  exit 1
fi
{
  echo "set terminal pngcairo size 1200,$(( 300 * (ng + 1) )) noenhanced font ',10'"
  echo "set output '$out'"
  echo "set datafile separator ','"
  echo "set key outside right top"
  echo "set grid"
  echo "set multiplot layout $((ng + 1)),1 title 'alphagrad train: $(basename "$log")'"
  echo "set xlabel 'episode'"
  echo "set ylabel 'loss'"
  echo "plot '$log' using 'episode':'loss' with lines lw 2 title 'loss', \
'' using 'episode':'loss_policy' with lines title 'policy', \
'' using 'episode':'loss_value' with lines title 'value'"
  echo "set ylabel 'multiplications'"
  echo "set offsets 0, 0, graph 0.05, graph 0.05"
  for g in $graphs; do
    echo "set title '$g'"
    echo "plot '$log' using 'episode':'best_$g' with steps lw 2 title 'best self-play', \
'' using 'episode':'eval_$g' with linespoints pt 7 title 'eval', \
'' using 'episode':'forward_$g' with lines dt 2 title 'forward', \
'' using 'episode':'reverse_$g' with lines dt 3 title 'reverse', \
'' using 'episode':'markowitz_$g' with lines dt 4 title 'Markowitz'"
  done
  echo "unset multiplot"
} | gnuplot
echo "wrote $out"
