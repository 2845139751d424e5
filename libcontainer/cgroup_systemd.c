/* cgroup_systemd.c - the systemd cgroup driver (--systemd-cgroup): the container's
 * cgroup is a transient scope unit that systemd creates, with Delegate=yes, in the
 * slice that cgroupsPath ("slice:prefix:name") names, as crun and runc do.
 *
 * A scope must be started with a process in it, and the container's init is best
 * born inside its cgroup (CLONE_INTO_CGROUP: its cgroup namespace is then rooted
 * there).  So husk starts the scope with itself in it, the executor clones the init
 * into the scope's directory, and husk moves itself back to where it was.  The
 * limits are then written through cgroupfs (Delegate=yes allows it) and given to
 * systemd as unit properties, so that a daemon-reload keeps them. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>

#include "cgroup.h"
#include "cgroup_systemd.h"
#include "utils.h"

#define SYSTEMD_TIMEOUT_USEC (30ULL * 1000000)

/* libsystemd is loaded when the systemd driver is first used, not linked: linking it
 * maps six more libraries (libgcrypt, liblzma, libzstd, ...) into every husk process
 * and costs each start about 1 MB of RSS and the dynamic loader's time, for a driver
 * most starts never use (bench/README.md).  The header still gives the prototypes. */
#define SD_FUNCTIONS(X)                                                                                 \
	X(sd_bus_call) X(sd_bus_call_method) X(sd_bus_error_free) X(sd_bus_flush_close_unref)          \
	X(sd_bus_match_signal) X(sd_bus_message_append) X(sd_bus_message_close_container)             \
	X(sd_bus_message_new_method_call) X(sd_bus_message_open_container) X(sd_bus_message_read)      \
	X(sd_bus_message_unref) X(sd_bus_new) X(sd_bus_open_system) X(sd_bus_open_user)                \
	X(sd_bus_process) X(sd_bus_set_address) X(sd_bus_slot_unref) X(sd_bus_start) X(sd_bus_unref)   \
	X(sd_bus_wait)
#define SD_DECLARE(f) __typeof__(f) *f;
static struct {
	SD_FUNCTIONS(SD_DECLARE)
} sd;

static int libsystemd_load(struct husk_error *err)
{
	static void *handle;

	if (handle)
		return 0;
	handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return husk_error_set(err, ENOTSUP, "--systemd-cgroup: cannot load libsystemd.so.0: %s", dlerror());
#define SD_RESOLVE(f)                                                                                  \
	if (!(sd.f = (__typeof__(f) *) dlsym(handle, #f))) {                                           \
		dlclose(handle);                                                                        \
		handle = NULL;                                                                          \
		return husk_error_set(err, ENOTSUP, "--systemd-cgroup: libsystemd.so.0 has no " #f);     \
	}
	SD_FUNCTIONS(SD_RESOLVE)
	return 0;
}

/* From here on the sd_bus_* names call through the loaded table. */
#define sd_bus_call (*sd.sd_bus_call)
#define sd_bus_call_method (*sd.sd_bus_call_method)
#define sd_bus_error_free (*sd.sd_bus_error_free)
#define sd_bus_flush_close_unref (*sd.sd_bus_flush_close_unref)
#define sd_bus_match_signal (*sd.sd_bus_match_signal)
#define sd_bus_message_append (*sd.sd_bus_message_append)
#define sd_bus_message_close_container (*sd.sd_bus_message_close_container)
#define sd_bus_message_new_method_call (*sd.sd_bus_message_new_method_call)
#define sd_bus_message_open_container (*sd.sd_bus_message_open_container)
#define sd_bus_message_read (*sd.sd_bus_message_read)
#define sd_bus_message_unref (*sd.sd_bus_message_unref)
#define sd_bus_new (*sd.sd_bus_new)
#define sd_bus_open_system (*sd.sd_bus_open_system)
#define sd_bus_open_user (*sd.sd_bus_open_user)
#define sd_bus_process (*sd.sd_bus_process)
#define sd_bus_set_address (*sd.sd_bus_set_address)
#define sd_bus_slot_unref (*sd.sd_bus_slot_unref)
#define sd_bus_start (*sd.sd_bus_start)
#define sd_bus_unref (*sd.sd_bus_unref)
#define sd_bus_wait (*sd.sd_bus_wait)

static void bus_unrefp(sd_bus **bus)
{
	if (*bus)
		sd_bus_flush_close_unref(*bus);
}
static void message_unrefp(sd_bus_message **m)
{
	if (*m)
		sd_bus_message_unref(*m);
}
#define _cleanup_bus_ __attribute__((cleanup(bus_unrefp)))
#define _cleanup_message_ __attribute__((cleanup(message_unrefp)))

/* systemd's private socket (root, no D-Bus daemon needed), else the system bus. */
static int bus_open(sd_bus **out, struct husk_error *err)
{
	sd_bus *bus = NULL;
	int r;

	if (access("/run/systemd/system", F_OK) < 0)
		return husk_error_set(err, ENOTSUP, "--systemd-cgroup: systemd is not running on this host "
				      "(no /run/systemd/system); use the cgroupfs manager");
	if ((r = libsystemd_load(err)) < 0)
		return r;
	if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0 && sd_bus_new(&bus) >= 0) {
		if (sd_bus_set_address(bus, "unix:path=/run/systemd/private") >= 0 && sd_bus_start(bus) >= 0) {
			*out = bus;
			return 0;
		}
		sd_bus_unref(bus);
		bus = NULL;
	}
	r = geteuid() == 0 ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
	if (r < 0)
		return husk_error_sys(err, -r, "--systemd-cgroup: connect to systemd");
	*out = bus;
	return 0;
}

struct job_wait {
	const char *path;
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct job_wait *w = data;
	const char *path, *unit, *result;
	uint32_t id;

	(void) ret_error;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path && !strcmp(path, w->path) && !w->result)
		w->result = xstrdup(result);
	return 0;
}

/* Call a Manager method that queues a job, and wait for the job to finish. */
static int run_job(sd_bus *bus, sd_bus_message *call, const char *what, struct husk_error *err)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_message_ sd_bus_message *reply = NULL;
	struct job_wait w = { NULL, NULL };
	sd_bus_slot *slot = NULL;
	uint64_t deadline;
	struct timespec now;
	int r;

	/* Subscribe, so that systemd emits JobRemoved to this connection at all. */
	r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				"org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
	if (r >= 0)
		r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				       "org.freedesktop.systemd1.Manager", "Subscribe", &error, NULL, "");
	if (r < 0) {
		r = husk_error_set(err, -r, "--systemd-cgroup: subscribe to systemd's jobs: %s",
				   error.message ? error.message : strerror(-r));
		goto out;
	}
	r = sd_bus_call(bus, call, SYSTEMD_TIMEOUT_USEC, &error, &reply);
	if (r < 0) {
		r = husk_error_set(err, -r, "--systemd-cgroup: %s: %s", what, error.message ? error.message : strerror(-r));
		goto out;
	}
	if ((r = sd_bus_message_read(reply, "o", &w.path)) < 0) {
		r = husk_error_sys(err, -r, "--systemd-cgroup: %s: read the job", what);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = (uint64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000 + SYSTEMD_TIMEOUT_USEC;
	while (!w.result) {
		uint64_t t;
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			r = husk_error_sys(err, -r, "--systemd-cgroup: %s: wait for the job", what);
			goto out;
		}
		if (r > 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (uint64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
		if (t >= deadline) {
			r = husk_error_set(err, ETIMEDOUT, "--systemd-cgroup: %s: no answer from systemd in 30 s", what);
			goto out;
		}
		sd_bus_wait(bus, deadline - t);
	}
	r = strcmp(w.result, "done") ? husk_error_set(err, EIO, "--systemd-cgroup: %s: the job ended \"%s\"", what, w.result) : 0;
out:
	free(w.result);
	sd_bus_slot_unref(slot);
	sd_bus_error_free(&error);
	return r;
}

int cgroup_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **unit, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(cgroups_path && *cgroups_path ? cgroups_path : "");
	char *prefix, *name;

	if (!*copy) {
		*slice = xstrdup("system.slice");
		*unit = xasprintf("husk-%s.scope", id);
		return 0;
	}
	prefix = strchr(copy, ':');
	name = prefix ? strchr(prefix + 1, ':') : NULL;
	if (!name || strchr(name + 1, ':') || !name[1] || strchr(copy, '/'))
		return husk_error_set(err, EINVAL, "config.json: linux.cgroupsPath: \"%s\" is not slice:prefix:name "
				      "(--systemd-cgroup)", cgroups_path);
	*prefix++ = '\0';
	*name++ = '\0';
	if (*copy && (strlen(copy) < 7 || strcmp(copy + strlen(copy) - 6, ".slice")))
		return husk_error_set(err, EINVAL, "config.json: linux.cgroupsPath: \"%s\" is not a slice name", copy);
	*slice = xstrdup(*copy ? copy : "system.slice");
	/* A name that already is a unit (runc allows "slice::name.scope") is used as is. */
	if (strlen(name) > 6 && !strcmp(name + strlen(name) - 6, ".scope"))
		*unit = xstrdup(name);
	else
		*unit = xasprintf("%s%s%s.scope", prefix, *prefix ? "-" : "", name);
	return 0;
}

/* husk's own cgroup path (relative to the mount), from /proc/self/cgroup. */
static char *self_cgroup(void)
{
	_cleanup_free_ char *buf = NULL;
	char *p;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL) < 0)
		return NULL;
	p = strstr(buf, "0::");
	if (!p)
		return NULL;
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	return xstrdup(p);
}

int cgroup_systemd_enter(const char *slice, const char *unit, const char *id, struct systemd_scope *scope,
			 struct husk_error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_message_ sd_bus_message *m = NULL;
	_cleanup_free_ char *desc = xasprintf("husk container %s", id), *what = xasprintf("start %s", unit);
	const char *mp = cgroup_mountpoint();
	int r;

	memset(scope, 0, sizeof(*scope));
	scope->fd = -1;
	if (!mp)
		return husk_error_set(err, ENOTSUP, "--systemd-cgroup: this host has no cgroup v2");
	if ((r = bus_open(&bus, err)) < 0)
		return r;
	scope->previous = self_cgroup();
	if (!scope->previous)
		return husk_error_set(err, EIO, "--systemd-cgroup: cannot read husk's own cgroup");
	r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
					   "org.freedesktop.systemd1.Manager", "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice", "s", slice,
					  "Delegate", "b", 1, "CollectMode", "s", "inactive-or-failed",
					  "DefaultDependencies", "b", 0, "PIDs", "au", 1, (uint32_t) getpid());
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		return husk_error_sys(err, -r, "--systemd-cgroup: build the StartTransientUnit call");
	if ((r = run_job(bus, m, what, err)) < 0)
		goto fail;
	scope->unit = xstrdup(unit);
	/* Where systemd put us is the scope's cgroup. */
	scope->path = self_cgroup();
	if (!scope->path || !strcmp(scope->path, scope->previous)) {
		r = husk_error_set(err, EIO, "--systemd-cgroup: %s started, but husk is not in it", unit);
		goto fail;
	}
	scope->fspath = xasprintf("%s%s", mp, scope->path);
	scope->fd = open(scope->fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (scope->fd < 0) {
		r = husk_error_sys(err, errno, "open cgroup \"%s\"", scope->fspath);
		goto fail;
	}
	return 0;
fail:
	cgroup_systemd_leave(scope);
	if (scope->unit)
		cgroup_systemd_stop(unit);
	cgroup_systemd_scope_free(scope);
	return r;
}

int cgroup_systemd_leave(struct systemd_scope *scope)
{
	_cleanup_free_ char *procs = NULL, *pid = NULL;
	const char *mp = cgroup_mountpoint();
	int r;

	if (!scope->previous || !mp)
		return 0;
	procs = xasprintf("%s%s/cgroup.procs", mp, scope->previous);
	pid = xasprintf("%d", getpid());
	r = write_file_at(AT_FDCWD, procs, pid, strlen(pid), 0);
	if (r == 0) {
		free(scope->previous);
		scope->previous = NULL;
	}
	return r;
}

/* The unit property for a cgroup file of the plan, where systemd has one. */
static int append_property(sd_bus_message *m, const struct cg_write *w, bool *any)
{
	static const struct {
		const char *file, *property;
	} simple[] = {
		{ "memory.max", "MemoryMax" }, { "memory.low", "MemoryLow" }, { "memory.high", "MemoryHigh" },
		{ "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" }, { "cpu.weight", "CPUWeight" },
	};
	uint64_t v, quota, period = 100000;
	char q[32];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
		if (strcmp(w->file, simple[i].file) || (w->flags & CG_WRITE_SWAP_OF_LIMIT))
			continue;
		if (!strcmp(w->value, "max"))
			v = UINT64_MAX;
		else if (parse_uint64(w->value, &v) < 0)
			return 0; /* "1G" in a unified key: cgroupfs takes it, the property is left */
		*any = true;
		return sd_bus_message_append(m, "(sv)", simple[i].property, "t", v);
	}
	if (!strcmp(w->file, "cpu.max")) {
		/* "QUOTA [PERIOD]" -> CPUQuotaPerSecUSec (quota per second of time), CPUQuotaPeriodUSec. */
		if (sscanf(w->value, "%31s %" SCNu64, q, &period) < 1)
			return 0;
		if (strcmp(q, "max") && (parse_uint64(q, &quota) < 0 || period == 0))
			return 0;
		v = !strcmp(q, "max") ? UINT64_MAX : quota * 1000000 / period;
		*any = true;
		r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", v);
		if (r >= 0 && strchr(w->value, ' '))
			r = sd_bus_message_append(m, "(sv)", "CPUQuotaPeriodUSec", "t", period);
		return r;
	}
	return 0;
}

int cgroup_systemd_set_properties(const char *unit, const struct cg_plan *plan, struct husk_error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_message_ sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	bool any = false;
	int r;

	if ((r = bus_open(&bus, err)) < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
					   "org.freedesktop.systemd1.Manager", "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	for (size_t i = 0; r >= 0 && i < plan->n_writes; i++)
		r = append_property(m, &plan->writes[i], &any);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r < 0)
		return husk_error_sys(err, -r, "--systemd-cgroup: build the SetUnitProperties call");
	if (!any)
		return 0;
	r = sd_bus_call(bus, m, SYSTEMD_TIMEOUT_USEC, &error, NULL);
	if (r < 0)
		r = husk_error_set(err, -r, "--systemd-cgroup: set the limits of %s: %s", unit,
				   error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
	return r;
}

void cgroup_systemd_stop(const char *unit)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	struct husk_error ignored = { 0 };

	if (bus_open(&bus, &ignored) < 0)
		return;
	/* Best effort: the scope also goes by itself once its cgroup is empty. */
	sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			   "org.freedesktop.systemd1.Manager", "StopUnit", NULL, NULL, "ss", unit, "replace");
}

void cgroup_systemd_scope_free(struct systemd_scope *scope)
{
	if (scope->fd >= 0)
		close(scope->fd);
	free(scope->unit);
	free(scope->path);
	free(scope->fspath);
	free(scope->previous);
	memset(scope, 0, sizeof(*scope));
	scope->fd = -1;
}
