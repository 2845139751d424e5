/* syscalls.c - the real kernel table behind struct syscalls. */
#include "config.h"

#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscalls.h"

static int k_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(SYS_pivot_root, new_root, put_old);
}

const struct syscalls syscalls_kernel = {
	.mount = mount,
	.umount2 = umount2,
	.pivot_root = k_pivot_root,
	.mount_setattr = mount_setattr,
	.open_tree = open_tree,
	.move_mount = move_mount,
	.mknodat = mknodat,
};
