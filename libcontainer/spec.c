/* spec.c - config.json -> struct spec, with validation.  Every error names the
 * document and the field path: "config.json: process.args: must be a non-empty array". */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/sched.h>

#include "caps.h"
#include "spec.h"
#include "utils.h"

const char *const spec_hook_names[HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* Where errors point: the document label and the field path being read. */
struct parser {
	const char *label;
	struct husk_error *err;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct parser *p, const char *field, const char *fmt, ...)
{
	char msg[HUSK_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return husk_error_set(p->err, EINVAL, "%s: %s: %s", p->label, field, msg);
}

static int expect_type(struct parser *p, const json_value *v, enum json_type t, const char *field)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array", "an object" };

	if (json_type_of(v) != t)
		return fail(p, field, "must be %s, not %s", names[t], json_type_name(v));
	return 0;
}

/* Optional string member: *out stays NULL when absent or null. */
static int get_string(struct parser *p, const json_value *obj, const char *key, const char *field,
		      char **out)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;

	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (json_type_of(v) != JSON_STRING) {
		f = xasprintf("%s%s%s", field, *field ? "." : "", key);
		return expect_type(p, v, JSON_STRING, f);
	}
	*out = xstrdup(json_string(v));
	return 0;
}

static int get_bool(struct parser *p, const json_value *obj, const char *key, const char *field, bool *out)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;

	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (!json_is_bool(v)) {
		f = xasprintf("%s%s%s", field, *field ? "." : "", key);
		return expect_type(p, v, JSON_BOOL, f);
	}
	*out = json_is_true(v);
	return 0;
}

/* An integer in [min, max]; *present says whether the member was there. */
static int get_int(struct parser *p, const json_value *obj, const char *key, const char *field,
		   int64_t min, int64_t max, int64_t *out, bool *present)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;
	int64_t x;
	int r;

	if (present)
		*present = false;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	f = xasprintf("%s%s%s", field, *field ? "." : "", key);
	r = json_int64(v, &x);
	if (r == -EINVAL)
		return fail(p, f, "must be an integer");
	if (r < 0 || x < min || x > max)
		return fail(p, f, "%s is out of range [%lld, %lld]",
			    json_type_of(v) == JSON_NUMBER ? "value" : "it", (long long) min, (long long) max);
	*out = x;
	if (present)
		*present = true;
	return 0;
}

static int get_uint64(struct parser *p, const json_value *obj, const char *key, const char *field,
		      uint64_t *out, bool *present)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;
	int r;

	if (present)
		*present = false;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	f = xasprintf("%s%s%s", field, *field ? "." : "", key);
	r = json_uint64(v, out);
	if (r == -EINVAL)
		return fail(p, f, "must be an integer");
	if (r < 0)
		return fail(p, f, "must be an integer in [0, %llu]", (unsigned long long) UINT64_MAX);
	if (present)
		*present = true;
	return 0;
}

/* An array of strings; absent or null gives NULL. */
static int get_strv(struct parser *p, const json_value *obj, const char *key, const char *field,
		    char ***out, size_t *n_out)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;
	char **r;
	size_t i, n;

	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	f = xasprintf("%s%s%s", field, *field ? "." : "", key);
	if (json_type_of(v) != JSON_ARRAY)
		return expect_type(p, v, JSON_ARRAY, f);
	n = json_len(v);
	r = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *s = json_string(json_array_at(v, i));
		if (!s) {
			strv_free(r);
			return fail(p, f, "element %zu must be a string", i);
		}
		r[i] = xstrdup(s);
	}
	*out = r;
	if (n_out)
		*n_out = n;
	return 0;
}

static int get_object(struct parser *p, const json_value *obj, const char *key, const char *field,
		      const json_value **out)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;

	*out = NULL;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (json_type_of(v) != JSON_OBJECT) {
		f = xasprintf("%s%s%s", field, *field ? "." : "", key);
		return expect_type(p, v, JSON_OBJECT, f);
	}
	*out = v;
	return 0;
}

/* An array member, each element an object: absent gives n = 0. */
static int get_object_array(struct parser *p, const json_value *obj, const char *key, const char *field,
			    const json_value **out, size_t *n)
{
	const json_value *v = json_object_get(obj, key);
	_cleanup_free_ char *f = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	f = xasprintf("%s%s%s", field, *field ? "." : "", key);
	if (json_type_of(v) != JSON_ARRAY)
		return expect_type(p, v, JSON_ARRAY, f);
	for (i = 0; i < json_len(v); i++)
		if (json_type_of(json_array_at(v, i)) != JSON_OBJECT)
			return fail(p, f, "element %zu must be an object", i);
	*out = v;
	*n = json_len(v);
	return 0;
}

/* ---- process --------------------------------------------------------------- */
static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(struct parser *p, const json_value *proc, const char *field, struct spec_process *out)
{
	const json_value *arr;
	size_t n, i, j;
	int r;

	r = get_object_array(p, proc, "rlimits", field, &arr, &n);
	if (r < 0 || n == 0)
		return r;
	out->rlimits = xcalloc(n, sizeof(*out->rlimits));
	for (i = 0; i < n; i++) {
		const json_value *o = json_array_at(arr, i);
		_cleanup_free_ char *f = xasprintf("%s.rlimits[%zu]", field, i);
		_cleanup_free_ char *type = NULL;
		struct spec_rlimit *rl = &out->rlimits[i];
		bool has_soft, has_hard;

		if ((r = get_string(p, o, "type", f, &type)) < 0)
			return r;
		if (!type)
			return fail(p, f, "type: missing");
		for (j = 0; j < ARRAY_SIZE(rlimit_names); j++)
			if (!strcmp(rlimit_names[j].name, type))
				break;
		if (j == ARRAY_SIZE(rlimit_names))
			return fail(p, f, "type: unknown resource \"%s\"", type);
		rl->resource = rlimit_names[j].resource;
		if ((r = get_uint64(p, o, "soft", f, &rl->soft, &has_soft)) < 0 ||
		    (r = get_uint64(p, o, "hard", f, &rl->hard, &has_hard)) < 0)
			return r;
		if (!has_soft || !has_hard)
			return fail(p, f, "%s: missing", has_soft ? "hard" : "soft");
		if (rl->soft > rl->hard)
			return fail(p, f, "soft limit %llu is above the hard limit %llu",
				    (unsigned long long) rl->soft, (unsigned long long) rl->hard);
		for (j = 0; j < i; j++)
			if (out->rlimits[j].resource == rl->resource)
				return fail(p, f, "type: \"%s\" is set twice", type);
		out->n_rlimits++;
	}
	return 0;
}

static int parse_caps(struct parser *p, const json_value *proc, const char *field, struct spec_process *out)
{
	static const char *const sets[CAPS_SETS] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
	const json_value *caps;
	_cleanup_free_ char *f = xasprintf("%s.capabilities", field);
	int r, s;

	if ((r = get_object(p, proc, "capabilities", field, &caps)) < 0 || !caps)
		return r;
	out->has_caps = true;
	for (s = 0; s < CAPS_SETS; s++) {
		_cleanup_strv_ char **names = NULL;
		size_t n = 0, i;

		if ((r = get_strv(p, caps, sets[s], f, &names, &n)) < 0)
			return r;
		for (i = 0; i < n; i++) {
			int cap = caps_from_name(names[i]);
			if (cap == -EINVAL)
				return fail(p, f, "%s[%zu]: unknown capability \"%s\"", sets[s], i, names[i]);
			if (cap < 0) /* known to libcap, not to this kernel: skipped as runc does */
				continue;
			out->caps[s] |= 1ULL << cap;
		}
	}
	return 0;
}

static int parse_user(struct parser *p, const json_value *proc, const char *field, struct spec_process *out)
{
	const json_value *user, *gids;
	_cleanup_free_ char *f = xasprintf("%s.user", field);
	int64_t v;
	bool present;
	size_t i;
	int r;

	if ((r = get_object(p, proc, "user", field, &user)) < 0 || !user)
		return r;
	if ((r = get_int(p, user, "uid", f, 0, UINT32_MAX - 1, &v, &present)) < 0)
		return r;
	if (present)
		out->uid = v;
	if ((r = get_int(p, user, "gid", f, 0, UINT32_MAX - 1, &v, &present)) < 0)
		return r;
	if (present)
		out->gid = v;
	if ((r = get_int(p, user, "umask", f, 0, 0777, &v, &out->has_umask)) < 0)
		return r;
	out->umask = v;
	gids = json_object_get(user, "additionalGids");
	if (gids && json_type_of(gids) != JSON_NULL) {
		_cleanup_free_ char *g = xasprintf("%s.additionalGids", f);
		if ((r = expect_type(p, gids, JSON_ARRAY, g)) < 0)
			return r;
		out->additional_gids = xcalloc(json_len(gids), sizeof(gid_t));
		for (i = 0; i < json_len(gids); i++) {
			if (json_int64(json_array_at(gids, i), &v) < 0 || v < 0 || v > UINT32_MAX - 1)
				return fail(p, g, "element %zu must be a gid in [0, %u]", i, UINT32_MAX - 1);
			out->additional_gids[out->n_additional_gids++] = v;
		}
	}
	return 0;
}

static int parse_scheduler(struct parser *p, const json_value *proc, const char *field, struct spec_process *out)
{
	static const struct { const char *name; int policy; } policies[] = {
		{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
		{ "SCHED_ISO", 4 }, { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
	};
	static const struct { const char *name; uint64_t bit; } flags[] = {
		{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
		{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
		{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
		{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
	};
	const json_value *sch;
	_cleanup_free_ char *f = xasprintf("%s.scheduler", field);
	_cleanup_free_ char *policy = NULL;
	_cleanup_strv_ char **fl = NULL;
	size_t i, j, n = 0;
	int64_t v;
	bool present;
	int r;

	if ((r = get_object(p, proc, "scheduler", field, &sch)) < 0 || !sch)
		return r;
	out->has_scheduler = true;
	if ((r = get_string(p, sch, "policy", f, &policy)) < 0)
		return r;
	if (!policy)
		return fail(p, f, "policy: missing");
	for (i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policies[i].name, policy))
			break;
	if (i == ARRAY_SIZE(policies))
		return fail(p, f, "policy: unknown policy \"%s\"", policy);
	out->sched_policy = policies[i].policy;
	if ((r = get_int(p, sch, "nice", f, -20, 19, &v, &present)) < 0)
		return r;
	out->sched_nice = present ? v : 0;
	if ((r = get_int(p, sch, "priority", f, 0, 99, &v, &present)) < 0)
		return r;
	out->sched_priority = present ? v : 0;
	if ((r = get_uint64(p, sch, "runtime", f, &out->sched_runtime, NULL)) < 0 ||
	    (r = get_uint64(p, sch, "deadline", f, &out->sched_deadline, NULL)) < 0 ||
	    (r = get_uint64(p, sch, "period", f, &out->sched_period, NULL)) < 0)
		return r;
	if ((r = get_strv(p, sch, "flags", f, &fl, &n)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(flags); j++)
			if (!strcmp(flags[j].name, fl[i]))
				break;
		if (j == ARRAY_SIZE(flags))
			return fail(p, f, "flags[%zu]: unknown flag \"%s\"", i, fl[i]);
		out->sched_flags |= flags[j].bit;
	}
	return 0;
}

static int parse_io_priority(struct parser *p, const json_value *proc, const char *field, struct spec_process *out)
{
	static const char *const classes[] = { "IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };
	const json_value *io;
	_cleanup_free_ char *f = xasprintf("%s.ioPriority", field);
	_cleanup_free_ char *cls = NULL;
	int64_t v = 0;
	size_t i;
	int r;

	if ((r = get_object(p, proc, "ioPriority", field, &io)) < 0 || !io)
		return r;
	if ((r = get_string(p, io, "class", f, &cls)) < 0)
		return r;
	if (!cls)
		return fail(p, f, "class: missing");
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(classes[i], cls))
			break;
	if (i == ARRAY_SIZE(classes))
		return fail(p, f, "class: unknown class \"%s\"", cls);
	if ((r = get_int(p, io, "priority", f, 0, 7, &v, NULL)) < 0)
		return r;
	out->has_io_priority = true;
	out->ioprio_class = i;
	out->ioprio_level = v;
	return 0;
}

int spec_parse_process(const json_value *proc, const char *label, const char *field,
		       struct spec_process *out, struct husk_error *err)
{
	struct parser p = { label, err };
	const json_value *cs, *aff;
	_cleanup_free_ char *csf = xasprintf("%s.consoleSize", field);
	int64_t v;
	bool present;
	size_t i, n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = expect_type(&p, proc, JSON_OBJECT, field)) < 0)
		return r;
	if ((r = get_bool(&p, proc, "terminal", field, &out->terminal)) < 0)
		return r;
	if ((r = get_object(&p, proc, "consoleSize", field, &cs)) < 0)
		return r;
	if (cs) {
		if ((r = get_int(&p, cs, "height", csf, 0, UINT16_MAX, &v, &present)) < 0)
			return r;
		out->console_height = v;
		if ((r = get_int(&p, cs, "width", csf, 0, UINT16_MAX, &v, &present)) < 0)
			return r;
		out->console_width = v;
	}
	if ((r = parse_user(&p, proc, field, out)) < 0)
		return r;
	if ((r = get_strv(&p, proc, "args", field, &out->args, &n)) < 0)
		return r;
	if (n == 0 || !out->args[0][0]) {
		_cleanup_free_ char *f = xasprintf("%s.args", field);
		return fail(&p, f, "must be a non-empty array");
	}
	n = 0;
	if ((r = get_strv(&p, proc, "env", field, &out->env, &n)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!strchr(out->env[i], '=') || out->env[i][0] == '=') {
			_cleanup_free_ char *f = xasprintf("%s.env[%zu]", field, i);
			return fail(&p, f, "\"%s\" is not of the form KEY=VALUE", out->env[i]);
		}
	}
	if ((r = get_string(&p, proc, "cwd", field, &out->cwd)) < 0)
		return r;
	if (!out->cwd)
		out->cwd = xstrdup("/");
	if (out->cwd[0] != '/') {
		_cleanup_free_ char *f = xasprintf("%s.cwd", field);
		return fail(&p, f, "\"%s\" must be an absolute path", out->cwd);
	}
	if ((r = parse_caps(&p, proc, field, out)) < 0 ||
	    (r = get_bool(&p, proc, "noNewPrivileges", field, &out->no_new_privileges)) < 0 ||
	    (r = get_string(&p, proc, "apparmorProfile", field, &out->apparmor_profile)) < 0 ||
	    (r = get_string(&p, proc, "selinuxLabel", field, &out->selinux_label)) < 0 ||
	    (r = get_int(&p, proc, "oomScoreAdj", field, -1000, 1000, &v, &out->has_oom_score_adj)) < 0)
		return r;
	out->oom_score_adj = v;
	if ((r = parse_rlimits(&p, proc, field, out)) < 0 ||
	    (r = parse_scheduler(&p, proc, field, out)) < 0 ||
	    (r = parse_io_priority(&p, proc, field, out)) < 0 ||
	    (r = get_object(&p, proc, "execCPUAffinity", field, &aff)) < 0)
		return r;
	if (aff) {
		_cleanup_free_ char *f = xasprintf("%s.execCPUAffinity", field);
		if ((r = get_string(&p, aff, "initial", f, &out->cpu_affinity_initial)) < 0 ||
		    (r = get_string(&p, aff, "final", f, &out->cpu_affinity_final)) < 0)
			return r;
	}
	return 0;
}

void spec_process_free(struct spec_process *pr)
{
	free(pr->additional_gids);
	strv_free(pr->args);
	strv_free(pr->env);
	free(pr->cwd);
	free(pr->apparmor_profile);
	free(pr->selinux_label);
	free(pr->rlimits);
	free(pr->cpu_affinity_initial);
	free(pr->cpu_affinity_final);
	memset(pr, 0, sizeof(*pr));
}

/* ---- mounts ------------------------------------------------------------------ */
enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROPAGATION, OPT_ATTR, OPT_ATTR_CLEAR, OPT_BIND, OPT_RBIND,
		OPT_IDMAP, OPT_RIDMAP, OPT_IGNORE };

/* runtime-spec's "Linux mount options" table. */
static const struct {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
} mount_options[] = {
	{ "async", OPT_CLEAR, MS_SYNCHRONOUS }, { "atime", OPT_CLEAR, MS_NOATIME },
	{ "bind", OPT_BIND, MS_BIND }, { "defaults", OPT_FLAG, 0 }, { "dev", OPT_CLEAR, MS_NODEV },
	{ "diratime", OPT_CLEAR, MS_NODIRATIME }, { "dirsync", OPT_FLAG, MS_DIRSYNC },
	{ "exec", OPT_CLEAR, MS_NOEXEC }, { "iversion", OPT_FLAG, MS_I_VERSION },
	{ "lazytime", OPT_FLAG, MS_LAZYTIME }, { "loud", OPT_CLEAR, MS_SILENT },
	{ "mand", OPT_FLAG, MS_MANDLOCK }, { "noatime", OPT_FLAG, MS_NOATIME },
	{ "nodev", OPT_FLAG, MS_NODEV }, { "nodiratime", OPT_FLAG, MS_NODIRATIME },
	{ "noexec", OPT_FLAG, MS_NOEXEC }, { "noiversion", OPT_CLEAR, MS_I_VERSION },
	{ "nolazytime", OPT_CLEAR, MS_LAZYTIME }, { "nomand", OPT_CLEAR, MS_MANDLOCK },
	{ "norelatime", OPT_CLEAR, MS_RELATIME }, { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
	{ "nosuid", OPT_FLAG, MS_NOSUID }, { "nosymfollow", OPT_FLAG, 256 /* MS_NOSYMFOLLOW */ },
	{ "private", OPT_PROPAGATION, MS_PRIVATE }, { "rbind", OPT_RBIND, MS_BIND | MS_REC },
	{ "relatime", OPT_FLAG, MS_RELATIME }, { "remount", OPT_FLAG, MS_REMOUNT },
	{ "ro", OPT_FLAG, MS_RDONLY }, { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
	{ "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC }, { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
	{ "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC }, { "rw", OPT_CLEAR, MS_RDONLY },
	{ "shared", OPT_PROPAGATION, MS_SHARED }, { "silent", OPT_FLAG, MS_SILENT },
	{ "slave", OPT_PROPAGATION, MS_SLAVE }, { "strictatime", OPT_FLAG, MS_STRICTATIME },
	{ "suid", OPT_CLEAR, MS_NOSUID }, { "symfollow", OPT_CLEAR, 256 },
	{ "sync", OPT_FLAG, MS_SYNCHRONOUS }, { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
	{ "idmap", OPT_IDMAP, 0 }, { "ridmap", OPT_RIDMAP, 0 },
	{ "tmpcopyup", OPT_IGNORE, 0 },
	/* The recursive forms, applied with mount_setattr(AT_RECURSIVE). */
	{ "rro", OPT_ATTR, MOUNT_ATTR_RDONLY }, { "rrw", OPT_ATTR_CLEAR, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_ATTR, MOUNT_ATTR_NOSUID }, { "rsuid", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_ATTR, MOUNT_ATTR_NODEV }, { "rdev", OPT_ATTR_CLEAR, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_ATTR, MOUNT_ATTR_NOEXEC }, { "rexec", OPT_ATTR_CLEAR, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", OPT_ATTR, MOUNT_ATTR_NODIRATIME }, { "rdiratime", OPT_ATTR_CLEAR, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", OPT_ATTR, MOUNT_ATTR_RELATIME }, { "rnorelatime", OPT_ATTR_CLEAR, MOUNT_ATTR__ATIME },
	{ "rnoatime", OPT_ATTR, MOUNT_ATTR_NOATIME }, { "ratime", OPT_ATTR_CLEAR, MOUNT_ATTR__ATIME },
	{ "rstrictatime", OPT_ATTR, MOUNT_ATTR_STRICTATIME }, { "rnostrictatime", OPT_ATTR_CLEAR, MOUNT_ATTR__ATIME },
	{ "rnosymfollow", OPT_ATTR, MOUNT_ATTR_NOSYMFOLLOW }, { "rsymfollow", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
};

const char *spec_mount_option_name(size_t i)
{
	return i < ARRAY_SIZE(mount_options) ? mount_options[i].name : NULL;
}

static int parse_id_mappings(struct parser *p, const json_value *obj, const char *key, const char *field,
			     struct spec_id_mapping **out, size_t *n_out)
{
	const json_value *arr;
	_cleanup_free_ char *f = xasprintf("%s%s%s", field, *field ? "." : "", key);
	size_t n, i;
	int r;

	if ((r = get_object_array(p, obj, key, field, &arr, &n)) < 0 || n == 0)
		return r;
	if (n > 340) /* the kernel's limit on lines in uid_map */
		return fail(p, f, "more than 340 mappings");
	*out = xcalloc(n, sizeof(**out));
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *e = xasprintf("%s[%zu]", f, i);
		const json_value *o = json_array_at(arr, i);
		int64_t c, h, s;
		bool pc, ph, ps;

		if ((r = get_int(p, o, "containerID", e, 0, UINT32_MAX - 1, &c, &pc)) < 0 ||
		    (r = get_int(p, o, "hostID", e, 0, UINT32_MAX - 1, &h, &ph)) < 0 ||
		    (r = get_int(p, o, "size", e, 1, UINT32_MAX, &s, &ps)) < 0)
			return r;
		if (!pc || !ph || !ps)
			return fail(p, e, "%s: missing", !pc ? "containerID" : !ph ? "hostID" : "size");
		(*out)[i] = (struct spec_id_mapping) { c, h, s };
	}
	*n_out = n;
	return 0;
}

/* path with "//", "/./" and ".." resolved lexically (".." above / stays at /). */
static char *clean_path(const char *path)
{
	char *out = xmalloc(strlen(path) + 2), *o = out;
	const char *c = path;

	*o = '\0';
	while (*c) {
		size_t len;
		while (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (len == 0)
			break;
		if (len == 1 && c[0] == '.') {
			/* nothing */
		} else if (len == 2 && c[0] == '.' && c[1] == '.') {
			char *slash = strrchr(out, '/');
			if (slash) {
				*slash = '\0';
				o = slash;
			}
		} else {
			*o++ = '/';
			memcpy(o, c, len);
			o += len;
			*o = '\0';
		}
		c += len;
	}
	if (out[0] == '\0')
		strcpy(out, "/");
	return out;
}

/* Only procfs goes on /proc, and over its files only the ones lxcfs provides may be
 * bound: anything else on /proc could catch what the runtime writes there (an LSM
 * label, CVE-2019-16884; a sysctl, CVE-2025-52881) or hide what it masks.  runc
 * checks the same. */
static int check_proc_mount(struct parser *p, const char *f, const struct spec_mount *m)
{
	static const char *const lxcfs_files[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
		"/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	_cleanup_free_ char *dest = clean_path(m->destination);
	bool proc = m->type && !strcmp(m->type, "proc") && !m->bind;

	if (strcmp(dest, "/proc") && !str_has_prefix(dest, "/proc/"))
		return 0;
	if (!strcmp(dest, "/proc"))
		return proc ? 0 : fail(p, f, "destination: only procfs (type \"proc\") may be mounted on /proc");
	for (size_t i = 0; i < ARRAY_SIZE(lxcfs_files); i++)
		if (!strcmp(dest, lxcfs_files[i]) && !proc)
			return 0;
	return fail(p, f, "destination: \"%s\" is inside /proc, where only lxcfs's files (/proc/cpuinfo, "
		    "/proc/meminfo, ...) may be mounted over", m->destination);
}

static int parse_mount(struct parser *p, const json_value *o, const char *f, struct spec_mount *m)
{
	_cleanup_strv_ char **opts = NULL;
	_cleanup_free_ char *data = NULL;
	size_t n = 0, i, j;
	int r;

	if ((r = get_string(p, o, "destination", f, &m->destination)) < 0 ||
	    (r = get_string(p, o, "source", f, &m->source)) < 0 ||
	    (r = get_string(p, o, "type", f, &m->type)) < 0 ||
	    (r = get_strv(p, o, "options", f, &opts, &n)) < 0)
		return r;
	if (!m->destination)
		return fail(p, f, "destination: missing");
	if (m->destination[0] != '/')
		return fail(p, f, "destination: \"%s\" must be an absolute path", m->destination);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(mount_options); j++)
			if (!strcmp(mount_options[j].name, opts[i]))
				break;
		if (j == ARRAY_SIZE(mount_options)) {
			/* Not a flag: the filesystem's own option (size=, mode=, lowerdir=, ...). */
			char *d = data ? xasprintf("%s,%s", data, opts[i]) : xstrdup(opts[i]);
			free(data);
			data = d;
			continue;
		}
		switch (mount_options[j].kind) {
		case OPT_FLAG:
			m->flags |= mount_options[j].value;
			break;
		case OPT_CLEAR:
			m->flags &= ~mount_options[j].value;
			break;
		case OPT_PROPAGATION:
			m->propagation = mount_options[j].value;
			break;
		case OPT_ATTR:
			m->attr_set |= mount_options[j].value;
			m->attr_clr &= ~mount_options[j].value;
			if (mount_options[j].value & MOUNT_ATTR__ATIME || !strcmp(opts[i], "rrelatime"))
				m->attr_clr |= MOUNT_ATTR__ATIME;
			break;
		case OPT_ATTR_CLEAR:
			m->attr_clr |= mount_options[j].value;
			m->attr_set &= ~mount_options[j].value;
			break;
		case OPT_BIND:
			m->bind = true;
			break;
		case OPT_RBIND:
			m->bind = m->rbind = true;
			break;
		case OPT_IDMAP:
			m->idmap = true;
			break;
		case OPT_RIDMAP:
			m->idmap = m->ridmap = true;
			break;
		case OPT_IGNORE:
			break;
		}
	}
	if (m->type && !strcmp(m->type, "bind"))
		m->bind = true;
	if (!m->type && !m->bind)
		return fail(p, f, "type: missing (and no bind or rbind option)");
	if (m->bind && !m->source)
		return fail(p, f, "source: missing for a bind mount");
	if ((r = parse_id_mappings(p, o, "uidMappings", f, &m->uid_mappings, &m->n_uid_mappings)) < 0 ||
	    (r = parse_id_mappings(p, o, "gidMappings", f, &m->gid_mappings, &m->n_gid_mappings)) < 0)
		return r;
	if ((m->n_uid_mappings || m->n_gid_mappings) && !m->idmap)
		m->idmap = true; /* mappings imply an idmapped mount (runtime-spec 1.1) */
	if (m->idmap && !m->bind)
		return fail(p, f, "options: idmap is only supported on bind mounts");
	if ((r = check_proc_mount(p, f, m)) < 0)
		return r;
	m->data = TAKE_PTR(data);
	return 0;
}

/* ---- linux ---------------------------------------------------------------------- */
static const struct {
	const char *name;
	int type;
} namespace_names[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

int spec_namespace_type(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (!strcmp(namespace_names[i].name, name))
			return namespace_names[i].type;
	return -1;
}

const struct spec_namespace *spec_find_namespace(const struct spec *s, int type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

static int parse_namespaces(struct parser *p, const json_value *lin, struct spec *s)
{
	const json_value *arr;
	size_t n, i, j;
	int r;

	if ((r = get_object_array(p, lin, "namespaces", "linux", &arr, &n)) < 0 || n == 0)
		return r;
	s->namespaces = xcalloc(n, sizeof(*s->namespaces));
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *f = xasprintf("linux.namespaces[%zu]", i);
		_cleanup_free_ char *type = NULL;
		struct spec_namespace *ns = &s->namespaces[i];

		if ((r = get_string(p, json_array_at(arr, i), "type", f, &type)) < 0 ||
		    (r = get_string(p, json_array_at(arr, i), "path", f, &ns->path)) < 0)
			return r;
		s->n_namespaces++;
		if (!type)
			return fail(p, f, "type: missing");
		ns->type = spec_namespace_type(type);
		if (ns->type < 0)
			return fail(p, f, "type: unknown namespace \"%s\"", type);
		if (ns->path && ns->path[0] != '/')
			return fail(p, f, "path: \"%s\" must be an absolute path", ns->path);
		for (j = 0; j < i; j++)
			if (s->namespaces[j].type == ns->type)
				return fail(p, f, "type: \"%s\" is listed twice", type);
		s->ns_all |= ns->type;
		if (!ns->path)
			s->ns_new |= ns->type;
	}
	return 0;
}

static int parse_devices(struct parser *p, const json_value *lin, struct spec *s)
{
	const json_value *arr;
	size_t n, i;
	int r;

	if ((r = get_object_array(p, lin, "devices", "linux", &arr, &n)) < 0 || n == 0)
		return r;
	s->devices = xcalloc(n, sizeof(*s->devices));
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *f = xasprintf("linux.devices[%zu]", i);
		_cleanup_free_ char *type = NULL;
		const json_value *o = json_array_at(arr, i);
		struct spec_device *d = &s->devices[i];
		int64_t v;
		bool has_major, has_minor;

		if ((r = get_string(p, o, "type", f, &type)) < 0 || (r = get_string(p, o, "path", f, &d->path)) < 0)
			return r;
		s->n_devices++;
		if (!d->path || d->path[0] != '/')
			return fail(p, f, "path: must be an absolute path");
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return fail(p, f, "type: must be one of c, b, u, p");
		d->type = type[0];
		if ((r = get_int(p, o, "major", f, 0, 0xfff, &d->major, &has_major)) < 0 ||
		    (r = get_int(p, o, "minor", f, 0, 0xfffff, &d->minor, &has_minor)) < 0)
			return r;
		if (d->type != 'p' && (!has_major || !has_minor))
			return fail(p, f, "%s: missing for a device of type %c", has_major ? "minor" : "major", d->type);
		if ((r = get_int(p, o, "fileMode", f, 0, 07777, &v, &d->has_mode)) < 0)
			return r;
		d->mode = v;
		if ((r = get_int(p, o, "uid", f, 0, UINT32_MAX - 1, &v, &d->has_uid)) < 0)
			return r;
		d->uid = v;
		if ((r = get_int(p, o, "gid", f, 0, UINT32_MAX - 1, &v, &d->has_gid)) < 0)
			return r;
		d->gid = v;
	}
	return 0;
}

static int parse_time_offsets(struct parser *p, const json_value *lin, struct spec *s)
{
	const json_value *to, *clk;
	int r;

	if ((r = get_object(p, lin, "timeOffsets", "linux", &to)) < 0 || !to)
		return r;
	s->has_time_offsets = true;
	if ((r = get_object(p, to, "monotonic", "linux.timeOffsets", &clk)) < 0)
		return r;
	if (clk) {
		int64_t ns = 0;
		if ((r = get_int(p, clk, "secs", "linux.timeOffsets.monotonic", INT64_MIN, INT64_MAX, &s->monotonic_secs, NULL)) < 0 ||
		    (r = get_int(p, clk, "nanosecs", "linux.timeOffsets.monotonic", 0, 999999999, &ns, NULL)) < 0)
			return r;
		s->monotonic_nsecs = ns;
	}
	if ((r = get_object(p, to, "boottime", "linux.timeOffsets", &clk)) < 0)
		return r;
	if (clk) {
		int64_t ns = 0;
		if ((r = get_int(p, clk, "secs", "linux.timeOffsets.boottime", INT64_MIN, INT64_MAX, &s->boottime_secs, NULL)) < 0 ||
		    (r = get_int(p, clk, "nanosecs", "linux.timeOffsets.boottime", 0, 999999999, &ns, NULL)) < 0)
			return r;
		s->boottime_nsecs = ns;
	}
	return 0;
}

static int parse_propagation(struct parser *p, const char *v, unsigned long *out)
{
	static const struct { const char *name; unsigned long flags; } table[] = {
		{ "shared", MS_SHARED }, { "slave", MS_SLAVE }, { "private", MS_PRIVATE },
		{ "unbindable", MS_UNBINDABLE }, { "rshared", MS_SHARED | MS_REC },
		{ "rslave", MS_SLAVE | MS_REC }, { "rprivate", MS_PRIVATE | MS_REC },
		{ "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].name, v)) {
			*out = table[i].flags;
			return 0;
		}
	return fail(p, "linux.rootfsPropagation", "unknown propagation \"%s\"", v);
}

static int check_paths(struct parser *p, char **paths, const char *field)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (paths[i][0] != '/') {
			_cleanup_free_ char *f = xasprintf("%s[%zu]", field, i);
			return fail(p, f, "\"%s\" must be an absolute path", paths[i]);
		}
	return 0;
}

/* KEY with '.' as its separator, in BUF; false if it does not fit. */
static bool sysctl_dotted(const char *key, char *buf, size_t size)
{
	size_t n = strlen(key);

	if (n >= size)
		return false;
	for (size_t i = 0; i <= n; i++)
		buf[i] = key[i] == '/' ? '.' : key[i];
	return true;
}

/* The namespace a sysctl lives in, as the kernel scopes it (ipc_sysctl.c, mq_sysctl.c,
 * utsname_sysctl.c, the net.* tables, pid_namespace.c), or 0 for one that reaches the
 * host whatever the container's namespaces: those are refused, as runc does.  KEY
 * may use '/' or '.' as its separator. */
int spec_sysctl_namespace(const char *key)
{
	static const struct {
		const char *prefix;
		bool exact;
		int type;
	} table[] = {
		{ "kernel.msg", false, CLONE_NEWIPC },       /* msgmax msgmnb msgmni msg_next_id */
		{ "kernel.sem", false, CLONE_NEWIPC },       /* sem sem_next_id */
		{ "kernel.shm", false, CLONE_NEWIPC },       /* shmall shmmax shmmni shm_rmid_forced shm_next_id */
		{ "kernel.auto_msgmni", true, CLONE_NEWIPC },
		{ "fs.mqueue.", false, CLONE_NEWIPC },
		{ "net.", false, CLONE_NEWNET },
		{ "kernel.hostname", true, CLONE_NEWUTS },
		{ "kernel.domainname", true, CLONE_NEWUTS },
		{ "kernel.ns_last_pid", true, CLONE_NEWPID },
	};
	char k[256];

	if (!sysctl_dotted(key, k, sizeof(k)))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].exact ? !strcmp(k, table[i].prefix) : !strncmp(k, table[i].prefix, strlen(table[i].prefix)))
			return table[i].type;
	return 0;
}

static const char *namespace_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (namespace_names[i].type == type)
			return namespace_names[i].name;
	return "?";
}

/* A sysctl is written only into a namespace of the container's own: otherwise it
 * would change the host's value. */
static int check_sysctl(struct parser *p, const struct spec *s, const char *key, const char *field)
{
	int type = spec_sysctl_namespace(key);
	char k[256];

	if (!type)
		return fail(p, field, "not allowed: this sysctl is not scoped by any namespace, so it would "
			    "change the host's value");
	if (!(s->ns_all & type))
		return fail(p, field, "needs a private %s namespace (without one it would change the host's value)",
			    namespace_name(type));
	if (type == CLONE_NEWUTS && sysctl_dotted(key, k, sizeof(k))) {
		if (!strcmp(k, "kernel.hostname") && s->hostname)
			return fail(p, field, "conflicts with the \"hostname\" field: set one of them");
		if (!strcmp(k, "kernel.domainname") && s->domainname)
			return fail(p, field, "conflicts with the \"domainname\" field: set one of them");
	}
	return 0;
}

/* linux.memoryPolicy (runtime-spec 1.3), checked as set_mempolicy(2) would: a mode
 * that takes nodes needs them, one that takes none refuses them, and the flags fit. */
enum { NODES_FORBIDDEN, NODES_OPTIONAL, NODES_REQUIRED };
static const struct {
	const char *name;
	int mode, nodes;
} mempolicy_modes[] = {
	{ "MPOL_DEFAULT", 0, NODES_FORBIDDEN }, { "MPOL_PREFERRED", 1, NODES_OPTIONAL },
	{ "MPOL_BIND", 2, NODES_REQUIRED }, { "MPOL_INTERLEAVE", 3, NODES_REQUIRED },
	{ "MPOL_LOCAL", 4, NODES_FORBIDDEN }, { "MPOL_PREFERRED_MANY", 5, NODES_REQUIRED },
	{ "MPOL_WEIGHTED_INTERLEAVE", 6, NODES_REQUIRED },
};
#define MPOL_FLAG_NUMA_BALANCING (1u << 13)
#define MPOL_FLAG_RELATIVE_NODES (1u << 14)
#define MPOL_FLAG_STATIC_NODES (1u << 15)
static const struct {
	const char *name;
	unsigned flag;
} mempolicy_flags[] = {
	{ "MPOL_F_NUMA_BALANCING", MPOL_FLAG_NUMA_BALANCING },
	{ "MPOL_F_RELATIVE_NODES", MPOL_FLAG_RELATIVE_NODES },
	{ "MPOL_F_STATIC_NODES", MPOL_FLAG_STATIC_NODES },
};

const char *spec_mempolicy_mode_name(size_t i)
{
	return i < ARRAY_SIZE(mempolicy_modes) ? mempolicy_modes[i].name : NULL;
}

const char *spec_mempolicy_flag_name(size_t i)
{
	return i < ARRAY_SIZE(mempolicy_flags) ? mempolicy_flags[i].name : NULL;
}

static int parse_memory_policy(struct parser *p, const json_value *mp, struct spec *s)
{
	_cleanup_free_ char *mode = NULL, *nodes = NULL;
	_cleanup_strv_ char **flags = NULL;
	size_t i, k, n_flags = 0;
	int r, need = NODES_OPTIONAL;

	if ((r = get_string(p, mp, "mode", "linux.memoryPolicy", &mode)) < 0 ||
	    (r = get_string(p, mp, "nodes", "linux.memoryPolicy", &nodes)) < 0 ||
	    (r = get_strv(p, mp, "flags", "linux.memoryPolicy", &flags, &n_flags)) < 0)
		return r;
	if (!mode)
		return fail(p, "linux.memoryPolicy.mode", "missing");
	for (i = 0; i < ARRAY_SIZE(mempolicy_modes); i++)
		if (!strcmp(mode, mempolicy_modes[i].name))
			break;
	if (i == ARRAY_SIZE(mempolicy_modes))
		return fail(p, "linux.memoryPolicy.mode", "unknown mode \"%s\"", mode);
	s->mempolicy_mode = mempolicy_modes[i].mode;
	need = mempolicy_modes[i].nodes;
	if (nodes && *nodes) {
		r = parse_number_list(nodes, s->mempolicy_nodes, SPEC_MPOL_NODES);
		if (r == -ERANGE)
			return fail(p, "linux.memoryPolicy.nodes", "\"%s\": a node past %d or a range backwards", nodes,
				    SPEC_MPOL_NODES - 1);
		if (r < 0)
			return fail(p, "linux.memoryPolicy.nodes", "\"%s\" is not a list of nodes such as \"0-3,7\"", nodes);
		if (need == NODES_FORBIDDEN)
			return fail(p, "linux.memoryPolicy.nodes", "%s takes no nodes", mode);
	} else if (need == NODES_REQUIRED) {
		return fail(p, "linux.memoryPolicy.nodes", "%s needs a list of nodes", mode);
	}
	for (i = 0; i < n_flags; i++) {
		_cleanup_free_ char *f = xasprintf("linux.memoryPolicy.flags[%zu]", i);
		for (k = 0; k < ARRAY_SIZE(mempolicy_flags); k++)
			if (!strcmp(flags[i], mempolicy_flags[k].name))
				break;
		if (k == ARRAY_SIZE(mempolicy_flags))
			return fail(p, f, "unknown flag \"%s\"", flags[i]);
		s->mempolicy_flags |= mempolicy_flags[k].flag;
	}
	if ((s->mempolicy_flags & MPOL_FLAG_STATIC_NODES) && (s->mempolicy_flags & MPOL_FLAG_RELATIVE_NODES))
		return fail(p, "linux.memoryPolicy.flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
	if (s->mempolicy_flags && need == NODES_FORBIDDEN)
		return fail(p, "linux.memoryPolicy.flags", "%s takes no flags", mode);
	if ((s->mempolicy_flags & MPOL_FLAG_NUMA_BALANCING) && strcmp(mode, "MPOL_BIND") &&
	    strcmp(mode, "MPOL_PREFERRED_MANY"))
		return fail(p, "linux.memoryPolicy.flags", "MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only");
	s->has_mempolicy = true;
	return 0;
}

/* An interface name the kernel takes (dev_valid_name): 1-15 bytes, not "." or "..",
 * no '/', ':' or white space. */
static bool valid_ifname(const char *n)
{
	size_t len = strlen(n);

	if (!len || len >= 16 || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (; *n; n++)
		if (*n == '/' || *n == ':' || isspace((unsigned char) *n))
			return false;
	return true;
}

/* linux.netDevices (runtime-spec 1.3): host interface -> {"name": in the container}. */
static int parse_net_devices(struct parser *p, const json_value *nd, struct spec *s)
{
	size_t n = json_len(nd);
	int r;

	s->net_devices = xcalloc(n ? n : 1, sizeof(*s->net_devices));
	for (size_t i = 0; i < n; i++) {
		const char *host = json_object_key_at(nd, i);
		const json_value *o = json_object_value_at(nd, i);
		_cleanup_free_ char *f = xasprintf("linux.netDevices.%s", host);
		struct spec_net_device *d = &s->net_devices[i];

		if (!valid_ifname(host))
			return fail(p, f, "not a network interface name (1-15 characters, no '/', ':' or spaces)");
		if ((r = expect_type(p, o, JSON_OBJECT, f)) < 0 || (r = get_string(p, o, "name", f, &d->name)) < 0)
			return r;
		d->host = xstrdup(host);
		s->n_net_devices++;
		if (!d->name || !*d->name) {
			free(d->name);
			d->name = xstrdup(host);
		}
		if (!valid_ifname(d->name)) {
			_cleanup_free_ char *nf = xasprintf("%s.name", f);
			return fail(p, nf, "\"%s\" is not a network interface name (1-15 characters, no '/', ':' or spaces)",
				    d->name);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->net_devices[j].name, d->name))
				return fail(p, f, "the name \"%s\" is given to linux.netDevices.%s too", d->name,
					    s->net_devices[j].host);
	}
	return 0;
}

static int parse_linux(struct parser *p, const json_value *lin, struct spec *s)
{
	const json_value *sysctl, *pers, *mempolicy, *netdevs;
	_cleanup_free_ char *prop = NULL;
	int r;

	if ((r = parse_namespaces(p, lin, s)) < 0 ||
	    (r = parse_id_mappings(p, lin, "uidMappings", "linux", &s->uid_mappings, &s->n_uid_mappings)) < 0 ||
	    (r = parse_id_mappings(p, lin, "gidMappings", "linux", &s->gid_mappings, &s->n_gid_mappings)) < 0 ||
	    (r = parse_time_offsets(p, lin, s)) < 0 ||
	    (r = parse_devices(p, lin, s)) < 0 ||
	    (r = get_string(p, lin, "cgroupsPath", "linux", &s->cgroups_path)) < 0 ||
	    (r = get_object(p, lin, "resources", "linux", &s->resources)) < 0 ||
	    (r = get_object(p, lin, "seccomp", "linux", &s->seccomp)) < 0 ||
	    (r = get_string(p, lin, "rootfsPropagation", "linux", &prop)) < 0 ||
	    (r = get_strv(p, lin, "maskedPaths", "linux", &s->masked_paths, NULL)) < 0 ||
	    (r = get_strv(p, lin, "readonlyPaths", "linux", &s->readonly_paths, NULL)) < 0 ||
	    (r = get_string(p, lin, "mountLabel", "linux", &s->mount_label)) < 0 ||
	    (r = get_object(p, lin, "sysctl", "linux", &sysctl)) < 0 ||
	    (r = get_object(p, lin, "personality", "linux", &pers)) < 0 ||
	    (r = get_object(p, lin, "memoryPolicy", "linux", &mempolicy)) < 0 ||
	    (r = get_object(p, lin, "netDevices", "linux", &netdevs)) < 0)
		return r;
	if (netdevs && (r = parse_net_devices(p, netdevs, s)) < 0)
		return r;
	if (mempolicy && (r = parse_memory_policy(p, mempolicy, s)) < 0)
		return r;
	if (prop && (r = parse_propagation(p, prop, &s->rootfs_propagation)) < 0)
		return r;
	if ((r = check_paths(p, s->masked_paths, "linux.maskedPaths")) < 0 ||
	    (r = check_paths(p, s->readonly_paths, "linux.readonlyPaths")) < 0)
		return r;
	if (sysctl) {
		size_t i, n = json_len(sysctl);
		s->sysctl_keys = xcalloc(n + 1, sizeof(char *));
		s->sysctl_values = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++) {
			const char *k = json_object_key_at(sysctl, i);
			const char *v = json_string(json_object_value_at(sysctl, i));
			_cleanup_free_ char *f = xasprintf("linux.sysctl.%s", k);
			if (!v)
				return fail(p, f, "must be a string");
			if (!*k || strstr(k, "..") || k[0] == '/' || k[0] == '.')
				return fail(p, f, "not a valid sysctl name");
			s->sysctl_keys[i] = xstrdup(k);
			s->sysctl_values[i] = xstrdup(v);
			s->n_sysctl++;
		}
	}
	if (pers) {
		_cleanup_free_ char *domain = NULL;
		if ((r = get_string(p, pers, "domain", "linux.personality", &domain)) < 0)
			return r;
		if (!domain || (strcmp(domain, "LINUX") && strcmp(domain, "LINUX32")))
			return fail(p, "linux.personality.domain", "must be LINUX or LINUX32");
		s->has_personality = true;
		s->personality = strcmp(domain, "LINUX") ? PER_LINUX32 : PER_LINUX;
	}
	return 0;
}

/* ---- hooks ------------------------------------------------------------------------ */
static int parse_hooks(struct parser *p, const json_value *doc, struct spec *s)
{
	const json_value *hooks;
	int r, k;

	if ((r = get_object(p, doc, "hooks", "", &hooks)) < 0 || !hooks)
		return r;
	for (k = 0; k < HOOK_KINDS; k++) {
		const json_value *arr;
		_cleanup_free_ char *f = xasprintf("hooks.%s", spec_hook_names[k]);
		size_t n, i;

		if ((r = get_object_array(p, hooks, spec_hook_names[k], "hooks", &arr, &n)) < 0)
			return r;
		if (n == 0)
			continue;
		s->hooks[k] = xcalloc(n, sizeof(struct spec_hook));
		for (i = 0; i < n; i++) {
			_cleanup_free_ char *e = xasprintf("%s[%zu]", f, i);
			const json_value *o = json_array_at(arr, i);
			struct spec_hook *h = &s->hooks[k][i];
			int64_t t = 0;
			bool has_timeout;

			s->n_hooks[k]++;
			if ((r = get_string(p, o, "path", e, &h->path)) < 0 ||
			    (r = get_strv(p, o, "args", e, &h->args, NULL)) < 0 ||
			    (r = get_strv(p, o, "env", e, &h->env, NULL)) < 0 ||
			    (r = get_int(p, o, "timeout", e, 1, INT32_MAX, &t, &has_timeout)) < 0)
				return r;
			if (!h->path || h->path[0] != '/')
				return fail(p, e, "path: must be an absolute path");
			h->timeout = t;
		}
	}
	return 0;
}

/* ---- the document --------------------------------------------------------------- */
/* Checks that span sections: what one field requires of another. */
static int validate(struct parser *p, struct spec *s)
{
	if (s->hostname && !(s->ns_all & CLONE_NEWUTS))
		return fail(p, "hostname", "needs a uts namespace");
	if (s->domainname && !(s->ns_all & CLONE_NEWUTS))
		return fail(p, "domainname", "needs a uts namespace");
	if ((s->n_uid_mappings || s->n_gid_mappings) && !(s->ns_new & CLONE_NEWUSER))
		return fail(p, "linux.uidMappings", "needs a new user namespace");
	for (size_t i = 0; i < s->n_sysctl; i++) {
		_cleanup_free_ char *f = xasprintf("linux.sysctl.%s", s->sysctl_keys[i]);
		int r = check_sysctl(p, s, s->sysctl_keys[i], f);
		if (r < 0)
			return r;
	}
	if ((s->ns_new & CLONE_NEWUSER) && (!s->n_uid_mappings || !s->n_gid_mappings))
		return fail(p, s->n_uid_mappings ? "linux.gidMappings" : "linux.uidMappings",
			    "a new user namespace needs uid and gid mappings");
	if (s->n_net_devices && !(s->ns_all & CLONE_NEWNET))
		return fail(p, "linux.netDevices", "needs a network namespace (linux.namespaces has none): the "
			    "interfaces would stay the host's");
	if (s->has_time_offsets && !(s->ns_new & CLONE_NEWTIME))
		return fail(p, "linux.timeOffsets", "needs a new time namespace");
	if (s->process.terminal && !(s->ns_all & CLONE_NEWNS))
		return fail(p, "process.terminal", "needs a mount namespace");
	if (!(s->ns_all & CLONE_NEWNS) && s->n_mounts)
		return fail(p, "mounts", "need a mount namespace");
	return 0;
}

int spec_parse(const char *text, const char *label, const char *bundle, struct spec **out,
	       struct husk_error *err)
{
	struct parser p = { label, err };
	struct spec *s = xcalloc(1, sizeof(*s));
	const json_value *root, *proc, *lin, *mounts;
	_cleanup_free_ char *root_path = NULL;
	char jerr[256];
	size_t n, i;
	int r;

	r = json_parse(text, &s->doc, jerr, sizeof(jerr));
	if (r < 0) {
		free(s);
		return husk_error_set(err, EINVAL, "%s: invalid JSON: %s", label, jerr);
	}
	if ((r = expect_type(&p, s->doc, JSON_OBJECT, "(document)")) < 0)
		goto fail;
	if ((r = get_string(&p, s->doc, "ociVersion", "", &s->oci_version)) < 0)
		goto fail;
	if (!s->oci_version) {
		r = fail(&p, "ociVersion", "missing");
		goto fail;
	}
	if (strncmp(s->oci_version, "1.", 2)) {
		r = fail(&p, "ociVersion", "\"%s\" is not a runtime-spec 1.x version", s->oci_version);
		goto fail;
	}
	if ((r = get_object(&p, s->doc, "root", "", &root)) < 0)
		goto fail;
	if (!root) {
		r = fail(&p, "root", "missing");
		goto fail;
	}
	if ((r = get_string(&p, root, "path", "root", &root_path)) < 0 ||
	    (r = get_bool(&p, root, "readonly", "root", &s->root_readonly)) < 0)
		goto fail;
	if (!root_path || !*root_path) {
		r = fail(&p, "root.path", "missing");
		goto fail;
	}
	s->root_path = root_path[0] == '/' || !bundle ? xstrdup(root_path) : xasprintf("%s/%s", bundle, root_path);
	if ((r = get_string(&p, s->doc, "hostname", "", &s->hostname)) < 0 ||
	    (r = get_string(&p, s->doc, "domainname", "", &s->domainname)) < 0 ||
	    (r = get_object(&p, s->doc, "annotations", "", &s->annotations)) < 0)
		goto fail;
	if (s->annotations)
		for (i = 0; i < json_len(s->annotations); i++)
			if (!json_string(json_object_value_at(s->annotations, i))) {
				_cleanup_free_ char *f = xasprintf("annotations.%s", json_object_key_at(s->annotations, i));
				r = fail(&p, f, "must be a string");
				goto fail;
			}
	proc = json_object_get(s->doc, "process");
	if (proc && json_type_of(proc) != JSON_NULL) {
		if ((r = spec_parse_process(proc, label, "process", &s->process, err)) < 0)
			goto fail;
		s->has_process = true;
	}
	if ((r = get_object_array(&p, s->doc, "mounts", "", &mounts, &n)) < 0)
		goto fail;
	s->mounts = xcalloc(n ? n : 1, sizeof(*s->mounts));
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *f = xasprintf("mounts[%zu]", i);
		s->n_mounts++;
		if ((r = parse_mount(&p, json_array_at(mounts, i), f, &s->mounts[i])) < 0)
			goto fail;
	}
	if ((r = parse_hooks(&p, s->doc, s)) < 0)
		goto fail;
	if ((r = get_object(&p, s->doc, "linux", "", &lin)) < 0)
		goto fail;
	if (lin && (r = parse_linux(&p, lin, s)) < 0)
		goto fail;
	if ((r = validate(&p, s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	spec_free(s);
	return r;
}

int spec_load(const char *file, const char *bundle, struct spec **out, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct spec *s;
	struct stat st;
	size_t len;
	int r;

	r = read_regular_file_at(AT_FDCWD, file, SPEC_MAX_SIZE, &text, &len);
	if (r == -EBADFD)
		return husk_error_set(err, EINVAL, "%s: not a regular file", file);
	if (r == -EFBIG)
		return husk_error_set(err, EFBIG, "%s: larger than %u MiB", file, SPEC_MAX_SIZE >> 20);
	if (r < 0)
		return husk_error_sys(err, -r, "open %s", file);
	if (strlen(text) != len)
		return husk_error_set(err, EINVAL, "%s: contains a NUL byte", file);
	r = spec_parse(text, "config.json", bundle, &s, err);
	if (r < 0)
		return r;
	if (stat(s->root_path, &st) < 0) {
		r = husk_error_sys(err, errno, "config.json: root.path: \"%s\"", s->root_path);
		spec_free(s);
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = husk_error_set(err, ENOTDIR, "config.json: root.path: \"%s\" is not a directory", s->root_path);
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void spec_free(struct spec *s)
{
	size_t i;
	int k;

	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	spec_process_free(&s->process);
	for (i = 0; i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		free(m->data);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(s->mounts);
	for (k = 0; k < HOOK_KINDS; k++) {
		for (i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(s->hooks[k][i].args);
			strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	for (i = 0; i < s->n_namespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	free(s->uid_mappings);
	free(s->gid_mappings);
	for (i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	free(s->cgroups_path);
	for (i = 0; i < s->n_net_devices; i++) {
		free(s->net_devices[i].host);
		free(s->net_devices[i].name);
	}
	free(s->net_devices);
	strv_free(s->sysctl_keys);
	strv_free(s->sysctl_values);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	free(s->mount_label);
	json_free(s->doc);
	free(s);
}
