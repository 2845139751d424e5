#!/bin/sh
# mkbundle.sh DIR [CMD...] - make an OCI bundle in DIR from the host's static busybox:
# DIR/rootfs with busybox and its applets, and DIR/config.json from "husk spec" whose
# process runs CMD (default: sh) without a terminal.  Needs busybox-static.
set -eu
dir=${1:?usage: mkbundle.sh DIR [CMD...]}
shift
husk=${HUSK:-husk}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "mkbundle.sh: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" \
	"$dir/rootfs/etc" "$dir/rootfs/root"
cp "$busybox" "$dir/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$dir/rootfs/etc/passwd"
echo "root:x:0:" > "$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$husk" spec --bundle "$dir"
# No terminal (scripts and CI have none), and the command given.
args='"sh"'
if [ $# -gt 0 ]; then
	args=
	for a in "$@"; do
		esc=$(printf '%s' "$a" | sed 's/\\/\\\\/g; s/"/\\"/g')
		args="$args${args:+, }\"$esc\""
	done
fi
# (No sub() for the arguments: awk would read "&" and "\\" in them as its own.)
ARGS=$args awk '{ if ($0 ~ /^\t*"sh"$/) { $0 = substr($0, 1, index($0, "\"") - 1) ENVIRON["ARGS"] }
	sub(/"terminal": true/, "\"terminal\": false"); print }' \
	"$dir/config.json" > "$dir/config.json.tmp"
mv "$dir/config.json.tmp" "$dir/config.json"
