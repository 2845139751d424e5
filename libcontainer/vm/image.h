/* image.h - what the microVM boots: the guest kernel (an ELF vmlinux, which QEMU
 * starts through its PVH entry point) and the initramfs husk makes for it (husk itself
 * as /init, its shared libraries, and the kernel modules the guest needs).  Both are
 * made once and kept in the cache directory (HUSK_MICROVM_CACHE, else
 * /var/cache/husk/microvm). */
#ifndef HUSK_VM_IMAGE_H
#define HUSK_VM_IMAGE_H

#include <stdbool.h>

#include "husk.h"

struct vm_image {
	char *vmlinux;   /* ELF kernel */
	char *initramfs; /* newc cpio */
	char *kernel;    /* what it came from (for messages) */
	bool modular;    /* its drivers are modules (Debian's): found through ACPI once loaded;
			  * else built in, and listed on the command line without ACPI */
};

/* KERNEL: a vmlinuz (bzImage) or ELF vmlinux, or NULL for the newest /boot/vmlinuz-*. */
int vm_image_prepare(const char *kernel, struct vm_image *img, struct husk_error *err);
void vm_image_free(struct vm_image *img);

#endif
