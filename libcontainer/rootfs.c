/* rootfs.c - mounts, propagation, the ephemeral overlay, devices, pivot_root,
 * masked and read-only paths.
 *
 * Every mount target is opened with openat2(RESOLVE_IN_ROOT) under the rootfs and
 * mounted through that fd (/proc/self/fd/N or move_mount), so a symlink in the image,
 * or one swapped in while we work, can never send a mount outside the rootfs
 * (CVE-2021-30465). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>

#include "process.h"
#include "rootfs.h"
#include "utils.h"

#define FD_PATH_MAX 32

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* The symlinks one lookup may follow while creating, as the kernel's own limit. */
#define MAX_SYMLINKS 40

static int open_in_root_depth(int rootfd, const char *path, bool create, bool create_file, int flags, int depth)
{
	_cleanup_free_ char *copy = NULL, *parent = NULL;
	_cleanup_close_ int parentfd = -1;
	char *base, *slash, target[PATH_MAX];
	ssize_t n;
	int fd;

	fd = openat2_in_root(rootfd, path, flags);
	if (fd != -ENOENT || !create)
		return fd;
	if (depth > MAX_SYMLINKS)
		return -ELOOP;
	copy = xstrdup(path);
	/* Strip trailing slashes, then split into parent and last component. */
	for (size_t len = strlen(copy); len > 1 && copy[len - 1] == '/'; len--)
		copy[len - 1] = '\0';
	slash = strrchr(copy, '/');
	if (!slash)
		return -ENOENT;
	base = slash + 1;
	parent = slash == copy ? xstrdup("/") : xasprintf("%.*s", (int) (slash - copy), copy);
	parentfd = open_in_root_depth(rootfd, parent, true, false, O_PATH | O_DIRECTORY, depth + 1);
	if (parentfd < 0)
		return parentfd;
	if (create_file) {
		int f = openat(parentfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f >= 0)
			close(f);
		else if (errno != EEXIST)
			return -errno;
	} else if (mkdirat(parentfd, base, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	fd = openat2_in_root(rootfd, path, flags);
	if (fd != -ENOENT)
		return fd;
	/* A dangling symlink in the image: make its target, read as if the rootfs were
	 * "/", so the mount lands inside the rootfs where the link points. */
	n = readlinkat(parentfd, base, target, sizeof(target) - 1);
	if (n < 0)
		return -ENOENT;
	target[n] = '\0';
	{
		_cleanup_free_ char *next = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", parent, target);
		_cleanup_close_ int made = open_in_root_depth(rootfd, next, true, create_file, O_PATH, depth + 1);
		if (made < 0)
			return made;
	}
	return openat2_in_root(rootfd, path, flags);
}

int rootfs_open_in_root(int rootfd, const char *path, bool create, bool create_file, int flags)
{
	return open_in_root_depth(rootfd, path, create, create_file, flags, 0);
}

static void fd_path(char buf[FD_PATH_MAX], int fd)
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* MS_* flags that have a per-mount MOUNT_ATTR_* twin. */
static void flags_to_attr(unsigned long flags, struct mount_attr *attr)
{
	if (flags & MS_RDONLY)
		attr->attr_set |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attr->attr_set |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attr->attr_set |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attr->attr_set |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		attr->attr_set |= MOUNT_ATTR_NODIRATIME;
	if (flags & 256 /* MS_NOSYMFOLLOW */)
		attr->attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
	if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		attr->attr_clr |= MOUNT_ATTR__ATIME;
		attr->attr_set |= flags & MS_NOATIME ? MOUNT_ATTR_NOATIME :
				  flags & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
	}
}

/* Apply the recursive attributes (rro, rnosuid, ...) and the propagation of m to the
 * mount now on top of fd's path. */
static int apply_mount_attrs(const struct rootfs_config *cfg, int rootfd, const struct spec_mount *m,
			     struct husk_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[FD_PATH_MAX];

	if (!m->attr_set && !m->attr_clr && !m->propagation)
		return 0;
	/* Reopen: the fd taken before mounting names the covered directory, not the new mount. */
	fd = rootfs_open_in_root(rootfd, m->destination, false, false, O_PATH);
	if (fd < 0)
		return husk_error_sys(err, -fd, "reopen mount destination \"%s\"", m->destination);
	if (m->attr_set || m->attr_clr) {
		struct mount_attr attr = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
		if (cfg->sys->mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			return husk_error_sys(err, errno, "set recursive mount options on \"%s\"", m->destination);
	}
	if (m->propagation) {
		fd_path(path, fd);
		if (cfg->sys->mount(NULL, path, NULL, m->propagation, NULL) < 0)
			return husk_error_sys(err, errno, "set propagation of \"%s\"", m->destination);
	}
	return 0;
}

/* Attach a clone of the tree at (dfd, path) onto targetfd, with attr applied to its top. */
static int bind_tree(const struct rootfs_config *cfg, int dfd, const char *path, bool recursive,
		     struct mount_attr *attr, int targetfd)
{
	_cleanup_close_ int tree = -1;
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);

	if (!*path)
		flags |= AT_EMPTY_PATH;
	tree = cfg->sys->open_tree(dfd, path, flags);
	if (tree < 0)
		return -errno;
	if (attr && (attr->attr_set || attr->attr_clr) &&
	    cfg->sys->mount_setattr(tree, "", AT_EMPTY_PATH, attr, sizeof(*attr)) < 0)
		return -errno;
	if (cfg->sys->move_mount(tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int mount_bind(const struct rootfs_config *cfg, int rootfd, const struct spec_mount *m, size_t i,
		      struct husk_error *err)
{
	_cleanup_free_ char *src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", cfg->bundle, m->source);
	_cleanup_close_ int target = -1;
	struct mount_attr attr = { 0 };
	struct stat st;
	int r;

	/* A source the runtime opened (rootfs_prepare_sources) is known by its fd: the
	 * container's root may not be able to look its path up. */
	if ((cfg->sources && cfg->sources[i] >= 0 ? fstat(cfg->sources[i], &st) : stat(src, &st)) < 0)
		return husk_error_sys(err, errno, "mount source \"%s\" for \"%s\"", src, m->destination);
	target = rootfs_open_in_root(rootfd, m->destination, true, !S_ISDIR(st.st_mode), O_PATH);
	if (target < 0)
		return husk_error_sys(err, -target, "mount destination \"%s\"", m->destination);
	if (cfg->sources && cfg->sources[i] >= 0) {
		/* Prepared by the runtime before the clone: attach it. */
		if (cfg->sys->move_mount(cfg->sources[i], "", target, "",
					 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return husk_error_sys(err, errno, "attach the mount of \"%s\" on \"%s\"", src, m->destination);
		return apply_mount_attrs(cfg, rootfd, m, err);
	}
	flags_to_attr(m->flags, &attr);
	r = bind_tree(cfg, AT_FDCWD, src, m->rbind, &attr, target);
	if (r < 0)
		return husk_error_sys(err, -r, "bind mount \"%s\" on \"%s\"", src, m->destination);
	return apply_mount_attrs(cfg, rootfd, m, err);
}

/* Whether comma-separated mount DATA holds option KEY (as "KEY" or "KEY=..."). */
static bool mount_data_has(const char *data, const char *key)
{
	size_t n = strlen(key);

	for (const char *o = data; o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (!strncmp(o, key, n) && (o[n] == '=' || o[n] == ',' || o[n] == '\0'))
			return true;
	return false;
}

static int mount_fs(const struct rootfs_config *cfg, int rootfd, const struct spec_mount *m,
		    struct husk_error *err)
{
	_cleanup_close_ int target = -1;
	_cleanup_free_ char *data = NULL;
	const char *type = m->type;
	const char *src = m->source ? m->source : m->type;
	char path[FD_PATH_MAX];
	struct stat st;
	int r;

	/* husk mounts cgroup v2 only: "cgroup" in a config means the container's cgroup tree. */
	if (!strcmp(type, "cgroup"))
		type = "cgroup2";
	target = rootfs_open_in_root(rootfd, m->destination, true, false, O_PATH);
	if (target < 0)
		return husk_error_sys(err, -target, "mount destination \"%s\"", m->destination);
	fd_path(path, target);
	/* A tmpfs without mode= takes the mode of the directory it covers (runc, crun),
	 * not tmpfs's own 1777. */
	if (!strcmp(type, "tmpfs") && !(m->data && mount_data_has(m->data, "mode")) && fstat(target, &st) == 0)
		data = xasprintf("mode=%04o%s%s", st.st_mode & 07777, m->data ? "," : "", m->data ? m->data : "");
	r = cfg->sys->mount(src, path, type, m->flags & ~MS_REMOUNT, data ? data : m->data);
	if (r < 0 && (errno == EPERM || errno == EBUSY || errno == ENOENT || errno == ENODEV) &&
	    (!strcmp(type, "sysfs") || !strcmp(type, "cgroup2"))) {
		/* sysfs needs a network namespace owned by the container's user namespace, and
		 * cgroup2 may be refused without a cgroup namespace: fall back to a recursive
		 * bind of the host's view, as runc does. */
		struct mount_attr attr = { 0 };
		const char *host = !strcmp(type, "sysfs") ? "/sys" : cfg->cgroup_path;

		if (host) {
			flags_to_attr(m->flags, &attr);
			r = bind_tree(cfg, AT_FDCWD, host, true, &attr, target);
			if (r < 0)
				errno = -r;
		}
	}
	if (r < 0 && errno == EINVAL && !strcmp(type, "devpts") && m->data && strstr(m->data, "gid=")) {
		/* In a user namespace gid 5 may be unmapped. */
		_cleanup_free_ char *nogid = xstrdup(m->data);
		char *g = strstr(nogid, "gid="), *end = strchr(g, ',');
		memmove(g, end ? end + 1 : g + strlen(g), strlen(end ? end + 1 : "") + 1);
		r = cfg->sys->mount(src, path, type, m->flags & ~MS_REMOUNT, nogid);
	}
	if (r < 0)
		return husk_error_sys(err, errno, "mount \"%s\" (%s) on \"%s\"", src, m->type, m->destination);
	return apply_mount_attrs(cfg, rootfd, m, err);
}

/* ---- /dev ------------------------------------------------------------------------- */
static const struct spec_device default_devices[] = {
	{ 'c', "/dev/null", 1, 3, true, false, false, 0666, 0, 0 },
	{ 'c', "/dev/zero", 1, 5, true, false, false, 0666, 0, 0 },
	{ 'c', "/dev/full", 1, 7, true, false, false, 0666, 0, 0 },
	{ 'c', "/dev/random", 1, 8, true, false, false, 0666, 0, 0 },
	{ 'c', "/dev/urandom", 1, 9, true, false, false, 0666, 0, 0 },
	{ 'c', "/dev/tty", 5, 0, true, false, false, 0666, 0, 0 },
};

static int create_device(const struct rootfs_config *cfg, int rootfd, const struct spec_device *d,
			 struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(d->path);
	_cleanup_close_ int parentfd = -1;
	char *base = basename(copy), *dir = dirname(xstrdup(d->path));
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = d->has_mode ? d->mode : 0666;

	parentfd = rootfs_open_in_root(rootfd, dir, true, false, O_PATH | O_DIRECTORY);
	free(dir);
	if (parentfd < 0)
		return husk_error_sys(err, -parentfd, "device \"%s\"", d->path);
	if (cfg->in_userns) {
		/* mknod is refused in a user namespace: bind the host's node instead. */
		_cleanup_close_ int target = -1;
		int f = openat(parentfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		int r;

		if (f < 0)
			return husk_error_sys(err, errno, "device \"%s\"", d->path);
		close(f);
		target = rootfs_open_in_root(rootfd, d->path, false, false, O_PATH);
		if (target < 0)
			return husk_error_sys(err, -target, "device \"%s\"", d->path);
		r = bind_tree(cfg, AT_FDCWD, d->path, false, NULL, target);
		if (r < 0)
			return husk_error_sys(err, -r, "bind device \"%s\" from the host", d->path);
		return 0;
	}
	if (cfg->sys->mknodat(parentfd, base, type | mode, makedev(d->major, d->minor)) < 0) {
		if (errno != EEXIST)
			return husk_error_sys(err, errno, "mknod device \"%s\"", d->path);
		return 0; /* the image has it already */
	}
	/* mknod honours the umask: set the mode the config asked for. */
	{
		_cleanup_close_ int fd = openat(parentfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		char path[FD_PATH_MAX];

		if (fd < 0)
			return husk_error_sys(err, errno, "device \"%s\"", d->path);
		fd_path(path, fd);
		if (chmod(path, mode) < 0)
			return husk_error_sys(err, errno, "chmod device \"%s\"", d->path);
		if ((d->has_uid || d->has_gid) &&
		    fchownat(fd, "", d->has_uid ? d->uid : (uid_t) -1, d->has_gid ? d->gid : (gid_t) -1,
			     AT_EMPTY_PATH) < 0)
			return husk_error_sys(err, errno, "chown device \"%s\"", d->path);
	}
	return 0;
}

static bool dev_is_bind_mounted(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, "/dev") && s->mounts[i].bind)
			return true;
	return false;
}

static int setup_dev(const struct rootfs_config *cfg, int rootfd, struct husk_error *err)
{
	static const struct { const char *target, *path; } links[] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },
	};
	const struct spec *s = cfg->spec;
	_cleanup_close_ int devfd = -1;
	size_t i, j;
	int r;

	if (dev_is_bind_mounted(s))
		return 0;
	for (i = 0; i < ARRAY_SIZE(default_devices); i++) {
		for (j = 0; j < s->n_devices; j++)
			if (!strcmp(s->devices[j].path, default_devices[i].path))
				break;
		if (j < s->n_devices)
			continue; /* the config's own entry wins */
		if ((r = create_device(cfg, rootfd, &default_devices[i], err)) < 0)
			return r;
	}
	for (i = 0; i < s->n_devices; i++)
		if ((r = create_device(cfg, rootfd, &s->devices[i], err)) < 0)
			return r;
	devfd = rootfs_open_in_root(rootfd, "/dev", true, false, O_PATH | O_DIRECTORY);
	if (devfd < 0)
		return husk_error_sys(err, -devfd, "/dev");
	for (i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, devfd, links[i].path + 5) < 0 && errno != EEXIST)
			return husk_error_sys(err, errno, "symlink \"%s\"", links[i].path);
	return 0;
}

/* ---- the ephemeral rootfs -------------------------------------------------------- */
/* The tmpfs that holds the overlay's upper and work directories, at
 * <state dir>/ephemeral.  Made by the runtime in the host's mount namespace when it
 * can (no new user namespace): then the upper layer is reachable from the host (by
 * root, through the 0700 state directory), which is what lets checkpoint save it;
 * delete unmounts it.  Else the init makes it in its own mount namespace and it
 * vanishes with the container. */
static int ephemeral_tmpfs(const struct syscalls *sys, const char *dir, uint64_t size, struct husk_error *err)
{
	_cleanup_free_ char *opts = xasprintf("size=%llu,mode=0755", (unsigned long long) size);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir), *work = xasprintf("%s/work", dir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return husk_error_sys(err, errno, "mkdir \"%s\"", dir);
	if (sys->mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return husk_error_sys(err, errno, "mount the ephemeral tmpfs (%s)", opts);
	if (sys->mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		return husk_error_sys(err, errno, "make the ephemeral tmpfs private");
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 || mkdir(merged, 0755) < 0)
		return husk_error_sys(err, errno, "ephemeral rootfs directories");
	return 0;
}

int rootfs_ephemeral_host_mount(const char *state_dir, uint64_t size, struct husk_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR, state_dir);
	int r = ephemeral_tmpfs(&syscalls_kernel, dir, size, err);

	if (r < 0)
		rootfs_ephemeral_host_umount(state_dir);
	return r;
}

void rootfs_ephemeral_host_umount(const char *state_dir)
{
	_cleanup_free_ char *dir = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR, state_dir);

	(void) umount2(dir, MNT_DETACH);
}

static int ephemeral_overlay(const struct syscalls *sys, const char *lower, const char *dir, char **merged_out,
			     struct husk_error *err)
{
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir), *work = xasprintf("%s/work", dir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir), *data = NULL;

	if (strpbrk(lower, ",:"))
		return husk_error_set(err, EINVAL, "ephemeral rootfs: root.path \"%s\" holds ',' or ':', "
				      "which overlayfs cannot take as a lower directory", lower);
	data = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (sys->mount("overlay", merged, "overlay", 0, data) < 0)
		return husk_error_sys(err, errno, "mount the ephemeral overlay over \"%s\"", lower);
	*merged_out = TAKE_PTR(merged);
	return 0;
}

int rootfs_ephemeral_overlay(const char *lower, const char *dir, char **merged, struct husk_error *err)
{
	return ephemeral_overlay(&syscalls_kernel, lower, dir, merged, err);
}

static int setup_ephemeral(const struct rootfs_config *cfg, char **rootfs, struct husk_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR, cfg->state_dir);
	char *merged;
	int r;

	if (!cfg->ephemeral_on_host && (r = ephemeral_tmpfs(cfg->sys, dir, cfg->ephemeral_size, err)) < 0)
		return r;
	if ((r = ephemeral_overlay(cfg->sys, *rootfs, dir, &merged, err)) < 0)
		return r;
	free(*rootfs);
	*rootfs = merged;
	return 0;
}

int rootfs_prepare(const struct rootfs_config *cfg, char **rootfs_out, int *rootfd_out, struct husk_error *err)
{
	const struct spec *s = cfg->spec;
	_cleanup_free_ char *rootfs = xstrdup(s->root_path);
	_cleanup_close_ int rootfd = -1;
	int r;

	/* Nothing we mount may propagate back to the host. */
	if (cfg->sys->mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error_sys(err, errno, "make / a recursive slave");
	if (cfg->ephemeral_size && (r = setup_ephemeral(cfg, &rootfs, err)) < 0)
		return r;
	/* pivot_root needs the new root to be a mount point. */
	if (cfg->sys->mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_sys(err, errno, "bind mount root.path \"%s\"", rootfs);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return husk_error_sys(err, errno, "open root.path \"%s\"", rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		r = m->bind ? mount_bind(cfg, rootfd, m, i, err) : mount_fs(cfg, rootfd, m, err);
		if (r < 0)
			return husk_error_wrap(err, "mounts[%zu]", i);
	}
	if ((r = setup_dev(cfg, rootfd, err)) < 0)
		return r;
	*rootfs_out = TAKE_PTR(rootfs);
	*rootfd_out = TAKE_FD(rootfd);
	return 0;
}

int rootfs_pivot(const struct rootfs_config *cfg, const char *rootfs, struct husk_error *err)
{
	_cleanup_close_ int oldroot = -1, newroot = -1;

	if (cfg->no_pivot) {
		/* --no-pivot: for ramdisk roots, where pivot_root is refused. */
		if (chdir(rootfs) < 0)
			return husk_error_sys(err, errno, "chdir \"%s\"", rootfs);
		if (cfg->sys->mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return husk_error_sys(err, errno, "move \"%s\" to /", rootfs);
		if (chroot(".") < 0)
			return husk_error_sys(err, errno, "chroot \"%s\"", rootfs);
		if (chdir("/") < 0)
			return husk_error_sys(err, errno, "chdir /");
		return 0;
	}
	oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
	newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return husk_error_sys(err, errno, "open the old and new root");
	if (fchdir(newroot) < 0)
		return husk_error_sys(err, errno, "chdir \"%s\"", rootfs);
	/* pivot_root(".", "."): the old root ends up stacked under the new one, and is
	 * detached below without needing a directory for it in the image. */
	if (cfg->sys->pivot_root(".", ".") < 0)
		return husk_error_sys(err, errno, "pivot_root into \"%s\"", rootfs);
	if (fchdir(oldroot) < 0)
		return husk_error_sys(err, errno, "chdir to the old root");
	if (cfg->sys->mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error_sys(err, errno, "make the old root a slave");
	if (cfg->sys->umount2(".", MNT_DETACH) < 0)
		return husk_error_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return husk_error_sys(err, errno, "chdir /");
	/* After pivot_root, which refuses a shared put_old. */
	if (cfg->spec->rootfs_propagation &&
	    cfg->sys->mount(NULL, "/", NULL, cfg->spec->rootfs_propagation, NULL) < 0)
		return husk_error_sys(err, errno, "linux.rootfsPropagation");
	return 0;
}

static int mask_path(const struct rootfs_config *cfg, int rootfd, const char *p, int devnull_fd,
		     struct husk_error *err)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, p, false, false, O_PATH | O_NOFOLLOW);
	struct stat st;
	int r;

	if (fd == -ENOENT || fd == -ELOOP)
		return 0; /* nothing to hide; a symlink is not followed out of place */
	if (fd < 0)
		return husk_error_sys(err, -fd, "linux.maskedPaths: \"%s\"", p);
	if (fstat(fd, &st) < 0)
		return husk_error_sys(err, errno, "linux.maskedPaths: \"%s\"", p);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1;
		if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
		    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return husk_error_sys(err, errno, "linux.maskedPaths: tmpfs for \"%s\"", p);
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		if (mnt < 0 || cfg->sys->move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return husk_error_sys(err, errno, "linux.maskedPaths: mask \"%s\"", p);
		return 0;
	}
	r = bind_tree(cfg, devnull_fd, "", false, NULL, fd);
	if (r < 0)
		return husk_error_sys(err, -r, "linux.maskedPaths: mask \"%s\"", p);
	return 0;
}

static int readonly_path(const struct rootfs_config *cfg, int rootfd, const char *p, struct husk_error *err)
{
	_cleanup_close_ int fd = rootfs_open_in_root(rootfd, p, false, false, O_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int tree = -1;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return husk_error_sys(err, -fd, "linux.readonlyPaths: \"%s\"", p);
	tree = cfg->sys->open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0 ||
	    cfg->sys->mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 ||
	    cfg->sys->move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_error_sys(err, errno, "linux.readonlyPaths: \"%s\"", p);
	return 0;
}

int rootfs_finish(const struct rootfs_config *cfg, int rootfd, struct husk_error *err)
{
	const struct spec *s = cfg->spec;
	_cleanup_close_ int devnull = -1;
	struct stat st;
	int r;

	/* Files are masked with the host's /dev/null, checked to be the null device,
	 * never with the container's, which the image could replace (CVE-2025-31133). */
	devnull = open("/dev/null", O_PATH | O_CLOEXEC);
	if (devnull < 0 || fstat(devnull, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return husk_error_set(err, EINVAL, "the host's /dev/null is not the null device");
	for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
		if ((r = readonly_path(cfg, rootfd, s->readonly_paths[i], err)) < 0)
			return r;
	for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
		if ((r = mask_path(cfg, rootfd, s->masked_paths[i], devnull, err)) < 0)
			return r;
	/* A missing process.cwd is made (0755, root's), as runc and crun do: resolved in the
	 * rootfs, so no path or link in the image leads outside it; before the root turns
	 * read-only. */
	if (s->has_process && s->process.cwd) {
		_cleanup_close_ int cwd = rootfs_open_in_root(rootfd, s->process.cwd, true, false, O_PATH | O_DIRECTORY);
		if (cwd < 0)
			return husk_error_sys(err, -cwd, "config.json: process.cwd \"%s\"", s->process.cwd);
	}
	if (s->root_readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (cfg->sys->mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			return husk_error_sys(err, errno, "root.readonly: make the root mount read-only");
	}
	return 0;
}

/* ---- bind sources and idmapped mounts (prepared in the runtime) ---------------- */
/* A user namespace with these mappings, held by an fd: a child is born in it (clone
 * with CLONE_NEWUSER, fork-like) and waits while we write its maps and open it. */
static int make_userns(const struct spec_id_mapping *uids, size_t n_uids, const struct spec_id_mapping *gids,
		       size_t n_gids, int *fd)
{
	int pipefd[2], r, status;
	char path[64], c;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		close(pipefd[1]);
		(void) !read(pipefd[0], &c, 1); /* until the parent is done with us */
		_exit(0);
	}
	close(pipefd[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	r = process_write_id_map(pid, "uid_map", uids, n_uids);
	if (r == 0)
		r = process_write_id_map(pid, "gid_map", gids, n_gids);
	if (r == 0) {
		*fd = open(path, O_RDONLY | O_CLOEXEC);
		if (*fd < 0)
			r = -errno;
	}
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	return r;
}

int rootfs_prepare_sources(const struct spec *s, const char *bundle, int **fds_out, struct husk_error *err)
{
	int *fds = xmalloc((s->n_mounts ? s->n_mounts : 1) * sizeof(int));
	int r = 0;

	for (size_t i = 0; i < s->n_mounts; i++)
		fds[i] = -1;
	*fds_out = fds;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		_cleanup_free_ char *src = NULL;
		_cleanup_close_ int userns = -1;
		struct mount_attr attr = { 0 };
		bool own = m->n_uid_mappings || m->n_gid_mappings;

		if (!m->idmap && m->bind && (s->ns_all & CLONE_NEWUSER)) {
			src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
			fds[i] = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->rbind ? AT_RECURSIVE : 0));
			if (fds[i] < 0 && errno == EPERM)
				continue; /* rootless: no more privilege here than the child has */
			if (fds[i] < 0)
				return husk_error_sys(err, errno, "mount source \"%s\" for \"%s\"", src, m->destination);
			/* Its flags now: once attached, the mount is the container's and ours no more. */
			flags_to_attr(m->flags, &attr);
			if ((attr.attr_set || attr.attr_clr) && mount_setattr(fds[i], "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
				return husk_error_sys(err, errno, "mount source \"%s\" for \"%s\": set its flags", src,
						      m->destination);
			continue;
		}
		if (!m->idmap)
			continue;
		if (!own && !(s->ns_new & CLONE_NEWUSER))
			return husk_error_set(err, EINVAL, "config.json: mounts[%zu]: an idmapped mount needs uidMappings "
					      "and gidMappings, its own or a new user namespace's", i);
		r = own ? make_userns(m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings, &userns)
			: make_userns(s->uid_mappings, s->n_uid_mappings, s->gid_mappings, s->n_gid_mappings, &userns);
		if (r < 0)
			return husk_error_sys(err, -r, "config.json: mounts[%zu]: user namespace for the id mapping", i);
		src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
		fds[i] = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->rbind ? AT_RECURSIVE : 0));
		if (fds[i] < 0)
			return husk_error_sys(err, errno, "config.json: mounts[%zu]: source \"%s\"", i, src);
		flags_to_attr(m->flags, &attr);
		attr.attr_set |= MOUNT_ATTR_IDMAP;
		attr.userns_fd = userns;
		if (mount_setattr(fds[i], "", AT_EMPTY_PATH | (m->ridmap ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
			return husk_error_sys(err, errno, "config.json: mounts[%zu]: idmap \"%s\"", i, src);
	}
	return 0;
}

void rootfs_sources_free(const struct spec *s, int *fds)
{
	if (!fds)
		return;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
