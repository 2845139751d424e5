/* cgroup_devices.c - linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program, generated from the rules and attached to the container's cgroup.
 *
 * The kernel runs the program for every device open and mknod in the cgroup with a
 * struct bpf_cgroup_dev_ctx (access_type = type | access << 16, major, minor); it
 * returns 1 to allow, 0 to deny (EPERM).  Rules are checked last to first, the first
 * match decides, and nothing matching means deny: the runtime-spec's "later rules win"
 * over a default of deny, as runc and crun implement it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "cgroup_resources.h"
#include "utils.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct prog {
	struct bpf_insn *insns;
	size_t n;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	p->insns = xrealloc(p->insns, (p->n + 1) * sizeof(*p->insns));
	p->insns[p->n++] = insn;
}

/* One rule: jumps to its end when the device does not match, else returns allow.
 * Registers: r2 type, r3 access, r4 major, r5 minor. */
static void emit_rule(struct prog *p, const struct cg_device_rule *rule)
{
	size_t start = p->n, i;

	if (rule->type != 'a')
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
			     rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	if (rule->access != 7) {
		/* allow: the request is within the rule's access; deny: it touches it. */
		emit(p, INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
		emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, rule->allow ? (int) (~rule->access & 7) : (int) rule->access));
		emit(p, INSN(BPF_JMP | (rule->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_1, 0, 0, 0));
	}
	if (rule->major >= 0)
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int) rule->major));
	if (rule->minor >= 0)
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int) rule->minor));
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, rule->allow ? 1 : 0));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	/* Point every "no match" jump past the rule. */
	for (i = start; i < p->n - 2; i++)
		if (BPF_CLASS(p->insns[i].code) == BPF_JMP)
			p->insns[i].off = (short) (p->n - i - 1);
}

static bool rule_matches_all(const struct cg_device_rule *rule)
{
	return rule->type == 'a' && rule->major < 0 && rule->minor < 0 && rule->access == 7;
}

static void build_program(struct prog *p, const struct cg_device_rule *rules, size_t n)
{
	size_t i;

	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0));
	emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0));
	emit(p, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major), 0));
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0));
	for (i = n; i-- > 0;) {
		emit_rule(p, &rules[i]);
		if (rule_matches_all(&rules[i]))
			return; /* every earlier rule is shadowed */
	}
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The ids of the device programs attached to this cgroup itself (not inherited). */
static int attached_programs(int dirfd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t) ids;
	attr.query.prog_cnt = *n;
	if (bpf(BPF_PROG_QUERY, &attr) < 0)
		return -errno;
	*n = attr.query.prog_cnt;
	return 0;
}

int cgroup_devices_apply(int dirfd, const char *fspath, const struct cg_device_rule *rules, size_t n,
			 struct husk_error *err)
{
	_cleanup_close_ int prog_fd = -1;
	struct prog p = { NULL, 0 };
	uint32_t old[64], n_old = ARRAY_SIZE(old);
	char log[4096] = "";
	union bpf_attr attr;
	int r = 0;

	build_program(&p, rules, n);
	if (attached_programs(dirfd, old, &n_old) < 0)
		n_old = 0;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t) p.insns;
	attr.insn_cnt = (uint32_t) p.n;
	attr.license = (uintptr_t) "Apache-2.0";
	/* Without the verifier's log: asking for it costs more than the load (a full log
	 * of a long program also fails with ENOSPC).  Only a failure loads again with it. */
	prog_fd = bpf(BPF_PROG_LOAD, &attr);
	if (prog_fd < 0) {
		r = errno;
		attr.log_buf = (uintptr_t) log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		prog_fd = bpf(BPF_PROG_LOAD, &attr);
		if (prog_fd < 0)
			husk_log(HUSK_LOG_DEBUG, "BPF verifier: %s", log);
		free(p.insns);
		return husk_error_sys(err, r, "linux.resources.devices: load the device program for cgroup \"%s\"", fspath);
	}
	free(p.insns);
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = dirfd;
	attr.attach_bpf_fd = prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return husk_error_sys(err, errno, "linux.resources.devices: attach the device program to cgroup \"%s\"", fspath);
	/* Only now drop the programs of an earlier create or update: no window without one. */
	for (uint32_t i = 0; i < n_old; i++) {
		_cleanup_close_ int fd = -1;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = old[i];
		fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = dirfd;
		attr.attach_bpf_fd = fd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (bpf(BPF_PROG_DETACH, &attr) < 0)
			return husk_error_sys(err, errno, "linux.resources.devices: detach the old device program of cgroup \"%s\"",
					      fspath);
	}
	return 0;
}
