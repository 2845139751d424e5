#!/bin/bash
# bench/criu.sh - checkpoint and restore, timed: husk against runc (which drives CRIU
# over its RPC), and a warm start (restore from a snapshot) against the cold start of
# a payload that needs a while to get ready.  CRIU needs a kernel it supports, so
# bench/run.sh runs this inside tests/vm/husk-vm (SCENARIOS=criu); it prints one JSON
# object per figure, as bench/harness does, with a "scenario" of its own.
# Environment: HUSK, RUNC (optional), HARNESS, RUNS (default 10).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
HUSK=${HUSK:-$top/husk}
RUNC=${RUNC:-$(command -v runc || true)}
HARNESS=${HARNESS:-$top/bench/harness}
RUNS=${RUNS:-10}
WARMUP=2
command -v criu >/dev/null || { echo "bench/criu: needs criu (apt-get install criu)" >&2; exit 2; }

work=$(mktemp -d /tmp/husk-bench-criu.XXXXXX)
names=(husk) bins=("$HUSK")
if [ -n "$RUNC" ] && [ -x "$RUNC" ]; then names+=(runc) bins+=("$RUNC"); else
	echo "bench/criu: runc not found: its column is left out (apt-get install runc)" >&2; fi
cleanup() {
	local i id
	for root in "$work"/root-*; do
		case $root in *-runc) bin=$RUNC ;; *) bin=$HUSK ;; esac
		for id in $($bin --root "$root" list -q 2>/dev/null); do
			$bin --root "$root" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

emit() { # scenario, then harness's lines on stdin
	while IFS= read -r line; do jq -c -M --arg s "$1" '. + {scenario: $s}' <<<"$line"; done
}

# The container to checkpoint: a shell that wakes every 0.1 s, its /tmp a tmpfs.
HUSK=$HUSK "$top/contrib/mkbundle.sh" "$work/bundle" true >/dev/null
jq '.ociVersion = "1.0.2" | .process.terminal = false
	| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]
	| .process.args = ["sh", "-c", "while true; do sleep 0.1; done"]' "$work/bundle/config.json" >"$work/c"
mv "$work/c" "$work/bundle/config.json"
# husk saves the network namespace it made with its content (addresses, routes,
# firewall rules); runc always passes --empty-ns network ("runc doesn't manage
# network devices"), so "husk-emptyns" is husk doing runc's work.  Container ids
# differ between the runtimes: husk's cgroup is named after the id.
names2=() bins2=() extra=()
for i in "${!names[@]}"; do names2+=("${names[$i]}") bins2+=("${bins[$i]}") extra+=(""); done
names2+=(husk-emptyns) bins2+=("$HUSK") extra+=("--empty-ns network")
n=$((RUNS + WARMUP))
for i in "${!names2[@]}"; do
	for k in $(seq 0 $((n - 1))); do
		${bins2[$i]} --root "$work/root-${names2[$i]}" run -d -b "$work/bundle" "${names2[$i]}-c$k" </dev/null >/dev/null 2>&1
	done
done
args=()
for i in "${!names2[@]}"; do
	args+=("${names2[$i]}" "${bins2[$i]} --root $work/root-${names2[$i]} checkpoint ${extra[$i]:-} --image-path $work/img-${names2[$i]}-%i ${names2[$i]}-c%i")
done
"$HARNESS" "$RUNS" "$WARMUP" "${args[@]}" | emit "checkpoint"
args=()
for i in "${!names2[@]}"; do
	args+=("${names2[$i]}" "${bins2[$i]} --root $work/root-${names2[$i]} restore -d ${extra[$i]:-} -b $work/bundle --image-path $work/img-${names2[$i]}-%i ${names2[$i]}-r%i </dev/null >/dev/null 2>&1")
done
"$HARNESS" "$RUNS" "$WARMUP" "${args[@]}" | emit "restore"
# CRIU's own share: the last timestamp of its log (seconds since it started), the
# median over the measured runs; the rest of the wall time is the runtime's.
for i in "${!names2[@]}"; do
	for log in dump restore; do
		for k in $(seq "$WARMUP" $((n - 1))); do
			sed -n 's/^(\([0-9.]*\)).*/\1/p' "$work/img-${names2[$i]}-$k/$log.log" | tail -n 1
		done | sort -n | awk -v name="${names2[$i]}" -v s="$log" '{ v[NR] = $1 * 1000 }
			END { printf "{\"name\": \"%s\", \"runs\": %d, \"median_ms\": %.3f, \"scenario\": \"CRIU itself, %s\"}\n",
				name, NR, v[int(NR / 2) + 1], (s == "dump" ? "checkpoint" : "restore") }'
	done
done
for i in "${!names2[@]}"; do
	for id in $(${bins2[$i]} --root "$work/root-${names2[$i]}" list -q); do
		${bins2[$i]} --root "$work/root-${names2[$i]}" delete -f "$id"
	done
done

# A warm start: a payload that computes for a while before it is ready (it writes
# /tmp/ready), started cold with run, and restored from a checkpoint taken once it
# was ready.  Each figure is the time until /tmp/ready exists in the container.
cp -a "$work/bundle" "$work/slow"
rm -rf "$work/slow/rootfs"
# LOOPS sets how long it computes: 600,000 turns of busybox sh's loop take about
# 0.5 s on the development host (and about 14 times that under TCG).
jq --arg r "$work/bundle/rootfs" --arg loops "${LOOPS:-600000}" '.root.path = $r | .process.args = ["sh", "-c",
	"i=0; while [ $i -lt " + $loops + " ]; do i=$((i+1)); done; echo > /tmp/ready; exec sleep 100000"]' \
	"$work/bundle/config.json" >"$work/slow/config.json"
ready='while [ ! -e /proc/$(cat '"$work"'/P%i)/root/tmp/ready ]; do sleep 0.002; done'
R="$HUSK --root $work/root-husk"
$R run -d -b "$work/slow" --pid-file "$work/snap.pid" snap </dev/null >/dev/null 2>&1
for k in $(seq 600); do [ -e "/proc/$(cat "$work/snap.pid")/root/tmp/ready" ] && break; sleep 0.1; done
$R checkpoint --image-path "$work/snap" snap
"$HARNESS" "$RUNS" 1 \
	cold "$R run -d -b $work/slow --pid-file $work/P%i cold%i </dev/null >/dev/null 2>&1 && $ready" \
	warm "$R restore -d -b $work/slow --image-path $work/snap --pid-file $work/W%i warm%i </dev/null >/dev/null 2>&1 && ${ready//P%i/W%i}" |
	emit "warm start (time to ready)"
