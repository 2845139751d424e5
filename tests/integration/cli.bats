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

@test "crun's spellings: --cgroup-manager and run --config" {
	set_args sh -c 'echo from-other-config'
	mv "$BUNDLE/config.json" "$BUNDLE/other.json"
	run husk --cgroup-manager cgroupfs run -b "$BUNDLE" --config "$BUNDLE/other.json" c1
	[ "$status" -eq 0 ]
	[ "$output" = from-other-config ]
	run husk --cgroup-manager bogus list
	[ "$status" -ne 0 ]
}
