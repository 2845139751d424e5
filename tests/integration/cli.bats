#!/usr/bin/env bats
# spec, features, help, and the crun/runc spellings of options.

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

@test "spec writes runc's default config and refuses to overwrite it" {
	local d=$BUNDLE/new
	mkdir "$d"
	run "$HUSK" spec --bundle "$d"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.process.args[0]' "$d/config.json")" = sh ]
	[ "$(jq -r '.root.path' "$d/config.json")" = rootfs ]
	[ "$(jq -r '[.linux.namespaces[].type] | sort | join(",")' "$d/config.json")" = cgroup,ipc,mount,network,pid,uts ]
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$d/config.json" >/dev/null
	run "$HUSK" spec --bundle "$d"
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
}

@test "spec --rootless maps the caller to root in a user namespace" {
	local d=$BUNDLE/rl
	mkdir "$d"
	"$HUSK" spec --rootless --bundle "$d"
	jq -e '.linux.namespaces | map(.type) | index("user")' "$d/config.json" >/dev/null
	[ "$(jq -r '.linux.uidMappings[0].hostID' "$d/config.json")" = "$(id -u)" ]
	[ "$(jq -r '.linux.uidMappings[0].containerID' "$d/config.json")" = 0 ]
}

@test "features is the runtime-spec features document" {
	run "$HUSK" features
	[ "$status" -eq 0 ]
	[ "$(jq -r .ociVersionMax <<<"$output")" = 1.3.0 ]
	jq -e '.linux.namespaces | index("time")' <<<"$output" >/dev/null
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output" >/dev/null
	jq -e '.hooks | index("createContainer")' <<<"$output" >/dev/null
	jq -e '.mountOptions | index("rro")' <<<"$output" >/dev/null
	[ "$(jq -r .linux.seccomp.enabled <<<"$output")" = true ]
	[ "$(jq -c .linux.memoryPolicy.modes <<<"$output")" = '["MPOL_DEFAULT","MPOL_PREFERRED","MPOL_BIND","MPOL_INTERLEAVE","MPOL_LOCAL","MPOL_PREFERRED_MANY","MPOL_WEIGHTED_INTERLEAVE"]' ]
	[ "$(jq -c .linux.memoryPolicy.flags <<<"$output")" = '["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES","MPOL_F_STATIC_NODES"]' ]
}

@test "every command has --help, and it names the command" {
	for c in create start run exec state kill delete list ps spec features; do
		run "$HUSK" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == *"husk $c"* ]]
	done
}

@test "an unknown command or option fails with one line" {
	run "$HUSK" frobnicate
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: unknown command "frobnicate" (see husk --help)' ]
	run "$HUSK" create --frobnicate x
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown option "--frobnicate"'* ]]
}

# The error names the argument getopt could not take, short or long, unknown or
# missing its value (it named the one before, or the command, for a short option).
@test "option errors name the option at fault" {
	local args want
	while IFS='|' read -r args want; do
		run $HUSK --root "$BATS_TEST_TMPDIR" $args
		[ "$status" -ne 0 ]
		[ "$output" = "husk: $want" ]
	done <<'CASES'
create -b /tmp -x c1|create: unknown option "-x" (see husk create --help)
delete -x|delete: unknown option "-x" (see husk delete --help)
run -dz c1|run: unknown option "-z" (see husk run --help)
create -b|create: option "-b" needs an argument (see husk create --help)
create --bundle|create: option "--bundle" needs an argument (see husk create --help)
exec -u|exec: option "-u" needs an argument (see husk exec --help)
kill --bogus c1|kill: unknown option "--bogus" (see husk kill --help)
--bogus list|unknown option "--bogus" (see husk --help)
CASES
}

@test "crun's spellings: --cgroup-manager and run --config" {
	set_args sh -c 'echo from-other-config'
	mv "$BUNDLE/config.json" "$BUNDLE/other.json"
	run husk --cgroup-manager cgroupfs run -b "$BUNDLE" --config "$BUNDLE/other.json" c1
	[ "$status" -eq 0 ]
	[ "$output" = from-other-config ]
	run husk --cgroup-manager bogus list
	[ "$status" -ne 0 ]
}

# The options a --help text lists, and the options a man page documents, one per line.
help_options() { "$HUSK" "$@" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '-(-[a-z-]+|[a-zA-Z])' | sort; }
man_options() {
	sed -n '/^# \(GLOBAL \)\{0,1\}OPTIONS$/,/^# /p' "$1" | grep -oE '^(\*\*-[a-zA-Z]\*\*, )?\*\*--[a-z-]+\*\*' |
		grep -oE -- '-(-[a-z-]+|[a-zA-Z])' | sort
}

@test "every command has a man page whose options are its --help's" {
	local man=$BATS_TEST_DIRNAME/../../man cmd cmds
	cmds=$("$HUSK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
	[ "$(echo "$cmds" | wc -l)" -ge 15 ]
	for cmd in $cmds; do
		[ -f "$man/husk-$cmd.1.md" ] || { echo "no man/husk-$cmd.1.md" >&2; return 1; }
		diff <(help_options "$cmd") <(man_options "$man/husk-$cmd.1.md") || { echo "husk $cmd: --help and man page differ" >&2; return 1; }
		grep -q "^husk-$cmd - " "$man/husk-$cmd.1.md"
	done
	diff <(help_options) <(man_options "$man/husk.1.md")
	# And no page for a command husk does not have.
	for page in "$man"/husk-*.1.md; do
		cmd=${page##*/husk-}
		echo "$cmds" | grep -qx "${cmd%.1.md}"
	done
}

@test "make install puts the binary and every man page in place" {
	local build=${BUILDDIR:-$BATS_TEST_DIRNAME/../..} dest
	[ -f "$build/Makefile" ] || skip "no configured build tree at $build"
	dest=$(mktemp -d)
	make -s -C "$build" install DESTDIR="$dest" >/dev/null
	[ -x "$dest/usr/local/bin/husk" ]
	# husk-vm: husk by the name that runs bundles as microVMs.
	[ "$(readlink "$dest/usr/local/bin/husk-vm")" = husk ]
	for cmd in $("$HUSK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
		[ -s "$dest/usr/local/share/man/man1/husk-$cmd.1" ]
	done
	run man -l "$dest/usr/local/share/man/man1/husk-run.1"
	[[ "$output" == *"husk-run - create and start a container"* ]]
	[[ "$output" == *"--pid-file FILE"* ]]
	[ -s "$dest/usr/local/share/bash-completion/completions/husk" ]
	rm -rf "$dest"
}

# complete WORD... : what contrib/completion/husk.bash offers for the last word.
complete_husk() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _husk; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$BATS_TEST_DIRNAME/../../contrib/completion/husk.bash" "$@"
}

@test "bash completion: commands, options, values and container ids" {
	ln -sf "$HUSK" "$BUNDLE/husk"
	run complete_husk "$BUNDLE/husk" ""
	[ "$(echo "$output" | wc -l)" -ge 15 ]
	[[ "$output" == *pause* && "$output" == *features* ]]
	[ "$(complete_husk "$BUNDLE/husk" de)" = delete ]
	[ "$(complete_husk "$BUNDLE/husk" --log-format j)" = json ]
	[ "$(complete_husk "$BUNDLE/husk" run --pid)" = --pid-file ]
	[ "$(complete_husk "$BUNDLE/husk" --root "$ROOT" exec --no-new)" = --no-new-privs ]
	set_args sleep 1000
	husk run -d -b "$BUNDLE" box1 </dev/null >/dev/null 2>&1
	[ "$(complete_husk "$BUNDLE/husk" --root "$ROOT" state b)" = box1 ]
	[ "$(complete_husk "$BUNDLE/husk" --root "$ROOT" kill box1 KI)" = KILL ]
	[ -z "$(complete_husk "$BUNDLE/husk" --root "$ROOT" spec b)" ]
}
