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
	for i in "${!names[@]}"; do
		for id in $(${bins[$i]} --root "$work/root-${names[$i]}" list -q 2>/dev/null); do
			${bins[$i]} --root "$work/root-${names[$i]}" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

emit() { # scenario, then harness's lines on stdin
	while IFS= read -r line; do jq -c --arg s "$1" '. + {scenario: $s}' <<<"$line"; done
}

# The container to checkpoint: a shell that wakes every 0.1 s, its /tmp a tmpfs.
HUSK=$HUSK "$top/contrib/mkbundle.sh" "$work/bundle" true >/dev/null
jq '.ociVersion = "1.0.2" | .process.terminal = false
	| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]
	| .process.args = ["sh", "-c", "while true; do sleep 0.1; done"]' "$work/bundle/config.json" >"$work/c"
mv "$work/c" "$work/bundle/config.json"
n=$((RUNS + WARMUP))
for i in "${!names[@]}"; do
	for k in $(seq 0 $((n - 1))); do
		${bins[$i]} --root "$work/root-${names[$i]}" run -d -b "$work/bundle" "c$k" </dev/null >/dev/null 2>&1
	done
done
args=()
for i in "${!names[@]}"; do
	args+=("${names[$i]}" "${bins[$i]} --root $work/root-${names[$i]} checkpoint --image-path $work/img-${names[$i]}-%i c%i")
done
"$HARNESS" "$RUNS" "$WARMUP" "${args[@]}" | emit "checkpoint"
args=()
for i in "${!names[@]}"; do
	args+=("${names[$i]}" "${bins[$i]} --root $work/root-${names[$i]} restore -d -b $work/bundle --image-path $work/img-${names[$i]}-%i r%i </dev/null >/dev/null 2>&1")
done
"$HARNESS" "$RUNS" "$WARMUP" "${args[@]}" | emit "restore"
for i in "${!names[@]}"; do
	for id in $(${bins[$i]} --root "$work/root-${names[$i]}" list -q); do
		${bins[$i]} --root "$work/root-${names[$i]}" delete -f "$id"
	done
done

# A warm start: a payload that computes for a while before it is ready (it writes
# /tmp/ready), started cold with run, and restored from a checkpoint taken once it
# was ready.  Each figure is the time until /tmp/ready exists in the container.
cp -a "$work/bundle" "$work/slow"
rm -rf "$work/slow/rootfs"
# LOOPS sets how long it computes (about 1 s under TCG by default).
jq --arg r "$work/bundle/rootfs" --arg loops "${LOOPS:-30000}" '.root.path = $r | .process.args = ["sh", "-c",
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
