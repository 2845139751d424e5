/* husk.h - the public interface of libcontainer, the library behind the husk CLI.
 *
 * Every call returns 0 on success or a negative errno, and on failure fills the
 * caller's struct husk_error with one sentence naming the object that failed.
 * The library never prints (except through the logger) and never exits. */
#ifndef HUSK_H
#define HUSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- errors ------------------------------------------------------------ */
#define HUSK_ERROR_MAX 1024

struct husk_error {
	int code;                 /* positive errno of the first failure */
	char msg[HUSK_ERROR_MAX]; /* "config.json: process.args: must be a non-empty array" */
};

/* Set the message; returns -errnum (EINVAL when errnum is 0). */
int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like husk_error_set, and appends ": <strerror(errnum)>". */
int husk_error_sys(struct husk_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix context to an error already set ("create "c1": " + msg); returns -code. */
int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- logging ----------------------------------------------------------- */
enum husk_log_format { HUSK_LOG_TEXT, HUSK_LOG_JSON };
enum husk_log_level { HUSK_LOG_ERROR, HUSK_LOG_WARNING, HUSK_LOG_INFO, HUSK_LOG_DEBUG };

/* Send log lines to PATH (NULL: stderr) in FORMAT; DEBUG lines only when debug. */
int husk_log_open(const char *path, enum husk_log_format format, bool debug, struct husk_error *err);
void husk_log(enum husk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether --log named a file (else the log is stderr). */
bool husk_log_is_file(void);

/* ---- the runtime context ----------------------------------------------- */
enum husk_cgroup_manager { HUSK_CGROUP_CGROUPFS, HUSK_CGROUP_SYSTEMD, HUSK_CGROUP_DISABLED };

struct husk_context {
	const char *root;                      /* state directory root, default HUSK_DEFAULT_ROOT */
	enum husk_cgroup_manager cgroup_manager;
	bool no_seccomp_cache;                 /* compile every seccomp profile afresh */
	/* Unprivileged: a cgroup that cannot be created (not delegated) is done without
	 * when the config sets no limits, and cgroupsPath defaults to a child of husk's
	 * own cgroup.  --rootless true|false|auto; auto (the default) is euid != 0. */
	bool rootless;
};

/* Whether this process runs from a sealed memfd copy of its binary ("husk").  When
 * it does not, create, run and exec of a container that could reach the runtime's
 * binary through /proc/PID/exe (CAP_SYS_PTRACE without a user namespace) fail with
 * EAGAIN before any side effect: the CLI then re-executes itself sealed
 * (CVE-2019-5736). */
bool husk_running_sealed(void);
#define HUSK_DEFAULT_ROOT "/run/husk"
/* The executor of a config that names none (run.husk.executor): "namespaces" unless
 * set; the CLI sets "microvm" when it runs as husk-vm. */
void husk_set_default_executor(const char *name);
/* Whether this process is the microVM guest's agent (PID 1 started as /init); then
 * husk_agent_main runs it and never returns. */
bool husk_is_agent(const char *argv0);
int husk_agent_main(void) __attribute__((noreturn));

/* How a container's process is started: create/run options. */
struct husk_create_options {
	const char *bundle;         /* default: the current directory */
	const char *config_file;    /* default: <bundle>/config.json */
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;           /* fds 3 .. 3+N-1 are passed in; LISTEN_FDS is set */
	bool no_pivot;
	bool no_new_keyring;
	bool detach;                /* run only */
	bool keep;                  /* run only: a foreground run leaves the stopped container */
	/* Ephemeral rootfs: a writable overlay whose upper is a tmpfs of this many bytes over
	 * the read-only image rootfs (0: off).  Also set by the annotation
	 * run.husk.ephemeral-rootfs=SIZE. */
	uint64_t ephemeral_size;
};

int husk_container_create(const struct husk_context *ctx, const char *id,
			  const struct husk_create_options *opts, struct husk_error *err);
int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error *err);
/* create + start; in the foreground waits and stores the container's exit status
 * (128+N for a signal) in *status, forwarding the signals husk receives. */
int husk_container_run(const struct husk_context *ctx, const char *id,
		       const struct husk_create_options *opts, int *status, struct husk_error *err);
int husk_container_kill(const struct husk_context *ctx, const char *id, int sig, bool all,
			struct husk_error *err);
int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
			  struct husk_error *err);
/* The OCI state document of ID (malloc'd JSON text). */
int husk_container_state(const struct husk_context *ctx, const char *id, char **json,
			 struct husk_error *err);

struct husk_container_info {
	char *id;
	pid_t pid;          /* 0 when stopped */
	const char *status; /* "creating", "created", "running", "paused", "stopped" */
	char *bundle;
	char *created;      /* RFC 3339 */
	char *owner;
};
int husk_container_list(const struct husk_context *ctx, struct husk_container_info **list,
			size_t *n, struct husk_error *err);
void husk_container_info_free(struct husk_container_info *list, size_t n);
/* runc's "list --format json": an array of {ociVersion, id, pid, status, bundle, created, owner}. */
char *husk_container_list_json(const struct husk_container_info *list, size_t n);

/* The host pids of every process in the container (from its cgroup, or its init). */
int husk_container_pids(const struct husk_context *ctx, const char *id, pid_t **pids, size_t *n,
			struct husk_error *err);

struct husk_exec_options {
	const char *process_file;   /* --process process.json, or NULL */
	char *const *args;          /* NULL-terminated; used when process_file is NULL */
	char *const *env;           /* extra KEY=VALUE entries, NULL-terminated */
	const char *cwd;
	const char *user;           /* uid[:gid] */
	char *const *caps;          /* extra capabilities, NULL-terminated */
	const char *console_socket;
	const char *pid_file;
	int preserve_fds;
	bool tty, tty_set;
	bool detach;
	bool no_new_privs;
	const char *cgroup;         /* [controller:]path of a sub-cgroup of the container's */
};
int husk_container_exec(const struct husk_context *ctx, const char *id,
			const struct husk_exec_options *opts, int *status, struct husk_error *err);

/* ---- checkpoint and restore (CRIU) -------------------------------------- */
/* Whether libcriu can be loaded (Debian's criu package). */
bool husk_criu_available(void);

/* The flags checkpoint and restore share, as runc spells them. */
struct husk_criu_flags {
	const char *manage_cgroups_mode;   /* soft (default), full, strict, ignore */
	const char *empty_ns;              /* "network": made empty, its content not saved or restored */
	bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup, lazy_pages;
};
struct husk_checkpoint_options {
	const char *image_path;            /* default: ./checkpoint */
	const char *work_path;             /* CRIU's logs; default: the image path */
	const char *parent_path;           /* a previous (pre-)dump, relative to image_path */
	const char *page_server;           /* ADDRESS:PORT: the pages go there (with lazy_pages: served from there) */
	const char *network_lock;          /* iptables, nftables, skip (CRIU's default: iptables) */
	int status_fd;                     /* with lazy_pages: CRIU writes a byte once the pages can be fetched; -1 */
	bool leave_running, tcp_skip_in_flight, link_remap, pre_dump;
	struct husk_criu_flags flags;
};
/* Dump running container ID; without leave_running (or pre_dump) the container is
 * then gone, deleted as runc deletes it. */
int husk_container_checkpoint(const struct husk_context *ctx, const char *id,
			      const struct husk_checkpoint_options *opts, struct husk_error *err);
struct husk_restore_options {
	const char *bundle;                /* default: the current directory */
	const char *image_path, *work_path, *pid_file;
	const char *console_socket;        /* process.terminal: where the restored pty's master goes */
	const char *lsm_profile;           /* "apparmor:NAME" or "selinux:LABEL" for the restored processes */
	const char *lsm_mount_context;     /* SELinux context= for the restored mounts */
	bool detach, tcp_close;
	struct husk_criu_flags flags;
};
/* Restore a checkpoint as container ID (which must not exist) from the bundle; in
 * the foreground waits and stores its exit status in *status, then deletes it. */
int husk_container_restore(const struct husk_context *ctx, const char *id,
			   const struct husk_restore_options *opts, int *status, struct husk_error *err);

/* ---- resources (cgroup v2) --------------------------------------------- */
/* Freeze every process of a running container (cgroup.freeze), and thaw them; both
 * return once cgroup.events confirms it. */
int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error *err);
int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error *err);

struct husk_update_value {
	bool set;
	int64_t value;
};
/* runc's update: a linux.resources document (-r FILE, "-" for stdin) and/or flags,
 * the flags winning over the same field in the file. */
struct husk_update_options {
	const char *resources_file;
	struct husk_update_value memory, memory_reservation, memory_swap;
	struct husk_update_value cpu_shares, cpu_quota, cpu_period, cpu_idle, cpu_rt_runtime, cpu_rt_period;
	struct husk_update_value pids_limit, blkio_weight;
	const char *cpuset_cpus, *cpuset_mems;
};
int husk_container_update(const struct husk_context *ctx, const char *id,
			  const struct husk_update_options *opts, struct husk_error *err);
/* runc's events: emit() gets one JSON text per event: {"type":"stats","id","data"}
 * every interval_ms (once, then return, with stats_only), {"type":"oom","id"} when the
 * OOM killer kills in the container.  Returns when the container's init exits. */
int husk_container_events(const struct husk_context *ctx, const char *id, unsigned interval_ms,
			  bool stats_only, void (*emit)(const char *json, void *data), void *data,
			  struct husk_error *err);

/* ---- documents --------------------------------------------------------- */
/* The default config.json; rootless: for an unprivileged user; seccomp: with husk's
 * default seccomp profile (contrib/seccomp.json). */
int husk_spec_default(bool rootless, bool seccomp, char **json, struct husk_error *err);
int husk_features(char **json, struct husk_error *err);
/* "+SECCOMP +CAP ..." : the features compiled in, for --version. */
const char *husk_build_features(void);

/* "64M" -> 67108864 (K, M, G, T: powers of 1024).  Returns 0 or -EINVAL/-ERANGE. */
int husk_parse_size(const char *s, uint64_t *out);

/* "KILL", "SIGKILL", "9" -> 9.  Returns 0 or -EINVAL. */
int husk_signal_parse(const char *s, int *sig);

#endif
