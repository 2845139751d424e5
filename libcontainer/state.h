/* state.h - the per-container state directory under --root: its path, its lock, the
 * state.json husk keeps there, and the OCI status derived from it. */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk.h"
#include "json.h"

#define STATE_FILE "state.json"
#define STATE_CONFIG "config.json"   /* the config the container was created with */
#define STATE_FIFO "exec.fifo"       /* exists from create until start */
/* Intent records, each written before the side effect it names, so that whatever
 * instant husk dies at, delete --force finds what exists (state.json comes last). */
#define STATE_INTENT_CGROUP "cgroup" /* the cgroup's full path, before it is made */
#define STATE_INTENT_INIT "init"     /* "PID START": the init, as soon as it is cloned */
#define ID_MAX 1024
#define STATE_MAX_SIZE (1 << 20)     /* state.json is a few hundred bytes: more is damage */

struct container_state {
	char *id;
	char *dir;
	pid_t pid;
	uint64_t pid_start;       /* /proc/PID/stat start time: tells the pid from its reuse */
	char *bundle;
	char *rootfs;
	char *created;
	uid_t owner;
	char *cgroup;             /* cgroup2 directory, or NULL */
	char *systemd_unit;       /* the scope, with --systemd-cgroup */
	char *notify_socket;      /* the caller's NOTIFY_SOCKET at create: start relays READY=1 to it */
	char *executor;           /* "namespaces" or "microvm" */
	pid_t vmm_pid;            /* microvm: QEMU's pid, for `husk state` (not stored) */
	json_value *doc;          /* state.json as read; annotations point into it */
	const json_value *annotations;
};

/* An id is 1-1024 characters of [A-Za-z0-9_.+-], not "." or "..". */
int state_check_id(const char *id, struct husk_error *err);
char *state_dir_of(const struct husk_context *ctx, const char *id);
/* Where compiled seccomp programs are kept (<root>/.seccomp-cache), or NULL when
 * the context turns the cache off. */
char *state_seccomp_cache_dir(const struct husk_context *ctx);
/* Make --root (0700) and the container's directory; EEXIST names the id.  *lockfd
 * holds an exclusive lock on it. */
int state_dir_create(const struct husk_context *ctx, const char *id, char **dir, int *lockfd,
		     struct husk_error *err);
/* Lock an existing container's directory (exclusive); ENOENT names the id. */
int state_lock(const struct husk_context *ctx, const char *id, int *lockfd, struct husk_error *err);
int state_write(const struct container_state *st, const json_value *annotations, struct husk_error *err);
/* state.json's text (read from path) -> *out, without dir; errors name path. */
int state_parse(const char *text, const char *path, const char *id, struct container_state **out,
		struct husk_error *err);
int state_load(const struct husk_context *ctx, const char *id, struct container_state **out,
	       struct husk_error *err);
struct spec;
/* The config the container was made with (its state directory's copy), parsed; its
 * text in *text when text is not NULL. */
int state_load_config(const struct container_state *st, struct spec **s, char **text, struct husk_error *err);
/* Write intent record NAME (STATE_INTENT_*) in DIR, atomically. */
int state_write_intent(const char *dir, const char *name, const char *text, struct husk_error *err);
/* A container whose state.json is missing or damaged, as far as its intent records
 * tell (cgroup, init pid and start time; bundle and the rest unknown): enough for
 * delete --force and kill. */
struct container_state *state_recover(const struct husk_context *ctx, const char *id);
void state_free(struct container_state *st);
/* Whether the init is still held at the exec fifo (created, not yet started). */
bool state_init_waits(const struct container_state *st);
/* "created", "running", "paused" or "stopped", from the process and the fifo. */
const char *state_status(const struct container_state *st);
/* Whether st->pid is still the container's process (alive, not a zombie, same start). */
bool state_pid_alive(const struct container_state *st);
/* A pidfd for st->pid, or -ESRCH when that is no longer the container's init. */
int state_open_pidfd(const struct container_state *st);
/* The OCI state document. */
char *state_oci_json(const char *id, const char *status, pid_t pid, const char *bundle,
		     const json_value *annotations, const struct container_state *extra, bool pretty);

#endif
