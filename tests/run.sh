#!/bin/bash
# tests/run.sh - the whole test suite: C unit tests, then the bats integration tests
# against the built ./husk.  Ends with "N passed, M failed, K skipped".
# Run from the top of a built tree (./autogen.sh && ./configure && make).
# Environment: HUSK (the binary), RECVTTY and UNITDIR (where a VPATH build put the
# test helper and the unit tests), TESTS (host bats files or directories to run; the
# VM suite then runs only if VMTESTS is set), VMTESTS (bats files to run in the VM).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export HUSK=${HUSK:-$top/husk}
export RECVTTY=${RECVTTY:-$top/tests/helpers/recvtty}
export SECCOMP_AGENT=${SECCOMP_AGENT:-$top/tests/helpers/seccomp-agent}
export SD_NOTIFY=${SD_NOTIFY:-$top/tests/helpers/sd-notify}
export TCP_PINGPONG=${TCP_PINGPONG:-$top/tests/helpers/tcp-pingpong}
export HUSK_TEST_BASE=${HUSK_TEST_BASE:-$(mktemp -d /tmp/husk-test-base.XXXXXX)/base}
chmod 755 "$(dirname "$HUSK_TEST_BASE")"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -rf "$log" "$(dirname "$HUSK_TEST_BASE")"' EXIT

[ -x "$HUSK" ] || { echo "tests/run.sh: $HUSK not built (run make first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "tests/run.sh: the integration tests need root" >&2; exit 2; }

# Tally a TAP stream: "ok N ...", "ok N ... # skip ...", "not ok N ...".
tally() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*"# skip"*|"ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)) ;;
		esac
	done
}

echo "# unit tests"
for t in "${UNITDIR:-$top/tests/unit}"/test-*; do
	[ -x "$t" ] || continue
	case $t in *.c|*.o) continue ;; esac
	tally < <("$t" 2>&1)
done

echo "# integration tests"
tally < <(bats --tap ${TESTS:-tests/integration} 2>&1)

if [ -z "${TESTS:-}" ]; then
	echo "# the microVM executor (QEMU's microvm, KVM or TCG, on this host)"
	tally < <(bats --tap tests/microvm 2>&1)
fi

# The host suite again against husk built with ASan and UBSan (make check builds it):
# any report of theirs makes husk exit non-zero, and so fails a test.
if [ -n "${HUSK_SAN:-}" ] && [ -x "$HUSK_SAN" ]; then
	echo "# integration tests again, against husk-san (ASan + UBSan)"
	# (memcheck.bats is valgrind's, which does not run ASan binaries.)
	san_tests=${TESTS:-$(ls tests/integration/*.bats | grep -v /memcheck.bats)}
	tally < <(HUSK=$HUSK_SAN HUSK_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:exitcode=86 \
		UBSAN_OPTIONS=print_stacktrace=1 bats --tap $san_tests 2>&1)
fi

# Fuzzing: config.json and state.json parsing, bounded in time (FUZZ_SECONDS each).
if [ -z "${TESTS:-}" ] || [ -n "${FUZZ_SECONDS:-}" ]; then
	echo "# fuzzing (tests/fuzz)"
	tally < <(tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" 2>&1)
fi

# The cgroup v2 limits need a kernel with every controller, and Podman and containerd
# a stock cgroup v2 host as Debian 12 sets one up: one VM boot runs them all.
if [ -z "${TESTS:-}" ] || [ -n "${VMTESTS:-}" ]; then
	echo "# cgroup v2, AppArmor, Podman, containerd and CRIU tests (in tests/vm/husk-vm)"
	vm_tally() {   # VM options and bats files
		local opts=() rc
		while [ "$1" != -- ]; do opts+=("$1"); shift; done
		shift
		tests/vm/husk-vm "${opts[@]}" --timeout 1800 -- bats --tap "$@" 2>&1
		rc=$?
		# 1 is bats reporting failed tests; anything else is the VM failing to run them.
		[ "$rc" -le 1 ] || echo "not ok - the VM did not complete $* (status $rc)"
	}
	tally < <(vm_tally --disk 64M -- ${VMTESTS:-tests/cgroupv2 tests/lsm tests/clients tests/criu})
	# A second boot with systemd as PID 1, for the systemd cgroup driver.
	if [ -z "${VMTESTS:-}" ]; then
		echo "# systemd cgroup driver tests (in tests/vm/husk-vm --systemd)"
		tally < <(vm_tally --systemd -- tests/systemd)
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
