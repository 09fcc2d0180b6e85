#!/bin/sh
# Host tests of what ships: make install/uninstall into a DESTDIR, the systemd
# unit (systemd-analyze verify), the Prometheus rules (promtool check and
# test), the Grafana dashboard (JSON, every metric it queries documented) and
# bash completion. One result per check.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-build}
res() { "$top/tests/result.sh" "$@"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
d=$tmp/root

make -s -C "$top" OUT="$out" install DESTDIR="$d" PREFIX=/usr >"$tmp/install.log" 2>&1 ||
	res FAIL host/install/make-install "$(tail -n 3 "$tmp/install.log")"
missing=
for f in usr/sbin/pinwatch usr/share/man/man8/pinwatch.8 usr/lib/systemd/system/pinwatch.service \
	 etc/default/pinwatch usr/share/bash-completion/completions/pinwatch \
	 usr/share/doc/pinwatch/examples/pinwatch-rules.yml usr/share/doc/pinwatch/examples/pinwatch-dashboard.json \
	 usr/share/pinwatch/schemas/pinwatch-report.schema.json usr/share/pinwatch/schemas/pinwatch-stream.schema.json; do
	[ -f "$d/$f" ] || missing="$missing /$f"
done
if [ -z "$missing" ] && [ -x "$d/usr/sbin/pinwatch" ] && "$d/usr/sbin/pinwatch" --version | grep -q '^pinwatch ' &&
   MANWIDTH=80 man -l "$d/usr/share/man/man8/pinwatch.8" 2>/dev/null | grep -q '^ACCOUNTING'; then
	res PASS host/install/files
else res FAIL host/install/files "missing:${missing:- none}; binary or man page unusable"; fi

# the unit as installed, its ExecStart pointed at the DESTDIR binary
u=$tmp/pinwatch.service
sed "s|/usr/sbin/pinwatch|$d/usr/sbin/pinwatch|" "$d/usr/lib/systemd/system/pinwatch.service" > "$u"
if ! grep -q "^ExecStart=$d/usr/sbin/pinwatch serve \$PINWATCH_ARGS$" "$u"; then
	res FAIL host/install/unit-verifies "ExecStart: $(grep ExecStart "$u")"
elif systemd-analyze verify --man=no "$u" >"$tmp/verify" 2>&1 && [ ! -s "$tmp/verify" ]; then
	res PASS host/install/unit-verifies
else res FAIL host/install/unit-verifies "$(head -c 400 "$tmp/verify")"; fi
if grep -q '^RestartPreventExitStatus=77 2$' "$u" && grep -q '^CapabilityBoundingSet=CAP_BPF ' "$u" &&
   grep -q '^ProtectSystem=strict$' "$u"; then res PASS host/install/unit-hardened
else res FAIL host/install/unit-hardened "RestartPreventExitStatus, CapabilityBoundingSet or ProtectSystem"; fi

# a reinstall keeps the admin's options; uninstall leaves only them
echo 'PINWATCH_ARGS="--listen=127.0.0.1:19999"' > "$d/etc/default/pinwatch"
make -s -C "$top" OUT="$out" install DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
grep -q 19999 "$d/etc/default/pinwatch" && res PASS host/install/keeps-config ||
	res FAIL host/install/keeps-config "a reinstall overwrote /etc/default/pinwatch"
make -s -C "$top" OUT="$out" uninstall DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
left=$(find "$d" -type f | sed "s|^$d||")
if [ "$left" = /etc/default/pinwatch ]; then res PASS host/install/uninstall; else res FAIL host/install/uninstall "left: $left"; fi

# alert rules: valid, and their unit tests pass
if (cd "$top/deploy/prometheus" && promtool check rules pinwatch-rules.yml >"$tmp/rules" 2>&1 &&
    promtool test rules pinwatch-rules.test.yml >>"$tmp/rules" 2>&1); then res PASS host/install/alert-rules
else res FAIL host/install/alert-rules "$(tail -n 5 "$tmp/rules" | tr '\n' ' ')"; fi

# dashboard: JSON, and every metric a panel queries is one serve exports (man page METRICS)
if python3 - "$top/deploy/grafana/pinwatch-dashboard.json" "$top/man/pinwatch.8" >"$tmp/dash" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
man = open(sys.argv[2]).read().replace("\\", "")
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
names = {m for e in exprs for m in re.findall(r"pinwatch_[a-z_]+", e)}
bad = sorted(n for n in names if not re.search(n + r"(?![a-z_])", man))
assert len(d["panels"]) >= 6 and exprs, "no panels"
assert not bad, "not in the man page: %s" % bad
PY
then res PASS host/install/dashboard; else res FAIL host/install/dashboard "$(tail -n 2 "$tmp/dash")"; fi

# bash completion: commands, then the options of the command given
comp() {
	PATH="$top/$out:$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pinwatch; echo "${COMPREPLY[*]}"' \
		sh "$top/deploy/bash-completion/pinwatch" "$@"
}
if [ "$(comp pinwatch s)" = "serve" ] && [ "$(comp pinwatch top --s)" = "--sort --suppressions" ] &&
   [ "$(comp pinwatch run --se)" = "--settle" ]; then res PASS host/install/bash-completion
else res FAIL host/install/bash-completion "'$(comp pinwatch s)' '$(comp pinwatch top --s)' '$(comp pinwatch run --se)'"; fi

# libbpf, libelf and zlib linked in (make STATIC=1 links pinwatch so; the
# same objects relinked here): no such library left, and the binary runs
case "$out" in /*) st=$out/pinwatch-static ;; *) st=$top/$out/pinwatch-static ;; esac
if make -s -C "$top" OUT="$out" "$out/pinwatch-static" >"$tmp/static.log" 2>&1 &&
   ! ldd "$st" | grep -qE 'libbpf|libelf|libz\.' && "$st" --version >/dev/null; then
	res PASS host/install/static-libbpf
else res FAIL host/install/static-libbpf "$(tail -n 2 "$tmp/static.log"; ldd "$st" 2>&1 | grep -E 'bpf|elf|libz')"; fi

# the DaemonSet: a valid apps/v1 manifest with what pinwatch needs, no more
# (the Containerfile is checked for what it installs; `make image` builds it,
# outside make check)
if /usr/bin/python3 - "$top/deploy/kubernetes/pinwatch-daemonset.yaml" "$top/deploy/container/Containerfile" >"$tmp/k8s" 2>&1 <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["apiVersion"] == "apps/v1" and d["kind"] == "DaemonSet", "not an apps/v1 DaemonSet"
spec = d["spec"]
assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(), "selector does not match"
pod = spec["template"]["spec"]
assert pod.get("hostPID") is True, "hostPID: the accounting view's pids are the host's"
c = pod["containers"][0]
sc = c["securityContext"]
assert not sc.get("privileged"), "privileged"
assert sc["capabilities"]["drop"] == ["ALL"], "drop ALL"
assert sorted(sc["capabilities"]["add"]) == ["BPF", "PERFMON", "SYSLOG", "SYS_ADMIN"], sc["capabilities"]["add"]
assert c["args"][0] == "serve" and any(p["containerPort"] == 9477 for p in c["ports"])
vols = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
assert vols.keys() == mounts.keys() and vols["cgroup"] == "/sys/fs/cgroup", (vols, mounts)
cf = open(sys.argv[2]).read()
assert "FROM debian:bookworm" in cf and "pinwatch_*_amd64.deb" in cf and '"serve"' in cf
PY
then res PASS host/install/daemonset; else res FAIL host/install/daemonset "$(tail -n 2 "$tmp/k8s")"; fi
