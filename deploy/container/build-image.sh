#!/bin/sh
# make image: build deploy/container/Containerfile with Debian's buildah and
# check that the image runs pinwatch. No registry is needed: the base,
# debian:bookworm-slim, is made here by mmdebstrap from Debian's archive and
# committed under that name in buildah's local storage (vfs driver, chroot
# isolation: no overlayfs or user namespaces needed). Root; runs `make deb`
# first when build/deb holds no package (the Containerfile copies it from there).
# Env: OUT (build), IMAGE (localhost/pinwatch:VERSION).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd); cd "$top"
out=${OUT:-build}
[ "$out" = build ] || { echo "build-image.sh: the Containerfile copies build/deb: OUT must be build" >&2; exit 2; }
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
command -v buildah >/dev/null || apt-get install -y --no-install-recommends buildah >/dev/null
ls build/deb/pinwatch_*_amd64.deb >/dev/null 2>&1 || make --no-print-directory deb >/dev/null
version=$(ls build/deb/pinwatch_*_amd64.deb | sed -n 's/.*pinwatch_\(.*\)_amd64.deb/\1/p' | head -n1)
image=${IMAGE:-localhost/pinwatch:$version}
base=docker.io/library/debian:bookworm-slim

if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
	mkdir -p build/image
	mmdebstrap --quiet --variant=minbase bookworm build/image/rootfs.tar
	ctr=$(buildah from scratch)
	mnt=$(buildah mount "$ctr")
	tar -C "$mnt" -xf build/image/rootfs.tar
	buildah umount "$ctr" >/dev/null
	buildah commit --quiet "$ctr" "$base" >/dev/null
	buildah rm "$ctr" >/dev/null
	rm -f build/image/rootfs.tar
fi
buildah bud --quiet --pull=never -f deploy/container/Containerfile -t "$image" . >/dev/null
ctr=$(buildah from "$image")
got=$(buildah run "$ctr" -- /usr/sbin/pinwatch --version)
entry=$(buildah inspect --format '{{.OCIv1.Config.Entrypoint}}' "$image")
buildah rm "$ctr" >/dev/null
echo "$image: $got; entrypoint $entry"
case "$got" in "pinwatch $version"*) ;; *) echo "build-image.sh: the image's pinwatch says '$got'" >&2; exit 1 ;; esac
