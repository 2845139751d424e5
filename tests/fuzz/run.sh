#!/bin/bash
# tests/fuzz/run.sh SECONDS - build the libFuzzer targets with clang (ASan + UBSan),
# replay the seed corpus and every past crash (tests/fuzz/regressions), then fuzz
# each target for SECONDS.  Prints TAP: one line per target.
# Environment: BUILDDIR (where config.h is; default the top of the tree), CC_FUZZ
# (default clang).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
builddir=${BUILDDIR:-$top}
cc=${CC_FUZZ:-clang}
work=$(mktemp -d /tmp/husk-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
targets=(config state)

n=0
say() { n=$((n + 1)); echo "$1 $n - $2"; }

if ! command -v "$cc" >/dev/null; then
	for t in "${targets[@]}"; do say "not ok" "fuzz $t: $cc not found (contrib/install-deps.sh installs clang)"; done
	exit 1
fi
# The library's sources that the targets reach, compiled with the fuzzer's
# instrumentation (libcontainer.a is built without it).
srcs=(json spec caps cgroup_resources cgroup_devices cgroup cgroup_systemd state utils error seccomp_profile)
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-I"$builddir" -I"$top/libcontainer" $(pkg-config --cflags yajl libcap libsystemd))
libs=($(pkg-config --libs yajl libcap) -ldl)
ok=1
for t in "${targets[@]}"; do
	files=()
	for s in "${srcs[@]}"; do files+=("$top/libcontainer/$s.c"); done
	if ! "$cc" "${flags[@]}" -o "$work/fuzz-$t" "$top/tests/fuzz/fuzz-$t.c" "${files[@]}" "${libs[@]}" \
		2>"$work/build-$t.log"; then
		say "not ok" "fuzz $t: the target does not build"
		sed 's/^/# /' "$work/build-$t.log" | head -20
		ok=0
	fi
done
[ "$ok" = 1 ] || exit 1
for t in "${targets[@]}"; do
	corpus=$work/corpus-$t
	mkdir -p "$corpus"
	cp "$top"/tests/fuzz/seeds/$t/* "$corpus"/ 2>/dev/null
	regress=("$top"/tests/fuzz/regressions/$t-*)
	[ -e "${regress[0]}" ] || regress=()
	# Past crashes first: each must now run clean.
	if [ ${#regress[@]} -gt 0 ] && ! "$work/fuzz-$t" "${regress[@]}" >"$work/regress-$t.log" 2>&1; then
		say "not ok" "fuzz $t: a past crash is back"
		grep -m 20 -E 'ERROR|SUMMARY|#[0-9]' "$work/regress-$t.log" | sed 's/^/# /'
		continue
	fi
	if "$work/fuzz-$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-artifact_prefix="$work/crash-$t-" -print_final_stats=1 "$corpus" >"$work/fuzz-$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz-$t.log")
		say "ok" "fuzz $t: ${runs:-?} inputs in ${secs}s (${#regress[@]} past crashes replayed), no crash"
	else
		say "not ok" "fuzz $t: a crash (copy it into tests/fuzz/regressions/$t-NAME)"
		grep -m 30 -E 'ERROR|SUMMARY|^    #|Test unit written' "$work/fuzz-$t.log" | sed 's/^/# /'
		for c in "$work"/crash-$t-*; do [ -e "$c" ] && echo "# input (base64): $(base64 -w0 "$c" | head -c 2000)"; done
	fi
done
