#!/bin/sh
# Fetch one extra guest userland (Debian packages the host does not have
# installed) into the gitignored cache, extracted as a tree to lay over the
# initramfs root (mkinitramfs.sh, $PW_VM_EXTRA_ROOTS): files at their absolute
# paths, plus host binaries under /pw/bin. Nothing is installed on the host.
# Usage: fetch-userland.sh NAME   -> prints the tree's directory on stdout.
#        fetch-userland.sh --list -> the userlands it knows, one a line.
# A scenario asks for one with a "# userland: NAME" header (run-vm.sh).
# The packages are the machine's suite's (bookworm), pinned to the versions
# tested, fetched with apt-get download. Idempotent (.done), and safe when two
# VMs of make vm ask at once (flock).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PINWATCH_CACHE:-$top/.cache}

# NAME  packages (name=version)  host binaries for /pw/bin ("-": none)
table() {
	cat <<EOF
rdma      libibverbs1=44.0-2,ibverbs-providers=44.0-2,ibverbs-utils=44.0-2  /usr/sbin/ip,/usr/bin/rdma
iproute2  -  /usr/sbin/ip
EOF
}
# rdma: rdma-core 44's libibverbs, its providers (librxe, dlopen'ed from
# /usr/lib/x86_64-linux-gnu/libibverbs/ as /etc/libibverbs.d/rxe.driver says)
# and ibv_rc_pingpong & co; iproute2's ip (busybox's cannot make veth pairs)
# and rdma (rdma link add ... type rxe). iproute2: the host's ip alone.
if [ "${1:-}" = --list ]; then table | awk '{print $1}'; exit 0; fi
row=$(table | awk -v k="${1:-}" '$1 == k')
[ -n "$row" ] || { echo "fetch-userland.sh: unknown userland '${1:-}' (want one of: $(table | awk '{printf "%s ", $1}'))" >&2; exit 2; }
set -- $row
name=$1 pkgs=$(echo "$2" | tr , ' ') bins=$(echo "$3" | tr , ' ')
dir=$cache/userland-$name
mkdir -p "$cache"
exec 9>"$cache/userland-$name.lock"
flock 9
if [ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$row" ]; then echo "$dir/root"; exit 0; fi
mkdir -p "$dir/debs"
rm -rf "$dir/root" "$dir/.done"; mkdir -p "$dir/root/pw/bin"
(cd "$dir/debs" && for p in $pkgs; do
	[ "$p" = - ] && continue
	deb=${p%%=*}_$(echo "${p#*=}" | sed 's/^[0-9]*://')_	# name_version_ (no epoch)
	ls "$deb"*.deb >/dev/null 2>&1 || apt-get -qq download "$p" >&2 || {
		echo "fetch-userland.sh: apt-get download $p failed (run 'apt-get update' as root?)" >&2; exit 1; }
	dpkg-deb -x "$(ls "$deb"*.deb | head -n1)" "$dir/root"
done)
rm -rf "$dir/root/usr/share/doc" "$dir/root/usr/share/man" "$dir/root/usr/share/lintian"
for b in $bins; do
	[ "$b" = - ] && continue
	[ -x "$b" ] || { echo "fetch-userland.sh: no host binary $b" >&2; exit 1; }
	cp -L "$b" "$dir/root/pw/bin/"
done
echo "$row" > "$dir/.done"
echo "$dir/root"
