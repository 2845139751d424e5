/* process.h - the namespace executor: starting a container's init in new namespaces
 * (and exec'ing processes into them).  The parent side talks to the child over a
 * SOCK_SEQPACKET pair; the child reports any failure as a husk_error. */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk.h"
#include "spec.h"

struct init_request {
	const struct spec *spec;
	const char *id;
	const char *bundle;
	const char *state_dir;
	const char *cgroup_path;     /* cgroup2 directory or NULL */
	int cgroup_fd;               /* its fd for CLONE_INTO_CGROUP, or -1 */
	int console_fd;              /* connected console socket, or -1 */
	int fifo_fd;                 /* O_PATH exec.fifo (create), or -1 (run: started over sync) */
	int preserve_fds;            /* fds 3.. passed through (incl. LISTEN_FDS) */
	int lock_fd;                 /* the state dir lock: the child must not hold it */
	struct seccomp_filter *seccomp; /* compiled by the parent, loaded by the child */
	int seccomp_listener;        /* SCMP_ACT_NOTIFY: connected to listenerPath, or -1 */
	const int *sources;          /* per mount: a bind source the runtime opened (rootfs_prepare_sources), or -1 */
	bool no_pivot;
	bool no_new_keyring;
	uint64_t ephemeral_size;
	bool ephemeral_on_host;      /* its tmpfs is mounted already (rootfs_ephemeral_host_mount) */
	/* Called in the parent as soon as the init is cloned (its intent record). */
	int (*cloned)(void *data, pid_t pid, struct husk_error *err);
	/* Called in the parent before pivot_root (prestart + createRuntime hooks). */
	int (*create_runtime)(void *data, pid_t pid, struct husk_error *err);
	void *data;
	/* out */
	pid_t pid;
	int pidfd;
	int sync_fd;                 /* parent end, open until started (run) */
};

/* Clone the init and drive it until it is ready to exec (or failed). */
int process_spawn_init(struct init_request *req, struct husk_error *err);
/* run: tell the init to exec, and wait until it has (or failed). */
int process_start_init(struct init_request *req, struct husk_error *err);

struct exec_request {
	struct spec_process *process;
	struct seccomp_filter *seccomp;
	int seccomp_listener;        /* as in init_request */
	const char *state_json;      /* the container's state, for the seccomp listener */
	pid_t init_pid;
	const char *cgroup_path;
	int console_fd;
	int preserve_fds;
	/* out */
	pid_t pid;
	int pidfd;
};
int process_spawn_exec(struct exec_request *req, struct husk_error *err);

/* Write /proc/PID/{uid_map,gid_map} (FILE) from m; a negative errno on failure. */
int process_write_id_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n);

/* Shared by init and exec: process.* attributes applied while privileged (rlimits,
 * oomScoreAdj, scheduler, ioPriority, affinity; personality from s when given). */
int process_apply_attributes(const struct spec *s, const struct spec_process *p, struct husk_error *err);
/* args[0] looked up in the process's PATH; NULL when not found. */
char *process_find_executable(const struct spec_process *p);
/* User, capabilities, no_new_privs, LSM label, seccomp, fds, then execve. */
struct seccomp_filter;
int process_exec_final(const struct spec_process *p, struct seccomp_filter *filter, int listener,
		       const char *listener_msg, const char *exe, char **env, int preserve_fds, int sync_fd,
		       struct husk_error *err);
/* An AppArmor profile or SELinux label the host cannot apply: a clear error. */
int process_check_lsm(const struct spec_process *p, const char *label, struct husk_error *err);

/* Wait for our child pid; *status as a shell reports it (128+N for signal N). */
int process_wait(pid_t pid, int *status);
/* Forward the signals husk receives to pid (0: stop forwarding). */
void process_forward_signals(pid_t pid);

/* EAGAIN when a container's processes could open the runtime's /proc/PID/exe and
 * this process does not run from a sealed copy of husk (see husk_running_sealed). */
int container_check_sealed_binary(const struct spec *s, struct husk_error *err);

/* How a container is run: one lifecycle, several executors, chosen by the
 * run.husk.executor annotation: "namespaces", the process in Linux namespaces, and
 * "microvm", the bundle in its own guest kernel (libcontainer/vm/). */
struct container_state;
struct husk_exec_options;
struct executor {
	const char *name;
	/* What this executor refuses in a config, before any side effect (or NULL). */
	int (*check)(const struct spec *s, struct husk_error *err);
	int (*spawn)(struct init_request *req, struct husk_error *err);
	int (*start)(struct init_request *req, struct husk_error *err);
	/* What an executor does itself for an existing container; NULL: the
	 * lifecycle's own (a process in the container's namespaces, its cgroup). */
	int (*exec)(const struct container_state *st, const struct husk_exec_options *o, int *status,
		    struct husk_error *err);
	int (*kill_all)(const struct container_state *st, int sig, struct husk_error *err);
	/* linux.resources are applied inside (the microVM's guest), not to the host's
	 * cgroup, which then only holds the executor's processes: update cannot reach
	 * them, and checkpoint cannot either. */
	bool limits_inside;
};
extern const struct executor executor_namespaces;
extern const struct executor executor_microvm;
/* The executor state.json names (the namespace executor for none or an unknown one). */
const struct executor *executor_named(const char *name);

#endif
