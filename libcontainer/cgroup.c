/* cgroup.c - cgroup v2 through cgroupfs: placement and lifetime of the container's
 * cgroup.  A hybrid host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified) is used
 * as it is: husk never remounts or reconfigures a host hierarchy. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "utils.h"

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cgroup_mountpoint(void)
{
	static const char *mp;
	static bool probed;

	if (!probed) {
		probed = true;
		if (is_cgroup2("/sys/fs/cgroup"))
			mp = "/sys/fs/cgroup";
		else if (is_cgroup2("/sys/fs/cgroup/unified"))
			mp = "/sys/fs/cgroup/unified";
	}
	return mp;
}

/* husk's own cgroup v2 path, from the "0::" line of /proc/self/cgroup. */
static char *own_cgroup(void)
{
	_cleanup_free_ char *buf = NULL;
	char *line;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL) < 0)
		return xstrdup("/");
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (str_has_prefix(line, "0::"))
			return xstrdup(line + 3);
	return xstrdup("/");
}

/* "machine-a-b.slice" -> "/machine.slice/machine-a.slice/machine-a-b.slice", as systemd nests slices. */
static char *expand_slice(const char *slice)
{
	_cleanup_free_ char *name = xstrdup(slice);
	char *out = xstrdup(""), *dash;
	size_t len = strlen(name);

	if (len > 6 && !strcmp(name + len - 6, ".slice"))
		name[len - 6] = '\0';
	if (!strcmp(name, "-") || !*name)
		return out;
	for (dash = strchr(name, '-');; dash = strchr(dash + 1, '-')) {
		char *n = xasprintf("%s/%.*s.slice", out, dash ? (int) (dash - name) : (int) strlen(name), name);
		free(out);
		out = n;
		if (!dash)
			break;
	}
	return out;
}

char *cgroup_path_for(const struct spec *s, const char *id, bool rootless)
{
	const char *p = s->cgroups_path;
	_cleanup_free_ char *own = NULL;

	if (!p || !*p) {
		if (!rootless)
			return xasprintf("/husk/%s", id);
		own = own_cgroup();
		return xasprintf("%s/husk-%s", strcmp(own, "/") ? own : "", id);
	}
	if (p[0] != '/' && strchr(p, ':')) {
		/* slice:prefix:name (crun accepts it with cgroupfs too) -> <slice path>/<prefix>-<name>.scope */
		_cleanup_free_ char *copy = xstrdup(p), *slice = NULL;
		char *prefix = strchr(copy, ':'), *name = prefix ? strchr(prefix + 1, ':') : NULL;
		if (prefix && name) {
			*prefix++ = '\0';
			*name++ = '\0';
			slice = expand_slice(*copy ? copy : "system.slice");
			return xasprintf("%s/%s%s%s.scope", slice, prefix, *prefix ? "-" : "", name);
		}
	}
	if (p[0] == '/')
		return xstrdup(p);
	own = own_cgroup();
	return xasprintf("%s/%s", strcmp(own, "/") ? own : "", p);
}

/* Parents of a container's cgroup that husk makes carry this mark (cgroupfs keeps
 * user xattrs), so that any later delete, whichever container it is for, knows them
 * from directories that were there before and are someone else's. */
#define MADE_XATTR "user.husk.made"

/* A container's own cgroup names its state directory, so that a delete whose state
 * directory is gone can still tell the container's cgroup from anyone else's. */
#define OWNER_XATTR "user.husk.owner"

void cgroup_mark_owner(const char *fspath, const char *owner)
{
	(void) setxattr(fspath, OWNER_XATTR, owner, strlen(owner), 0);
}

bool cgroup_owned_by(const char *fspath, const char *owner)
{
	char buf[4096];
	ssize_t n = getxattr(fspath, OWNER_XATTR, buf, sizeof(buf));

	return n == (ssize_t) strlen(owner) && !memcmp(buf, owner, n);
}

/* mkdir -p FULL below the cgroup2 mount MP, marking each parent it makes. */
static int make_cgroup_dirs(const char *mp, const char *full)
{
	_cleanup_free_ char *p = xstrdup(full);
	char *s;

	for (s = p + strlen(mp) + 1;; s++) {
		bool last = !*s;
		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (!last)
				(void) setxattr(p, MADE_XATTR, "1", 1, 0);
		} else if (errno != EEXIST) {
			return -errno;
		}
		if (last)
			return 0;
		*s = '/';
	}
}

/* rmdir the parents of FSPATH that husk made, innermost first, while they are empty:
 * another container may still be below one of them. */
static void remove_made_parents(const char *fspath)
{
	const char *mp = cgroup_mountpoint();
	_cleanup_free_ char *dir = xstrdup(fspath);
	char *slash, mark;

	if (!mp || !str_has_prefix(fspath, mp))
		return;
	while ((slash = strrchr(dir, '/')) && (size_t) (slash - dir) > strlen(mp)) {
		*slash = '\0';
		if (getxattr(dir, MADE_XATTR, &mark, 1) != 1 || rmdir(dir) < 0)
			break;
	}
}

int cgroup_resolve(const char *path, char **fspath, struct husk_error *err)
{
	const char *mp = cgroup_mountpoint();
	_cleanup_free_ char *full = NULL;

	*fspath = NULL;
	if (!mp) {
		husk_log(HUSK_LOG_DEBUG, "no cgroup2 mount: the container gets no cgroup");
		return 0;
	}
	if (strstr(path, "/../") || str_has_prefix(path, "../") || strstr(path, "/.."))
		return husk_error_set(err, EINVAL, "config.json: linux.cgroupsPath: \"%s\" must not contain \"..\"", path);
	full = xasprintf("%s%s%s", mp, path[0] == '/' ? "" : "/", path);
	{
		/* An existing cgroup with processes belongs to someone else: sharing it would
		 * let one container's kill --all or delete reach the other's processes. */
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		if (cgroup_read_pids(full, &pids, &n) == 0 && n > 0)
			return husk_error_set(err, EBUSY, "cgroup \"%s\" is already in use (linux.cgroupsPath)", full);
	}
	*fspath = TAKE_PTR(full);
	return 0;
}

int cgroup_create(const char *fspath, const char *owner, int *fd, struct husk_error *err)
{
	const char *mp = cgroup_mountpoint();
	int r;

	*fd = -1;
	/* A concurrent delete may remove a parent we share just as we go below it: retry. */
	for (int tries = 0; (r = make_cgroup_dirs(mp, fspath)) == -ENOENT && tries < 10; tries++)
		;
	if (r < 0)
		return husk_error_sys(err, -r, "create cgroup \"%s\"", fspath);
	cgroup_mark_owner(fspath, owner);
	*fd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		r = husk_error_sys(err, errno, "open cgroup \"%s\"", fspath);
		if (rmdir(fspath) == 0)
			remove_made_parents(fspath);
		return r;
	}
	return 0;
}

/* The sub-cgroups a container made below its own are part of it (systemd as its
 * init makes them, as does a runtime nested in it): every walk covers the subtree.
 * The depth is bounded as the kernel bounds it (cgroup.max.depth), here at 64. */
#define SUBTREE_MAX_DEPTH 64

/* A DIR over dirfd's directory, dirfd itself left open. */
static DIR *opendir_at(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

/* cgroup.procs of dirfd's cgroup and of each below it, appended to *v. */
static int read_pids_at(int dirfd, int depth, pid_t **v, size_t *count)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save;
	struct dirent *de;
	DIR *d;
	int r;

	r = read_file_at(dirfd, "cgroup.procs", 64 << 20, &buf, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		*v = xrealloc(*v, (*count + 1) * sizeof(pid_t));
		(*v)[(*count)++] = atoi(line);
	}
	if (depth >= SUBTREE_MAX_DEPTH || !(d = opendir_at(dirfd)))
		return 0;
	while ((de = readdir(d))) {
		int sub;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (sub < 0)
			continue;
		read_pids_at(sub, depth + 1, v, count); /* one that went away meanwhile has none */
		close(sub);
	}
	closedir(d);
	return 0;
}

int cgroup_read_pids(const char *fspath, pid_t **pids, size_t *n)
{
	_cleanup_close_ int dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	pid_t *v = NULL;
	size_t count = 0;
	int r;

	*pids = NULL;
	*n = 0;
	if (dirfd < 0)
		return -errno;
	r = read_pids_at(dirfd, 0, &v, &count);
	if (r < 0) {
		free(v);
		return r;
	}
	*pids = v;
	*n = count;
	return 0;
}

/* rmdir every cgroup below dirfd, deepest first; the first that fails (still busy)
 * stops it, with its path in *busy. */
static int remove_subtree_at(int dirfd, const char *path, int depth, char **busy)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth >= SUBTREE_MAX_DEPTH || !(d = opendir_at(dirfd)))
		return 0;
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *subpath = NULL;
		_cleanup_close_ int sub = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		subpath = xasprintf("%s/%s", path, de->d_name);
		sub = openat(dirfd, de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (sub >= 0 && (r = remove_subtree_at(sub, subpath, depth + 1, busy)) < 0)
			break;
		if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			r = -errno;
			if (!*busy)
				*busy = TAKE_PTR(subpath);
		}
	}
	closedir(d);
	return r;
}

int cgroup_signal_all(const char *fspath, int sig, struct husk_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n, i;
	int r;

	if (sig == SIGKILL) {
		/* cgroup.kill (5.14) kills the whole subtree at once, forks in flight included. */
		_cleanup_free_ char *kill_file = xasprintf("%s/cgroup.kill", fspath);
		if (write_file_at(AT_FDCWD, kill_file, "1", 1, 0) == 0)
			return 0;
	}
	r = cgroup_read_pids(fspath, &pids, &n);
	if (r < 0)
		return husk_error_sys(err, -r, "read the processes of cgroup \"%s\"", fspath);
	for (i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return husk_error_sys(err, errno, "kill %d", pids[i]);
	return 0;
}

bool cgroup_is_frozen(const char *fspath)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;

	if (!fspath)
		return false;
	path = xasprintf("%s/cgroup.freeze", fspath);
	return read_file_at(AT_FDCWD, path, 64, &buf, NULL) == 0 && buf[0] == '1';
}

int cgroup_destroy(const char *fspath, struct husk_error *err)
{
	struct timespec ts = { 0, 1000000 };
	_cleanup_free_ char *busy = NULL;
	int i, r = 0;

	if (!fspath)
		return 0;
	for (i = 0; i < 5000; i++) {
		_cleanup_close_ int dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

		if (dirfd < 0 && errno == ENOENT) {
			/* Gone already (a restore whose CRIU was to make it): the parents
			 * husk made may still be there. */
			remove_made_parents(fspath);
			return 0;
		}
		/* The sub-cgroups the container made, deepest first, then its own. */
		free(busy);
		busy = NULL;
		r = dirfd < 0 ? -errno : remove_subtree_at(dirfd, fspath, 0, &busy);
		if (r == 0 && (rmdir(fspath) == 0 || errno == ENOENT)) {
			remove_made_parents(fspath);
			return 0;
		}
		if (r == 0)
			r = -errno;
		if (r != -EBUSY)
			return husk_error_sys(err, -r, "remove cgroup \"%s\"", busy ? busy : fspath);
		/* Still populated: kill what is left in the whole subtree (cgroup.kill covers
		 * it), and give the kernel time to reap it. */
		if (i == 0)
			cgroup_signal_all(fspath, SIGKILL, NULL);
		nanosleep(&ts, NULL);
	}
	return husk_error_set(err, EBUSY, "remove cgroup \"%s\": still busy after 5 s", busy ? busy : fspath);
}

/* ---- freezing ---------------------------------------------------------------------- */
/* The value of key in a flat-keyed cgroup file ("frozen 1", "oom_kill 3"). */
static int read_keyed(int dirfd, const char *file, const char *key, uint64_t *out)
{
	_cleanup_free_ char *buf = NULL;
	size_t klen = strlen(key);
	char *line, *save;
	int r;

	if ((r = read_file_at(dirfd, file, 1 << 16, &buf, NULL)) < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return parse_uint64(line + klen + 1, out);
	return -ENOENT;
}

int cgroup_freeze(const char *fspath, bool freeze, int timeout_ms, struct husk_error *err)
{
	_cleanup_close_ int dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC), events = -1;
	struct timespec start, now;
	uint64_t frozen;
	int r;

	if (dirfd < 0)
		return husk_error_sys(err, errno, "open cgroup \"%s\"", fspath);
	r = write_file_at(dirfd, "cgroup.freeze", freeze ? "1" : "0", 1, 0);
	if (r < 0)
		return husk_error_sys(err, -r, "%s cgroup \"%s\"", freeze ? "freeze" : "thaw", fspath);
	/* cgroup.freeze is a request; cgroup.events says when every task has stopped
	 * (or started), and the kernel signals each change of it with POLLPRI. */
	events = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (events < 0)
		return husk_error_sys(err, errno, "open \"%s/cgroup.events\"", fspath);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { events, POLLPRI, 0 };
		long waited;

		if ((r = read_keyed(dirfd, "cgroup.events", "frozen", &frozen)) < 0)
			return husk_error_sys(err, -r, "read \"%s/cgroup.events\"", fspath);
		if (frozen == (freeze ? 1 : 0))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= timeout_ms)
			break;
		/* Re-read at least every 100 ms: a notification may land between read and poll. */
		poll(&pfd, 1, timeout_ms - waited < 100 ? (int) (timeout_ms - waited) : 100);
	}
	if (freeze)
		write_file_at(dirfd, "cgroup.freeze", "0", 1, 0);
	return husk_error_set(err, ETIMEDOUT, "cgroup \"%s\" did not %s within %d ms", fspath,
			      freeze ? "freeze" : "thaw", timeout_ms);
}

int cgroup_oom_kills(const char *fspath, uint64_t *n)
{
	_cleanup_close_ int dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	*n = 0;
	if (dirfd < 0)
		return -errno;
	return read_keyed(dirfd, "memory.events", "oom_kill", n);
}

/* ---- statistics -------------------------------------------------------------------- */
int cgroup_read_number(int dirfd, const char *file, uint64_t *out)
{
	_cleanup_free_ char *buf = NULL;
	int r;

	if ((r = read_file_at(dirfd, file, 64, &buf, NULL)) < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_uint64(buf, out);
}

/* For the statistics: 0 where the file is missing, as runc reports it. */
static uint64_t read_number(int dirfd, const char *file)
{
	uint64_t v = 0;
	return cgroup_read_number(dirfd, file, &v) < 0 ? 0 : v;
}

static uint64_t keyed(int dirfd, const char *file, const char *key)
{
	uint64_t v = 0;
	read_keyed(dirfd, file, key, &v);
	return v;
}

static void write_key_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_write_key(w, key);
	json_write_uint(w, v);
}

static void stats_cpu(struct json_writer *w, int dirfd)
{
	json_write_key(w, "cpu");
	json_write_object_begin(w);
	json_write_key(w, "usage");
	json_write_object_begin(w);
	write_key_uint(w, "total", keyed(dirfd, "cpu.stat", "usage_usec") * 1000);
	write_key_uint(w, "kernel", keyed(dirfd, "cpu.stat", "system_usec") * 1000);
	write_key_uint(w, "user", keyed(dirfd, "cpu.stat", "user_usec") * 1000);
	json_write_object_end(w);
	json_write_key(w, "throttling");
	json_write_object_begin(w);
	write_key_uint(w, "periods", keyed(dirfd, "cpu.stat", "nr_periods"));
	write_key_uint(w, "throttledPeriods", keyed(dirfd, "cpu.stat", "nr_throttled"));
	write_key_uint(w, "throttledTime", keyed(dirfd, "cpu.stat", "throttled_usec") * 1000);
	json_write_object_end(w);
	json_write_object_end(w);
}

static void stats_memory(struct json_writer *w, int dirfd)
{
	_cleanup_free_ char *stat = NULL;
	uint64_t usage = read_number(dirfd, "memory.current"), limit = read_number(dirfd, "memory.max");
	uint64_t swap = read_number(dirfd, "memory.swap.current"), swap_max = read_number(dirfd, "memory.swap.max");
	char *line, *save;

	json_write_key(w, "memory");
	json_write_object_begin(w);
	write_key_uint(w, "cache", keyed(dirfd, "memory.stat", "file"));
	json_write_key(w, "usage");
	json_write_object_begin(w);
	write_key_uint(w, "usage", usage);
	write_key_uint(w, "max", read_number(dirfd, "memory.peak"));
	write_key_uint(w, "limit", limit);
	write_key_uint(w, "failcnt", keyed(dirfd, "memory.events", "max"));
	json_write_object_end(w);
	/* As runc: v2's swap figures are memory+swap, to keep v1's meaning. */
	json_write_key(w, "swap");
	json_write_object_begin(w);
	write_key_uint(w, "usage", usage + swap);
	write_key_uint(w, "limit", limit == UINT64_MAX || swap_max == UINT64_MAX ? UINT64_MAX : limit + swap_max);
	json_write_object_end(w);
	json_write_key(w, "raw");
	json_write_object_begin(w);
	if (read_file_at(dirfd, "memory.stat", 1 << 16, &stat, NULL) == 0) {
		for (line = strtok_r(stat, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(line, ' ');
			uint64_t v;
			if (!sp)
				continue;
			*sp = '\0';
			if (parse_uint64(sp + 1, &v) == 0)
				write_key_uint(w, line, v);
		}
	}
	json_write_object_end(w);
	json_write_object_end(w);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ...", as runc's blkio entries. */
static void stats_blkio(struct json_writer *w, int dirfd)
{
	static const struct {
		const char *list, *rkey, *wkey;
	} lists[] = { { "ioServiceBytesRecursive", "rbytes", "wbytes" }, { "ioServicedRecursive", "rios", "wios" } };
	_cleanup_free_ char *stat = NULL;

	json_write_key(w, "blkio");
	json_write_object_begin(w);
	read_file_at(dirfd, "io.stat", 1 << 20, &stat, NULL);
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		_cleanup_free_ char *copy = stat ? xstrdup(stat) : NULL;
		char *line, *save;
		json_write_key(w, lists[l].list);
		json_write_array_begin(w);
		for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
			unsigned major, minor;
			char *field, *fsave;
			if (sscanf(line, "%u:%u", &major, &minor) != 2)
				continue;
			for (field = strtok_r(strchr(line, ' '), " ", &fsave); field; field = strtok_r(NULL, " ", &fsave)) {
				char *eq = strchr(field, '=');
				uint64_t v;
				bool rd;
				if (!eq)
					continue;
				*eq = '\0';
				rd = !strcmp(field, lists[l].rkey);
				if ((!rd && strcmp(field, lists[l].wkey)) || parse_uint64(eq + 1, &v) < 0)
					continue;
				json_write_object_begin(w);
				write_key_uint(w, "major", major);
				write_key_uint(w, "minor", minor);
				json_write_key_string(w, "op", rd ? "Read" : "Write");
				write_key_uint(w, "value", v);
				json_write_object_end(w);
			}
		}
		json_write_array_end(w);
	}
	json_write_object_end(w);
}

static void stats_hugetlb(struct json_writer *w, int dirfd)
{
	_cleanup_free_ char *controllers = NULL;
	DIR *d;
	struct dirent *de;

	json_write_key(w, "hugetlb");
	json_write_object_begin(w);
	if (read_file_at(dirfd, "cgroup.controllers", 4096, &controllers, NULL) < 0 || !strstr(controllers, "hugetlb")) {
		json_write_object_end(w);
		return;
	}
	d = fdopendir(dup(dirfd));
	while (d && (de = readdir(d))) {
		/* hugetlb.<size>.current */
		size_t len = strlen(de->d_name);
		_cleanup_free_ char *size = NULL, *max = NULL, *events = NULL;
		if (!str_has_prefix(de->d_name, "hugetlb.") || len < 17 || strcmp(de->d_name + len - 8, ".current"))
			continue;
		size = xasprintf("%.*s", (int) (len - 16), de->d_name + 8);
		if (strchr(size, '.'))
			continue; /* hugetlb.<size>.rsvd.current */
		max = xasprintf("hugetlb.%s.max", size);
		events = xasprintf("hugetlb.%s.events", size);
		json_write_key(w, size);
		json_write_object_begin(w);
		write_key_uint(w, "usage", read_number(dirfd, de->d_name));
		write_key_uint(w, "max", read_number(dirfd, max));
		write_key_uint(w, "failcnt", keyed(dirfd, events, "max"));
		json_write_object_end(w);
	}
	if (d)
		closedir(d);
	json_write_object_end(w);
}

int cgroup_write_stats(const char *fspath, struct json_writer *w)
{
	_cleanup_close_ int dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (dirfd < 0)
		return -errno;
	json_write_object_begin(w);
	stats_cpu(w, dirfd);
	stats_memory(w, dirfd);
	json_write_key(w, "pids");
	json_write_object_begin(w);
	write_key_uint(w, "current", read_number(dirfd, "pids.current"));
	{
		uint64_t max = read_number(dirfd, "pids.max");
		write_key_uint(w, "limit", max == UINT64_MAX ? 0 : max); /* runc: 0 is no limit */
	}
	json_write_object_end(w);
	stats_blkio(w, dirfd);
	stats_hugetlb(w, dirfd);
	json_write_object_end(w);
	return 0;
}
