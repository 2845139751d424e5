/* state.c - the state directory: <root>/<id>/{state.json,config.json,exec.fifo}. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "spec.h"
#include "state.h"
#include "utils.h"

int state_check_id(const char *id, struct husk_error *err)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0)
		return husk_error_set(err, EINVAL, "container id must not be empty");
	if (n > ID_MAX)
		return husk_error_set(err, EINVAL, "container id is longer than %d characters", ID_MAX);
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return husk_error_set(err, EINVAL, "container id \"%s\" is not allowed", id);
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("_.+-", *c)))
			return husk_error_set(err, EINVAL, "container id \"%s\": invalid character '%c' "
					      "(allowed: letters, digits, _ . + -)", id, *c);
	return 0;
}

char *state_dir_of(const struct husk_context *ctx, const char *id)
{
	return xasprintf("%s/%s", ctx->root ? ctx->root : HUSK_DEFAULT_ROOT, id);
}

static int lock_dir(const char *dir, int *lockfd)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	*lockfd = fd;
	return 0;
}

int state_dir_create(const struct husk_context *ctx, const char *id, char **dir_out, int *lockfd,
		     struct husk_error *err)
{
	const char *root = ctx->root ? ctx->root : HUSK_DEFAULT_ROOT;
	_cleanup_free_ char *dir = state_dir_of(ctx, id);
	int r;

	r = mkdir_p(root, 0700);
	if (r == -EACCES && geteuid() != 0)
		return husk_error_set(err, EACCES, "create state root \"%s\": %s (not root: set XDG_RUNTIME_DIR or "
				      "pass --root)", root, strerror(EACCES));
	if (r < 0)
		return husk_error_sys(err, -r, "create state root \"%s\"", root);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return husk_error_set(err, EEXIST, "container \"%s\" already exists", id);
		if (errno == EACCES && geteuid() != 0)
			return husk_error_set(err, EACCES, "create state directory \"%s\": %s (not root: set "
					      "XDG_RUNTIME_DIR or pass --root)", dir, strerror(EACCES));
		return husk_error_sys(err, errno, "create state directory \"%s\"", dir);
	}
	r = lock_dir(dir, lockfd);
	if (r < 0) {
		rmdir(dir);
		return husk_error_sys(err, -r, "lock \"%s\"", dir);
	}
	*dir_out = TAKE_PTR(dir);
	return 0;
}

int state_lock(const struct husk_context *ctx, const char *id, int *lockfd, struct husk_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	if ((r = state_check_id(id, err)) < 0)
		return r;
	dir = state_dir_of(ctx, id);
	r = lock_dir(dir, lockfd);
	if (r == -ENOENT)
		return husk_error_set(err, ENOENT, "container \"%s\" does not exist", id);
	if (r < 0)
		return husk_error_sys(err, -r, "lock \"%s\"", dir);
	return 0;
}

int state_write(const struct container_state *st, const json_value *annotations, struct husk_error *err)
{
	struct json_writer *w = json_writer_new(false);
	_cleanup_free_ char *path = xasprintf("%s/" STATE_FILE, st->dir), *text = NULL;
	int r;

	json_write_object_begin(w);
	json_write_key_string(w, "id", st->id);
	json_write_key_int(w, "pid", st->pid);
	json_write_key(w, "pidStart");
	json_write_uint(w, st->pid_start);
	json_write_key_string(w, "bundle", st->bundle);
	json_write_key_string(w, "rootfs", st->rootfs);
	json_write_key_string(w, "created", st->created);
	json_write_key_int(w, "owner", st->owner);
	if (st->cgroup)
		json_write_key_string(w, "cgroup", st->cgroup);
	if (st->systemd_unit)
		json_write_key_string(w, "systemdUnit", st->systemd_unit);
	if (st->notify_socket)
		json_write_key_string(w, "notifySocket", st->notify_socket);
	json_write_key_string(w, "executor", st->executor);
	if (annotations) {
		json_write_key(w, "annotations");
		json_write_value(w, annotations);
	}
	json_write_object_end(w);
	text = json_writer_finish(w);
	r = write_file_atomic(path, text, strlen(text));
	if (r < 0)
		return husk_error_sys(err, -r, "write \"%s\"", path);
	return 0;
}

static char *dup_member(const json_value *doc, const char *key)
{
	const char *s = json_string(json_object_get(doc, key));
	return s ? xstrdup(s) : NULL;
}

int state_parse(const char *text, const char *path, const char *id, struct container_state **out,
		struct husk_error *err)
{
	struct container_state *st = xcalloc(1, sizeof(*st));
	char jerr[256];
	int64_t v;

	if (json_parse(text, &st->doc, jerr, sizeof(jerr)) < 0) {
		free(st);
		return husk_error_set(err, EUCLEAN, "state of container \"%s\" is damaged: %s: invalid JSON: %s "
				      "(delete --force removes the container)", id, path, jerr);
	}
	st->id = xstrdup(id);
	if (json_int64(json_object_get(st->doc, "pid"), &v) == 0)
		st->pid = v;
	json_uint64(json_object_get(st->doc, "pidStart"), &st->pid_start);
	if (json_int64(json_object_get(st->doc, "owner"), &v) == 0)
		st->owner = v;
	st->bundle = dup_member(st->doc, "bundle");
	st->rootfs = dup_member(st->doc, "rootfs");
	st->created = dup_member(st->doc, "created");
	st->cgroup = dup_member(st->doc, "cgroup");
	st->systemd_unit = dup_member(st->doc, "systemdUnit");
	st->notify_socket = dup_member(st->doc, "notifySocket");
	st->executor = dup_member(st->doc, "executor");
	st->annotations = json_object_get(st->doc, "annotations");
	if (!st->bundle || !st->created || st->pid <= 0) {
		state_free(st);
		return husk_error_set(err, EUCLEAN, "state of container \"%s\" is damaged: %s lacks its bundle, "
				      "creation time or pid (delete --force removes the container)", id, path);
	}
	*out = st;
	return 0;
}

int state_load(const struct husk_context *ctx, const char *id, struct container_state **out,
	       struct husk_error *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL, *text = NULL;
	int r;

	if ((r = state_check_id(id, err)) < 0)
		return r;
	dir = state_dir_of(ctx, id);
	path = xasprintf("%s/" STATE_FILE, dir);
	r = read_regular_file_at(AT_FDCWD, path, STATE_MAX_SIZE, &text, NULL);
	if (r == -ENOENT) {
		if (access(dir, F_OK) == 0)
			return husk_error_set(err, EBUSY, "container \"%s\" is still being created", id);
		return husk_error_set(err, ENOENT, "container \"%s\" does not exist", id);
	}
	if (r == -EBADFD || r == -EFBIG)
		return husk_error_set(err, EUCLEAN, "state of container \"%s\" is damaged: \"%s\" is %s (delete --force "
				      "removes the container)", id, path, r == -EBADFD ? "not a regular file" : "too large");
	if (r < 0)
		return husk_error_sys(err, -r, "read \"%s\"", path);
	if ((r = state_parse(text, path, id, out, err)) < 0)
		return r;
	(*out)->dir = TAKE_PTR(dir);
	return 0;
}

int state_load_config(const struct container_state *st, struct spec **s, char **text_out, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/" STATE_CONFIG, st->dir), *text = NULL;
	int r = read_regular_file_at(AT_FDCWD, path, SPEC_MAX_SIZE, &text, NULL);

	if (r == -EBADFD)
		return husk_error_set(err, EINVAL, "\"%s\": not a regular file", path);
	if (r < 0)
		return husk_error_sys(err, -r, "read \"%s\"", path);
	if ((r = spec_parse(text, path, st->bundle, s, err)) < 0)
		return r;
	if (text_out)
		*text_out = TAKE_PTR(text);
	return 0;
}

int state_write_intent(const char *dir, const char *name, const char *text, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	int r = write_file_atomic(path, text, strlen(text));

	if (r < 0)
		return husk_error_sys(err, -r, "write \"%s\"", path);
	return 0;
}

struct container_state *state_recover(const struct husk_context *ctx, const char *id)
{
	struct container_state *st = xcalloc(1, sizeof(*st));
	_cleanup_free_ char *cg = NULL, *init = NULL;
	const char *mp = cgroup_mountpoint();
	int dirfd;

	st->id = xstrdup(id);
	st->dir = state_dir_of(ctx, id);
	dirfd = open(st->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return st;
	/* Only a cgroup below the cgroup2 mount, never its root or a path that climbs. */
	if (read_regular_file_at(dirfd, STATE_INTENT_CGROUP, 4096, &cg, NULL) == 0 && mp &&
	    str_has_prefix(cg, mp) && cg[strlen(mp)] == '/' && cg[strlen(mp) + 1] && !strstr(cg, "/.."))
		st->cgroup = TAKE_PTR(cg);
	if (read_regular_file_at(dirfd, STATE_INTENT_INIT, 64, &init, NULL) == 0) {
		long pid = 0;
		unsigned long long start = 0;
		if (sscanf(init, "%ld %llu", &pid, &start) == 2 && pid > 0 && pid < INT32_MAX) {
			st->pid = pid;
			st->pid_start = start;
		}
	}
	close(dirfd);
	return st;
}

void state_free(struct container_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->dir);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup);
	free(st->systemd_unit);
	free(st->notify_socket);
	free(st->executor);
	json_free(st->doc);
	free(st);
}

bool state_pid_alive(const struct container_state *st)
{
	char path[64], buf[512], *p;
	_cleanup_close_ int fd = -1;
	uint64_t start;
	ssize_t n;

	if (st->pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", st->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false; /* a zombie has finished running */
	if (proc_start_time(st->pid, &start) < 0)
		return false;
	return start == st->pid_start;
}

bool state_init_waits(const struct container_state *st)
{
	_cleanup_free_ char *fifo = xasprintf("%s/" STATE_FIFO, st->dir);
	char path[64];
	struct stat want, got;
	struct dirent *de;
	bool waits = false;
	DIR *d;

	if (stat(fifo, &want) < 0)
		return false;
	/* Until it is let go, the init holds the fifo open (O_PATH); after, not. */
	snprintf(path, sizeof(path), "/proc/%d/fd", st->pid);
	d = opendir(path);
	if (!d)
		return errno == EACCES || errno == EPERM; /* rootless: the fifo is all we can see */
	while (!waits && (de = readdir(d))) {
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &got, 0) < 0)
			continue;
		waits = got.st_dev == want.st_dev && got.st_ino == want.st_ino;
	}
	closedir(d);
	return waits;
}

const char *state_status(const struct container_state *st)
{
	if (!state_pid_alive(st))
		return "stopped";
	/* The fifo alone is not enough: a start killed before it removed the fifo has
	 * let the init go all the same. */
	if (state_init_waits(st))
		return "created";
	if (cgroup_is_frozen(st->cgroup))
		return "paused";
	return "running";
}

char *state_oci_json(const char *id, const char *status, pid_t pid, const char *bundle,
		     const json_value *annotations, const struct container_state *extra, bool pretty)
{
	struct json_writer *w = json_writer_new(pretty);

	json_write_object_begin(w);
	json_write_key_string(w, "ociVersion", "1.3.0");
	json_write_key_string(w, "id", id);
	json_write_key_string(w, "status", status);
	/* runtime-spec: pid is required while created or running; runc prints 0 once stopped. */
	json_write_key_int(w, "pid", strcmp(status, "stopped") ? pid : 0);
	json_write_key_string(w, "bundle", bundle);
	if (extra) {
		json_write_key_string(w, "rootfs", extra->rootfs ? extra->rootfs : "");
		json_write_key_string(w, "created", extra->created);
		json_write_key_int(w, "owner", extra->owner);
		/* A microVM's VMM, beside the pid of the process that stands for its payload. */
		if (extra->vmm_pid > 0 && strcmp(status, "stopped"))
			json_write_key_int(w, "vmmPid", extra->vmm_pid);
	}
	json_write_key(w, "annotations");
	if (annotations)
		json_write_value(w, annotations);
	else {
		json_write_object_begin(w);
		json_write_object_end(w);
	}
	json_write_object_end(w);
	return json_writer_finish(w);
}

int state_open_pidfd(const struct container_state *st)
{
	int fd = syscall(SYS_pidfd_open, st->pid, 0);

	if (fd < 0)
		return -errno;
	/* The pid may have been reused between reading state.json and pidfd_open. */
	if (!state_pid_alive(st)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

char *state_seccomp_cache_dir(const struct husk_context *ctx)
{
	if (ctx->no_seccomp_cache)
		return NULL;
	return xasprintf("%s/.seccomp-cache", ctx->root ? ctx->root : HUSK_DEFAULT_ROOT);
}
