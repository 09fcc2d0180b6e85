#!/bin/sh
# The ratio table as a picture: bench/results/latest-icount.csv (median ratio
# to untraced by instruction count, the clock for these CPU-bound rows) as
# grouped bars per workload and kernel on a log scale, into
# bench/results/latest-icount.svg with Debian's gnuplot. make bench runs it.
# Usage: bench/chart.sh [RESULTS_DIR]
set -eu
d=${1:-$(dirname "$0")/results}
command -v gnuplot >/dev/null || { echo "bench/chart.sh: no gnuplot (Debian: gnuplot-nox)" >&2; exit 1; }
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
awk -F, 'NR > 1 {
	k = $2 " " $1; if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	v[k, $3] = $4 == "" ? "NaN" : $4
} END {
	for (i = 0; i < n; i++) {
		split(order[i], p, " ")
		printf "\"%s %s\" %s %s %s %s\n", p[1], p[2], v[order[i], "pinwatch"], v[order[i], "serve"],
		       v[order[i], "floor"], v[order[i], "bpftrace"]
	}
}' "$d/latest-icount.csv" > "$tmp"
[ -s "$tmp" ] || { echo "bench/chart.sh: no rows in $d/latest-icount.csv" >&2; exit 1; }
gnuplot <<GP
set terminal svg size 1100,460 font "sans,11" background rgb "white"
set output "$d/latest-icount.svg"
set title "Time under tracing / untraced (instruction count, median; $(basename "$d")/latest-icount.csv)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.8:60]
set ytics (1, 1.25, 1.5, 2, 3, 5, 10, 30)
set grid ytics
set xtics rotate by -35 scale 0
set key outside right top
set termoption noenhanced
set bmargin 7
plot "$tmp" using 2:xtic(1) title "pinwatch", "" using 3 title "serve", "" using 4 title "floor (empty hooks)", \
     "" using 5 title "bpftrace"
GP
echo "$d/latest-icount.svg"
