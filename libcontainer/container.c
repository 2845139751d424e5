/* container.c - the lifecycle: create, start, run, kill, delete, state, list, ps,
 * exec.  Everything is validated before the first side effect; a failure after it
 * undoes what was done (process, cgroup, state directory). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "caps.h"
#include "cgroup.h"
#include "cgroup_resources.h"
#include "cgroup_systemd.h"
#include "hooks.h"
#include "criu.h"
#include "netlink.h"
#include "notify.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include "utils.h"

#define EPHEMERAL_ANNOTATION "run.husk.ephemeral-rootfs"
#define EXECUTOR_ANNOTATION "run.husk.executor"
/* How long start and delete wait for the container's init to answer or exit. */
#define WAIT_TIMEOUT_MS 10000

struct container {
	const struct husk_context *ctx;
	const char *id;
	char *bundle;
	struct spec *spec;
	const struct executor *executor;
	char *dir;
	int lock_fd;
	char *cgroup;
	int cgroup_fd;
	int console_peer;           /* run in the foreground with a terminal: where the master arrives */
	bool restore;               /* made by restore (CRIU), not by the executor */
	struct seccomp_filter *seccomp;
	struct cg_plan resources;   /* linux.resources, checked and converted before any side effect */
	char *scope_slice, *scope_unit; /* --systemd-cgroup: where the scope goes */
	struct systemd_scope scope;
	int *sources;               /* bind sources opened by the runtime, one per mount (-1: none) */
	char created[64];
	struct init_request req;
	const char *notify_socket;  /* the caller's NOTIFY_SOCKET, or NULL */
	int notify_fd;              /* run: the container's notify socket, bound before start */
	bool run;
};

/* The executor when the config names none: husk-vm (the program name) sets microvm. */
static const char *default_executor;

void husk_set_default_executor(const char *name)
{
	default_executor = name;
}

const struct executor *executor_named(const char *name)
{
	return name && !strcmp(name, executor_microvm.name) ? &executor_microvm : &executor_namespaces;
}

static const struct executor *executor_for(const struct spec *s, struct husk_error *err)
{
	const char *name = s->annotations ? json_string(json_object_get(s->annotations, EXECUTOR_ANNOTATION)) : NULL;

	if (!name)
		name = default_executor ? default_executor : executor_namespaces.name;
	if (!strcmp(name, executor_namespaces.name))
		return &executor_namespaces;
	if (!strcmp(name, executor_microvm.name))
		return &executor_microvm;
	husk_error_set(err, ENOTSUP, "config.json: annotations.%s: unknown executor \"%s\" (this build has: %s, %s)",
		       EXECUTOR_ANNOTATION, name, executor_namespaces.name, executor_microvm.name);
	return NULL;
}

static void container_release(struct container *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->notify_fd >= 0)
		close(c->notify_fd);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	if (c->console_peer >= 0)
		close(c->console_peer);
	if (c->req.console_fd >= 0)
		close(c->req.console_fd);
	if (c->req.seccomp_listener >= 0)
		close(c->req.seccomp_listener);
	if (c->req.fifo_fd >= 0)
		close(c->req.fifo_fd);
	if (c->req.sync_fd >= 0)
		close(c->req.sync_fd);
	if (c->req.pidfd >= 0)
		close(c->req.pidfd);
	seccomp_filter_free(c->seccomp);
	cgroup_plan_free(&c->resources);
	cgroup_systemd_scope_free(&c->scope);
	free(c->scope_slice);
	free(c->scope_unit);
	if (c->spec)
		rootfs_sources_free(c->spec, c->sources);
	free(c->cgroup);
	free(c->dir);
	free(c->bundle);
	spec_free(c->spec);
}

/* Undo a create that failed after its first side effect. */
static void container_undo(struct container *c)
{
	/* husk may still be in the scope: out, before everything in it is killed. */
	cgroup_systemd_leave(&c->scope);
	if (c->req.pid > 0) {
		int status;
		kill(c->req.pid, SIGKILL);
		waitpid(c->req.pid, &status, 0);
	}
	if (c->cgroup)
		cgroup_destroy(c->cgroup, NULL);
	if (c->scope.unit)
		cgroup_systemd_stop(c->scope.unit);
	if (c->dir) {
		rootfs_ephemeral_host_umount(c->dir);
		rm_rf(c->dir);
	}
}

/* The host id that id 0 of the container maps to (0 when unmapped). */
static unsigned host_id_of_root(const struct spec_id_mapping *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return 0;
}

static char *state_json_for(struct container *c, const char *status, pid_t pid)
{
	return state_oci_json(c->id, status, pid, c->bundle, c->spec->annotations, NULL, false);
}

/* The init's intent record, written the moment it is cloned. */
static int record_init(void *data, pid_t pid, struct husk_error *err)
{
	struct container *c = data;
	uint64_t start = 0;
	char buf[64];

	proc_start_time(pid, &start);
	snprintf(buf, sizeof(buf), "%d %llu\n", (int) pid, (unsigned long long) start);
	return state_write_intent(c->dir, STATE_INTENT_INIT, buf, err);
}

static int run_create_runtime_hooks(void *data, pid_t pid, struct husk_error *err)
{
	struct container *c = data;
	_cleanup_free_ char *state = state_json_for(c, "creating", pid);
	int r;

	if ((r = hooks_run(c->spec, HOOK_PRESTART, state, err)) < 0)
		return r;
	return hooks_run(c->spec, HOOK_CREATE_RUNTIME, state, err);
}

static int parse_ephemeral(const struct husk_create_options *opts, const struct spec *s, uint64_t *size,
			   struct husk_error *err)
{
	const char *v = s->annotations ? json_string(json_object_get(s->annotations, EPHEMERAL_ANNOTATION)) : NULL;

	*size = opts->ephemeral_size;
	if (*size || !v)
		return 0;
	if (parse_size(v, size) < 0 || *size == 0)
		return husk_error_set(err, EINVAL, "config.json: annotations.%s: \"%s\" is not a size (e.g. 64M)",
				      EPHEMERAL_ANNOTATION, v);
	return 0;
}

static int listen_fds(void)
{
	const char *v = getenv("LISTEN_FDS");
	uint64_t n;

	return v && parse_uint64(v, &n) == 0 && n < 1024 ? (int) n : 0;
}

bool husk_running_sealed(void)
{
	char exe[64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return str_has_prefix(exe, "/memfd:husk");
}

int container_check_sealed_binary(const struct spec *s, struct husk_error *err)
{
	/* Only a process with CAP_SYS_PTRACE over the runtime's processes can open their
	 * /proc/PID/exe: a container with that capability and no user namespace. */
	bool exposed = !(s->ns_new & CLONE_NEWUSER) &&
		       (!s->process.has_caps || (s->process.caps[CAPS_BOUNDING] & (1ULL << CAP_SYS_PTRACE)));

	if (exposed && !husk_running_sealed())
		return husk_error_set(err, EAGAIN, "this container has CAP_SYS_PTRACE without a user namespace: "
				      "husk must run from a sealed copy of its binary");
	return 0;
}

/* linux.netDevices, into the init's network namespace while it waits to start. */
static int move_net_devices(struct container *c, struct husk_error *err)
{
	_cleanup_close_ int netns = -1;
	char path[64];
	int r;

	if (!c->spec->n_net_devices)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", c->req.pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return husk_error_sys(err, errno, "config.json: linux.netDevices: open \"%s\"", path);
	for (size_t i = 0; i < c->spec->n_net_devices; i++)
		if ((r = netlink_move_device(c->spec->net_devices[i].host, c->spec->net_devices[i].name, netns, err)) < 0)
			return r;
	return 0;
}

/* Everything that can be checked without touching the system. */
static int container_prepare(struct container *c, const struct husk_create_options *opts,
			     struct husk_error *err)
{
	_cleanup_free_ char *config = NULL;
	char real[PATH_MAX];
	int r;

	if ((r = state_check_id(c->id, err)) < 0)
		return r;
	if (!realpath(opts->bundle ? opts->bundle : ".", real))
		return husk_error_sys(err, errno, "bundle \"%s\"", opts->bundle ? opts->bundle : ".");
	c->bundle = xstrdup(real);
	config = opts->config_file ? xstrdup(opts->config_file) : xasprintf("%s/config.json", c->bundle);
	if ((r = spec_load(config, c->bundle, &c->spec, err)) < 0)
		return r;
	if (!c->spec->has_process)
		return husk_error_set(err, EINVAL, "config.json: process: missing");
	if (!(c->spec->ns_all & CLONE_NEWNS))
		return husk_error_set(err, EINVAL, "config.json: linux.namespaces: husk needs a mount namespace");
	if (c->spec->process.terminal && !opts->console_socket && (!c->run || opts->detach))
		return husk_error_set(err, EINVAL, "config.json: process.terminal is true: --console-socket is "
				      "required with %s", c->restore ? "restore --detach" : c->run ? "run --detach" : "create");
	if ((r = process_check_lsm(&c->spec->process, "config.json", err)) < 0)
		return r;
	/* A new user namespace gives its first process a full bounding set. */
	if (!(c->spec->ns_new & CLONE_NEWUSER) &&
	    (r = caps_check_available(&c->spec->process, "config.json", err)) < 0)
		return r;
	if ((r = container_check_sealed_binary(c->spec, err)) < 0)
		return r;
	for (size_t i = 0; i < c->spec->n_net_devices; i++)
		if (!if_nametoindex(c->spec->net_devices[i].host))
			return husk_error_set(err, ENODEV, "config.json: linux.netDevices.%s: the host has no network "
					      "interface \"%s\"", c->spec->net_devices[i].host, c->spec->net_devices[i].host);
	if (!(c->executor = executor_for(c->spec, err)))
		return -ENOTSUP;
	if (c->executor->check && (r = c->executor->check(c->spec, err)) < 0)
		return r;
	if ((r = parse_ephemeral(opts, c->spec, &c->req.ephemeral_size, err)) < 0)
		return r;
	if ((r = cgroup_plan_resources(c->spec->resources, c->spec, "config.json", &c->resources, err)) < 0)
		return r;
	if (c->ctx->cgroup_manager == HUSK_CGROUP_SYSTEMD &&
	    (r = cgroup_systemd_parse(c->spec->cgroups_path, c->id, &c->scope_slice, &c->scope_unit, err)) < 0)
		return r;
	if (c->spec->seccomp) {
		_cleanup_free_ char *cache = state_seccomp_cache_dir(c->ctx);
		if ((r = seccomp_compile(c->spec->seccomp, cache, &c->seccomp, err)) < 0)
			return r;
	}
	return 0;
}

/* Nothing held yet: every fd -1, so that container_release and container_undo may
 * run at any point. */
static void container_init(struct container *c, const struct husk_context *ctx, const char *id)
{
	c->ctx = ctx;
	c->id = id;
	c->lock_fd = c->cgroup_fd = c->console_peer = c->notify_fd = -1;
	c->req.console_fd = c->req.fifo_fd = c->req.sync_fd = c->req.pidfd = c->req.lock_fd = -1;
	c->req.seccomp_listener = c->req.cgroup_fd = -1;
}

/* The container's home on the host: its state directory (locked) with the config it
 * was made with, and its cgroup with the limits, each recorded before it is made.
 * The caller undoes it (container_undo) on failure. */
static int container_make_home(struct container *c, struct husk_error *err)
{
	const struct husk_context *ctx = c->ctx;
	_cleanup_free_ char *cgpath = NULL, *cfg_text = NULL;
	struct json_writer *w;
	int r;

	if ((r = state_dir_create(ctx, c->id, &c->dir, &c->lock_fd, err)) < 0)
		return r;
	format_rfc3339(c->created, sizeof(c->created));
	w = json_writer_new(false);
	json_write_value(w, c->spec->doc);
	cfg_text = json_writer_finish(w);
	{
		_cleanup_free_ char *path = xasprintf("%s/" STATE_CONFIG, c->dir);
		if ((r = write_file_at(AT_FDCWD, path, cfg_text, strlen(cfg_text), 0600)) < 0)
			return husk_error_sys(err, -r, "write \"%s\"", path);
	}
	if (ctx->cgroup_manager == HUSK_CGROUP_CGROUPFS) {
		cgpath = cgroup_path_for(c->spec, c->id, ctx->rootless);
		/* Intent first: a husk killed from here on leaves a record delete --force reads. */
		r = cgroup_resolve(cgpath, &c->cgroup, err);
		if (r == 0 && c->cgroup && (r = state_write_intent(c->dir, STATE_INTENT_CGROUP, c->cgroup, err)) == 0 &&
		    (r = cgroup_create(c->cgroup, c->dir, &c->cgroup_fd, err)) < 0) {
			free(c->cgroup);
			c->cgroup = NULL;
		}
		if (r < 0 && ctx->rootless && (r == -EACCES || r == -EPERM || r == -EROFS)) {
			/* Not delegated to this user: without limits there is nothing a
			 * cgroup must do (runc and crun decide the same). */
			if (c->resources.n_writes)
				return husk_error_wrap(err, "%s: rootless, and the cgroup is not delegated to uid %u",
						       c->resources.writes[0].field, (unsigned) geteuid());
			husk_log(HUSK_LOG_DEBUG, "rootless: %s; running without a cgroup", err->msg);
			r = 0;
		}
		if (r < 0)
			return r;
	}
	if (c->executor->limits_inside) {
		/* the guest's husk applies them */
	} else if (c->cgroup) {
		if ((r = cgroup_plan_apply(c->cgroup, &c->resources, err)) < 0)
			return r;
	} else if (ctx->cgroup_manager == HUSK_CGROUP_CGROUPFS && c->resources.n_writes) {
		return husk_error_set(err, ENOTSUP, "%s: this host has no cgroup v2", c->resources.writes[0].field);
	}
	return 0;
}

/* state.json, the last record of create (or restore): the container exists. */
static int container_write_state(struct container *c, const char *pid_file, struct husk_error *err)
{
	struct container_state st = {
		.id = (char *) c->id, .dir = c->dir, .pid = c->req.pid, .bundle = c->bundle,
		.rootfs = c->spec->root_path, .created = c->created, .owner = getuid(), .cgroup = c->cgroup,
		.systemd_unit = c->scope.unit, .notify_socket = (char *) c->notify_socket,
		.executor = (char *) c->executor->name,
	};
	int r;

	if (proc_start_time(st.pid, &st.pid_start) < 0)
		return husk_error_set(err, ESRCH, "the container's init exited during setup");
	if ((r = state_write(&st, c->spec->annotations, err)) < 0)
		return r;
	if (pid_file && (r = write_pid_file(pid_file, c->req.pid, err)) < 0)
		return r;
	return 0;
}

static int container_create(const struct husk_context *ctx, const char *id, const struct husk_create_options *opts,
			    struct container *c, struct husk_error *err)
{
	_cleanup_free_ char *fifo = NULL;
	int r;

	container_init(c, ctx, id);
	if ((r = container_prepare(c, opts, err)) < 0)
		return r;
	/* Side effects from here: undone by container_undo on failure. */
	if ((r = container_make_home(c, err)) < 0)
		goto fail;
	/* The ephemeral rootfs's tmpfs on the host's side, where checkpoint can reach
	 * its upper layer; in a user namespace (or rootless) the init makes it. */
	if (c->req.ephemeral_size && !(c->spec->ns_new & CLONE_NEWUSER) && !ctx->rootless) {
		if ((r = rootfs_ephemeral_host_mount(c->dir, c->req.ephemeral_size, err)) < 0)
			goto fail;
		c->req.ephemeral_on_host = true;
	}
	c->notify_socket = getenv("NOTIFY_SOCKET");
	if (c->notify_socket && !*c->notify_socket)
		c->notify_socket = NULL;
	if (c->notify_socket && (r = notify_prepare(c->spec, c->dir, err)) < 0)
		goto fail;
	if (!c->run) {
		fifo = xasprintf("%s/" STATE_FIFO, c->dir);
		if (mkfifo(fifo, 0600) < 0) {
			r = husk_error_sys(err, errno, "mkfifo \"%s\"", fifo);
			goto fail;
		}
		/* The init opens it as the container's root: in a user namespace that is
		 * another host uid, which must own the fifo (runc does the same). */
		if ((c->spec->ns_new & CLONE_NEWUSER) &&
		    chown(fifo, host_id_of_root(c->spec->uid_mappings, c->spec->n_uid_mappings),
			  host_id_of_root(c->spec->gid_mappings, c->spec->n_gid_mappings)) < 0) {
			r = husk_error_sys(err, errno, "chown \"%s\"", fifo);
			goto fail;
		}
		c->req.fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
		if (c->req.fifo_fd < 0) {
			r = husk_error_sys(err, errno, "open \"%s\"", fifo);
			goto fail;
		}
	}
	if (c->spec->process.terminal &&
	    (r = terminal_open_socket(opts->console_socket, &c->req.console_fd, &c->console_peer, err)) < 0)
		goto fail;
	c->req.spec = c->spec;
	c->req.id = id;
	c->req.bundle = c->bundle;
	c->req.state_dir = c->dir;
	c->req.cgroup_path = c->cgroup;
	c->req.cgroup_fd = c->cgroup_fd;
	c->req.preserve_fds = opts->preserve_fds + listen_fds();
	c->req.lock_fd = c->lock_fd;
	c->req.seccomp = c->seccomp;
	if ((r = seccomp_listener_connect(c->seccomp, &c->req.seccomp_listener, err)) < 0)
		goto fail;
	if ((r = rootfs_prepare_sources(c->spec, c->bundle, &c->sources, err)) < 0)
		goto fail;
	c->req.sources = c->sources;
	c->req.no_pivot = opts->no_pivot;
	c->req.no_new_keyring = opts->no_new_keyring;
	c->req.create_runtime = run_create_runtime_hooks;
	c->req.cloned = record_init;
	c->req.data = c;
	if (ctx->cgroup_manager == HUSK_CGROUP_SYSTEMD) {
		/* Entered last: husk is in the scope only while the init is cloned into it. */
		if ((r = cgroup_systemd_enter(c->scope_slice, c->scope_unit, id, &c->scope, err)) < 0)
			goto fail;
		c->cgroup = xstrdup(c->scope.fspath);
		c->req.cgroup_path = c->cgroup;
		c->req.cgroup_fd = c->scope.fd;
	}
	r = c->executor->spawn(&c->req, err);
	if (c->scope.unit && cgroup_systemd_leave(&c->scope) < 0 && r == 0)
		r = husk_error_set(err, EIO, "--systemd-cgroup: husk could not leave %s", c->scope.unit);
	if (r < 0)
		goto fail;
	if ((r = move_net_devices(c, err)) < 0)
		goto fail;
	/* The limits, now that husk is out of the scope (its own tasks would count). */
	if (c->scope.unit && !c->executor->limits_inside &&
	    ((r = cgroup_plan_apply(c->cgroup, &c->resources, err)) < 0 ||
	     (r = cgroup_systemd_set_properties(c->scope.unit, &c->resources, err)) < 0))
		goto fail;
	if (c->req.console_fd >= 0) {
		close(c->req.console_fd);
		c->req.console_fd = -1;
	}

	if ((r = container_write_state(c, opts->pid_file, err)) < 0)
		goto fail;
	return 0;
fail:
	container_undo(c);
	return r;
}

int husk_container_create(const struct husk_context *ctx, const char *id, const struct husk_create_options *opts,
			  struct husk_error *err)
{
	struct container c = { 0 };
	int r = container_create(ctx, id, opts, &c, err);

	container_release(&c);
	return r;
}

/* ---- helpers on an existing container ----------------------------------------- */
static int wait_pidfd(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

static void run_poststop(const struct container_state *st)
{
	_cleanup_free_ char *state = NULL;
	struct husk_error err = { 0 };
	struct spec *s = NULL;

	if (!st->bundle || state_load_config(st, &s, NULL, &err) < 0)
		return; /* recovered from intent records: not a container that ever ran */
	state = state_oci_json(st->id, "stopped", 0, st->bundle, st->annotations, NULL, false);
	/* runtime-spec: a failing poststop hook is a warning; the lifecycle goes on. */
	for (size_t i = 0; i < s->n_hooks[HOOK_POSTSTOP]; i++) {
		struct spec one = *s;
		memset(one.n_hooks, 0, sizeof(one.n_hooks));
		one.hooks[HOOK_POSTSTOP] = &s->hooks[HOOK_POSTSTOP][i];
		one.n_hooks[HOOK_POSTSTOP] = 1;
		if (hooks_run(&one, HOOK_POSTSTOP, state, &err) < 0)
			husk_log(HUSK_LOG_WARNING, "%s", err.msg);
	}
	spec_free(s);
}

/* Kill what is left, run poststop, remove cgroup and state. */
static int destroy(struct container_state *st, struct husk_error *err)
{
	int r;

	if (state_pid_alive(st)) {
		int pidfd = state_open_pidfd(st);
		if (st->cgroup)
			cgroup_signal_all(st->cgroup, SIGKILL, NULL);
		kill(st->pid, SIGKILL);
		if (pidfd >= 0) {
			r = wait_pidfd(pidfd, WAIT_TIMEOUT_MS);
			close(pidfd);
			if (r < 0)
				return husk_error_sys(err, -r, "container \"%s\": wait for pid %d to exit", st->id, st->pid);
		}
	}
	run_poststop(st);
	if ((r = cgroup_destroy(st->cgroup, err)) < 0)
		return r;
	{
		/* A restore killed while CRIU ran leaves its bind of the rootfs. */
		_cleanup_free_ char *criu_root = xasprintf("%s/" CRIU_ROOT, st->dir);
		(void) umount2(criu_root, MNT_DETACH);
	}
	rootfs_ephemeral_host_umount(st->dir);
	r = rm_rf(st->dir);
	if (r < 0)
		return husk_error_sys(err, -r, "remove \"%s\"", st->dir);
	return 0;
}

/* ---- start, run ------------------------------------------------------------------ */
static int run_poststart(const struct spec *s, const char *id, pid_t pid, const char *bundle,
			 const json_value *annotations, struct husk_error *err)
{
	_cleanup_free_ char *state = NULL;

	if (!s->n_hooks[HOOK_POSTSTART])
		return 0;
	state = state_oci_json(id, "running", pid, bundle, annotations, NULL, false);
	return hooks_run(s, HOOK_POSTSTART, state, err);
}

int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error *err)
{
	_cleanup_close_ int lock = -1, fifo = -1, pidfd = -1, notify = -1;
	_cleanup_free_ char *fifo_path = NULL;
	struct container_state *st = NULL;
	struct spec *s = NULL;
	const char *status;
	char byte;
	int r;

	if ((r = state_lock(ctx, id, &lock, err)) < 0)
		return r;
	if ((r = state_load(ctx, id, &st, err)) < 0)
		return r;
	status = state_status(st);
	fifo_path = xasprintf("%s/" STATE_FIFO, st->dir);
	if (strcmp(status, "created")) {
		if (strcmp(status, "stopped"))
			unlink(fifo_path); /* left by a start that was killed after it let the init go */
		r = husk_error_set(err, EINVAL, "container \"%s\" is %s, not created", id, status);
		goto out;
	}
	if ((r = state_load_config(st, &s, NULL, err)) < 0)
		goto out;
	/* Everything that must exist before the process runs comes before the fifo is
	 * opened, since that open alone lets the init go: the pidfd (a quick process may
	 * be gone by the next instant), and the notify socket (READY=1 may come at once). */
	pidfd = state_open_pidfd(st);
	if (pidfd < 0) {
		r = husk_error_sys(err, -pidfd, "container \"%s\": its init", id);
		goto out;
	}
	if (st->notify_socket && (r = notify_listen(st->dir, &notify, err)) < 0)
		goto out;
	fifo = open(fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0) {
		r = husk_error_sys(err, errno, "container \"%s\": open the exec fifo", id);
		goto out;
	}
	/* Our open lets the init's open(O_WRONLY) return; it writes one byte. */
	for (;;) {
		struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		r = poll(p, 2, WAIT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			r = husk_error_set(err, ETIMEDOUT, "container \"%s\": the init did not answer the start", id);
			goto out;
		}
		if (p[0].revents & POLLIN && read(fifo, &byte, 1) == 1)
			break;
		if (p[1].revents & POLLIN || p[0].revents & POLLHUP) {
			r = husk_error_set(err, ESRCH, "container \"%s\": the init exited before start", id);
			goto out;
		}
	}
	unlink(fifo_path);
	r = run_poststart(s, id, st->pid, st->bundle, st->annotations, err);
	if (r == 0 && notify >= 0)
		r = notify_relay(notify, pidfd, st->notify_socket, st->pid, err);
	if (r < 0) {
		/* runtime-spec 1.3: a failing poststart hook fails start, and the lifecycle
		 * goes on to delete: the container is stopped and removed, as run does. */
		struct husk_error derr = { 0 };
		if (destroy(st, &derr) < 0)
			husk_log(HUSK_LOG_WARNING, "%s", derr.msg);
	}
out:
	spec_free(s);
	state_free(st);
	return r;
}

static const int term_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };

/* A foreground run's (or restore's) container, once it has exited: deleted, and a
 * failure to is a warning (the exit status is what the caller reports). */
static void delete_exited(const struct husk_context *ctx, const char *id)
{
	struct container_state *st = NULL;
	struct husk_error err = { 0 };

	if (state_load(ctx, id, &st, &err) < 0)
		return;
	if (destroy(st, &err) < 0)
		husk_log(HUSK_LOG_WARNING, "%s", err.msg);
	state_free(st);
}

/* Foreground run: husk stays, so it is the MAINPID; a child relays READY=1 while husk
 * waits for the container, and ends with it (husk waits for it then: the relay may
 * still hold a READY=1 the container sent just before it exited). */
static pid_t notify_relay_in_background(struct container *c)
{
	pid_t husk = getpid(), pid = fork();

	if (pid == 0) {
		struct husk_error err = { 0 };
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (notify_relay(c->notify_fd, c->req.pidfd, c->notify_socket, husk, &err) < 0)
			husk_log(HUSK_LOG_WARNING, "%s", err.msg);
		_exit(0);
	}
	if (pid < 0)
		husk_log(HUSK_LOG_WARNING, "NOTIFY_SOCKET: fork the relay: %s", strerror(errno));
	close(c->notify_fd);
	c->notify_fd = -1;
	return pid;
}

int husk_container_run(const struct husk_context *ctx, const char *id, const struct husk_create_options *opts,
		       int *status, struct husk_error *err)
{
	struct container c = { .run = true };
	sigset_t term, saved;
	pid_t relay = -1;
	int r, master = -1;

	*status = 0;
	/* In the foreground, a termination signal that comes before the container runs
	 * waits: then it is forwarded like any other (and the container, gone, is
	 * deleted), or, if create fails, it ends husk once what was made is undone. */
	sigemptyset(&term);
	if (!opts->detach)
		for (size_t i = 0; i < ARRAY_SIZE(term_signals); i++)
			sigaddset(&term, term_signals[i]);
	sigprocmask(SIG_BLOCK, &term, &saved);
	r = container_create(ctx, id, opts, &c, err);
	if (r < 0)
		goto out;
	if (c.notify_socket && (r = notify_listen(c.dir, &c.notify_fd, err)) < 0) {
		container_undo(&c);
		goto out;
	}
	r = c.executor->start(&c.req, err);
	if (r < 0) {
		container_undo(&c);
		goto out;
	}
	if ((r = run_poststart(c.spec, id, c.req.pid, c.bundle, c.spec->annotations, err)) < 0) {
		container_undo(&c);
		goto out;
	}
	if (c.notify_fd >= 0 && opts->detach) {
		/* Detached: husk returns once the container is ready, and systemd watches it. */
		if ((r = notify_relay(c.notify_fd, c.req.pidfd, c.notify_socket, c.req.pid, err)) < 0)
			container_undo(&c);
		goto out;
	}
	if (opts->detach)
		goto out;
	if (c.notify_fd >= 0)
		relay = notify_relay_in_background(&c);
	/* Foreground: the lock is not held while the container runs. */
	close(c.lock_fd);
	c.lock_fd = -1;
	process_forward_signals(c.req.pid);
	sigprocmask(SIG_SETMASK, &saved, NULL); /* what came meanwhile is forwarded now */
	if (c.console_peer >= 0 && terminal_recv_master(c.console_peer, &master, err) == 0) {
		terminal_proxy(master, c.req.pidfd);
		close(master);
	}
	process_wait(c.req.pid, status);
	process_forward_signals(0);
	if (relay > 0) {
		int ignored;
		waitpid(relay, &ignored, 0);
	}
	/* As runc does, a foreground run removes the container once it has exited,
	 * unless --keep asks for it to stay, stopped, until delete. */
	if (!opts->keep)
		delete_exited(ctx, id);
	r = 0;
out:
	container_release(&c);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

/* ---- checkpoint, restore -------------------------------------------------------------- */
int husk_container_checkpoint(const struct husk_context *ctx, const char *id,
			      const struct husk_checkpoint_options *opts, struct husk_error *err)
{
	struct container_state *st = NULL;
	int r = criu_checkpoint(ctx, id, opts, err);

	if (r < 0 || opts->leave_running || opts->pre_dump)
		return r;
	/* CRIU has killed the processes: what is left goes, as runc removes it. */
	if (state_load(ctx, id, &st, err) == 0) {
		r = destroy(st, err);
		state_free(st);
	}
	return r;
}

int husk_container_restore(const struct husk_context *ctx, const char *id, const struct husk_restore_options *opts,
			   int *status, struct husk_error *err)
{
	struct husk_create_options co = { .bundle = opts->bundle, .pid_file = opts->pid_file, .detach = opts->detach,
					  .console_socket = opts->console_socket };
	struct container c = { .run = true, .restore = true };
	struct criu_restored out = { .console_fd = -1, .master = -1 };
	int r;

	*status = 0;
	container_init(&c, ctx, id);
	if ((r = container_prepare(&c, &co, err)) < 0)
		goto out;
	if (c.executor != &executor_namespaces) {
		r = husk_error_set(err, ENOTSUP, "config.json: annotations.%s: restore is for the namespace executor's "
				   "containers, not the %s executor's", EXECUTOR_ANNOTATION, c.executor->name);
		goto out;
	}
	if ((r = criu_check_image(opts->image_path, c.spec, c.bundle, err)) < 0)
		goto out;
	/* A terminal's master goes to the console socket; in the foreground without
	 * one, husk proxies it as run does. */
	if (c.spec->process.terminal && opts->console_socket &&
	    (r = terminal_open_socket(opts->console_socket, &c.req.console_fd, &c.console_peer, err)) < 0)
		goto out;
	if ((r = container_make_home(&c, err)) < 0)
		goto fail;
	out.spec = c.spec;
	out.bundle = c.bundle;
	out.state_dir = c.dir;
	out.cgroup = c.cgroup;
	out.console_fd = c.req.console_fd;
	out.ephemeral_size = c.req.ephemeral_size;
	if ((r = criu_restore(ctx, id, opts, &out, err)) < 0)
		goto fail;
	c.req.pid = out.pid;
	/* full and strict: CRIU wrote the properties its images hold (and strict made
	 * the cgroup anew, without those it does not save, pids.max among them); the
	 * config's limits go over them, as the config is what the container runs by. */
	if (c.cgroup && out.limits_overwritten && (r = cgroup_plan_apply(c.cgroup, &c.resources, err)) < 0)
		goto fail;
	if ((r = record_init(&c, out.pid, err)) < 0 || (r = container_write_state(&c, opts->pid_file, err)) < 0 ||
	    (r = run_poststart(c.spec, id, out.pid, c.bundle, c.spec->annotations, err)) < 0)
		goto fail;
	if (opts->detach)
		goto out;
	close(c.lock_fd);
	c.lock_fd = -1;
	process_forward_signals(out.pid);
	if (out.master >= 0) {
		_cleanup_close_ int pidfd = syscall(SYS_pidfd_open, out.pid, 0);
		if (pidfd >= 0)
			terminal_proxy(out.master, pidfd);
	}
	process_wait(out.pid, status);
	process_forward_signals(0);
	delete_exited(ctx, id);
	goto out;
fail:
	container_undo(&c);
out:
	if (out.master >= 0)
		close(out.master);
	container_release(&c);
	return r;
}

/* ---- kill, delete ------------------------------------------------------------------ */
int husk_container_kill(const struct husk_context *ctx, const char *id, int sig, bool all, struct husk_error *err)
{
	struct container_state *st = NULL;
	int pidfd, r;

	r = state_load(ctx, id, &st, err);
	if (r == -EBUSY || r == -EUCLEAN) {
		/* Half-made or damaged: its init and cgroup are still known by their records. */
		st = state_recover(ctx, id);
		r = 0;
	}
	if (r < 0)
		return r;
	if (!state_pid_alive(st)) {
		r = husk_error_set(err, ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	if (all && executor_named(st->executor)->kill_all) {
		r = executor_named(st->executor)->kill_all(st, sig, err);
		goto out;
	}
	if (all && st->cgroup) {
		r = cgroup_signal_all(st->cgroup, sig, err);
		goto out;
	}
	pidfd = state_open_pidfd(st);
	if (pidfd < 0) {
		r = husk_error_set(err, ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	r = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	if (r < 0)
		r = husk_error_sys(err, errno, "container \"%s\": send signal %d", id, sig);
	close(pidfd);
out:
	state_free(st);
	return r;
}

int husk_container_delete(const struct husk_context *ctx, const char *id, bool force, struct husk_error *err)
{
	_cleanup_close_ int lock = -1;
	struct container_state *st = NULL;
	const char *status;
	int r;

	r = state_lock(ctx, id, &lock, err);
	if (r == -ENOENT && force)
		return 0; /* gone already: what the caller wanted (runc does the same) */
	if (r == -ENOTDIR && force) {
		/* Something that is not a directory where the state should be: no record is
		 * left, but a container's cgroup at the default path names its owner. */
		_cleanup_free_ char *path = state_dir_of(ctx, id), *cg = NULL, *full = NULL;
		struct spec none = { 0 };
		const char *mp = cgroup_mountpoint();

		cg = cgroup_path_for(&none, id, ctx->rootless);
		full = mp ? xasprintf("%s%s", mp, cg) : NULL;
		if (full && cgroup_owned_by(full, path) && (r = cgroup_destroy(full, err)) < 0)
			return r;
		if (unlink(path) < 0 && errno != ENOENT)
			return husk_error_sys(err, errno, "remove \"%s\"", path);
		return 0;
	}
	if (r < 0)
		return r;
	r = state_load(ctx, id, &st, err);
	if (force && (r == -EBUSY || r == -EUCLEAN)) {
		/* A create that died half way (no state.json: the lock is ours, so its husk is
		 * gone), or damaged state: the intent records name what exists. */
		husk_log(HUSK_LOG_DEBUG, "container \"%s\": %s; removing what its intent records name", id, err->msg);
		st = state_recover(ctx, id);
		r = destroy(st, err);
		goto out;
	}
	if (r == -ENOENT && force)
		return 0; /* removed by a racing delete while we waited for the lock */
	if (r < 0)
		return r;
	status = state_status(st);
	if (!force && (!strcmp(status, "running") || !strcmp(status, "paused"))) {
		r = husk_error_set(err, EBUSY, "container \"%s\" is %s: stop it first or use delete --force", id, status);
		goto out;
	}
	r = destroy(st, err);
out:
	state_free(st);
	return r;
}

/* ---- state, list, ps ------------------------------------------------------------------ */
/* The first child of pid (a microVM's monitor has one: QEMU), or 0. */
static pid_t first_child_of(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/task/%d/children", pid, pid), *text = NULL;
	size_t len;

	return read_file_at(AT_FDCWD, path, 4096, &text, &len) == 0 ? (pid_t) atoi(text) : 0;
}

int husk_container_state(const struct husk_context *ctx, const char *id, char **json, struct husk_error *err)
{
	struct container_state *st = NULL;
	int r;

	if ((r = state_load(ctx, id, &st, err)) < 0)
		return r;
	if (executor_named(st->executor) == &executor_microvm && state_pid_alive(st))
		st->vmm_pid = first_child_of(st->pid);
	*json = state_oci_json(id, state_status(st), st->pid, st->bundle, st->annotations, st, true);
	state_free(st);
	return 0;
}

int husk_container_list(const struct husk_context *ctx, struct husk_container_info **list, size_t *n,
			struct husk_error *err)
{
	const char *root = ctx->root ? ctx->root : HUSK_DEFAULT_ROOT;
	struct husk_container_info *v = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *d;

	*list = NULL;
	*n = 0;
	d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : husk_error_sys(err, errno, "open state root \"%s\"", root);
	while ((de = readdir(d))) {
		struct container_state *st = NULL;
		struct husk_error ignored;
		struct husk_container_info *info;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		v = xrealloc(v, (count + 1) * sizeof(*v));
		info = &v[count];
		memset(info, 0, sizeof(*info));
		if (state_load(ctx, de->d_name, &st, &ignored) < 0) {
			if (state_check_id(de->d_name, NULL) < 0)
				continue;
			info->id = xstrdup(de->d_name);
			info->status = "creating";
			info->bundle = xstrdup("");
			info->created = xstrdup("");
			info->owner = xstrdup("");
			count++;
			continue;
		}
		info->id = xstrdup(st->id);
		info->status = state_status(st);
		info->pid = strcmp(info->status, "stopped") ? st->pid : 0;
		info->bundle = xstrdup(st->bundle);
		info->created = xstrdup(st->created);
		info->owner = xasprintf("%u", st->owner);
		state_free(st);
		count++;
	}
	closedir(d);
	*list = v;
	*n = count;
	return 0;
}

char *husk_container_list_json(const struct husk_container_info *list, size_t n)
{
	struct json_writer *w = json_writer_new(false);

	json_write_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		json_write_object_begin(w);
		json_write_key_string(w, "ociVersion", "1.3.0");
		json_write_key_string(w, "id", list[i].id);
		json_write_key_int(w, "pid", list[i].pid);
		json_write_key_string(w, "status", list[i].status);
		json_write_key_string(w, "bundle", list[i].bundle);
		json_write_key_string(w, "created", list[i].created);
		json_write_key_string(w, "owner", list[i].owner);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	return json_writer_finish(w);
}

void husk_container_info_free(struct husk_container_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].bundle);
		free(list[i].created);
		free(list[i].owner);
	}
	free(list);
}

int husk_container_pids(const struct husk_context *ctx, const char *id, pid_t **pids, size_t *n,
			struct husk_error *err)
{
	struct container_state *st = NULL;
	int r;

	*pids = NULL;
	*n = 0;
	if ((r = state_load(ctx, id, &st, err)) < 0)
		return r;
	if (st->cgroup && cgroup_read_pids(st->cgroup, pids, n) == 0) {
		state_free(st);
		return 0;
	}
	if (state_pid_alive(st)) {
		*pids = xmalloc(sizeof(pid_t));
		(*pids)[0] = st->pid;
		*n = 1;
	}
	state_free(st);
	return 0;
}
