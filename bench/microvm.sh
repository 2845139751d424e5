#!/bin/bash
# bench/microvm.sh - the microVM executor, timed: run of /bin/true from husk's start to
# its exit status, the time to the guest's PID 1 and to its agent, exec into a running
# microVM, and the VMM's RSS; for Debian's kernel and for the minimal kernel
# (contrib/microvm, `make microvm-kernel`) when it is built.  bench/run.sh runs it
# (SCENARIOS=microvm); it prints one JSON object per figure, with a "scenario" naming
# the accelerator.
# Environment: HUSK, HARNESS, RUNS (default 5), MICROVM_KERNEL (the minimal kernel).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
HUSK=${HUSK:-$top/husk}
HARNESS=${HARNESS:-$top/bench/harness}
RUNS=${RUNS:-5}
MICROVM_KERNEL=${MICROVM_KERNEL:-$top/contrib/microvm/build/vmlinux-husk-minimal}
command -v qemu-system-x86_64 >/dev/null || { echo "bench/microvm: needs qemu-system-x86" >&2; exit 2; }

work=$(mktemp -d /tmp/husk-bench-microvm.XXXXXX)
cleanup() {
	local id
	for id in $("$HUSK" --root "$work/root" list -q 2>/dev/null); do
		"$HUSK" --root "$work/root" delete -f "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

HUSK=$HUSK "$top/contrib/mkbundle.sh" "$work/debian" true >/dev/null
jq '.annotations["run.husk.executor"] = "microvm"' "$work/debian/config.json" >"$work/c"
mv "$work/c" "$work/debian/config.json"
kernels=(debian)
if [ -f "$MICROVM_KERNEL" ]; then
	mkdir "$work/minimal"
	jq --arg k "$MICROVM_KERNEL" '.annotations["run.husk.microvm.kernel"] = $k | .root.path = "'"$work"'/debian/rootfs"' \
		"$work/debian/config.json" >"$work/minimal/config.json"
	kernels+=(minimal)
else
	echo "bench/microvm: no minimal kernel at $MICROVM_KERNEL (make microvm-kernel): its rows are left out" >&2
fi

# The accelerator husk picks here (it says why when it is TCG).
accel=kvm
"$HUSK" --root "$work/root" --log "$work/probe.log" run -b "$work/debian" probe >/dev/null 2>&1 || true
grep -q "using TCG" "$work/probe.log" && accel=tcg

emit() { # scenario, then harness's lines on stdin
	while IFS= read -r line; do jq -c -M --arg s "$1" '. + {scenario: $s}' <<<"$line"; done
}

args=()
for k in "${kernels[@]}"; do args+=("$k" "$HUSK --root $work/root run -b $work/$k v%i"); done
"$HARNESS" "$RUNS" 1 "${args[@]}" | emit "microvm ($accel): run /bin/true"

# Where the boot goes, from the monitor's --debug line: QEMU's start to the agent's
# hello, and the guest's own uptime when its PID 1 started and when the agent was up.
for k in "${kernels[@]}"; do
	: >"$work/debug.log"
	for n in $(seq "$RUNS"); do
		"$HUSK" --root "$work/root" --debug --log "$work/debug.log" run -b "$work/$k" d$n >/dev/null 2>&1
	done
	sed -n 's/.*agent up \([0-9]*\) ms after QEMU started; guest uptime at PID 1 \([0-9]*\) ms, at the agent.s hello \([0-9]*\) ms.*/\1 \2 \3/p' \
		"$work/debug.log" | jq -R -s -c -M --arg n "$k" --arg s "microvm ($accel): boot" '
		split("\n") | map(select(length > 0) | split(" ") | map(tonumber)) as $r |
		def med(i): ($r | map(.[i]) | sort | .[length / 2 | floor]);
		{scenario: $s, name: $n, runs: ($r | length), agent_up_ms: med(0), guest_pid1_ms: med(1),
		 guest_agent_ms: med(2), median_ms: med(0)}'
done

# exec into a running microVM, and the VMM's memory once it is up.
jq '.process.args = ["sleep", "100000"]' "$work/debian/config.json" >"$work/c"
mkdir -p "$work/sleeper"
mv "$work/c" "$work/sleeper/config.json"
jq '.root.path = "'"$work"'/debian/rootfs"' "$work/sleeper/config.json" >"$work/c" && mv "$work/c" "$work/sleeper/config.json"
"$HUSK" --root "$work/root" run -d -b "$work/sleeper" sleeper </dev/null >/dev/null 2>&1
"$HARNESS" $((RUNS * 6)) 2 exec "$HUSK --root $work/root exec sleeper true" | emit "microvm ($accel): exec /bin/true"
pid=$("$HUSK" --root "$work/root" state sleeper | jq .pid)
qemu=$(pgrep -P "$pid" -f qemu-system-x86_64)
jq -n -c -M --arg s "microvm ($accel): VMM memory" --argjson rss "$(awk '/^VmRSS/ { print $2 }' "/proc/$qemu/status")" \
	--argjson hwm "$(awk '/^VmHWM/ { print $2 }' "/proc/$qemu/status")" \
	'{scenario: $s, name: "qemu (debian)", vmm_rss_kb: $rss, vmm_peak_rss_kb: $hwm}'
