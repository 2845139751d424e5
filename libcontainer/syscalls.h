/* syscalls.h - the kernel operations that build a container's rootfs, behind a table of
 * function pointers.  The real table calls the kernel; a test double can record
 * the sequence a config produces, without root (not written yet). */
#ifndef HUSK_SYSCALLS_H
#define HUSK_SYSCALLS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/mount.h>

struct syscalls {
	int (*mount)(const char *src, const char *target, const char *type, unsigned long flags,
		     const void *data);
	int (*umount2)(const char *target, int flags);
	int (*pivot_root)(const char *new_root, const char *put_old);
	int (*mount_setattr)(int dfd, const char *path, unsigned int flags, struct mount_attr *attr,
			     size_t size);
	int (*open_tree)(int dfd, const char *path, unsigned int flags);
	int (*move_mount)(int from_dfd, const char *from, int to_dfd, const char *to, unsigned int flags);
	int (*mknodat)(int dfd, const char *path, mode_t mode, dev_t dev);
};

/* The table that calls the kernel. */
extern const struct syscalls syscalls_kernel;

#endif
