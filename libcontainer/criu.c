/* criu.c - checkpoint and restore through CRIU, for containers of the namespace
 * executor.
 *
 * libcriu (Debian's criu package: libcriu.so.2) is loaded with dlopen when a
 * checkpoint or restore asks for it, so husk builds and runs where CRIU is not
 * installed.  libcriu runs the criu binary in its "swrk" mode; restore uses
 * criu_restore_child, so the restored init is husk's own child, as a created one is.
 *
 * What a checkpoint holds, beside CRIU's images: husk-checkpoint.json, the container's
 * config as it ran (so restore can tell a bundle that differs where it matters) and
 * the mounts that were external to its mount namespace (bind mounts of host paths,
 * masked paths), which restore maps to their sources again. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "criu.h"
#include "process.h"
#include "hooks.h"
#include "json.h"
#include "rootfs.h"
#include "state.h"
#include "terminal.h"
#include "utils.h"

/* libcriu's interface (criu/criu.h), declared here so that husk builds without it. */
typedef struct criu_opts criu_opts;
enum { CG_MODE_IGNORE, CG_MODE_NONE, CG_MODE_PROPS, CG_MODE_SOFT, CG_MODE_FULL, CG_MODE_STRICT };

static struct {
	void *handle;
	int (*init_opts)(criu_opts **);
	void (*free_opts)(criu_opts *);
	void (*set_pid)(criu_opts *, int);
	void (*set_images_dir_fd)(criu_opts *, int);
	void (*set_work_dir_fd)(criu_opts *, int);
	int (*set_parent_images)(criu_opts *, const char *);
	int (*set_log_file)(criu_opts *, const char *);
	void (*set_log_level)(criu_opts *, int);
	int (*set_root)(criu_opts *, const char *);
	void (*set_leave_running)(criu_opts *, bool);
	void (*set_tcp_established)(criu_opts *, bool);
	void (*set_tcp_skip_in_flight)(criu_opts *, bool);
	void (*set_tcp_close)(criu_opts *, bool);
	void (*set_ext_unix_sk)(criu_opts *, bool);
	void (*set_shell_job)(criu_opts *, bool);
	void (*set_file_locks)(criu_opts *, bool);
	void (*set_link_remap)(criu_opts *, bool);
	void (*set_auto_dedup)(criu_opts *, bool);
	void (*set_track_mem)(criu_opts *, bool);
	void (*set_orphan_pts_master)(criu_opts *, bool);
	void (*set_manage_cgroups)(criu_opts *, bool);
	void (*set_manage_cgroups_mode)(criu_opts *, int);
	int (*set_freeze_cgroup)(criu_opts *, const char *);
	int (*add_ext_mount)(criu_opts *, const char *, const char *);
	int (*add_cg_root)(criu_opts *, const char *, const char *);
	int (*add_external)(criu_opts *, const char *);
	int (*add_inherit_fd)(criu_opts *, int, const char *);
	int (*dump)(criu_opts *);
	int (*pre_dump)(criu_opts *);
	int (*restore_child)(criu_opts *);
	int (*get_version)(criu_opts *);
	void (*set_notify_cb)(criu_opts *, int (*)(char *, void *));
	int (*notify_pid)(void *);
	int (*set_network_lock)(criu_opts *, int);
	int (*set_lsm_profile)(criu_opts *, const char *);
	int (*set_lsm_mount_context)(criu_opts *, const char *);
	int (*set_page_server_address_port)(criu_opts *, const char *, int);
	int (*orphan_pts_master_fd)(void);
} lib;

#define SYM(field, name) { (void **) &lib.field, "criu_local_" name }

static int criu_load(struct husk_error *err)
{
	static const struct { void **slot; const char *name; } syms[] = {
		SYM(init_opts, "init_opts"), SYM(free_opts, "free_opts"), SYM(set_pid, "set_pid"),
		SYM(set_images_dir_fd, "set_images_dir_fd"), SYM(set_work_dir_fd, "set_work_dir_fd"),
		SYM(set_parent_images, "set_parent_images"), SYM(set_log_file, "set_log_file"),
		SYM(set_log_level, "set_log_level"), SYM(set_root, "set_root"),
		SYM(set_leave_running, "set_leave_running"), SYM(set_tcp_established, "set_tcp_established"),
		SYM(set_tcp_skip_in_flight, "set_tcp_skip_in_flight"), SYM(set_tcp_close, "set_tcp_close"),
		SYM(set_ext_unix_sk, "set_ext_unix_sk"), SYM(set_shell_job, "set_shell_job"),
		SYM(set_file_locks, "set_file_locks"), SYM(set_link_remap, "set_link_remap"),
		SYM(set_auto_dedup, "set_auto_dedup"), SYM(set_track_mem, "set_track_mem"),
		SYM(set_orphan_pts_master, "set_orphan_pts_master"), SYM(set_manage_cgroups, "set_manage_cgroups"),
		SYM(set_manage_cgroups_mode, "set_manage_cgroups_mode"), SYM(set_freeze_cgroup, "set_freeze_cgroup"),
		SYM(add_ext_mount, "add_ext_mount"), SYM(add_cg_root, "add_cg_root"), SYM(add_external, "add_external"),
		SYM(add_inherit_fd, "add_inherit_fd"),
		SYM(dump, "dump"), SYM(pre_dump, "pre_dump"), SYM(restore_child, "restore_child"),
		SYM(get_version, "get_version"), SYM(set_notify_cb, "set_notify_cb"),
		{ (void **) &lib.notify_pid, "criu_notify_pid" },
		SYM(set_network_lock, "set_network_lock"), SYM(set_lsm_profile, "set_lsm_profile"),
		SYM(set_lsm_mount_context, "set_lsm_mount_context"),
		SYM(set_page_server_address_port, "set_page_server_address_port"),
		{ (void **) &lib.orphan_pts_master_fd, "criu_get_orphan_pts_master_fd" },
	};

	if (lib.handle)
		return 0;
	lib.handle = dlopen("libcriu.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!lib.handle)
		return husk_error_set(err, ENOTSUP, "checkpoint and restore need CRIU (Debian: apt-get install criu)");
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++)
		if (!(*syms[i].slot = dlsym(lib.handle, syms[i].name))) {
			dlclose(lib.handle);
			lib.handle = NULL;
			return husk_error_set(err, ENOTSUP, "libcriu.so.2 lacks %s: CRIU 3.16 or later is needed", syms[i].name);
		}
	return 0;
}

bool husk_criu_available(void)
{
	struct husk_error err;

	return criu_load(&err) == 0;
}

/* ---- what CRIU said --------------------------------------------------------------- */
/* The last "Error" line of CRIU's log, without its timestamp and source position:
 * what failed and why, in CRIU's words. */
static char *criu_log_error(const char *log)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save, *last = NULL;

	if (read_regular_file_at(AT_FDCWD, log, 64 << 20, &text, NULL) < 0)
		return NULL;
	/* The last error that says what went wrong, not the summaries that follow it
	 * ("Dump files (pid: N) failed with -1", "Dumping FAILED."). */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "Error (") && !strstr(line, "Error:"))
			continue;
		/* CRIU that cannot read this kernel's vDSO fails before it looks at anything
		 * else: that first error is the one that matters. */
		if (strstr(line, "vdso: ")) {
			last = line;
			break;
		}
		if (!strstr(line, "FAILED") && !strstr(line, "failed with"))
			last = line;
	}
	if (!last)
		return NULL;
	/* "(00.012345) Error (criu/mount.c:123): mnt: ..." -> "mnt: ..." */
	if (strstr(last, "): "))
		last = strstr(last, "): ") + 3;
	else if (strstr(last, "Error: "))
		last = strstr(last, "Error: ") + 7;
	return xstrdup(last);
}

static int criu_failed(struct husk_error *err, int r, const char *what, const char *id, const char *log)
{
	_cleanup_free_ char *why = criu_log_error(log);

	if (why && str_has_prefix(why, "vdso: "))
		return husk_error_set(err, EIO, "%s \"%s\": criu: %s (this CRIU cannot work with this kernel's vDSO; "
				      "the container is untouched); full log: %s", what, id, why, log);
	if (why)
		return husk_error_set(err, EIO, "%s \"%s\": criu: %s; full log: %s", what, id, why, log);
	return husk_error_set(err, r ? -r : EIO, "%s \"%s\": criu failed (%s); full log: %s", what, id,
			      strerror(r ? -r : EIO), log);
}

/* ---- shared ------------------------------------------------------------------------ */
#define CHECKPOINT_INFO "husk-checkpoint.json"

static int cg_mode_of(const char *name, int *mode, struct husk_error *err)
{
	static const struct { const char *name; int mode; } modes[] = {
		{ "soft", CG_MODE_SOFT }, { "full", CG_MODE_FULL }, { "strict", CG_MODE_STRICT },
		{ "ignore", CG_MODE_IGNORE },
	};

	*mode = CG_MODE_SOFT; /* runc's default */
	if (!name)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(name, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	return husk_error_set(err, EINVAL, "--manage-cgroups-mode: expected soft, full, strict or ignore, not \"%s\"", name);
}

/* What Debian's libcriu (3.17) has no call for: lazy pages, the status fd, empty
 * namespaces.  CRIU's configuration file can say them, and CRIU reads the file that
 * CRIU_CONFIG_FILE names in its RPC mode as well (runc hands it /etc/criu/runc.conf
 * the same way): husk writes husk-criu.conf into the work directory and names it for
 * the length of the call.  A CRIU_CONFIG_FILE of the caller's is not read then. */
struct criu_config {
	char *saved;
	bool active;
};

static int criu_config_begin(struct criu_config *c, const char *work_path, const char *text, struct husk_error *err)
{
	_cleanup_free_ char *path = NULL;
	const char *old = getenv("CRIU_CONFIG_FILE");
	int r;

	if (!*text)
		return 0;
	path = xasprintf("%s/husk-criu.conf", work_path);
	if ((r = write_file_at(AT_FDCWD, path, text, strlen(text), 0600)) < 0)
		return husk_error_sys(err, -r, "write \"%s\"", path);
	c->saved = old ? xstrdup(old) : NULL;
	c->active = true;
	setenv("CRIU_CONFIG_FILE", path, 1);
	return 0;
}

static void criu_config_end(struct criu_config *c)
{
	if (!c->active)
		return;
	if (c->saved)
		setenv("CRIU_CONFIG_FILE", c->saved, 1);
	else
		unsetenv("CRIU_CONFIG_FILE");
	free(c->saved);
	c->active = false;
}

/* --empty-ns: runc's only value, "network". */
static int empty_ns_line(const char *value, char *line, size_t size, struct husk_error *err)
{
	*line = '\0';
	if (!value)
		return 0;
	if (strcmp(value, "network"))
		return husk_error_set(err, EINVAL, "--empty-ns: only \"network\" can be made empty, not \"%s\"", value);
	snprintf(line, size, "empty-ns net\n");
	return 0;
}

/* The mounts CRIU must be told about, since their source lies outside the container:
 * bind mounts of host paths, and the host's /dev/null over each masked file. */
struct ext_mount {
	char *destination, *source;
};

static void ext_mounts_free(struct ext_mount *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].destination);
		free(v[i].source);
	}
	free(v);
}

static size_t external_mounts(const struct spec *s, const char *bundle, pid_t pid, struct ext_mount **out)
{
	struct ext_mount *v = xcalloc(s->n_mounts + strv_len(s->masked_paths) + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (!m->bind)
			continue;
		v[n].destination = xstrdup(m->destination);
		v[n++].source = m->source[0] == '/' || !bundle ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
	}
	for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++) {
		_cleanup_free_ char *in = xasprintf("/proc/%d/root%s", pid, s->masked_paths[i]);
		struct stat st;
		/* A masked file is the host's null device; a masked directory an empty tmpfs
		 * of the container's own, which CRIU dumps as it does any tmpfs. */
		if (lstat(in, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
			v[n].destination = xstrdup(s->masked_paths[i]);
			v[n++].source = xstrdup("/dev/null");
		}
	}
	*out = v;
	return n;
}

/* Open (making it when asked) a directory for CRIU's images or work files. */
static int open_dir(const char *path, bool create, const char *flag, struct husk_error *err)
{
	int fd, r;

	if (create && (r = mkdir_p(path, 0700)) < 0)
		return husk_error_sys(err, -r, "%s \"%s\"", flag, path);
	fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_sys(err, errno, "%s \"%s\"", flag, path);
	return fd;
}

static int common_opts(criu_opts *o, int images, int work, const char *log, int cg_mode,
		       const struct husk_criu_flags *f, struct husk_error *err)
{
	lib.set_images_dir_fd(o, images);
	lib.set_work_dir_fd(o, work);
	lib.set_log_level(o, 4);
	if (lib.set_log_file(o, log) < 0)
		return husk_error_set(err, ENOMEM, "criu: set the log file");
	lib.set_tcp_established(o, f->tcp_established);
	lib.set_ext_unix_sk(o, f->ext_unix_sk);
	lib.set_shell_job(o, f->shell_job);
	lib.set_file_locks(o, f->file_locks);
	lib.set_auto_dedup(o, f->auto_dedup);
	lib.set_manage_cgroups(o, true);
	lib.set_manage_cgroups_mode(o, cg_mode);
	return 0;
}

/* Namespaces the config joins by path (a network namespace Podman or CNI made, a
 * shared pid namespace) are not the container's to save: CRIU is told they are
 * external at dump ("net[INODE]:KEY"), and at restore is handed the namespace the
 * bundle names under the same key (inherit-fd), as runc does. */
static const struct {
	int type;
	const char *kind, *key;
} external_ns[] = {
	{ CLONE_NEWNET, "net", "extRootNetNS" },
	{ CLONE_NEWPID, "pid", "extRootPidNS" },
};

static void add_external_namespaces(criu_opts *o, const struct spec *s)
{
	for (size_t k = 0; k < ARRAY_SIZE(external_ns); k++) {
		const struct spec_namespace *ns = spec_find_namespace(s, external_ns[k].type);
		struct stat st;
		char key[128];

		if (!ns || !ns->path || stat(ns->path, &st) < 0)
			continue;
		snprintf(key, sizeof(key), "%s[%llu]:%s", external_ns[k].kind, (unsigned long long) st.st_ino,
			 external_ns[k].key);
		lib.add_external(o, key);
	}
}

/* Restore: the namespaces to rejoin, opened (not close-on-exec: criu takes them). */
static int inherit_namespaces(criu_opts *o, const struct spec *s, int fds[], const char *id, struct husk_error *err)
{
	for (size_t k = 0; k < ARRAY_SIZE(external_ns); k++) {
		const struct spec_namespace *ns = spec_find_namespace(s, external_ns[k].type);

		if (!ns || !ns->path)
			continue;
		fds[k] = open(ns->path, O_RDONLY);
		if (fds[k] < 0)
			return husk_error_sys(err, errno, "restore \"%s\": the %s namespace \"%s\"", id, external_ns[k].kind,
					      ns->path);
		lib.add_inherit_fd(o, fds[k], external_ns[k].key);
	}
	return 0;
}

/* ---- the ephemeral rootfs's upper layer ------------------------------------------- */
/* A container made with --ephemeral-rootfs writes into an overlay whose upper layer
 * is a tmpfs (rootfs.c): CRIU saves neither (the root is the container's, outside its
 * images), so husk saves the upper layer into the image as a tar archive, and restore
 * makes the tmpfs and overlay again from it.  GNU tar (which CRIU itself runs for the
 * tmpfs mounts it saves) keeps what overlayfs needs: whiteouts (0/0 character
 * devices) and the trusted.overlay.* xattrs of opaque directories. */
#define EPHEMERAL_ARCHIVE "husk-ephemeral.tar"

/* 1 and its size when the container's tmpfs is reachable from the host, 0 when the
 * container has none, -EXDEV when it has one only its own mount namespace saw (one
 * made in a user namespace). */
static int ephemeral_of(const char *state_dir, uint64_t *size)
{
	_cleanup_free_ char *dir = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR, state_dir);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	struct statfs sf;
	struct stat st;

	if (stat(dir, &st) < 0)
		return 0;
	if (stat(upper, &st) < 0 || statfs(dir, &sf) < 0 || sf.f_type != TMPFS_MAGIC)
		return -EXDEV;
	*size = (uint64_t) sf.f_blocks * sf.f_bsize;
	return 1;
}

/* tar ARGS..., its output in WORK/tar.log. */
static int run_tar(const char *work, char *const argv[], const char *what, struct husk_error *err)
{
	_cleanup_free_ char *log = xasprintf("%s/tar.log", work);
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return husk_error_sys(err, errno, "%s: fork", what);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp("tar", argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return husk_error_sys(err, errno, "%s: wait for tar", what);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return husk_error_set(err, ENOENT, "%s: tar not found (Debian: apt-get install tar)", what);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return husk_error_set(err, EIO, "%s: tar failed; its output: %s", what, log);
	return 0;
}

static int ephemeral_save(const char *state_dir, const char *image_path, const char *work, struct husk_error *err)
{
	_cleanup_free_ char *upper = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR "/upper", state_dir);
	_cleanup_free_ char *archive = xasprintf("%s/" EPHEMERAL_ARCHIVE, image_path);
	char *const argv[] = { "tar", "--create", "--file", archive, "--xattrs", "--xattrs-include=trusted.*",
			       "--numeric-owner", "--sparse", "-C", upper, ".", NULL };

	return run_tar(work, argv, "checkpoint: save the ephemeral rootfs", err);
}

/* Restore: the tmpfs (of the checkpoint's size) and overlay again, the upper layer
 * from the archive (or empty, when only the restoring config asks for an ephemeral
 * rootfs); *merged is the root CRIU gets. */
static int ephemeral_load(const struct criu_restored *out, const char *image_path, const char *work, uint64_t size,
			  bool from_archive, char **merged, struct husk_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/" ROOTFS_EPHEMERAL_DIR, out->state_dir);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *archive = xasprintf("%s/" EPHEMERAL_ARCHIVE, image_path);
	char *const argv[] = { "tar", "--extract", "--file", archive, "--xattrs", "--xattrs-include=trusted.*",
			       "--numeric-owner", "--same-permissions", "-C", upper, NULL };
	int r;

	if ((r = rootfs_ephemeral_host_mount(out->state_dir, size, err)) < 0 ||
	    (from_archive && (r = run_tar(work, argv, "restore: the ephemeral rootfs", err)) < 0) ||
	    (r = rootfs_ephemeral_overlay(out->spec->root_path, dir, merged, err)) < 0)
		return r;
	return 0;
}

/* ---- checkpoint ------------------------------------------------------------------- */
/* How CRIU knows the init's stdio, when it comes from outside the container: a pipe
 * by "pipe:[inode]", and restore hands husk's own stdio in its place (inherit-fd), as
 * runc does; a file or device of the host's (/dev/null, a log file) by
 * "file[mnt:inode]", which the dump is told is external, recorded as
 * "file[mnt:inode]=PATH": restore opens PATH again and CRIU puts the offset back.
 * NULL for what CRIU dumps by itself (a pty, a socket, a file in the container). */
static char *stdio_key(pid_t pid, int fd, criu_opts *o)
{
	char path[64], target[256], *mnt;
	_cleanup_free_ char *info = NULL;
	ssize_t n;
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	if (str_has_prefix(target, "pipe:["))
		return xstrdup(target);
	if (target[0] != '/' || str_has_prefix(target, "/dev/pts/") || stat(path, &st) < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	if (read_file_at(AT_FDCWD, path, 4096, &info, NULL) < 0 || !(mnt = strstr(info, "mnt_id:")))
		return NULL;
	/* The mount it is on must be outside the container's mount namespace for this
	 * to be needed; a file inside is dumped by path.  Outside: the host's (usual). */
	{
		_cleanup_free_ char *key = xasprintf("file[%lx:%llx]", strtoul(mnt + 7, NULL, 10),
						      (unsigned long long) st.st_ino);
		char self_ns[64] = "", its_ns[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		if (readlink(path, its_ns, sizeof(its_ns) - 1) > 0 && readlink("/proc/self/ns/mnt", self_ns,
									      sizeof(self_ns) - 1) > 0 &&
		    strcmp(its_ns, self_ns) == 0)
			return NULL;
		if (o)
			lib.add_external(o, key);
		return xasprintf("%s=%s", key, target);
	}
}

static int write_info(int images, const struct ext_mount *ext, size_t n_ext, char *const stdio[3],
		      const char *config_text, uint64_t ephemeral_size, struct husk_error *err)
{
	struct json_writer *w = json_writer_new(true);
	_cleanup_free_ char *text = NULL;
	int r;

	json_write_object_begin(w);
	json_write_key_string(w, "husk", "1");
	json_write_key(w, "externalMounts");
	json_write_array_begin(w);
	for (size_t i = 0; i < n_ext; i++) {
		json_write_object_begin(w);
		json_write_key_string(w, "destination", ext[i].destination);
		json_write_key_string(w, "source", ext[i].source);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_key(w, "stdio");
	json_write_array_begin(w);
	for (int i = 0; i < 3; i++)
		if (stdio[i])
			json_write_string(w, stdio[i]);
		else
			json_write_null(w);
	json_write_array_end(w);
	json_write_key_string(w, "config", config_text);
	if (ephemeral_size) {
		/* The size of the tmpfs, its upper layer in EPHEMERAL_ARCHIVE. */
		json_write_key(w, "ephemeralRootfsSize");
		json_write_uint(w, ephemeral_size);
	}
	json_write_object_end(w);
	text = json_writer_finish(w);
	r = write_file_at(images, CHECKPOINT_INFO, text, strlen(text), 0600);
	if (r < 0)
		return husk_error_sys(err, -r, "write %s", CHECKPOINT_INFO);
	return 0;
}

/* --network-lock: libcriu knows iptables and nftables; "skip" only where its libcriu
 * takes it (CRIU_NETWORK_LOCK_SKIP, 3).  0: CRIU's default. */
static int network_lock_of(const char *method, int *m, struct husk_error *err)
{
	static const char *const methods[] = { NULL, "iptables", "nftables", "skip" };

	*m = 0;
	if (!method)
		return 0;
	for (*m = 1; *m < (int) ARRAY_SIZE(methods); (*m)++)
		if (!strcmp(method, methods[*m]))
			return 0;
	return husk_error_set(err, EINVAL, "--network-lock: expected iptables, nftables or skip, not \"%s\"", method);
}

/* --page-server ADDRESS:PORT: *addr is allocated. */
static int page_server_of(const char *arg, char **addr, int *port, struct husk_error *err)
{
	char *colon, *end;
	long p;

	*addr = NULL;
	if (!arg)
		return 0;
	colon = strrchr(arg, ':');
	if (!colon || colon == arg)
		return husk_error_set(err, EINVAL, "--page-server: expected ADDRESS:PORT, not \"%s\"", arg);
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 1 || p > 65535)
		return husk_error_set(err, EINVAL, "--page-server: expected a port from 1 to 65535 in \"%s\"", arg);
	*addr = xasprintf("%.*s", (int) (colon - arg), arg);
	*port = (int) p;
	return 0;
}

/* The flags that only go together, before anything is touched. */
static int checkpoint_check_flags(const struct husk_checkpoint_options *opts, struct husk_error *err)
{
	if (opts->flags.lazy_pages && !opts->page_server)
		return husk_error_set(err, EINVAL, "--lazy-pages: --page-server ADDRESS:PORT is needed (where the "
				      "pages are served from)");
	if (opts->flags.lazy_pages && opts->pre_dump)
		return husk_error_set(err, EINVAL, "--lazy-pages and --pre-dump do not go together");
	if (opts->status_fd >= 0 && !opts->flags.lazy_pages)
		return husk_error_set(err, EINVAL, "--status-fd: only with --lazy-pages");
	return 0;
}

int criu_checkpoint(const struct husk_context *ctx, const char *id, const struct husk_checkpoint_options *opts,
		    struct husk_error *err)
{
	_cleanup_close_ int lock = -1, images = -1, work = -1;
	_cleanup_free_ char *cfg_text = NULL, *log = NULL;
	const char *image_path = opts->image_path ? opts->image_path : "checkpoint";
	const char *log_name = opts->pre_dump ? "pre-dump.log" : "dump.log";
	struct container_state *st = NULL;
	struct spec *s = NULL;
	criu_opts *o = NULL;
	struct ext_mount *ext = NULL;
	char *stdio[3] = { NULL, NULL, NULL };
	char extra[128], empty_ns[32];
	_cleanup_free_ char *ps_addr = NULL;
	struct criu_config config = { 0 };
	size_t n_ext = 0;
	int r, cg_mode, lock_method, ps_port = 0, ephemeral;
	uint64_t ephemeral_size = 0;
	bool froze = false;
	const char *status;
	const char *work_path = opts->work_path ? opts->work_path : image_path;

	if ((r = cg_mode_of(opts->flags.manage_cgroups_mode, &cg_mode, err)) < 0 ||
	    (r = empty_ns_line(opts->flags.empty_ns, empty_ns, sizeof(empty_ns), err)) < 0 ||
	    (r = network_lock_of(opts->network_lock, &lock_method, err)) < 0 ||
	    (r = page_server_of(opts->page_server, &ps_addr, &ps_port, err)) < 0 ||
	    (r = checkpoint_check_flags(opts, err)) < 0)
		return r;
	if ((r = criu_load(err)) < 0)
		return r;
	if ((r = state_lock(ctx, id, &lock, err)) < 0 || (r = state_load(ctx, id, &st, err)) < 0)
		return r;
	status = state_status(st);
	if (strcmp(status, "running") && strcmp(status, "paused")) {
		r = husk_error_set(err, EINVAL, "container \"%s\" is %s: only a running or paused one can be checkpointed",
				   id, status);
		goto out;
	}
	if (executor_named(st->executor) != &executor_namespaces) {
		r = husk_error_set(err, ENOTSUP, "container \"%s\" runs in the %s executor: checkpoint is for the "
				   "namespace executor's containers", id, st->executor);
		goto out;
	}
	if ((r = state_load_config(st, &s, &cfg_text, err)) < 0)
		goto out;
	ephemeral = ephemeral_of(st->dir, &ephemeral_size);
	if (ephemeral < 0) {
		r = husk_error_set(err, ENOTSUP, "container \"%s\": its ephemeral rootfs was made in its user namespace, "
				   "where the host cannot reach it to save it", id);
		goto out;
	}
	if (opts->pre_dump)
		ephemeral_size = 0; /* memory only */
	if ((images = open_dir(image_path, true, "--image-path", err)) < 0) {
		r = images;
		goto out;
	}
	if ((work = open_dir(opts->work_path ? opts->work_path : image_path, true, "--work-path", err)) < 0) {
		r = work;
		goto out;
	}
	log = xasprintf("%s/%s", work_path, log_name);
	if ((r = lib.init_opts(&o)) < 0) {
		r = husk_error_sys(err, -r, "criu: initialise its options");
		goto out;
	}
	if ((r = common_opts(o, images, work, log_name, cg_mode, &opts->flags, err)) < 0)
		goto out;
	lib.set_pid(o, st->pid);
	lib.set_root(o, s->root_path);
	lib.set_leave_running(o, opts->leave_running || opts->pre_dump);
	lib.set_tcp_skip_in_flight(o, opts->tcp_skip_in_flight);
	lib.set_link_remap(o, opts->link_remap);
	lib.set_orphan_pts_master(o, s->process.terminal);
	if (opts->parent_path && lib.set_parent_images(o, opts->parent_path) < 0) {
		r = husk_error_set(err, ENOMEM, "criu: --parent-path");
		goto out;
	}
	/* A pre-dump tracks the pages written from then on; a dump on top of one saves
	 * only those (runc sets the same). */
	if (opts->pre_dump || opts->parent_path)
		lib.set_track_mem(o, true);
	if (lock_method && lib.set_network_lock(o, lock_method) < 0) {
		r = husk_error_set(err, ENOTSUP, "--network-lock %s: this CRIU does not know it (iptables or nftables)",
				   opts->network_lock);
		goto out;
	}
	/* Its result is not looked at: libcriu 3.17's returns -ENOMEM even when it has
	 * set the address and port. */
	if (ps_addr)
		lib.set_page_server_address_port(o, ps_addr, ps_port);
	if (st->cgroup)
		lib.set_freeze_cgroup(o, st->cgroup);
	/* Mounts whose source is outside the container: CRIU records them by their path
	 * in the container, and restore maps that path to a source again. */
	n_ext = external_mounts(s, st->bundle, st->pid, &ext);
	for (size_t i = 0; i < n_ext; i++)
		lib.add_ext_mount(o, ext[i].destination, ext[i].destination);
	for (int i = 0; i < 3; i++)
		stdio[i] = stdio_key(st->pid, i, o);
	add_external_namespaces(o, s);
	if ((r = write_info(images, ext, n_ext, stdio, cfg_text, ephemeral_size, err)) < 0)
		goto out;
	/* The upper layer is saved while the container is frozen, and CRIU dumps it
	 * still frozen: files and memory are of one moment. */
	if (ephemeral_size) {
		if (st->cgroup && !cgroup_is_frozen(st->cgroup)) {
			if ((r = cgroup_freeze(st->cgroup, true, 10000, err)) < 0)
				goto out;
			froze = true;
		}
		if ((r = ephemeral_save(st->dir, image_path, work_path, err)) < 0)
			goto out;
	}
	snprintf(extra, sizeof(extra), "%s%s", empty_ns, opts->flags.lazy_pages ? "lazy-pages\n" : "");
	if (opts->status_fd >= 0)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "status-fd %d\n", opts->status_fd);
	if ((r = criu_config_begin(&config, work_path, extra, err)) < 0)
		goto out;
	r = opts->pre_dump ? lib.pre_dump(o) : lib.dump(o);
	criu_config_end(&config);
	if (r < 0) {
		r = criu_failed(err, r, opts->pre_dump ? "pre-dump" : "checkpoint", id, log);
		goto out;
	}
	r = 0;
	/* runc: a checkpoint without --leave-running stops the container (CRIU killed it). */
out:
	if (froze && (r < 0 || opts->leave_running))
		(void) cgroup_freeze(st->cgroup, false, 10000, NULL);
	/* A failed dump leaves no husk checkpoint behind: restore then says "not a husk
	 * checkpoint" instead of failing inside CRIU on half-written images. */
	if (r < 0 && images >= 0) {
		(void) unlinkat(images, CHECKPOINT_INFO, 0);
		(void) unlinkat(images, EPHEMERAL_ARCHIVE, 0);
	}
	if (o)
		lib.free_opts(o);
	ext_mounts_free(ext, n_ext);
	for (int i = 0; i < 3; i++)
		free(stdio[i]);
	spec_free(s);
	state_free(st);
	return r;
}

/* ---- restore ---------------------------------------------------------------------- */
/* CRIU's notify callbacks are where a restore's OCI hooks run: at "setup-namespaces"
 * the restored init exists in its namespaces and has not run, as a created one
 * waits: prestart and createRuntime hooks then, with its pid in the state, as runc
 * runs them.  libcriu's callback takes no argument: the restore in progress is here
 * (one per husk process). */
static struct {
	struct criu_restored *out;
	const char *id;
	struct husk_error *err;
	bool console_done;
	bool cg_ignore;
} restoring;

/* "orphan-pts-master": CRIU made a new pty for the container's terminal and hands
 * its master here: to the console socket, as create sends it, or kept for a
 * foreground restore to proxy. */
static int restore_console(struct criu_restored *out, struct husk_error *err)
{
	int master = lib.orphan_pts_master_fd(), ptn = -1, r = 0;
	char name[32];

	if (master < 0)
		return husk_error_set(err, EIO, "process.terminal: CRIU sent no pty master");
	if (out->console_fd < 0) {
		out->master = fcntl(master, F_DUPFD_CLOEXEC, 3);
		if (out->master < 0)
			r = husk_error_sys(err, errno, "process.terminal: keep the pty master");
	} else {
		ioctl(master, TIOCGPTN, &ptn);
		snprintf(name, sizeof(name), "/dev/pts/%d", ptn);
		r = terminal_send_master(out->console_fd, master, name, err);
	}
	close(master);
	return r;
}

static int restore_notify(char *action, void *na)
{
	const struct spec *s = restoring.out->spec;
	_cleanup_free_ char *state = NULL;
	int r;

	if (!strcmp(action, "orphan-pts-master")) {
		restoring.console_done = true;
		return restore_console(restoring.out, restoring.err);
	}
	if (strcmp(action, "setup-namespaces"))
		return 0;
	/* --manage-cgroups-mode ignore: CRIU leaves the processes in husk's own cgroup;
	 * the root task goes into the container's before it forks the others. */
	if (restoring.cg_ignore && restoring.out->cgroup) {
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", restoring.out->cgroup);
		char pid[32];
		snprintf(pid, sizeof(pid), "%d", lib.notify_pid(na));
		if ((r = write_file_at(AT_FDCWD, procs, pid, strlen(pid), 0)) < 0)
			return husk_error_sys(restoring.err, -r, "restore: move pid %s into \"%s\"", pid, procs);
	}
	if (!s->n_hooks[HOOK_PRESTART] && !s->n_hooks[HOOK_CREATE_RUNTIME])
		return 0;
	state = state_oci_json(restoring.id, "creating", lib.notify_pid(na), restoring.out->bundle, s->annotations,
			       NULL, false);
	if ((r = hooks_run(s, HOOK_PRESTART, state, restoring.err)) < 0 ||
	    (r = hooks_run(s, HOOK_CREATE_RUNTIME, state, restoring.err)) < 0)
		return r;
	return 0;
}

/* The checkpoint's husk-checkpoint.json: its external mounts. */
static int read_info(int images, const char *image_path, struct ext_mount **ext, size_t *n_ext,
		     char *stdio[3], uint64_t *ephemeral_size, char **config, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	json_value *doc = NULL;
	const json_value *arr;
	char jerr[256];
	int r;

	r = read_regular_file_at(images, CHECKPOINT_INFO, SPEC_MAX_SIZE * 2, &text, NULL);
	if (r == -ENOENT)
		return husk_error_set(err, ENOENT, "--image-path \"%s\": not a husk checkpoint (no %s)", image_path,
				      CHECKPOINT_INFO);
	if (r < 0)
		return husk_error_sys(err, -r, "--image-path \"%s\": read %s", image_path, CHECKPOINT_INFO);
	if (json_parse(text, &doc, jerr, sizeof(jerr)) < 0 ||
	    !(arr = json_object_get(doc, "externalMounts")) || json_type_of(arr) != JSON_ARRAY ||
	    !json_string(json_object_get(doc, "config"))) {
		json_free(doc);
		return husk_error_set(err, EINVAL, "--image-path \"%s\": %s is damaged", image_path, CHECKPOINT_INFO);
	}
	if (config)
		*config = xstrdup(json_string(json_object_get(doc, "config")));
	*ext = xcalloc(json_len(arr) + 1, sizeof(**ext));
	for (size_t i = 0; i < json_len(arr); i++) {
		const char *d = json_string(json_object_get(json_array_at(arr, i), "destination"));
		const char *s = json_string(json_object_get(json_array_at(arr, i), "source"));
		if (!d || !s)
			continue;
		(*ext)[*n_ext].destination = xstrdup(d);
		(*ext)[(*n_ext)++].source = xstrdup(s);
	}
	if (ephemeral_size) {
		const json_value *v = json_object_get(doc, "ephemeralRootfsSize");
		*ephemeral_size = 0;
		if (v && json_uint64(v, ephemeral_size) < 0) {
			json_free(doc);
			return husk_error_set(err, EINVAL, "--image-path \"%s\": %s: ephemeralRootfsSize is not a size",
					      image_path, CHECKPOINT_INFO);
		}
	}
	arr = json_object_get(doc, "stdio");
	for (int i = 0; i < 3 && stdio; i++) {
		const char *k = json_string(json_array_at(arr, i));
		stdio[i] = k ? xstrdup(k) : NULL;
	}
	json_free(doc);
	return 0;
}

/* The namespaces a config makes (and joins), as "pid, network, ...". */
static void namespace_list(const struct spec *s, char *buf, size_t size)
{
	static const char *const names[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int t = spec_namespace_type(names[i]);
		if (!(s->ns_all & t))
			continue;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s%s", n ? ", " : "", names[i],
			      s->ns_new & t ? "" : " (joined)");
	}
}

/* Where the restoring bundle must agree with the checkpointed container's config:
 * CRIU brings back the namespaces and the terminal its images hold, and each bind
 * mount needs a source. */
static int check_bundle(const char *config, const struct spec *now, const char *bundle, const struct ext_mount *ext,
			size_t n_ext, struct husk_error *err)
{
	struct spec *then = NULL;
	char a[256], b[256];
	int r = 0;

	if (spec_parse(config, CHECKPOINT_INFO, bundle, &then, err) < 0)
		return husk_error_wrap(err, "the checkpointed config");
	if (then->ns_new != now->ns_new || then->ns_all != now->ns_all) {
		namespace_list(then, a, sizeof(a));
		namespace_list(now, b, sizeof(b));
		r = husk_error_set(err, EINVAL, "config.json: linux.namespaces: the checkpointed container had %s; this "
				   "config has %s", a, b);
		goto out;
	}
	if (then->process.terminal != now->process.terminal) {
		r = husk_error_set(err, EINVAL, "config.json: process.terminal is %s, but the checkpoint has %s",
				   now->process.terminal ? "true" : "false", then->process.terminal ? "a terminal" : "no terminal");
		goto out;
	}
	for (size_t i = 0; i < n_ext; i++) {
		bool bound = false;
		struct stat st;
		for (size_t k = 0; k < now->n_mounts && !bound; k++)
			bound = now->mounts[k].bind && !strcmp(now->mounts[k].destination, ext[i].destination);
		if (!bound && stat(ext[i].source, &st) < 0) {
			r = husk_error_set(err, ENOENT, "config.json: mounts: the checkpointed container had a bind mount "
					   "on %s, which this config does not make, and its source \"%s\" is gone",
					   ext[i].destination, ext[i].source);
			goto out;
		}
	}
out:
	spec_free(then);
	return r;
}

int criu_check_image(const char *image_path, const struct spec *spec, const char *bundle, struct husk_error *err)
{
	_cleanup_close_ int images = open_dir(image_path ? image_path : "checkpoint", false, "--image-path", err);
	_cleanup_free_ char *config = NULL;
	struct ext_mount *ext = NULL;
	size_t n_ext = 0;
	int r;

	if (images < 0)
		return images;
	r = read_info(images, image_path ? image_path : "checkpoint", &ext, &n_ext, NULL, NULL, &config, err);
	if (r == 0)
		r = check_bundle(config, spec, bundle, ext, n_ext, err);
	ext_mounts_free(ext, n_ext);
	return r;
}

/* CRIU restores the container's own mount namespace from its images and needs its
 * root as a mount point: a bind of the rootfs in the container's state directory, as
 * runc makes it, for the length of the restore (a delete --force of a restore that
 * died removes it: CRIU_ROOT). */
static int mount_criu_root(const char *rootfs, const char *target, struct husk_error *err)
{
	if (mkdir(target, 0700) < 0 && errno != EEXIST)
		return husk_error_sys(err, errno, "restore: mkdir \"%s\"", target);
	if (mount(rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_sys(err, errno, "restore: bind \"%s\" on \"%s\"", rootfs, target);
	return 0;
}

/* The points the mounts go back on, where the rootfs lacks them (a new snapshot of
 * the image, as containerd's restore and Podman's --import make, lacks those create
 * made): CRIU mounts onto them but does not make them, as runc knows.  Every mount of
 * the config and every external one; those below /proc, /sys and /dev are in
 * filesystems CRIU itself restores, with their content. */
static int make_mountpoint(int rootfd, const char *d, bool file, const char *id, struct husk_error *err)
{
	int fd;

	if (str_has_prefix(d, "/proc/") || str_has_prefix(d, "/sys/") || str_has_prefix(d, "/dev/"))
		return 0;
	fd = rootfs_open_in_root(rootfd, d, true, file, O_PATH);
	if (fd < 0)
		return husk_error_sys(err, -fd, "restore \"%s\": the mount point \"%s\"", id, d);
	close(fd);
	return 0;
}

static int make_mountpoints(const char *root, const struct spec *s, const struct ext_mount *ext, size_t n_ext,
			    const char *id, struct husk_error *err)
{
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int r;

	if (rootfd < 0)
		return husk_error_sys(err, errno, "restore \"%s\": open \"%s\"", id, root);
	for (size_t i = 0; i < n_ext; i++)
		if ((r = make_mountpoint(rootfd, ext[i].destination, stat(ext[i].source, &st) == 0 && !S_ISDIR(st.st_mode),
					 id, err)) < 0)
			return r;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (m->bind)
			continue; /* among the external ones */
		if ((r = make_mountpoint(rootfd, m->destination, false, id, err)) < 0)
			return r;
	}
	return 0;
}

int criu_restore(const struct husk_context *ctx, const char *id, const struct husk_restore_options *opts,
		 struct criu_restored *out, struct husk_error *err)
{
	_cleanup_close_ int images = -1, work = -1;
	_cleanup_free_ char *log = NULL, *root = NULL, *rel = NULL;
	const char *image_path = opts->image_path ? opts->image_path : "checkpoint";
	struct ext_mount *ext = NULL;
	char *stdio[3] = { NULL, NULL, NULL };
	int reopened[3] = { -1, -1, -1 }, ns_fds[ARRAY_SIZE(external_ns)];
	size_t n_ext = 0;
	criu_opts *o = NULL;
	char extra[64];
	struct criu_config config = { 0 };
	const char *work_path = opts->work_path ? opts->work_path : image_path;
	_cleanup_free_ char *merged = NULL;
	uint64_t ephemeral_size = 0;
	int r, cg_mode;

	for (size_t k = 0; k < ARRAY_SIZE(ns_fds); k++)
		ns_fds[k] = -1;
	out->master = -1;
	if ((r = cg_mode_of(opts->flags.manage_cgroups_mode, &cg_mode, err)) < 0 ||
	    (r = empty_ns_line(opts->flags.empty_ns, extra, sizeof(extra), err)) < 0)
		return r;
	if (opts->flags.lazy_pages)
		strcat(extra, "lazy-pages\n");
	if ((r = criu_load(err)) < 0)
		return r;
	if ((images = open_dir(image_path, false, "--image-path", err)) < 0)
		return images;
	if ((r = read_info(images, image_path, &ext, &n_ext, stdio, &ephemeral_size, NULL, err)) < 0)
		return r;
	if ((work = open_dir(work_path, true, "--work-path", err)) < 0) {
		r = work;
		goto out;
	}
	log = xasprintf("%s/restore.log", work_path);
	root = xasprintf("%s/" CRIU_ROOT, out->state_dir);
	/* An ephemeral rootfs comes back with what was written into it; one the
	 * restoring config asks for (the checkpoint had none) starts empty, so the
	 * bundle's rootfs is never written either way. */
	if ((ephemeral_size || out->ephemeral_size) &&
	    (r = ephemeral_load(out, image_path, work_path, ephemeral_size ? ephemeral_size : out->ephemeral_size,
				ephemeral_size != 0, &merged, err)) < 0)
		goto out;
	if ((r = mount_criu_root(merged ? merged : out->spec->root_path, root, err)) < 0)
		goto out;
	/* The sources are the bundle's, where it binds the same destination: the
	 * checkpointed container's may be gone (Podman's --import makes a new one). */
	for (size_t i = 0; i < n_ext; i++)
		for (size_t k = 0; k < out->spec->n_mounts; k++) {
			const struct spec_mount *m = &out->spec->mounts[k];
			if (!m->bind || strcmp(m->destination, ext[i].destination))
				continue;
			free(ext[i].source);
			ext[i].source = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", out->bundle, m->source);
		}
	if ((r = make_mountpoints(root, out->spec, ext, n_ext, id, err)) < 0)
		goto out;
	if ((r = lib.init_opts(&o)) < 0) {
		r = husk_error_sys(err, -r, "criu: initialise its options");
		goto out;
	}
	if ((r = common_opts(o, images, work, "restore.log", cg_mode, &opts->flags, err)) < 0)
		goto out;
	lib.set_root(o, root);
	lib.set_tcp_close(o, opts->tcp_close);
	if ((opts->lsm_profile && lib.set_lsm_profile(o, opts->lsm_profile) < 0) ||
	    (opts->lsm_mount_context && lib.set_lsm_mount_context(o, opts->lsm_mount_context) < 0)) {
		r = husk_error_set(err, ENOMEM, "criu: the LSM options");
		goto out;
	}
	lib.set_orphan_pts_master(o, out->spec->process.terminal);
	for (size_t i = 0; i < n_ext; i++)
		lib.add_ext_mount(o, ext[i].destination, ext[i].source);
	/* The container's stdio from outside it: husk's own pipes, the files it had. */
	for (int i = 0; i < 3; i++) {
		char *path = stdio[i] ? strchr(stdio[i], '=') : NULL;
		if (!stdio[i])
			continue;
		if (path) {
			*path++ = '\0';
			/* Not close-on-exec: libcriu execs criu, which takes it from us. */
			reopened[i] = open(path, (i == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY | O_NONBLOCK);
			if (reopened[i] < 0) {
				r = husk_error_sys(err, errno, "restore \"%s\": the container's fd %d was \"%s\"", id, i, path);
				goto out;
			}
		}
		lib.add_inherit_fd(o, reopened[i] >= 0 ? reopened[i] : i, stdio[i]);
	}
	if ((r = inherit_namespaces(o, out->spec, ns_fds, id, err)) < 0)
		goto out;
	/* The container's cgroups come back below the one made for it. */
	if (out->cgroup) {
		const char *mp = cgroup_mountpoint();
		rel = xstrdup(out->cgroup + (mp ? strlen(mp) : 0));
		lib.add_cg_root(o, NULL, rel);
	}
	restoring.out = out;
	restoring.id = id;
	restoring.err = err;
	restoring.console_done = false;
	restoring.cg_ignore = cg_mode == CG_MODE_IGNORE;
	err->code = 0;
	/* --manage-cgroups-mode strict: CRIU makes the cgroups itself, with every
	 * property from the images, and refuses one that exists (CRIU's documentation);
	 * the one create made goes, and is marked husk's again once CRIU has made it. */
	if (cg_mode == CG_MODE_STRICT && out->cgroup && rmdir(out->cgroup) < 0) {
		r = husk_error_sys(err, errno, "--manage-cgroups-mode strict: remove \"%s\" for CRIU to make", out->cgroup);
		goto out;
	}
	lib.set_notify_cb(o, restore_notify);
	if ((r = criu_config_begin(&config, work_path, extra, err)) < 0)
		goto out;
	r = lib.restore_child(o);
	criu_config_end(&config);
	if (r < 0) {
		/* A hook that failed said why already; else CRIU's log does. */
		if (!err->code)
			r = criu_failed(err, r, "restore", id, log);
		goto out;
	}
	out->pid = r;
	r = 0;
	if (cg_mode == CG_MODE_STRICT && out->cgroup)
		cgroup_mark_owner(out->cgroup, out->state_dir);
	out->limits_overwritten = cg_mode == CG_MODE_FULL || cg_mode == CG_MODE_STRICT;
	if (out->spec->process.terminal && !restoring.console_done) {
		r = husk_error_set(err, EINVAL, "restore \"%s\": config.json: process.terminal is true, but the "
				   "checkpoint has no terminal", id);
		kill(out->pid, SIGKILL);
		waitpid(out->pid, NULL, 0);
		out->pid = 0;
	}
out:
	if (o)
		lib.free_opts(o);
	if (r < 0 && out->master >= 0) {
		close(out->master);
		out->master = -1;
	}
	if (root && umount2(root, MNT_DETACH) == 0)
		rmdir(root);
	ext_mounts_free(ext, n_ext);
	for (int i = 0; i < 3; i++) {
		free(stdio[i]);
		if (reopened[i] >= 0)
			close(reopened[i]);
	}
	for (size_t k = 0; k < ARRAY_SIZE(ns_fds); k++)
		if (ns_fds[k] >= 0)
			close(ns_fds[k]);
	return r;
}
