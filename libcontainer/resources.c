/* resources.c - the commands that act on a container's cgroup once it exists: pause,
 * resume, update and events. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>

#include "cgroup.h"
#include "cgroup_resources.h"
#include "cgroup_systemd.h"
#include "state.h"
#include "process.h"
#include "utils.h"

#define FREEZE_TIMEOUT_MS 10000

/* Load id, and check it has a live init and a cgroup to act on. */
static int load_live(const struct husk_context *ctx, const char *id, const char *what, struct container_state **st,
		     struct husk_error *err)
{
	int r;

	if ((r = state_load(ctx, id, st, err)) < 0)
		return r;
	if (!state_pid_alive(*st))
		r = husk_error_set(err, ESRCH, "container \"%s\" is not running", id);
	else if (!(*st)->cgroup)
		r = husk_error_set(err, ENOTSUP, "container \"%s\" has no cgroup v2 to %s", id, what);
	if (r < 0) {
		state_free(*st);
		*st = NULL;
	}
	return r;
}

static int set_frozen(const struct husk_context *ctx, const char *id, bool freeze, struct husk_error *err)
{
	_cleanup_close_ int lock = -1;
	struct container_state *st = NULL;
	const char *status;
	int r;

	if ((r = state_lock(ctx, id, &lock, err)) < 0)
		return r;
	if ((r = load_live(ctx, id, freeze ? "pause" : "resume", &st, err)) < 0)
		return r;
	status = state_status(st);
	if (strcmp(status, freeze ? "running" : "paused"))
		r = husk_error_set(err, EINVAL, "container \"%s\" is %s, not %s", id, status, freeze ? "running" : "paused");
	else
		r = cgroup_freeze(st->cgroup, freeze, FREEZE_TIMEOUT_MS, err);
	state_free(st);
	return r;
}

int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error *err)
{
	return set_frozen(ctx, id, true, err);
}

int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error *err)
{
	return set_frozen(ctx, id, false, err);
}

/* ---- update ---------------------------------------------------------------------- */
static int apply_document(const struct container_state *st, const char *text, const char *source,
			  struct husk_error *err)
{
	json_value *doc = NULL;
	struct cg_plan plan;
	char msg[256];
	int r;

	if (json_parse(text, &doc, msg, sizeof(msg)) < 0)
		return husk_error_set(err, EINVAL, "%s: %s", source, msg);
	if (json_type_of(doc) != JSON_OBJECT) {
		json_free(doc);
		return husk_error_set(err, EINVAL, "%s: must be a JSON object (linux.resources)", source);
	}
	r = cgroup_plan_resources(doc, NULL, source, &plan, err);
	if (r == 0) {
		r = cgroup_plan_apply(st->cgroup, &plan, err);
		/* systemd re-applies what it knows on a reload: tell it the new limits. */
		if (r == 0 && st->systemd_unit)
			r = cgroup_systemd_set_properties(st->systemd_unit, &plan, err);
		cgroup_plan_free(&plan);
	}
	json_free(doc);
	return r;
}

static void write_value(struct json_writer *w, const char *key, const struct husk_update_value *v)
{
	if (v->set)
		json_write_key_int(w, key, v->value);
}

/* runc's update flags as a linux.resources document. */
static char *flags_document(const struct husk_update_options *o)
{
	struct json_writer *w = json_writer_new(false);

	json_write_object_begin(w);
	json_write_key(w, "memory");
	json_write_object_begin(w);
	write_value(w, "limit", &o->memory);
	write_value(w, "reservation", &o->memory_reservation);
	write_value(w, "swap", &o->memory_swap);
	json_write_object_end(w);
	json_write_key(w, "cpu");
	json_write_object_begin(w);
	write_value(w, "shares", &o->cpu_shares);
	write_value(w, "quota", &o->cpu_quota);
	write_value(w, "period", &o->cpu_period);
	write_value(w, "idle", &o->cpu_idle);
	write_value(w, "realtimeRuntime", &o->cpu_rt_runtime);
	write_value(w, "realtimePeriod", &o->cpu_rt_period);
	if (o->cpuset_cpus)
		json_write_key_string(w, "cpus", o->cpuset_cpus);
	if (o->cpuset_mems)
		json_write_key_string(w, "mems", o->cpuset_mems);
	json_write_object_end(w);
	json_write_key(w, "pids");
	json_write_object_begin(w);
	write_value(w, "limit", &o->pids_limit);
	json_write_object_end(w);
	json_write_key(w, "blockIO");
	json_write_object_begin(w);
	write_value(w, "weight", &o->blkio_weight);
	json_write_object_end(w);
	json_write_object_end(w);
	return json_writer_finish(w);
}

int husk_container_update(const struct husk_context *ctx, const char *id, const struct husk_update_options *opts,
			  struct husk_error *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_free_ char *text = NULL, *flags = NULL;
	struct container_state *st = NULL;
	const char *source = NULL;
	int r;

	if (opts->resources_file) {
		bool stdin_ = !strcmp(opts->resources_file, "-");
		r = read_file_at(AT_FDCWD, stdin_ ? "/proc/self/fd/0" : opts->resources_file, 16 << 20, &text, NULL);
		source = stdin_ ? "stdin" : opts->resources_file;
		if (r < 0)
			return husk_error_sys(err, -r, "read \"%s\"", opts->resources_file);
	}
	if ((r = state_lock(ctx, id, &lock, err)) < 0)
		return r;
	if ((r = load_live(ctx, id, "update", &st, err)) < 0)
		return r;
	if (executor_named(st->executor)->limits_inside) {
		r = husk_error_set(err, ENOTSUP, "container \"%s\" runs in the %s executor: its limits are the "
				   "guest's, which update cannot change yet", id, st->executor);
		state_free(st);
		return r;
	}
	/* The file first, then the flags: a flag overrides the same field in the file. */
	if (text)
		r = apply_document(st, text, source, err);
	if (r == 0) {
		flags = flags_document(opts);
		r = apply_document(st, flags, "update", err);
	}
	state_free(st);
	return r;
}

/* ---- events ---------------------------------------------------------------------- */
static void emit_event(const char *type, const char *id, const char *fspath,
		       void (*emit)(const char *, void *), void *data)
{
	struct json_writer *w = json_writer_new(false);
	_cleanup_free_ char *line = NULL;

	json_write_object_begin(w);
	json_write_key_string(w, "type", type);
	json_write_key_string(w, "id", id);
	if (!strcmp(type, "stats")) {
		json_write_key(w, "data");
		if (cgroup_write_stats(fspath, w) < 0)
			json_write_null(w);
	}
	json_write_object_end(w);
	line = json_writer_finish(w);
	emit(line, data);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int husk_container_events(const struct husk_context *ctx, const char *id, unsigned interval_ms, bool stats_only,
			  void (*emit)(const char *json, void *data), void *data, struct husk_error *err)
{
	_cleanup_close_ int pidfd = -1, ino = -1;
	_cleanup_free_ char *events_file = NULL;
	struct container_state *st = NULL;
	uint64_t ooms = 0, n;
	int64_t next;
	int r;

	if ((r = load_live(ctx, id, "watch", &st, err)) < 0)
		return r;
	if (stats_only) {
		emit_event("stats", id, st->cgroup, emit, data);
		goto out;
	}
	if ((pidfd = state_open_pidfd(st)) < 0) {
		r = husk_error_set(err, ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	/* memory.events changes on every OOM kill; the kernel reports it as IN_MODIFY. */
	events_file = xasprintf("%s/memory.events", st->cgroup);
	cgroup_oom_kills(st->cgroup, &ooms);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino >= 0 && inotify_add_watch(ino, events_file, IN_MODIFY) < 0) {
		close(ino);
		ino = -1;
	}
	next = now_ms() + interval_ms;
	for (;;) {
		struct pollfd p[2] = { { pidfd, POLLIN, 0 }, { ino, POLLIN, 0 } };
		int64_t wait = next - now_ms();
		bool exited;

		if (wait <= 0) {
			emit_event("stats", id, st->cgroup, emit, data);
			next += interval_ms;
			continue;
		}
		/* Without inotify (no memory controller), OOM kills are looked for each second. */
		r = poll(p, ino >= 0 ? 2 : 1, ino >= 0 ? (int) wait : (int) (wait < 1000 ? wait : 1000));
		if (r < 0 && errno != EINTR) {
			r = husk_error_sys(err, errno, "container \"%s\": wait for events", id);
			goto out;
		}
		if (p[1].revents & POLLIN) {
			char buf[4096];
			while (read(ino, buf, sizeof(buf)) > 0)
				;
		}
		exited = p[0].revents & POLLIN;
		if (cgroup_oom_kills(st->cgroup, &n) == 0 && n > ooms) {
			ooms = n;
			emit_event("oom", id, st->cgroup, emit, data);
		}
		if (exited)
			break;
	}
	r = 0;
out:
	state_free(st);
	return r;
}
