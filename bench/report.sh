#!/bin/sh
# report.sh RESULTS.norm... : turn bench.sh/scale.sh output into the markdown
# table (stdout and bench/results/<date>.md) and bench/results/latest.csv;
# with BENCH_CLOCK=icount (runs whose guest clock counted instructions, see
# run.sh) <date>-icount.md and latest-icount.csv, same columns.
# Ratio = elapsed of a mode / elapsed untraced IN THE SAME ROUND (same boot),
# then median, min and max over the rounds. bytes_per_tracked_page = memlock /
# max_entries of the per-folio maps (pinwatch: mirror; bpftrace: @pins + @stk;
# floor: none); memlock is the kernel's own estimate (6.4+ counts the
# element headers and buckets; 6.1 reports key+value only, so the 6.1 figure
# adds the same header and bucket sizes 6.12 counts).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
day=$(date -u +%Y-%m-%d)
sfx=; clock="wall clock"
cpus=2
[ "${BENCH_CLOCK:-}" = icount ] && { sfx=-icount; cpus=1; clock="instruction count (qemu -icount shift=1: while the guest runs, virtual time is 2 ns per guest instruction, so host noise does not reach it and every instruction weighs the same; idle waits pass in real time)"; }
md=$here/results/$day$sfx.md; csv=$here/results/latest$sfx.csv
mkdir -p "$here/results"
machine="qemu TCG (no KVM, single-threaded, $cpus vCPU(s), 2 GiB) on $(nproc)-core $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n1); guest time: $clock"
cat "$@" | tr -d '\r' | awk -v csv="$csv" -v machine="$machine" '
function med(s,   a, n, i, j, t) {   # median, min, max of a space-separated list
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	MIN = a[1]; MAX = a[n]; N = n
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ratios(k, w, m,   r, s) {   # mode m / untraced, one per round with both
	for (r in R) if ((k " " r " untraced " w) in ns && (k " " r " " m " " w) in ns && ns[k " " r " untraced " w] > 0)
		s = s " " ns[k " " r " " m " " w] / ns[k " " r " untraced " w]
	return s
}
$1 == "BENCH" && $6 ~ /^[0-9]+$/ { ns[$2 " " $3 " " $4 " " $5] = $6; K[$2]; W[$5]; M[$4]; R[$3] }
# pinwatch: a pfn-indexed mirror (8 bytes per page frame, its last chunk
# rounded up) plus the holders array; reported per page frame of the machine
# (BENCHPFN: the highest pfn, which the mirror covers).
$1 == "BENCHPFN" { pfns[$2] = $3 }
$1 == "BENCHMAP" && $7 > 0 && $3 ~ /pinwatch|serve/ && ($4 == "mirror" || $4 == "holders") {
	mem[$2 " " $3] += $7 }
$1 == "BENCHMAP" && $7 > 0 && $3 == "bpftrace" && $4 ~ /^AT_/ && $5 == "hash" {
	# 6.1 (before map_mem_usage, 6.4) reports round_up(key + value, 8) x entries only:
	# add what 6.12 counts, the 48-byte htab_elem header and the 16-byte buckets
	# (a power of two of them), so both kernels show the same memory.
	nb = 1; while (nb < $6) nb *= 2
	bpp[$2 " " $3] += $7 / $6 + ($2 == "6.1" ? 48 + 16 * nb / $6 : 0) }
$1 == "PROF" { pc[$2 " " $3 " " $5] = $6; pt[$2 " " $3 " " $5] = $7; P[$2 " " $3 " " $5] }
$1 == "SCALE" { sc[++nsc] = $0 }
END {
	for (x in mem) { split(x, km, " "); if (pfns[km[1]] > 0) bpp[x] = mem[x] / pfns[km[1]] }
	nw = split("pin_unpin_4k pin_unpin_thp process_vm_readv odirect io_uring_register", wl, " ")
	nm = split("pinwatch serve floor bpftrace", ml, " ")
	nk = split(ENVIRON["BENCH_KERNELS"] != "" ? ENVIRON["BENCH_KERNELS"] : "6.1 6.12", kl, " ")
	print "kernel,workload,mode,median_ratio,min_ratio,max_ratio,bytes_per_tracked_page" > csv
	print "Machine: " machine ". Ratios to the untraced run of the same round; median [min, max] over the rounds."
	if (ENVIRON["BENCH_NOTE"] != "") print "Run: " ENVIRON["BENCH_NOTE"] "."
	print ""
	print "Bytes/page: pinwatch, map memory (mirror + holders) per page frame of RAM it covers; bpftrace, per tracked folio."
	print ""
	print "| kernel | workload | mode | median | min | max | rounds | bytes/page |"
	print "|---|---|---|---|---|---|---|---|"
	for (ki = 1; ki <= nk; ki++) for (wi = 1; wi <= nw; wi++) for (mi = 1; mi <= nm; mi++) {
		k = kl[ki]; w = wl[wi]; m = ml[mi]; s = ratios(k, w, m)
		if (s == "") continue
		md_ = med(s); b = (k " " m) in bpp ? sprintf("%.0f", bpp[k " " m]) : ""
		MED[k, w, m] = md_
		printf "| %s | %s | %s | %.2f | %.2f | %.2f | %d | %s |\n", k, w, m, md_, MIN, MAX, N, b
		printf "%s,%s,%s,%.3f,%.3f,%.3f,%s\n", k, w, m, md_, MIN, MAX, b >> csv
	}
	# reference modes, not in the CSV: what a per-folio design pays for its
	# empty hooks alone (floor-folio), the plainest per-page mirror (walkfloor)
	nr = split("floor-folio walkfloor walkfloor-read", rl, " "); hdr = 0
	for (ki = 1; ki <= nk; ki++) for (wi = 1; wi <= nw; wi++) for (mi = 1; mi <= nr; mi++) {
		k = kl[ki]; w = wl[wi]; m = rl[mi]; s = ratios(k, w, m)
		if (s == "") continue
		if (!hdr++) { print ""; print "Reference modes (not in the CSV; floor-folio: empty fexit/fentry programs on the per-folio primitives try_grab_* and gup_put_folio, the least a per-folio tracer pays):"; print ""
			print "| kernel | workload | mode | median | min | max | rounds |"; print "|---|---|---|---|---|---|---|" }
		md_ = med(s); printf "| %s | %s | %s | %.2f | %.2f | %.2f | %d |\n", k, w, m, md_, MIN, MAX, N
	}
	print ""; print "Targets (pinwatch live mode; serve in brackets):"; print ""
	for (ki = 1; ki <= nk; ki++) for (wi = 1; wi <= nw; wi++) {
		k = kl[ki]; w = wl[wi]
		if (!((k, w, "pinwatch") in MED)) continue
		p = MED[k, w, "pinwatch"]; sv = MED[k, w, "serve"]; f = MED[k, w, "floor"]; bt = MED[k, w, "bpftrace"]
		if (w ~ /^pin_unpin/) t1 = sprintf("%.2fx <= 1.30x: %s [%.2fx]", p, p <= 1.30 ? "met" : "MISSED", sv)
		else t1 = sprintf("%.2fx - floor %.2fx = %+.2f <= 0.05: %s [%+.2f]", p, f, p - f, p - f <= 0.05 ? "met" : "MISSED", sv - f)
		t2 = sprintf("added %.2f vs bpftrace %.2f (<= 1/3: %s)", p - 1, bt - 1, (p - 1) <= (bt - 1) / 3 ? "met" : "MISSED")
		printf "- %s %s: %s; %s\n", k, w, t1, t2
	}
	for (ki = 1; ki <= nk; ki++) if ((kl[ki] " pinwatch") in bpp)
		printf "- %s bytes per page of RAM (pfn-indexed mirror): %.1f <= 16: %s\n", kl[ki], bpp[kl[ki] " pinwatch"], bpp[kl[ki] " pinwatch"] <= 16 ? "met" : "MISSED"
	print ""; print "Profile (kernel.bpf_stats_enabled=1, one pass of every workload; ns per program run):"; print ""
	print "| kernel | mode | program | runs | ns/run |"; print "|---|---|---|---|---|"
	n = 0; for (x in P) key[++n] = x
	for (i = 2; i <= n; i++) for (j = i; j > 1 && key[j - 1] > key[j]; j--) { t = key[j]; key[j] = key[j - 1]; key[j - 1] = t }
	for (i = 1; i <= n; i++) if (pc[key[i]] > 0) { split(key[i], a, " "); printf "| %s | %s | %s | %d | %.0f |\n", a[1], a[2], a[3], pc[key[i]], pt[key[i]] / pc[key[i]] }
	if (nsc) { print ""; print "Scale run (6 GiB VM, pinwatch serve, 1048576 pages pinned at once):"; print ""; print "```" }
	for (i = 1; i <= nsc; i++) print sc[i]
	if (nsc) print "```"
}' | tee "$md"
echo "bench: wrote $md and $csv" >&2
