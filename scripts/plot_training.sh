#!/usr/bin/env bash
# Training curves from an `alphagrad train --log LOG.csv` file as a PNG (gnuplot):
#   top: the loss terms (total, policy, value) per episode;
#   then, over all graphs, the mean of (cost / best of forward, reverse, Markowitz) for the
#   best self-play cost and for the evaluation (points, when --eval-every was given);
#   then, with at most 12 graphs, per graph, the best self-play cost and the evaluation
#   cost against the forward, reverse and Markowitz baselines (lines).
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
# the mean ratios over the graphs, one row per episode (evaluation: only rows that have one)
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
awk -F, '
  NR == 1 {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^best_/) { g = substr($i, 6); best[g] = i; names[++n] = g }
      else if ($i ~ /^eval_/) ev[substr($i, 6)] = i
      else if ($i ~ /^forward_/) fw[substr($i, 9)] = i
      else if ($i ~ /^reverse_/) rv[substr($i, 9)] = i
      else if ($i ~ /^markowitz_/) mk[substr($i, 11)] = i
    }
    print "episode,mean_best_ratio,mean_eval_ratio"
    next
  }
  {
    sb = 0; nb = 0; se = 0; ne = 0
    for (k = 1; k <= n; k++) {
      g = names[k]; b = $(fw[g]) + 0
      if ($(rv[g]) + 0 < b) b = $(rv[g]) + 0
      if ($(mk[g]) + 0 < b) b = $(mk[g]) + 0
      if (b <= 0) continue
      if ($(best[g]) != "") { sb += $(best[g]) / b; nb++ }
      if ($(ev[g]) != "") { se += $(ev[g]) / b; ne++ }
    }
    printf "%s,%s,%s\n", $1, nb == n ? sb / nb : "", ne == n ? se / ne : ""
  }' "$log" > "$summary"
per_graph=1
if [ "$ng" -gt 12 ]; then
  per_graph=0
  echo "plot_training: $ng graphs: per-graph panels left out (at most 12), summary only" >&2
fi
panels=$(( 2 + per_graph * ng ))
{
  echo "set terminal pngcairo size 1200,$(( 300 * panels )) noenhanced font ',10'"
  echo "set output '$out'"
  echo "set datafile separator ','"
  echo "set key outside right top"
  echo "set grid"
  echo "set multiplot layout $panels,1 title 'alphagrad train: $(basename "$log")'"
  echo "set xlabel 'episode'"
  echo "set ylabel 'loss'"
  echo "plot '$log' using 'episode':'loss' with lines lw 2 title 'loss', \
'' using 'episode':'loss_policy' with lines title 'policy', \
'' using 'episode':'loss_value' with lines title 'value'"
  echo "set ylabel 'cost / best baseline'"
  echo "set title 'mean over the $ng graphs (1 = the best of forward, reverse, Markowitz)'"
  echo "plot '$summary' using 'episode':'mean_best_ratio' with lines lw 2 title 'best self-play', \
'' using 'episode':'mean_eval_ratio' with linespoints pt 7 title 'eval', 1 with lines dt 2 title 'baseline'"
  echo "set ylabel 'multiplications'"
  echo "set offsets 0, 0, graph 0.05, graph 0.05"
  [ $per_graph = 1 ] || graphs=""
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
