/* rootfs.h - the container's filesystem view: mounts, /dev, pivot_root, masked and
 * read-only paths.  Runs in the container's init, inside its mount namespace. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "husk.h"
#include "spec.h"
#include "syscalls.h"

struct rootfs_config {
	const struct spec *spec;
	const char *bundle;
	const char *state_dir;    /* host path of the container's state directory */
	uint64_t ephemeral_size;  /* bytes of tmpfs for an ephemeral overlay rootfs; 0: off */
	bool ephemeral_on_host;   /* its tmpfs was mounted by the runtime (rootfs_ephemeral_host_mount) */
	bool no_pivot;
	bool in_userns;           /* a new user namespace: devices are bind-mounted, not created */
	const char *cgroup_path;  /* host path of the container's cgroup2 dir, for cgroup mounts */
	const int *sources;       /* per mount: a detached tree of its source (rootfs_prepare_sources), or -1 */
	const struct syscalls *sys;
};

/* The ephemeral rootfs's tmpfs (upper/, work/, merged/) in the state directory. */
#define ROOTFS_EPHEMERAL_DIR "ephemeral"
/* In the runtime: mount it in the host's mount namespace (private), so that the
 * upper layer outlives nothing but is reachable for checkpoint; and unmount it
 * (delete, undo). */
int rootfs_ephemeral_host_mount(const char *state_dir, uint64_t size, struct husk_error *err);
void rootfs_ephemeral_host_umount(const char *state_dir);
/* Mount the overlay of lower under DIR's upper/ and work/ on DIR/merged (*merged). */
int rootfs_ephemeral_overlay(const char *lower, const char *dir, char **merged, struct husk_error *err);

/* Propagation, the rootfs bind (or ephemeral overlay), every entry of mounts in
 * order, and the devices.  *rootfs gets the path to pivot into, *rootfd an O_PATH fd
 * to it through which everything until pivot_root is resolved. */
int rootfs_prepare(const struct rootfs_config *cfg, char **rootfs, int *rootfd, struct husk_error *err);
/* Still before pivot_root, so the host's /dev/null is at hand: readonlyPaths,
 * maskedPaths, root.readonly. */
int rootfs_finish(const struct rootfs_config *cfg, int rootfd, struct husk_error *err);
/* pivot_root (or chroot with no_pivot) into rootfs and drop the old root. */
int rootfs_pivot(const struct rootfs_config *cfg, const char *rootfs, struct husk_error *err);

/* In the runtime, before the clone, with the runtime's own privileges: a detached
 * clone of the source of every idmap/ridmap mount, idmapped with its uid/gidMappings
 * (or the container's), since that needs privilege over the filesystem which only the
 * host's root has; and, for a container in a user namespace, of every bind mount's
 * source (with its mount flags applied), since the container's root may not be able
 * to reach it (a directory only the host's root may traverse), as runc does.  *fds
 * gets one entry per mount, -1 where the child mounts the source itself. */
int rootfs_prepare_sources(const struct spec *s, const char *bundle, int **fds, struct husk_error *err);
void rootfs_sources_free(const struct spec *s, int *fds);

/* Open PATH inside the tree at rootfd, never leaving it (symlinks and ".." are
 * resolved as if rootfd were "/").  With create, missing directories are made and
 * the last component is made a directory (or an empty file when create_file). */
int rootfs_open_in_root(int rootfd, const char *path, bool create, bool create_file, int flags);

#endif
