#!/bin/bash
# bench/run.sh - "make bench": husk side by side with runc and crun (and the kernel's
# floor), each figure a median over RUNS runs taken round-robin.  Prints a table and
# writes bench/results.json.  Needs root; installs nothing: it names what it misses.
# Environment: RUNS (default 30), CRUN/RUNC (binaries), HUSK, SCENARIOS (a comma list
# of run,nocgroup,lifecycle,exec,concurrent,list,rss,seccomp,microvm,criu; default all),
# CRIU_RUNS (default 10), MICROVM_RUNS (default 5).  microvm: bench/microvm.sh.  criu: checkpoint, restore and a warm start, in tests/vm/husk-vm
# (bench/criu.sh), since CRIU needs a kernel it supports.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
HUSK=${HUSK:-$top/husk}
RUNS=${RUNS:-30}
SCENARIOS=${SCENARIOS:-run,nocgroup,lifecycle,exec,concurrent,list,rss,seccomp,microvm,criu}
harness=${BENCHDIR:-$top/bench}/harness
floor=${BENCHDIR:-$top/bench}/floor
rss=${BENCHDIR:-$top/bench}/rss
out=$top/bench/results.json
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 2; }
for f in "$HUSK" "$harness" "$floor" "$rss"; do
	[ -x "$f" ] || { echo "bench: $f not built (make bench builds it)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench: needs jq (apt-get install jq)" >&2; exit 2; }

# crun refuses a hybrid cgroup host ("cgroups in hybrid mode not supported") and runs
# when /sys/fs/cgroup/unified/cgroup.controllers reads empty.  On such a host the
# benchmark runs itself again in a private mount namespace where an empty file is
# bind-mounted over that one: nothing on the host changes, and every runtime sees the
# same view (runc and crun use the v1 controllers; the unified hierarchy, which husk
# uses, holds none of them on such a host anyway).
if [ -z "${HUSK_BENCH_NS:-}" ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
	[ -e /sys/fs/cgroup/unified/cgroup.controllers ] && command -v unshare >/dev/null &&
	{ [ -n "${CRUN:-}" ] || command -v crun >/dev/null; }; then
	echo "bench: hybrid cgroups: running in a private mount namespace whose" \
		"/sys/fs/cgroup/unified/cgroup.controllers is empty, so that crun runs (the host is unchanged)" >&2
	empty=$(mktemp /tmp/husk-bench-empty.XXXXXX)
	HUSK_BENCH_NS=1 exec unshare -m --propagation private sh -c \
		'mount --bind "$1" /sys/fs/cgroup/unified/cgroup.controllers && rm -f "$1" && shift && exec "$@"' \
		sh "$empty" "$0" "$@"
fi

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

want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

if want run; then
	pairs "RT --root ROOT run -b $work/bundle r%i"
	measure "run /bin/true" "$RUNS" floor "$floor $work/bundle/rootfs" "${args[@]}"
fi
if want nocgroup; then
	# Neither pays for its cgroup driver: husk and crun with the cgroup manager
	# disabled (runc has no such switch).
	args=()
	for i in "${!runtimes[@]}"; do
		case ${runtimes[$i]} in
		husk) args+=(husk "${bins[$i]} --cgroup-manager disabled --root $work/root-husk run -b $work/bundle n%i") ;;
		crun) args+=(crun "${bins[$i]} --cgroup-manager=disabled --root $work/root-crun run -b $work/bundle n%i") ;;
		esac
	done
	measure "run, no cgroup manager" "$RUNS" "${args[@]}"
fi
if want lifecycle; then
	pairs "RT --root ROOT create -b $work/bundle c%i && RT --root ROOT start c%i && RT --root ROOT delete -f c%i"
	measure "create+start+delete" "$RUNS" "${args[@]}"
fi
if want exec; then
	for i in "${!runtimes[@]}"; do
		${bins[$i]} --root "$work/root-${runtimes[$i]}" run -d -b "$work/sleeper" sleeper > /dev/null
	done
	pairs "RT --root ROOT exec sleeper true"
	measure "exec /bin/true" "$RUNS" "${args[@]}"
fi
if want concurrent; then
	pairs "seq 100 | xargs -P 100 -I{} RT --root ROOT run -b $work/bundle p%i-{}"
	measure "100 concurrent runs" 3 "${args[@]}"
fi
if want list; then
	for i in "${!runtimes[@]}"; do
		for n in $(seq 1000); do echo "l$n"; done |
			xargs -P 8 -I{} ${bins[$i]} --root "$work/root-${runtimes[$i]}-list" run -d -b "$work/bundle" {} > /dev/null
	done
	pairs "RT --root ROOT-list list > /dev/null"
	measure "list, 1000 containers" "$RUNS" "${args[@]}"
fi
if want seccomp; then
	# The same run with husk's default seccomp profile (contrib/seccomp.json): husk with
	# its cache of compiled programs, husk compiling every time, and the others.
	cp -a "$work/bundle" "$work/seccomp"
	rm -rf "$work/seccomp/rootfs"
	jq --slurpfile p "$top/contrib/seccomp.json" '.linux.seccomp = $p[0] | .root.path = "'"$work"'/bundle/rootfs"' \
		"$work/bundle/config.json" > "$work/seccomp/config.json"
	pairs "RT --root ROOT run -b $work/seccomp s%i"
	measure "run, seccomp profile" "$RUNS" "${args[@]:0:2}" husk-nocache \
		"HUSK_NO_SECCOMP_CACHE=1 $HUSK --root $work/root-husk run -b $work/seccomp n%i" "${args[@]:2}"
fi
if want rss; then
	# Every process of the runtime, followed with ptrace (bench/rss.c): the largest
	# peak and the sum of the peaks, medians over 10 runs (ptrace slows the runs: no times).
	echo "# peak RSS of run, every runtime process" >&2
	names=(floor "${runtimes[@]}") cmds=("$floor $work/bundle/rootfs")
	for i in "${!runtimes[@]}"; do cmds+=("${bins[$i]} --root $work/root-${runtimes[$i]} run -b $work/bundle m@"); done
	for i in "${!names[@]}"; do
		samples=()
		for n in $(seq 10); do samples+=("$("$rss" ${cmds[$i]//@/$n})"); done
		results+=("$(printf '%s\n' "${samples[@]}" | jq -sc --arg n "${names[$i]}" '
			def med: sort | .[length / 2 | floor];
			{scenario: "run: RSS of every runtime process", name: $n, runs: length,
			 processes: (map(.processes) | med), max_process_kb: (map(.max_kb) | med),
			 sum_kb: (map(.sum_kb) | med)}')")
	done
fi

if want microvm; then
	# The microVM executor, husk alone (no other runtime has one to compare).
	echo "# the microVM executor (bench/microvm.sh)" >&2
	if lines=$(HUSK="$HUSK" HARNESS="$harness" RUNS="${MICROVM_RUNS:-5}" "$top/bench/microvm.sh"); then
		while IFS= read -r line; do [[ $line == '{'* ]] && results+=("$line"); done <<<"$lines"
	else
		echo "bench: the microVM scenarios failed (left out)" >&2
	fi
fi
if want criu; then
	# In the VM: Debian's CRIU 3.17 cannot checkpoint on every host kernel.  Its
	# figures are TCG's: compare the ratios, not the times, with the host's.
	echo "# checkpoint, restore and warm start, in tests/vm/husk-vm (bench/criu.sh)" >&2
	if lines=$("$top/tests/vm/husk-vm" --timeout 1800 -- env HUSK="$HUSK" RUNC="$(command -v runc || true)" \
		HARNESS="$harness" RUNS="${CRIU_RUNS:-10}" "$top/bench/criu.sh" | tr -d '\r'); then
		while IFS= read -r line; do [[ $line == '{'* ]] && results+=("$line"); done <<<"$lines"
	else
		echo "bench: the checkpoint scenarios failed in the VM (left out)" >&2
	fi
fi

printf '%s\n' "${results[@]}" | jq -s '{runs: '"$RUNS"', results: .}' > "$out"
echo
printf '%-26s %-12s %10s %10s %9s %9s %12s %8s\n' scenario runtime "median ms" "p90 ms" "user ms" "sys ms" \
	"peak RSS KB" "vs husk"
jq -r '.results as $r | $r[] | select(has("median_ms")) | . as $x |
	($r | map(select(.scenario == $x.scenario and .name == "husk"))[0].median_ms) as $h |
	[.scenario, .name, (.median_ms|tostring), (.p90_ms // "-" | tostring), (.median_user_ms // "-" | tostring),
	 (.median_sys_ms // "-" | tostring), (.max_peak_rss_kb // "-" | tostring),
	 (if $h then ((.median_ms / $h * 100 | round) / 100 | tostring) + "x" else "" end)] | @tsv' "$out" |
	while IFS=$'\t' read -r s n m p us sy r x; do
		printf '%-26s %-12s %10s %10s %9s %9s %12s %8s\n' "$s" "$n" "$m" "$p" "$us" "$sy" "$r" "$x"
	done
if want rss; then
	echo
	printf '%-34s %-6s %10s %18s %10s\n' "run: every runtime process" runtime processes "largest peak KB" "sum KB"
	jq -r '.results[] | select(has("sum_kb")) | [.name, .processes, .max_process_kb, .sum_kb] | @tsv' "$out" |
		while IFS=$'\t' read -r n p m s; do printf '%-34s %-6s %10s %18s %10s\n' "" "$n" "$p" "$m" "$s"; done
fi

if want microvm; then
	echo
	printf '%-34s %-8s %14s %16s %16s\n' "microVM boot (medians)" kernel "agent up ms" "guest PID 1 ms" "guest agent ms"
	jq -r '.results[] | select(has("agent_up_ms")) | [.scenario, .name, .agent_up_ms, .guest_pid1_ms, .guest_agent_ms] | @tsv' "$out" |
		while IFS=$'\t' read -r s n a p g; do printf '%-34s %-8s %14s %16s %16s\n' "$s" "$n" "$a" "$p" "$g"; done
	jq -r '.results[] | select(has("vmm_rss_kb")) | "\(.scenario): \(.name) RSS \(.vmm_rss_kb) KB, peak \(.vmm_peak_rss_kb) KB"' "$out"
fi

# Where husk stands against its speed targets (bench/README.md lists them) (a missed target is printed as missed).
echo
jq -r '
	def med(s; n): [.results[] | select(.scenario == s and .name == n)][0].median_ms;
	def rss(n): [.results[] | select(has("sum_kb") and .name == n)][0];
	def r2: . * 100 | round / 100;
	def row(t; v; ok): "\(t): \(v) -> \(if ok == null then "not measured" elif ok then "met" else "MISSED" end)";
	(med("run /bin/true"; "husk")) as $run | (med("run /bin/true"; "floor")) as $floor |
	(med("run /bin/true"; "runc")) as $runc | (med("run /bin/true"; "crun")) as $crun |
	(med("exec /bin/true"; "husk")) as $exec | (med("exec /bin/true"; "crun")) as $exec_crun |
	(med("run, no cgroup manager"; "husk")) as $nocg | (med("run, no cgroup manager"; "crun")) as $nocg_crun |
	(med("create+start+delete"; "husk")) as $csd | (med("create+start+delete"; "crun")) as $csd_crun |
	(med("list, 1000 containers"; "husk")) as $list | (rss("husk")) as $rss |
	(med("checkpoint"; "husk-emptyns")) as $ck | (med("checkpoint"; "runc")) as $ck_runc |
	(med("restore"; "husk-emptyns")) as $rs | (med("restore"; "runc")) as $rs_runc |
	(med("CRIU itself, checkpoint"; "husk-emptyns")) as $ck_criu | (med("CRIU itself, checkpoint"; "runc")) as $ck_criu_runc |
	(med("CRIU itself, restore"; "husk-emptyns")) as $rs_criu | (med("CRIU itself, restore"; "runc")) as $rs_criu_runc |
	(med("warm start (time to ready)"; "cold")) as $cold | (med("warm start (time to ready)"; "warm")) as $warm |
	"targets:",
	row("  run <= 1.5x the floor"; if $run and $floor then "\($run / $floor | r2)x" else "-" end;
	    if $run and $floor then $run <= 1.5 * $floor else null end),
	row("  run >= 3x faster than crun"; if $crun then "\($crun / $run | r2)x" else "no crun" end;
	    if $crun then $crun >= 3 * $run else null end),
	row("  run >= 10x faster than runc"; if $runc then "\($runc / $run | r2)x" else "no runc" end;
	    if $runc then $runc >= 10 * $run else null end),
	row("  run, no cgroup manager on either side, >= 3x faster than crun"; if $nocg_crun and $nocg then "\($nocg_crun / $nocg | r2)x" else "no crun" end;
	    if $nocg_crun and $nocg then $nocg_crun >= 3 * $nocg else null end),
	row("  exec >= 3x faster than crun"; if $exec_crun then "\($exec_crun / $exec | r2)x" else "no crun" end;
	    if $exec_crun then $exec_crun >= 3 * $exec else null end),
	row("  create+start+delete >= 3x faster than crun"; if $csd_crun then "\($csd_crun / $csd | r2)x" else "no crun" end;
	    if $csd_crun then $csd_crun >= 3 * $csd else null end),
	row("  peak RSS of any husk process <= 2 MB"; if $rss then "\($rss.max_process_kb) KB" else "-" end;
	    if $rss then $rss.max_process_kb <= 2048 else null end),
	([.results[] | select(.scenario | test("^microvm \\(tcg\\): run")) | select(.name == "minimal")][0].median_ms) as $mv_tcg_min |
	([.results[] | select(.scenario | test("^microvm \\(kvm\\): run")) | select(.name == "minimal")][0].median_ms) as $mv_kvm_min |
	([.results[] | select(.scenario | test("^microvm .*: exec"))][0].median_ms) as $mv_exec |
	row("  microvm, TCG: run of /bin/true with the minimal kernel <= 1 s"; if $mv_tcg_min then "\($mv_tcg_min) ms" else "-" end;
	    if $mv_tcg_min then $mv_tcg_min <= 1000 else null end),
	row("  microvm, KVM: run of /bin/true with the minimal kernel <= 150 ms"; if $mv_kvm_min then "\($mv_kvm_min) ms" else "no KVM here" end;
	    if $mv_kvm_min then $mv_kvm_min <= 150 else null end),
	row("  microvm: exec into a running microVM <= 20 ms"; if $mv_exec then "\($mv_exec) ms" else "-" end;
	    if $mv_exec then $mv_exec <= 20 else null end),
	row("  list at 1,000 containers < 20 ms"; if $list then "\($list) ms" else "-" end;
	    if $list then $list < 20 else null end),
	row("  checkpoint >= 2x faster than runc (VM; both --empty-ns network)"; if $ck and $ck_runc then "\($ck_runc / $ck | r2)x" else "-" end;
	    if $ck and $ck_runc then $ck_runc >= 2 * $ck else null end),
	row("  restore >= 2x faster than runc (VM; both --empty-ns network)"; if $rs and $rs_runc then "\($rs_runc / $rs | r2)x" else "-" end;
	    if $rs and $rs_runc then $rs_runc >= 2 * $rs else null end),
	"  (the runtime'"'"'s own time, wall less CRIU'"'"'s: checkpoint \(if $ck_criu and $ck_criu_runc then "\($ck - $ck_criu | round) ms vs runc'"'"'s \($ck_runc - $ck_criu_runc | round) ms" else "-" end), restore \(if $rs_criu and $rs_criu_runc then "\($rs - $rs_criu | round) ms vs runc'"'"'s \($rs_runc - $rs_criu_runc | round) ms" else "-" end))",
	row("  warm start >= 5x faster than the cold start (VM)"; if $warm and $cold then "\($cold / $warm | r2)x" else "-" end;
	    if $warm and $cold then $cold >= 5 * $warm else null end)' "$out"
echo
echo "written: $out"
