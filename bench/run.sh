#!/bin/bash
# bench/run.sh - "make bench": husk side by side with runc and crun (and the kernel's
# floor), each figure a median over RUNS runs taken round-robin.  Prints a table and
# writes bench/results.json.  Needs root; installs nothing: it names what it misses.
# Environment: RUNS (default 30), CRUN/RUNC (binaries), HUSK.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
HUSK=${HUSK:-$top/husk}
RUNS=${RUNS:-30}
harness=${BENCHDIR:-$top/bench}/harness
floor=${BENCHDIR:-$top/bench}/floor
out=$top/bench/results.json
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 2; }
for f in "$HUSK" "$harness" "$floor"; do
	[ -x "$f" ] || { echo "bench: $f not built (make bench builds it)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench: needs jq (apt-get install jq)" >&2; exit 2; }

runtimes=(husk) bins=("$HUSK")
for rt in runc crun; do
	var=${rt^^}
	bin=${!var:-$(command -v $rt || true)}
	if [ -n "$bin" ] && [ -x "$bin" ]; then
		runtimes+=("$rt") bins+=("$bin")
	else
		echo "bench: $rt not found: its column is left out (apt-get install $rt, or $var=/path)" >&2
	fi
done

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
cleanup() {
	local i id
	for i in "${!runtimes[@]}"; do
		for root in "$work/root-${runtimes[$i]}" "$work/root-${runtimes[$i]}-list"; do
			for id in $(${bins[$i]} --root "$root" list -q 2>/dev/null); do
				${bins[$i]} --root "$root" delete -f "$id" >/dev/null 2>&1 || true
			done
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT
HUSK=$HUSK "$top/contrib/mkbundle.sh" "$work/bundle" true >/dev/null
# One config for every runtime: ociVersion 1.0.2 (crun 1.8 refuses 1.3.0), and the
# pid, mount, network, ipc and uts namespaces of the issue's scenario (no cgroup ns).
jq '.ociVersion = "1.0.2" | .linux.namespaces |= map(select(.type != "cgroup"))
	| .mounts |= map(select(.type != "cgroup"))' "$work/bundle/config.json" > "$work/c"
mv "$work/c" "$work/bundle/config.json"
cp -a "$work/bundle" "$work/sleeper"
jq '.process.args = ["sleep", "100000"] | .root.path = "'"$work"'/bundle/rootfs"' "$work/bundle/config.json" > "$work/sleeper/config.json"
rm -rf "$work/sleeper/rootfs"

# A runtime that cannot run the bundle here (crun refuses a hybrid cgroup host) is
# reported and left out, not counted as a failure of the benchmark.
keep_rt=() keep_bin=()
for i in "${!runtimes[@]}"; do
	if msg=$(${bins[$i]} --root "$work/probe" run -b "$work/bundle" probe 2>&1); then
		keep_rt+=("${runtimes[$i]}") keep_bin+=("${bins[$i]}")
	else
		echo "bench: ${runtimes[$i]} cannot run containers on this host, left out: $msg" >&2
		${bins[$i]} --root "$work/probe" delete -f probe >/dev/null 2>&1 || true
	fi
done
runtimes=("${keep_rt[@]}") bins=("${keep_bin[@]}")

results=()
measure() { # title, then NAME CMD pairs
	local title=$1 runs=$2 line
	shift 2
	echo "# $title" >&2
	while IFS= read -r line; do
		results+=("$(jq -c --arg s "$title" '. + {scenario: $s}' <<<"$line")")
	done < <("$harness" "$runs" 3 "$@")
}
rt_args() { # the NAME CMD pairs for every runtime, CMD built from a template with RT and ROOT
	local tmpl=$1 i cmd
	for i in "${!runtimes[@]}"; do
		cmd=${tmpl//RT/${bins[$i]}}
		cmd=${cmd//ROOT/$work/root-${runtimes[$i]}}
		printf '%s\0%s\0' "${runtimes[$i]}" "$cmd"
	done
}
pairs() { mapfile -d '' args < <(rt_args "$1"); }

pairs "RT --root ROOT run -b $work/bundle r%i"
measure "run /bin/true" "$RUNS" floor "$floor $work/bundle/rootfs" "${args[@]}"
pairs "RT --root ROOT create -b $work/bundle c%i && RT --root ROOT start c%i && RT --root ROOT delete -f c%i"
measure "create+start+delete" "$RUNS" "${args[@]}"
for i in "${!runtimes[@]}"; do
	${bins[$i]} --root "$work/root-${runtimes[$i]}" run -d -b "$work/sleeper" sleeper > /dev/null
done
pairs "RT --root ROOT exec sleeper true"
measure "exec /bin/true" "$RUNS" "${args[@]}"
pairs "seq 100 | xargs -P 100 -I{} RT --root ROOT run -b $work/bundle p%i-{}"
measure "100 concurrent runs" 3 "${args[@]}"
for i in "${!runtimes[@]}"; do
	for n in $(seq 1000); do echo "l$n"; done |
		xargs -P 8 -I{} ${bins[$i]} --root "$work/root-${runtimes[$i]}-list" run -d -b "$work/bundle" {} > /dev/null
done
pairs "RT --root ROOT-list list > /dev/null"
measure "list, 1000 containers" "$RUNS" "${args[@]}"

printf '%s\n' "${results[@]}" | jq -s '{runs: '"$RUNS"', results: .}' > "$out"
echo
printf '%-24s %-6s %10s %10s %12s %10s\n' scenario runtime "median ms" "p90 ms" "peak RSS KB" "vs husk"
jq -r '.results as $r | $r[] | . as $x |
	($r | map(select(.scenario == $x.scenario and .name == "husk"))[0].median_ms) as $h |
	[.scenario, .name, (.median_ms|tostring), (.p90_ms|tostring), (.max_peak_rss_kb|tostring),
	 (if $h then ((.median_ms / $h * 100 | round) / 100 | tostring) + "x" else "" end)] | @tsv' "$out" |
	while IFS=$'\t' read -r s n m p r x; do printf '%-24s %-6s %10s %10s %12s %10s\n' "$s" "$n" "$m" "$p" "$r" "$x"; done
echo
echo "written: $out"
