/* seccomp.c - runtime-spec linux.seccomp -> libseccomp filter. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <seccomp.h>

#include "seccomp_filter.h"
#include "utils.h"

struct seccomp_filter {
	scmp_filter_ctx ctx;
};

static int parse_action(const char *name, uint32_t errno_ret, uint32_t *out)
{
	static const struct { const char *name; uint32_t action; } actions[] = {
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL }, { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS }, { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW }, { "SCMP_ACT_LOG", SCMP_ACT_LOG },
	};
	if (!strcmp(name, "SCMP_ACT_ERRNO")) {
		*out = SCMP_ACT_ERRNO(errno_ret);
		return 0;
	}
	if (!strcmp(name, "SCMP_ACT_TRACE")) {
		*out = SCMP_ACT_TRACE(errno_ret);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(actions[i].name, name)) {
			*out = actions[i].action;
			return 0;
		}
	return -EINVAL;
}

static int parse_op(const char *name, enum scmp_compare *out)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name)) {
			*out = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

static uint32_t errno_ret_of(const json_value *obj, uint32_t dflt)
{
	uint64_t v;
	return json_uint64(json_object_get(obj, "errnoRet"), &v) == 0 ? (uint32_t) v : dflt;
}

static int add_rule(scmp_filter_ctx ctx, const json_value *rule, size_t i, uint32_t default_action,
		    struct husk_error *err)
{
	const json_value *names = json_object_get(rule, "names"), *args = json_object_get(rule, "args");
	const char *action_name = json_string(json_object_get(rule, "action"));
	struct scmp_arg_cmp cmp[6];
	size_t n_args = json_len(args), j;
	uint32_t action;
	int r;

	if (!action_name)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].action: missing", i);
	if (!strcmp(action_name, "SCMP_ACT_NOTIFY"))
		return husk_error_set(err, ENOTSUP, "config.json: linux.seccomp.syscalls[%zu].action: "
				      "SCMP_ACT_NOTIFY is not supported by husk yet", i);
	if (parse_action(action_name, errno_ret_of(rule, EPERM), &action) < 0)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].action: unknown action \"%s\"",
				      i, action_name);
	if (action == default_action)
		return 0; /* libseccomp refuses a rule that repeats the default */
	if (n_args > 6)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].args: more than 6", i);
	for (j = 0; j < n_args; j++) {
		const json_value *a = json_array_at(args, j);
		uint64_t index = 0, value = 0, value2 = 0;
		const char *op = json_string(json_object_get(a, "op"));

		if (json_uint64(json_object_get(a, "index"), &index) < 0 || index > 5)
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].args[%zu].index: must be 0-5", i, j);
		json_uint64(json_object_get(a, "value"), &value);
		json_uint64(json_object_get(a, "valueTwo"), &value2);
		if (!op || parse_op(op, &cmp[j].op) < 0)
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].args[%zu].op: unknown \"%s\"",
					      i, j, op ? op : "");
		cmp[j].arg = index;
		cmp[j].datum_a = value;
		cmp[j].datum_b = value2;
	}
	for (j = 0; j < json_len(names); j++) {
		const char *name = json_string(json_array_at(names, j));
		int nr;

		if (!name)
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].names[%zu]: must be a string", i, j);
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown on this architecture: skipped, as runc and crun do */
		r = seccomp_rule_add_array(ctx, action, nr, n_args, cmp);
		if (r < 0 && r != -EEXIST)
			return husk_error_sys(err, -r, "config.json: linux.seccomp.syscalls[%zu]: add rule for \"%s\"", i, name);
	}
	return 0;
}

int seccomp_compile(const json_value *sc, struct seccomp_filter **out, struct husk_error *err)
{
	const char *def = json_string(json_object_get(sc, "defaultAction"));
	const json_value *archs = json_object_get(sc, "architectures"), *syscalls = json_object_get(sc, "syscalls");
	const json_value *flags = json_object_get(sc, "flags");
	uint32_t default_errno = EPERM;
	struct seccomp_filter *f;
	uint32_t action;
	uint64_t v;
	size_t i;
	int r;

	if (json_uint64(json_object_get(sc, "defaultErrnoRet"), &v) == 0)
		default_errno = v;
	if (!def)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.defaultAction: missing");
	if (parse_action(def, default_errno, &action) < 0)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.defaultAction: unknown action \"%s\"", def);
	f = xcalloc(1, sizeof(*f));
	f->ctx = seccomp_init(action);
	if (!f->ctx) {
		free(f);
		return husk_error_set(err, EINVAL, "seccomp_init failed");
	}
	for (i = 0; i < json_len(archs); i++) {
		const char *a = json_string(json_array_at(archs, i));
		uint32_t arch;
		/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64" */
		_cleanup_free_ char *lower = xstrdup(a && str_has_prefix(a, "SCMP_ARCH_") ? a + 10 : "");
		for (char *c = lower; *c; c++)
			*c = *c >= 'A' && *c <= 'Z' ? *c + 32 : *c;
		arch = seccomp_arch_resolve_name(lower);
		if (!arch) {
			r = husk_error_set(err, EINVAL, "config.json: linux.seccomp.architectures[%zu]: unknown \"%s\"", i, a ? a : "");
			goto fail;
		}
		r = seccomp_arch_add(f->ctx, arch);
		if (r < 0 && r != -EEXIST) {
			r = husk_error_sys(err, -r, "config.json: linux.seccomp.architectures[%zu]", i);
			goto fail;
		}
	}
	for (i = 0; i < json_len(flags); i++) {
		const char *fl = json_string(json_array_at(flags, i));
		if (fl && !strcmp(fl, "SECCOMP_FILTER_FLAG_LOG"))
			seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (fl && !strcmp(fl, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_SSB, 1);
		else if (fl && !strcmp(fl, "SECCOMP_FILTER_FLAG_TSYNC"))
			seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_TSYNC, 1);
		else if (fl && !strcmp(fl, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			; /* only meaningful with SCMP_ACT_NOTIFY */
		else {
			r = husk_error_set(err, EINVAL, "config.json: linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, fl ? fl : "");
			goto fail;
		}
	}
	/* husk sets no_new_privs itself when the config asks; libseccomp must not. */
	seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (i = 0; i < json_len(syscalls); i++)
		if ((r = add_rule(f->ctx, json_array_at(syscalls, i), i, action, err)) < 0)
			goto fail;
	*out = f;
	return 0;
fail:
	seccomp_filter_free(f);
	return r;
}

int seccomp_load_filter(struct seccomp_filter *f, struct husk_error *err)
{
	int r = seccomp_load(f->ctx);
	if (r < 0)
		return husk_error_sys(err, -r, "load the seccomp filter");
	return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	if (!f)
		return;
	seccomp_release(f->ctx);
	free(f);
}
