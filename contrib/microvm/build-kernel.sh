#!/bin/bash
# build-kernel.sh DIR - build the minimal guest kernel for husk's microVM executor from
# Debian's linux-source-6.1 (apt-get install linux-source-6.1 flex bison bc libelf-dev):
# `make tinyconfig` with kernel.config merged over it, everything built in.  Leaves
# DIR/vmlinux-husk-minimal, an ELF vmlinux that QEMU boots through its PVH entry;
# use it with the annotation run.husk.microvm.kernel=DIR/vmlinux-husk-minimal.
# About 10 minutes on 2 cores.
set -euo pipefail
dir=${1:?usage: build-kernel.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "build-kernel.sh: no /usr/src/linux-source-6.1.tar.*: apt-get install linux-source-6.1" >&2; exit 1; }
mkdir -p "$dir"
src=$dir/linux
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" "$dir/unpack"
	mkdir -p "$dir/unpack"
	tar -xf "$tarball" -C "$dir/unpack"
	mv "$dir/unpack"/linux-source-* "$src"
	rmdir "$dir/unpack"
fi
cd "$src"
make -s tinyconfig
scripts/kconfig/merge_config.sh -m .config "$here/kernel.config" >/dev/null
make -s olddefconfig
# Each option the fragment asks for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=y) grep -qx "$line" .config || { echo "build-kernel.sh: $line did not take" >&2; missing=1; } ;;
	CONFIG_*=n) ! grep -q "^${line%=n}=" .config || { echo "build-kernel.sh: $line did not take" >&2; missing=1; } ;;
	esac
done <"$here/kernel.config"
[ "$missing" = 0 ] || exit 1
make -s -j"$(nproc)" vmlinux
cp vmlinux "$dir/vmlinux-husk-minimal.tmp"
mv "$dir/vmlinux-husk-minimal.tmp" "$dir/vmlinux-husk-minimal"
echo "$dir/vmlinux-husk-minimal"
