#!/bin/bash
# Boot one Debian kernel under qemu TCG, run scenarios inside, record results.
# Usage: tests/vm/run-vm.sh KERNEL [scenario ...]   (KERNEL: fetch-kernel.sh --list)
#   scenario: a name looked up in $PW_SCENARIO_DIRS (default tests/vm/scenarios)
#   or a path to a .sh file. Default: tests/vm/scenarios/*.sh.
# Records tests/result.sh PASS|FAIL vm/<v>/<name> per scenario; exits 1 on any FAIL.
# Env: PW_VM_NOBUILD=1 (make already built everything), PW_VM_TIMEOUT (whole VM,
#   seconds), PW_VM_BOOT_TIMEOUT, PW_VM_APPEND (extra kernel args), PW_VM_EXTRA_BINS,
#   PW_VM_MODULES, PW_VM_EXTRA_ROOTS (see mkinitramfs.sh), PW_OUT (build dir, default build),
#   PW_VM_DIR (this run's files: initramfs, disk, logs; default $PW_OUT/vm-<v>).
#   PW_VM_MEM (guest memory, qemu -m syntax; default 2G), PW_VM_SMP (vCPUs, default
#   2), PW_VM_QEMU_ARGS (more qemu options, e.g. -icount for make bench).
set -u
here=$PWD; top=$(cd "$(dirname "$0")/../.." && pwd); cd "$top" || exit 2
v=${1:-}; shift
tests/vm/fetch-kernel.sh --list | grep -qx -- "$v" ||
	{ echo "usage: $0 KERNEL [scenario ...]; KERNEL one of: $(tests/vm/fetch-kernel.sh --list | tr '\n' ' ')" >&2; exit 2; }
ob=${PW_OUT:-build}; out=${PW_VM_DIR:-$ob/vm-$v}; mkdir -p "$out"   # per-run files
failed=0
res() { tests/result.sh "$@"; [ "$1" = PASS ] || failed=1; }
hdr() { sed -n "1,15s/^# *$2: *//p" "$1" | head -n1; }   # "# kernels: ..." etc.
norm() { sed -u -e 's/\r$//' -e 's/\(.\)\(@@PW-[A-Z]\)/\1\n\2/g'; }  # markers own a line

kdir=$(tests/vm/fetch-kernel.sh "$v") || { res FAIL "vm/$v" "kernel $v download/extract failed"; exit 1; }

# --- which scenarios: resolve names, keep those that list this kernel ---------
# Default: every scenario whose "# kernels:" header lists this kernel (none:
# 6.1 6.12), once per attach plan: on the reference kernels (6.1, 6.12) the
# plans of PW_VM_MODES its "# modes:" header lists ("kprobe:6.12": that mode
# on that kernel only; no header: fentry on both, kprobe on 6.1, so that
# make check stays within the hour); on the other kernels of the matrix
# once, in the plan pinwatch picks there (auto).
# PW_VM_MATRIX=1 (make matrix): every scenario on every kernel pinwatch
# supports, whatever its "# kernels:" header says, in the plans its "# modes:"
# header lists (default fentry, kprobe and auto); kernels below the floor
# (PW_VM_FLOOR) run only the scenarios that name them. An empty PW_VM_MODES
# runs them untraced. "name@mode" selects one by hand. A scenario with an
# "# append:" header (a kernel argument such as preempt=full), a "# memory:"
# header (qemu -m, for a layout 2G does not give) or a "# qemu:" header (more
# qemu arguments, such as NUMA nodes) boots on its own, after the
# others, in the modes its header lists (auto on the other kernels); picked
# by hand, its argument or memory applies. "# modules:" names more of the
# kernel's modules for the initramfs (loaded at boot); "# userland:" names
# Debian packages for it (fetch-userland.sh, e.g. rdma).
onlist() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
ref_kernels="6.1 6.12"
# 6.1-amd64, 6.12-amd64 (the generic flavour: drivers cloud leaves out, such as
# rdma_rxe) pick their plans as their cloud twins do; only scenarios that name
# them run there
twin=${v%-amd64}
matrix=${PW_VM_MATRIX:-}
onlist "$v" "${PW_VM_FLOOR:-5.10}" && matrix=
[ "$twin" = "$v" ] || matrix=	# a twin flavour: the matrix ran its cloud kernel
apart=(); filtered=
if [ $# -eq 0 ]; then
	for f in tests/vm/scenarios/*.sh; do
		[ -f "$f" ] || continue
		ks=$(hdr "$f" kernels)
		[ -n "$matrix" ] || onlist "$v" "${ks:-$ref_kernels}" || continue
		[ -z "$(hdr "$f" append)$(hdr "$f" memory)$(hdr "$f" qemu)" ] || { apart+=("$f"); continue; }	# own boot, at the end
		ms=$(hdr "$f" modes)
		if [ -n "$matrix" ]; then	# every plan its header allows (none listed: all three)
			modes=${PW_VM_MODES-fentry kprobe auto}; ms=${ms:-fentry kprobe auto}
		elif onlist "$twin" "$ref_kernels"; then
			modes=${PW_VM_MODES-fentry kprobe auto}; ms=${ms:-fentry kprobe:6.1}
		else modes=${PW_VM_MODES-auto}; ms=$modes; fi
		for m in $modes; do
			case " $ms " in *" $m "*|*" $m:$v "*) set -- "$@" "$f@$m" ;; esac
		done
		[ -n "${PW_VM_MODES-x}" ] || set -- "$@" "$f"
	done
	filtered=1	# by kernel, above: keep all of these below
fi
files=(); names=(); total=0
mdir=$(readlink -f "$kdir/modules")
hasmod() {	# a module of this kernel, or built in
	local n=${1//-/_}
	[ -n "$(find "$mdir/kernel" -name "$n.ko*" -o -name "${n//_/-}.ko*" | head -n1)" ] ||
		grep -q "/$n\.ko\|/${n//_/-}\.ko" "$mdir/modules.builtin"
}
for a in "$@"; do
	mode=; case "$a" in *@*) mode=@${a##*@}; a=${a%@*} ;; esac
	n=$(basename "$a" .sh)$mode; f=
	case "$a" in
	/*) f=$a ;;
	*/*|*.sh) f=$a; [ -f "$f" ] || f=$here/$a ;;   # relative to the caller's cwd too
	*) for d in ${PW_SCENARIO_DIRS:-tests/vm/scenarios}; do
		[ -f "$d/$a.sh" ] && { f=$d/$a.sh; break; }; done ;;
	esac
	if [ -z "$f" ] || [ ! -f "$f" ]; then res FAIL "vm/$v/$n" "no such scenario"; continue; fi
	# a scenario picked by hand without @mode runs without pinwatch: say so
	[ -n "$mode" ] || [ $# -eq 0 ] || case "$f" in *tests/vm/scenarios/*)
		echo "vm/$v/$n: runs untraced (name@fentry or name@kprobe runs it under pinwatch)" >&2 ;; esac
	ks=$(hdr "$f" kernels); ks=${ks:-$ref_kernels}
	[ -n "$filtered$matrix" ] || onlist "$v" "$ks" || { echo "vm/$v/$n: not run on $v (kernels: $ks)"; continue; }
	# Debian ships no headers for some kernels (fetch-kernel.sh): no test module there
	if [ ! -d "$kdir/build" ] && grep -q pw_load_module "$f"; then
		echo "vm/$v/$n: not run on $v: it needs the test module, and Debian ships no headers for $v"
		continue
	fi
	# a module its "# modules:" header needs and this kernel lacks (rdma_rxe in
	# the cloud flavour); "NAME?" is loaded only where the kernel has it
	miss=
	for m in $(hdr "$f" modules); do case "$m" in *\?) ;; *) hasmod "$m" || miss="$miss $m" ;; esac; done
	[ -z "$miss" ] || { echo "vm/$v/$n: not run on $v: the kernel has no module$miss"; continue; }
	to=$(hdr "$f" timeout | grep -o '^[0-9]*'); total=$((total + ${to:-120} + 5))
	files+=("$f"); names+=("$n")
done
if [ ${#files[@]} -eq 0 ]; then
	[ $failed = 1 ] || res FAIL "vm/$v" "no scenarios"; exit 1
fi
fail_all() { for n in "${names[@]}"; do res FAIL "vm/$v/$n" "$1"; done; exit 1; }
apps=	# the selected scenarios' "# append:" kernel arguments
mem=${PW_VM_MEM:-2G}	# or a scenario's "# memory:" (qemu -m syntax)
qargs=${PW_VM_QEMU_ARGS:-}	# and its "# qemu:" arguments (e.g. NUMA nodes)
mods=${PW_VM_MODULES:-}
lands=	# the selected scenarios' "# userland:" names (fetch-userland.sh)
for f in "${files[@]}"; do
	a=$(hdr "$f" append)
	[ -z "$a" ] || case " $apps " in *" $a "*) ;; *) apps="$apps $a" ;; esac
	a=$(hdr "$f" memory)
	[ -z "$a" ] || mem=$a
	for a in $(hdr "$f" modules); do	# "# modules:": more kernel modules, loaded at boot
		case " $mods " in *" $a "*) ;; *) mods="$mods $a" ;; esac
	done
	for a in $(hdr "$f" userland); do	# "# userland:": Debian packages laid over the root
		case " $lands " in *" $a "*) ;; *) lands="$lands $a" ;; esac
	done
	a=$(hdr "$f" qemu)	# once, though a scenario runs in several modes (qemu IDs are unique)
	[ -z "$a" ] || case " $qargs " in *" $a "*) ;; *) qargs="$qargs $a" ;; esac
done

# --- kernel, builds, initramfs ------------------------------------------------
if [ -z "${PW_VM_NOBUILD:-}" ]; then
	# Standalone use: build what the guest needs. Under `make vm` this was done once.
	make -s --no-print-directory all >"$out/build.log" 2>&1 ||
		echo "run-vm: warning: 'make all' failed (see $out/build.log); no pinwatch in the VM" >&2
	make -s --no-print-directory vm-pwtest >>"$out/build.log" 2>&1 ||
		res FAIL vm/build/pwtest "pwtest build failed (see $out/build.log)"
	[ ! -d "$kdir/build" ] || make -s --no-print-directory "vm-kmod-$v" >>"$out/build.log" 2>&1 ||
		res FAIL "vm/$v/kmod" "module build failed (see $out/build.log)"
fi
roots=${PW_VM_EXTRA_ROOTS:-}
for a in $lands; do
	r=$(tests/vm/fetch-userland.sh "$a") || fail_all "userland $a: download/extract failed"
	roots="$roots $r"
done
PW_VM_MODULES=$mods PW_VM_EXTRA_ROOTS=$roots tests/vm/mkinitramfs.sh "$v" "$kdir" "$out/initramfs.cpio.gz" "${files[@]}" ||
	fail_all "initramfs build failed"
rm -f "$out/disk.img"; truncate -s 64M "$out/disk.img"   # fresh scratch disk: /dev/vda

# --- boot ------------------------------------------------------------------------
limit=${PW_VM_TIMEOUT:-$(( ${PW_VM_BOOT_TIMEOUT:-240} + total ))}
run=$(IFS=,; echo "${names[*]}")
: > "$out/console.log"; : > "$out/results.log"
echo "=== vm/$v: booting $(cat "$kdir/abi") (TCG), scenarios: ${names[*]}, limit ${limit}s${apps:+, kernel args:$apps}"
t0=$(date +%s%N)
# No -enable-kvm (hangs on this host). ttyS0 = kernel console, ttyS1 = results.
timeout -k 5 "$limit" qemu-system-x86_64 -accel "${PW_VM_ACCEL:-tcg,thread=single}" -cpu max -smp "${PW_VM_SMP:-2}" -m "$mem" $qargs \
	-display none -monitor none -no-reboot -net none \
	-kernel "$kdir/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 pw.run=$run ${PW_VM_APPEND:-}$apps" \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	-drive "file=$out/disk.img,if=virtio,format=raw" </dev/null >"$out/qemu.log" 2>&1 &
qpid=$!
# Live, sectioned view of the results port while the VM runs.
tail -n +1 -f --pid=$qpid "$out/results.log" 2>/dev/null | norm | awk -v v="$v" '
	/^@@PW-BEGIN /{ print "--- vm/" v "/" $2; fflush(); next }
	/^@@PW-END /  { print "--- vm/" v "/" $2 ": exit " $3; fflush(); next }
	/^@@PW-DONE/  { next }
	{ print "    " $0; fflush() }' &
vpid=$!
tfirst=
while kill -0 $qpid 2>/dev/null; do
	[ -z "$tfirst" ] && grep -q '@@PW-BEGIN' "$out/results.log" && tfirst=$(date +%s%N)
	sleep 0.2
done
wait $qpid; qrc=$?; wait $vpid
t1=$(date +%s%N)
# A scenario that crashed the VM within one poll period: bound it by the end time.
[ -z "$tfirst" ] && grep -q '@@PW-BEGIN' "$out/results.log" && tfirst=$t1
ms() { echo "$(( ($1 - t0) / 1000000 ))" | sed 's/\(...\)$/.\1/'; }
echo "=== vm/$v: qemu exit $qrc after $(ms "$t1")s; boot to first scenario: $([ -n "$tfirst" ] && echo "$(ms "$tfirst")s" || echo never)"

# --- verdicts --------------------------------------------------------------------
norm < "$out/results.log" > "$out/results.norm"
tr -d '\r' < "$out/console.log" > "$out/console.norm"
why=
if [ $qrc = 124 ] || [ $qrc = 137 ]; then why="VM killed after ${limit}s overall timeout"
elif p=$(grep -m1 -E 'Kernel panic|BUG: kernel NULL|Oops:' "$out/console.norm"); then why="guest crashed: ${p#*] }"
elif ! grep -q 'pw-init:' "$out/console.norm"; then why="VM failed to boot (qemu exit $qrc: $(tail -n1 "$out/qemu.log"))"
else why="VM stopped (qemu exit $qrc)"; fi
shown=
for i in "${!names[@]}"; do
	n=${names[$i]}
	st=$(grep -m1 "^@@PW-END $n " "$out/results.norm" | awk '{print $3}')
	ksec=$(sed -n "/pw-init: BEGIN $n /,/pw-init: END $n /p" "$out/console.norm" | grep -v 'pw-init: ')
	if [ "$st" = 0 ]; then
		# a kernel splat fails the scenario unless its "# splat:" header
		# (an extended regex) names it: every splat line must match
		splats=$(echo "$ksec" | grep -E 'WARNING:|BUG:|Oops|Bad page state')
		want=$(hdr "${files[$i]}" splat)
		splat=$(echo "$splats" | grep -vE "${want:-^\$}" | grep -m1 .)
		if [ -z "$splat" ]; then
			res PASS "vm/$v/$n"
			[ -z "$splats" ] || echo "--- vm/$v/$n: the kernel splat it provokes ($want) was seen"
		else
			res FAIL "vm/$v/$n" "kernel splat: ${splat#*] }"
			echo "--- console during vm/$v/$n:"; echo "$ksec" | sed 's/^/    /'
		fi
		continue
	fi
	if [ -n "$st" ]; then
		r="exit status $st"
		[ "$st" != 4 ] || r="skipped: $(grep -m1 "^SKIP $n: " "$out/results.norm" | sed 's/^SKIP [^:]*: //')"	# lib.sh pw_skip
		grep -q "^pw-init: scenario $n timed out" "$out/results.norm" && r="$r, $(grep -m1 "^pw-init: scenario $n timed out" "$out/results.norm" | sed 's/^pw-init: scenario [^ ]* //')"
		res FAIL "vm/$v/$n" "$r"
		[ -n "$ksec" ] && { echo "--- console during vm/$v/$n:"; echo "$ksec" | sed 's/^/    /'; }
		continue
	fi
	if grep -q "^@@PW-BEGIN $n\$" "$out/results.norm"; then r="no END marker; $why"; else r="never started; $why"; fi
	res FAIL "vm/$v/$n" "$r"
	if [ -z "$shown" ]; then
		shown=1
		# A crash's first lines (what/where) matter more than the tail of its backtrace.
		c=$(grep -n -m1 -E 'Kernel panic|BUG:|Oops:|cut here' "$out/console.norm" | cut -d: -f1)
		if [ -n "$c" ]; then echo "--- $out/console.log from the crash:"; tail -n +$((c > 3 ? c - 3 : 1)) "$out/console.norm" | head -n 30
		else echo "--- last 30 lines of $out/console.log:"; tail -n 30 "$out/console.norm"; fi | sed 's/^/    /'
	fi
done
# scenarios that need a kernel argument: a boot each, in their header's modes
for f in "${apart[@]}"; do
	if [ ! -d "$kdir/build" ] && grep -q pw_load_module "$f"; then
		echo "vm/$v/$(basename "$f" .sh): not run on $v: it needs the test module, and Debian ships no headers for $v"
		continue
	fi
	sel=()
	if [ -n "$matrix" ] || onlist "$twin" "$ref_kernels"; then
		for m in $(hdr "$f" modes); do
			case "$m" in *:"$v") sel+=("$f@${m%:*}") ;; *:*) ;; *) sel+=("$f@$m") ;; esac
		done
	else sel=("$f@auto"); fi
	[ ${#sel[@]} -gt 0 ] || sel=("$f")
	PW_VM_DIR="$out-$(basename "$f" .sh)" "$top/tests/vm/run-vm.sh" "$v" "${sel[@]}" || failed=1
done
exit $failed
