/* utils.h - small helpers shared inside libcontainer: cleanup attributes, file I/O,
 * string vectors.  Nothing here knows about containers. */
#ifndef HUSK_UTILS_H
#define HUSK_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>

#include "husk.h"

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
void strv_freep(char ***v);

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))

/* Hand an fd or pointer out of a cleanup variable. */
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: husk is a short-lived CLI, and an out-of-memory
 * state is not recoverable in any useful way. */
void xoom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file (at most max bytes, else -EFBIG) as a NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len);
/* The same for a file that must be regular: never blocks on a FIFO or device, which
 * are refused with -EBADFD. */
int read_regular_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len);
/* Write buf to path (O_CREAT|O_TRUNC, mode), or to an existing file when mode is 0. */
int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode);
/* Write atomically: a temporary file renamed over path. */
int write_file_atomic(const char *path, const void *buf, size_t len);
/* --pid-file: the pid as decimal text, written atomically. */
int write_pid_file(const char *path, pid_t pid, struct husk_error *err);
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* mkdir -p; the last component gets mode. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf that does not cross into other mounts. */
int rm_rf(const char *path);

size_t strv_len(char *const *v);
char **strv_dup(char *const *v);
void strv_free(char **v);
/* Append a copy of s to a NULL-terminated vector. */
void strv_push(char ***v, size_t *n, const char *s);
/* "0-3,7" -> bits set in MASK (BITS long; zeroed first).  -EINVAL: not such a list;
 * -ERANGE: a number past BITS or a range backwards.  "" is the empty set. */
int parse_number_list(const char *list, unsigned long *mask, size_t bits);
/* The value of KEY in a KEY=VALUE list (the last one, as getenv of the result sees
 * it), or NULL. */
const char *strv_env_get(char *const *env, const char *key);

bool str_has_prefix(const char *s, const char *prefix);
/* Parse a decimal unsigned integer with an optional K/M/G/T suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out);
int parse_uint64(const char *s, uint64_t *out);

/* The time now as RFC 3339 with nanoseconds, UTC. */
void format_rfc3339(char *buf, size_t len);

/* The start time (field 22 of /proc/PID/stat), to tell a pid from its reuse. */
int proc_start_time(pid_t pid, uint64_t *start);

/* Open rel (e.g. "sys/kernel/hostname", "self/attr/exec") under procfd, an fd of a
 * /proc directory, only if it is the kernel's own procfs file: procfd must be procfs
 * and the path may cross no mount and follow no symlink, so a mount or link over it
 * cannot redirect the write (CVE-2019-16884, CVE-2025-52881).  -EXDEV otherwise. */
int proc_openat(int procfd, const char *rel, int flags);
/* Write value to /proc/<rel> of this process's /proc, through proc_openat. */
int proc_write(const char *rel, const char *value);

/* Close every fd >= from. */
void close_fds_from(int from);
/* Mark every fd >= from close-on-exec. */
int cloexec_fds_from(int from);

#endif
