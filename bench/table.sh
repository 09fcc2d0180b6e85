#!/bin/sh
# The README's benchmark table from bench/results/latest.csv (wall clock) and
# latest-icount.csv (instruction count): median ratio to untraced per
# workload and kernel, for pinwatch, serve, floor and bpftrace.
# Usage: bench/table.sh [RESULTS_DIR]
d=${1:-$(dirname "$0")/results}
awk -F, '
FNR == 1 { f++; next }
{ k = $2 SUBSEP $1; v[f, k, $3] = $4; if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
END {
	print "| workload | kernel | pinwatch | serve | floor | bpftrace | icount: pinwatch | serve | floor | bpftrace |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	# workloads in their first-seen order, each with its kernels
	for (i = 0; i < n; i++) { split(order[i], p, SUBSEP); if (!(p[1] in w)) { w[p[1]] = 1; wl[nw++] = p[1] } }
	for (j = 0; j < nw; j++)
		for (i = 0; i < n; i++) {
			split(order[i], p, SUBSEP)
			if (p[1] != wl[j]) continue
			line = "| " p[1] " | " p[2]
			for (ff = 1; ff <= 2; ff++)
				for (m = 1; m <= 4; m++) {
					mode = m == 1 ? "pinwatch" : m == 2 ? "serve" : m == 3 ? "floor" : "bpftrace"
					x = v[ff, order[i], mode]
					line = line " | " (x == "" ? "-" : sprintf("%.2f", x))
				}
			print line " |"
		}
}' "$d/latest.csv" "$d/latest-icount.csv"
