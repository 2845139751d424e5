# helpers.bash - shared by the real-client suites (containerd, Podman): a scratch
# directory on a tmpfs, a recording wrapper that stands in for the husk binary, and
# the comparison of what a client sent with what tests/clients/recorded/ holds.
#
# These suites run as root inside tests/vm/husk-vm (pure cgroup v2, as on a stock
# Debian 12 host); every client call is bounded by a timeout.

HUSK=${HUSK:-$BATS_TEST_DIRNAME/../../husk}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-120}
# What tests/clients/mkimage.sh tags its image.
IMAGE=docker.io/library/husk-busybox:latest

# client_setup CLIENT: skip the file without CLIENT; else a scratch directory with the
# recorder in it, exported as $SCRATCH for every test of the file.
client_setup() {
	command -v "$1" >/dev/null || skip "$1 not installed"
	client_scratch "$1"
	export SCRATCH
	make_recorder "$SCRATCH"
}

# client_scratch NAME: a fresh directory on its own tmpfs (overlayfs snapshotters and
# storage drivers refuse an overlayfs upper layer, which / is in the VM), in $SCRATCH.
client_scratch() {
	SCRATCH=$(mktemp -d "/tmp/husk-$1.XXXXXX")
	mount -t tmpfs -o mode=0711 tmpfs "$SCRATCH"
}

client_scratch_remove() {
	[ -n "${SCRATCH:-}" ] || return 0
	umount -l "$SCRATCH" 2>/dev/null || true
	rmdir "$SCRATCH" 2>/dev/null || true
}

# make_recorder DIR: DIR/husk, a wrapper that appends its argv (one line, words joined
# by spaces) to DIR/argv.log and runs the real husk.  Clients do not pass our
# environment on, so the paths are written into it.
make_recorder() {
	local dir=$1 real
	real=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
	cat > "$dir/husk" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$*" >> '$dir/argv.log'
		exec '$real' "\$@"
	EOF
	chmod 755 "$dir/husk"
}

# argv_shapes FILE: each line's shape, sorted and unique: the command and the option
# names as they are, every other word (ids, paths, pids, values) as V, except the
# value of --log-format and --format, which change what husk prints.
argv_shapes() {
	awk '{
		out = ""; keep = 0
		for (i = 1; i <= NF; i++) {
			w = $i
			if (keep) { keep = 0 }
			else if (w ~ /^--(log-format|format)$/) { keep = 1 }
			else if (w ~ /^--(log-format|format)=/) { }
			else if (w ~ /^-/) { sub(/=.*/, "=V", w) }
			else if (w !~ /^(create|start|run|exec|state|kill|delete|list|ps|pause|resume|update|events|spec|features|checkpoint|restore)$/ || cmd) { w = "V" }
			else { cmd = 1 }
			out = out (out == "" ? "" : " ") w
		}
		cmd = 0
		print out
	}' "$1" | sort -u
}

# assert_shapes_recorded LOG CLIENT: every shape in LOG appears among the command
# lines recorded for CLIENT in tests/clients/recorded/CLIENT.txt.  A new shape fails
# the test, naming it: record it there once husk is known to handle it.
assert_shapes_recorded() {
	local log=$1 client=$2 rec new
	rec=$BATS_TEST_DIRNAME/recorded/$client.txt
	new=$(comm -23 <(argv_shapes "$log") <(grep -v '^#' "$rec" | argv_shapes /dev/stdin))
	if [ -n "$new" ]; then
		echo "$client sent command lines not in $rec:" >&2
		echo "$new" >&2
		echo "what it sent, to record there:" >&2
		awk '!seen[$0]++' "$log" >&2
		return 1
	fi
}

# wait_until SECS CMD...: poll CMD every 0.2 s until it succeeds, at most SECS.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || { echo "timed out waiting for: $*" >&2; return 1; }
		sleep 0.2
	done
}
