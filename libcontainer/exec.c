/* exec.c - "husk exec": a new process in every namespace and the cgroup of a
 * running container, with the container's config as the base of its process. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "caps.h"
#include "process.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include "utils.h"

static int parse_user(const char *user, struct spec_process *p, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(user);
	char *colon = strchr(copy, ':');
	uint64_t v;

	if (colon)
		*colon = '\0';
	if (parse_uint64(copy, &v) < 0 || v >= UINT32_MAX)
		return husk_error_set(err, EINVAL, "--user \"%s\": expected uid[:gid] as numbers", user);
	p->uid = v;
	if (colon) {
		if (parse_uint64(colon + 1, &v) < 0 || v >= UINT32_MAX)
			return husk_error_set(err, EINVAL, "--user \"%s\": expected uid[:gid] as numbers", user);
		p->gid = v;
	}
	return 0;
}

/* The process to exec: --process FILE, or the container's own process with the
 * command line's changes, as runc exec builds it. */
static int build_process(const struct spec *s, const struct husk_exec_options *o, struct spec_process *p,
			 struct husk_error *err)
{
	json_value *doc = NULL;
	int r;

	if (o->process_file) {
		_cleanup_free_ char *text = NULL;
		char jerr[256];

		r = read_file_at(AT_FDCWD, o->process_file, SPEC_MAX_SIZE, &text, NULL);
		if (r < 0)
			return husk_error_sys(err, -r, "--process \"%s\"", o->process_file);
		if (json_parse(text, &doc, jerr, sizeof(jerr)) < 0)
			return husk_error_set(err, EINVAL, "%s: invalid JSON: %s", o->process_file, jerr);
		r = spec_parse_process(doc, o->process_file, "(process)", p, err);
		json_free(doc);
		return r;
	}
	if (!o->args || !o->args[0])
		return husk_error_set(err, EINVAL, "exec: a command (or --process) is required");
	/* The container's process object with the command line's args. */
	{
		struct json_writer *w = json_writer_new(false);
		const json_value *proc = json_object_get(s->doc, "process");
		_cleanup_free_ char *text = NULL;
		char jerr[256];

		json_write_object_begin(w);
		for (size_t i = 0; i < json_len(proc); i++) {
			const char *k = json_object_key_at(proc, i);
			if (!strcmp(k, "args") || !strcmp(k, "terminal"))
				continue;
			json_write_key(w, k);
			json_write_value(w, json_object_value_at(proc, i));
		}
		json_write_string_array(w, "args", o->args);
		json_write_object_end(w);
		text = json_writer_finish(w);
		if (json_parse(text, &doc, jerr, sizeof(jerr)) < 0)
			return husk_error_set(err, EINVAL, "exec: %s", jerr);
		r = spec_parse_process(doc, "exec", "process", p, err);
		json_free(doc);
		if (r < 0)
			return r;
	}
	if (o->tty_set)
		p->terminal = o->tty;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return husk_error_set(err, EINVAL, "--cwd \"%s\": must be an absolute path", o->cwd);
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->user && (r = parse_user(o->user, p, err)) < 0)
		return r;
	for (size_t i = 0; o->env && o->env[i]; i++) {
		size_t n = strv_len(p->env);
		if (!strchr(o->env[i], '='))
			return husk_error_set(err, EINVAL, "--env \"%s\": expected KEY=VALUE", o->env[i]);
		strv_push(&p->env, &n, o->env[i]);
	}
	for (size_t i = 0; o->caps && o->caps[i]; i++) {
		int cap = caps_from_name(o->caps[i]);
		if (cap < 0)
			return husk_error_set(err, EINVAL, "--cap \"%s\": unknown capability", o->caps[i]);
		p->has_caps = true;
		p->caps[CAPS_BOUNDING] |= 1ULL << cap;
		p->caps[CAPS_EFFECTIVE] |= 1ULL << cap;
		p->caps[CAPS_PERMITTED] |= 1ULL << cap;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	return 0;
}

/* exec --cgroup [CTRL:]PATH (runc's): a sub-cgroup of the container's, which exists
 * and which PATH does not climb out of.  On cgroup v2 a controller prefix names
 * nothing: it is dropped, as runc does for the unified hierarchy. */
static int resolve_sub_cgroup(const char *cgroup, const char *arg, char **out, struct husk_error *err)
{
	const char *path = strchr(arg, ':') ? strchr(arg, ':') + 1 : arg;
	_cleanup_free_ char *copy = xstrdup(path);
	char *part, *save;
	struct stat st;

	if (!cgroup)
		return husk_error_set(err, ENOENT, "exec --cgroup \"%s\": the container has no cgroup", arg);
	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save))
		if (!strcmp(part, ".."))
			return husk_error_set(err, EPERM, "exec --cgroup \"%s\": the path leaves the container's cgroup",
					      arg);
	*out = xasprintf("%s/%s", cgroup, path[0] == '/' ? path + 1 : path);
	if (stat(*out, &st) < 0 || !S_ISDIR(st.st_mode))
		return husk_error_set(err, ENOENT, "exec --cgroup \"%s\": the container's cgroup has no sub-cgroup "
				      "\"%s\"", arg, path);
	return 0;
}

int husk_container_exec(const struct husk_context *ctx, const char *id, const struct husk_exec_options *o,
			int *status, struct husk_error *err)
{
	struct container_state *st = NULL;
	struct spec *s = NULL;
	struct spec_process p = { 0 };
	struct exec_request req = { .console_fd = -1, .pidfd = -1, .seccomp_listener = -1 };
	_cleanup_free_ char *cache = state_seccomp_cache_dir(ctx), *state_json = NULL;
	_cleanup_close_ int console_peer = -1;
	_cleanup_free_ char *sub_cgroup = NULL;
	const struct executor *executor;
	const char *st_status;
	int r;

	*status = 0;
	if ((r = state_load(ctx, id, &st, err)) < 0)
		return r;
	st_status = state_status(st);
	if (strcmp(st_status, "running") && strcmp(st_status, "created")) {
		r = husk_error_set(err, EINVAL, "container \"%s\" is %s: cannot exec into it", id, st_status);
		goto out;
	}
	executor = executor_named(st->executor);
	if (executor->exec) {
		r = executor->exec(st, o, status, err);
		goto out;
	}
	if ((r = state_load_config(st, &s, NULL, err)) < 0)
		goto out;
	if ((r = container_check_sealed_binary(s, err)) < 0)
		goto out;
	if ((r = build_process(s, o, &p, err)) < 0 || (r = process_check_lsm(&p, "exec", err)) < 0 ||
	    (!(s->ns_new & CLONE_NEWUSER) && (r = caps_check_available(&p, "exec", err)) < 0) ||
	    (o->cgroup && (r = resolve_sub_cgroup(st->cgroup, o->cgroup, &sub_cgroup, err)) < 0))
		goto out;
	if (s->seccomp && ((r = seccomp_compile(s->seccomp, cache, &req.seccomp, err)) < 0 ||
			   (r = seccomp_listener_connect(req.seccomp, &req.seccomp_listener, err)) < 0))
		goto out;
	if (req.seccomp_listener >= 0) {
		/* Only a seccomp listener is sent the container's state. */
		state_json = state_oci_json(id, st_status, st->pid, st->bundle, st->annotations, NULL, false);
		req.state_json = state_json;
	}
	if (p.terminal && !o->console_socket && o->detach) {
		r = husk_error_set(err, EINVAL, "exec: --tty with --detach needs --console-socket");
		goto out;
	}
	if (p.terminal && (r = terminal_open_socket(o->console_socket, &req.console_fd, &console_peer, err)) < 0)
		goto out;
	req.process = &p;
	req.init_pid = st->pid;
	req.cgroup_path = sub_cgroup ? sub_cgroup : st->cgroup;
	req.preserve_fds = o->preserve_fds;
	if ((r = process_spawn_exec(&req, err)) < 0)
		goto out;
	if (req.console_fd >= 0) {
		close(req.console_fd);
		req.console_fd = -1;
	}
	if (o->pid_file && (r = write_pid_file(o->pid_file, req.pid, err)) < 0)
		goto out;
	if (!o->detach) {
		int master = -1;
		process_forward_signals(req.pid);
		if (console_peer >= 0 && terminal_recv_master(console_peer, &master, err) == 0) {
			terminal_proxy(master, req.pidfd);
			close(master);
		}
		process_wait(req.pid, status);
		process_forward_signals(0);
	}
	r = 0;
out:
	if (req.console_fd >= 0)
		close(req.console_fd);
	if (req.seccomp_listener >= 0)
		close(req.seccomp_listener);
	if (req.pidfd >= 0)
		close(req.pidfd);
	seccomp_filter_free(req.seccomp);
	spec_process_free(&p);
	spec_free(s);
	state_free(st);
	return r;
}
