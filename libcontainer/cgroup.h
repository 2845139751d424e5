/* cgroup.h - the container's cgroup v2 directory: where it is, making it, placing
 * processes in it, listing and signalling them, removing it. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk.h"
#include "json.h"
#include "spec.h"

/* The cgroup2 mount: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a
 * hybrid one; NULL where there is none. */
const char *cgroup_mountpoint(void);

/* The cgroupfs driver's cgroup path (relative to the cgroup2 mount) for s:
 * cgroupsPath absolute as is, relative under husk's own cgroup, "slice:prefix:name"
 * where systemd would put it; absent: /husk/<id>, or <own cgroup>/husk-<id> when
 * rootless (where a delegated cgroup would be).  (The systemd driver asks systemd:
 * cgroup_systemd.c.) */
char *cgroup_path_for(const struct spec *s, const char *id, bool rootless);

/* The full path of cgroup PATH under the cgroup2 mount, refused when it is in use
 * by processes already (another container's); *fspath is NULL where there is no
 * cgroup2 mount. */
int cgroup_resolve(const char *path, char **fspath, struct husk_error *err);
/* Make FSPATH (and its parents), marked as OWNER's (the container's state directory);
 * *fd is an O_DIRECTORY fd to it for CLONE_INTO_CGROUP. */
int cgroup_create(const char *fspath, const char *owner, int *fd, struct husk_error *err);
/* FSPATH was made by cgroup_create for OWNER. */
bool cgroup_owned_by(const char *fspath, const char *owner);
/* Mark FSPATH as the cgroup of the container whose state directory is OWNER (as
 * cgroup_create does; for a cgroup another program made, CRIU at restore). */
void cgroup_mark_owner(const char *fspath, const char *owner);
/* Kill everything in it (cgroup.kill, or SIGKILL each pid) and remove it, then the
 * parents cgroup_create made for it (for it or for another container), while empty. */
int cgroup_destroy(const char *fspath, struct husk_error *err);
int cgroup_read_pids(const char *fspath, pid_t **pids, size_t *n);
int cgroup_signal_all(const char *fspath, int sig, struct husk_error *err);
/* cgroup.freeze of fspath reads 1. */
bool cgroup_is_frozen(const char *fspath);
/* Freeze or thaw through cgroup.freeze, and wait (at most timeout_ms) until
 * cgroup.events reports every task stopped or running again. */
int cgroup_freeze(const char *fspath, bool freeze, int timeout_ms, struct husk_error *err);
/* A single-number cgroup file under dirfd (memory.max, pids.current); "max" reads as
 * UINT64_MAX. */
int cgroup_read_number(int dirfd, const char *file, uint64_t *out);
/* memory.events' oom_kill: processes the OOM killer has killed in the cgroup. */
int cgroup_oom_kills(const char *fspath, uint64_t *n);
/* The "data" object of a runc stats event: cpu, memory, pids, blkio, hugetlb. */
int cgroup_write_stats(const char *fspath, struct json_writer *w);

#endif
