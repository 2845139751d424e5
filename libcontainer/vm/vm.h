/* vm.h - the microVM executor: the same bundle, run inside its own guest kernel under
 * QEMU's microvm machine.  Its parts, each in a file of this directory:
 *   executor.c  the host side: QEMU's command line, the monitor process that owns the
 *               VM and stands for the container's init, exec and kill through it
 *   agent.c     the guest side: husk as the guest's PID 1
 *   image.c     the guest kernel and the initramfs, made once and cached
 *   accel.c     KVM when it can boot a stock kernel, TCG otherwise
 *   protocol.c  the frames the three talk in */
#ifndef HUSK_VM_H
#define HUSK_VM_H

#include <stdbool.h>

#include "husk.h"
#include "process.h"

#define VM_PORT_NAME "husk.agent"
#define VM_SOCKET "microvm.sock"    /* in the state directory: the monitor's */
#define VM_DIR "microvm"            /* in the state directory: console.log, qemu.log */
#define VM_EXECUTOR_NAME "microvm"
#define VM_ANNOTATION_ACCEL "run.husk.microvm.accel"
#define VM_ANNOTATION_KERNEL "run.husk.microvm.kernel"
#define VM_ANNOTATION_BOOT_TIMEOUT "run.husk.microvm.boot-timeout"

/* "kvm" when /dev/kvm can run a stock guest, else "tcg"; *why says why not KVM
 * (static text) or is NULL. */
const char *vm_accel_choose(const char **why);

#endif
