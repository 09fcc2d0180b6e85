#!/bin/sh
# The verifier's work on each BPF program, per kernel and attach plan, from
# the "verifier KERNEL PLAN PROG INSNS" lines the kernel-support scenario
# prints (build/vm-*/results.norm), as a markdown table on stdout.
# Usage: verifier-table.sh [RESULTS...]   (make verifier-table writes
# bench/results/verifier.md with it after a make vm or make matrix)
set -eu
[ $# -gt 0 ] || set -- build/vm-*/results.norm
echo "# The verifier's work on each BPF program"
echo
echo "Instructions processed (bpf_prog_info.verified_insns) of each program pinwatch loads,"
echo "by kernel and attach plan, as the kernel-support VM scenario printed them on"
echo "$(date -u +%Y-%m-%d) (tests/vm/verifier-table.sh). That scenario fails any program at"
echo "250,000 or more: a quarter of the verifier's 1,000,000 limit. \"-\": not loaded in that plan."
echo
cat "$@" 2>/dev/null | awk '
$1 == "verifier" && NF == 5 {
	col = $2 "/" $3
	if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
	if (!($4 in known)) { known[$4] = 1; progs[++np] = $4 }
	n[$4, col] = $5
	if ($5 > max[col]) max[col] = $5
}
END {
	if (!nc) { print "verifier-table: no verifier lines (run the kernel-support scenario)" > "/dev/stderr"; exit 1 }
	# columns by kernel then plan; programs by name
	for (i = 1; i <= nc; i++) for (j = i + 1; j <= nc; j++) if (cols[j] < cols[i]) { t = cols[i]; cols[i] = cols[j]; cols[j] = t }
	for (i = 1; i <= np; i++) for (j = i + 1; j <= np; j++) if (progs[j] < progs[i]) { t = progs[i]; progs[i] = progs[j]; progs[j] = t }
	printf "| program |"; for (i = 1; i <= nc; i++) printf " %s |", cols[i]; print ""
	printf "|---|"; for (i = 1; i <= nc; i++) printf "---:|"; print ""
	for (p = 1; p <= np; p++) {
		printf "| %s |", progs[p]
		for (i = 1; i <= nc; i++) printf " %s |", ((progs[p], cols[i]) in n) ? n[progs[p], cols[i]] : "-"
		print ""
	}
	printf "| **largest, %% of 1M** |"; for (i = 1; i <= nc; i++) printf " **%.1f%%** |", max[cols[i]] / 10000; print ""
}'
