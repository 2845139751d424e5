#!/bin/sh
# install-deps.sh - the Debian 12 packages husk needs to build and to run its tests.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libyajl-dev libseccomp-dev libcap-dev libmnl-dev libsystemd-dev \
	busybox-static bats jq procps iproute2 util-linux libcap2-bin strace criu \
	qemu-system-x86 linux-image-amd64 xz-utils cpio kmod \
	clang libclang-rt-14-dev valgrind systemd python3-minimal time apparmor \
	go-md2man podman conmon containernetworking-plugins iptables containerd runc crun tar
# qemu-system-x86 and linux-image-amd64: tests/vm/husk-vm boots Debian's kernel with
# a pure cgroup v2 hierarchy for the resource-limit tests (tests/cgroupv2), and
# systemd for the systemd driver's tests (tests/systemd, run with systemd as the
# VM's PID 1).  clang and libclang-rt: the fuzzers (tests/fuzz); valgrind: memcheck.
# go-md2man: the man pages.  podman, conmon, containernetworking-plugins, iptables
# (Podman's default bridge network) and containerd: tests/clients, which runs the real
# clients against husk in the VM.  apparmor (apparmor_parser): tests/lsm in the VM.
# runc and crun: the other runtimes make bench compares husk with.  criu and tar:
# checkpoint/restore (tar saves an ephemeral rootfs's upper layer).
