#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 240
# modes: fentry
# append: intel_iommu=on iommu=pt
# modules: vfio_pci vfio_iommu_type1
# qemu: -machine q35 -device intel-iommu,intremap=on -machine kernel-irqchip=split -device edu -device edu
# VFIO type1 as a witness for the accounting view: qemu's emulated VT-d and
# two edu devices bound to vfio-pci (iommu=pt keeps virtio's DMA untranslated).
# VFIO_IOMMU_MAP_DMA pins the buffer long-term (pin_user_pages_remote) and
# charges VmLck (mm->locked_vm) once per container:
#  - both groups in one container: 4 MiB pinned, VmLck 4 MiB, no finding;
#  - one container per group: the same 4 MiB pinned twice, each page frame
#    counted once, VmLck 8 MiB: charged_not_pinned (the double charge that
#    makes KubeVirt set memlock unlimited).
# Unmapping releases every pin; no pin bug; the kernel's counters agree.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}

groups=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")/$(cat "$d/device")" = 0x1234/0x11e8 ] || continue
	echo vfio-pci > "$d/driver_override"
	[ -e "$d/driver" ] && echo "${d##*/}" > "$d/driver/unbind"
	echo "${d##*/}" > /sys/bus/pci/drivers_probe
	[ -e "$d/iommu_group" ] || pw_die "${d##*/} has no IOMMU group (intel_iommu=on?)"
	g=$(basename "$(readlink "$d/iommu_group")")
	[ -e "/dev/vfio/$g" ] || pw_die "${d##*/}: no /dev/vfio/$g after binding vfio-pci"
	groups=${groups:+$groups,}$g
done
echo "edu devices in IOMMU groups $groups"
case "$groups" in *,*) ;; *) pw_die "want two edu devices in two IOMMU groups, have '$groups'" ;; esac

pw_serve_start "$mode"
mib4=4194304

# --- one container: charged once ---------------------------------------------
pwtest vfio --groups "$groups" --containers 1 --pages 1024 --hold-ms 10000 >/tmp/v1.out &
p=$!
pw_check one-container-pinned-4m pw_wait_field $p longterm_bytes $mib4
r=$(pw_proc_row $p); echo "one container: $r"
pw_check one-container-vmlck-4m [ "$(pw_field "$r" vmlck_bytes)" = $mib4 ]
pw_check one-container-vmlck-is-proc [ "$(pw_field "$r" vmlck_bytes)" = "$(awk '/^VmLck/ { print $2 * 1024 }' /proc/$p/status)" ]
pw_check one-container-no-finding [ "$(pw_field "$r" findings)" = '[]' ]
pw_check one-container-holder grep -q '^pinwatch_pinned_pages{holder="vfio_iommu_type1:[a-z_]*",longterm="true"} 1024$' /tmp/pw.prom
wait $p || pw_fail "pwtest vfio, one container: $(cat /tmp/v1.out)"
pw_check one-container-unmapped pw_row_gone $p

# --- a container per group: the same pages pinned and charged twice ---------
pwtest vfio --groups "$groups" --containers 2 --pages 1024 --hold-ms 10000 >/tmp/v2.out &
p=$!
pw_check two-containers-charged-8m pw_wait_field $p vmlck_bytes $((2 * mib4))
r=$(pw_proc_row $p); echo "two containers: $r"
pw_check two-containers-pinned-4m [ "$(pw_field "$r" longterm_bytes)" = $mib4 ]
pw_check two-containers-charged-not-pinned [ "$(pw_field "$r" findings)" = '["charged_not_pinned"]' ]
# 1024 pins of the first map and 2048 of these: two per page frame
pw_check two-containers-two-pins-a-frame pw_wait_for /tmp/pw.prom '^pinwatch_pins_acquired_total 3072$' 10
pw_check two-containers-series grep -q "^pinwatch_process_accounting_finding{pid=\"$p\",comm=\"pwtest\",kind=\"charged_not_pinned\"} 1" /tmp/pw.prom
wait $p || pw_fail "pwtest vfio, two containers: $(cat /tmp/v2.out)"
pw_check two-containers-unmapped pw_row_gone $p

pw_serve_clean
pw_done
