/* utils.c - helpers with no container knowledge: allocation, file I/O, strings. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "utils.h"

/* Out of memory is the one condition the library does not return as an error: every
 * caller would have to unwind for a state that a short-lived runtime cannot recover
 * from.  This is a deliberate exception to "no abort() in the library" (README). */
void xoom(void)
{
	static const char msg[] = "husk: out of memory\n";
	(void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xoom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		xoom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xoom();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s ? s : "");
	if (!r)
		xoom();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0)
		xoom();
	return r;
}

void strv_freep(char ***v)
{
	strv_free(*v);
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += r;
	}
	return done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

static int read_fd_whole(int fd, size_t max, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, alloc = 0;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && (size_t) st.st_size > max)
		return -EFBIG;
	alloc = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size + 1 : 4096;
	buf = xmalloc(alloc);
	for (;;) {
		ssize_t r;

		if (size + 1 >= alloc) {
			if (alloc > max + 1)
				return -EFBIG;
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		r = read(fd, buf + size, alloc - size - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		size += r;
		if (size > max)
			return -EFBIG;
	}
	buf[size] = '\0';
	if (len)
		*len = size;
	*out = TAKE_PTR(buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return read_fd_whole(fd, max, out, len);
}

int read_regular_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO does not wait for a writer; it is then refused. */
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	return read_fd_whole(fd, max, out, len);
}

int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode)
{
	int flags = O_WRONLY | O_CLOEXEC | (mode ? O_CREAT | O_TRUNC : 0);
	_cleanup_close_ int fd = openat(dirfd, path, flags, mode);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	return r < 0 ? (int) r : 0;
}

int write_file_atomic(const char *path, const void *buf, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	int r = write_file_at(AT_FDCWD, tmp, buf, len, 0600);

	if (r < 0)
		return r;
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

int write_pid_file(const char *path, pid_t pid, struct husk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", pid);
	int r = write_file_atomic(path, buf, n);

	return r < 0 ? husk_error_sys(err, -r, "--pid-file \"%s\"", path) : 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_rf_at(int parent, const char *name, dev_t dev)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (st.st_dev != dev)
		return -EBUSY; /* a mount point: never recurse into another filesystem */
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rm_rf_at(dirfd(d), de->d_name, dev);
	}
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v), i;
	char **r = xcalloc(n + 1, sizeof(char *));

	for (i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

int parse_number_list(const char *list, unsigned long *mask, size_t bits)
{
	const char *p = list;

	memset(mask, 0, (bits + 8 * sizeof(long) - 1) / (8 * sizeof(long)) * sizeof(long));
	if (!*p)
		return 0;
	for (;;) {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = b = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= bits)
			return -ERANGE;
		for (; a <= b; a++)
			mask[a / (8 * sizeof(long))] |= 1UL << (a % (8 * sizeof(long)));
		if (!*end)
			return 0;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
}

const char *strv_env_get(char *const *env, const char *key)
{
	size_t n = strlen(key);
	const char *value = NULL;

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, n) && env[i][n] == '=')
			value = env[i] + n + 1;
	return value;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int parse_uint64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	_cleanup_free_ char *num = NULL;
	size_t len;
	const char *u;
	uint64_t v, mul = 1;

	if (!s || !*s)
		return -EINVAL;
	len = strlen(s);
	num = xstrdup(s);
	if (len > 1 && (num[len - 1] == 'b' || num[len - 1] == 'B'))
		num[--len] = '\0';
	if (len > 1 && (u = strchr(units, num[len - 1] & ~0x20))) {
		mul = 1ULL << (10 * (u - units + 1));
		num[--len] = '\0';
	}
	if (parse_uint64(num, &v) < 0)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

void format_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

int proc_start_time(pid_t pid, uint64_t *start)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return (int) n;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* p now points before field 3 (state); start time is field 22. */
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	return parse_uint64(strtok(p + 1, " "), start) < 0 ? -EINVAL : 0;
}

void close_fds_from(int from)
{
	if (syscall(SYS_close_range, from, ~0U, 0) == 0)
		return;
	for (int fd = from; fd < 65536; fd++)
		close(fd);
}

int cloexec_fds_from(int from)
{
	DIR *d;
	struct dirent *de;

	if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd >= from && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

int proc_openat(int procfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC),
		/* No symlink (not even /proc/self), no other mount on the way: the file is
		 * the kernel's own, not something mounted or linked over it. */
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs sf;
	char buf[4096];
	int fd;

	if (fstatfs(procfd, &sf) < 0)
		return -errno;
	if (sf.f_type != PROC_SUPER_MAGIC)
		return -EXDEV;
	/* "self/..." through the pid itself: /proc/self is a symlink. */
	if (str_has_prefix(rel, "self/")) {
		snprintf(buf, sizeof(buf), "%d/%s", getpid(), rel + 5);
		rel = buf;
	}
	fd = (int) syscall(SYS_openat2, procfd, rel, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -EXDEV;
	}
	return fd;
}

int proc_write(const char *rel, const char *value)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	ssize_t r;

	if (procfd < 0)
		return -errno;
	fd = proc_openat(procfd, rel, O_WRONLY);
	if (fd < 0)
		return fd;
	r = write_all(fd, value, strlen(value));
	return r < 0 ? (int) r : 0;
}
