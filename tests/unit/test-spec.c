/* test-spec.c - unit tests for config.json parsing and validation (libcontainer/spec.c),
 * and for the mount sequence a config produces (rootfs.c through a recording
 * struct syscalls).  Prints TAP. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "spec.h"
#include "utils.h"

#include "tap.h"

#define BASE "\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
#define PROC "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"

static struct spec *parse(const char *text, struct husk_error *err)
{
	struct spec *s = NULL;
	memset(err, 0, sizeof(*err));
	if (spec_parse(text, "config.json", "/bundle", &s, err) < 0)
		return NULL;
	return s;
}

/* The error a config gives, or "" when it parses. */
static const char *error_of(const char *text)
{
	static struct husk_error err;
	struct spec *s = parse(text, &err);
	if (s) {
		spec_free(s);
		return "";
	}
	return err.msg;
}

static void test_minimal(void)
{
	struct husk_error err;
	struct spec *s = parse("{" BASE PROC "}", &err);

	ok(s != NULL, "a minimal config parses (%s)", s ? "" : err.msg);
	if (!s)
		return;
	ok(!strcmp(s->root_path, "/bundle/rootfs"), "root.path is resolved against the bundle");
	ok(!strcmp(s->process.args[0], "sh") && s->process.args[1] == NULL, "process.args");
	ok(!strcmp(s->process.cwd, "/"), "process.cwd");
	ok(!s->process.has_caps && s->process.uid == 0, "no capabilities object, uid 0");
	spec_free(s);
}

static void test_errors_name_fields(void)
{
	static const struct { const char *doc, *want; } cases[] = {
		{ "{", "config.json: invalid JSON" },
		{ "[]", "config.json: (document): must be an object, not an array" },
		{ "{\"root\": {\"path\": \"r\"}}", "config.json: ociVersion: missing" },
		{ "{\"ociVersion\": \"2.0.0\", \"root\": {\"path\": \"r\"}}", "config.json: ociVersion: \"2.0.0\" is not a runtime-spec 1.x version" },
		{ "{\"ociVersion\": \"1.0.0\"}", "config.json: root: missing" },
		{ "{" BASE "\"process\": {\"args\": []}}", "config.json: process.args: must be a non-empty array" },
		{ "{" BASE "\"process\": {\"args\": [1]}}", "config.json: process.args: element 0 must be a string" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"cwd\": \"rel\"}}", "config.json: process.cwd: \"rel\" must be an absolute path" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"env\": [\"NOEQUALS\"]}}", "config.json: process.env[0]: \"NOEQUALS\" is not of the form KEY=VALUE" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"user\": {\"uid\": -1}}}", "config.json: process.user.uid: value is out of range" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"user\": {\"uid\": 1.5}}}", "config.json: process.user.uid: must be an integer" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"oomScoreAdj\": 5000}}", "config.json: process.oomScoreAdj: value is out of range [-1000, 1000]" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}}", "unknown capability \"CAP_NOPE\"" },
		{ "{" BASE "\"process\": {\"args\": [\"a\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]}}", "config.json: process.rlimits[0]: hard: missing" },
		{ "{" BASE "\"mounts\": [{\"destination\": \"/x\"}]}", "config.json: mounts[0]: type: missing (and no bind or rbind option)" },
		{ "{" BASE "\"mounts\": [{\"destination\": \"/x\", \"options\": [\"bind\"]}]}", "config.json: mounts[0]: source: missing for a bind mount" },
		{ "{" BASE "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}", "config.json: linux.namespaces[1]: type: \"pid\" is listed twice" },
		{ "{" BASE "\"linux\": {\"namespaces\": [{\"type\": \"net\"}]}}", "config.json: linux.namespaces[0]: type: unknown namespace \"net\"" },
		{ "{" BASE "\"linux\": {\"namespaces\": [{\"type\": \"mount\", \"path\": \"rel\"}]}}", "config.json: linux.namespaces[0]: path: \"rel\" must be an absolute path" },
		{ "{" BASE "\"linux\": {\"namespaces\": [{\"type\": \"user\"}]}}", "config.json: linux.uidMappings: a new user namespace needs uid and gid mappings" },
		{ "{" BASE "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}}", "config.json: linux.uidMappings: needs a new user namespace" },
		{ "{" BASE "\"linux\": {\"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]}}", "config.json: linux.devices[0]: type: must be one of c, b, u, p" },
		{ "{" BASE "\"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\", \"major\": 1}]}}", "config.json: linux.devices[0]: minor: missing for a device of type c" },
		{ "{" BASE "\"linux\": {\"rootfsPropagation\": \"sideways\"}}", "config.json: linux.rootfsPropagation: unknown propagation \"sideways\"" },
		{ "{" BASE "\"linux\": {\"maskedPaths\": [\"proc/kcore\"]}}", "config.json: linux.maskedPaths[0]: \"proc/kcore\" must be an absolute path" },
		{ "{" BASE "\"linux\": {\"sysctl\": {\"../../etc\": \"1\"}}}", "config.json: linux.sysctl.../../etc: not a valid sysctl name" },
		{ "{" BASE "\"linux\": {\"timeOffsets\": {\"boottime\": {\"secs\": 1}}}}", "config.json: linux.timeOffsets: needs a new time namespace" },
		{ "{" BASE "\"hostname\": \"h\"}", "config.json: hostname: needs a uts namespace" },
		{ "{" BASE "\"hooks\": {\"prestart\": [{\"path\": \"rel\"}]}}", "config.json: hooks.prestart[0]: path: must be an absolute path" },
		{ "{" BASE "\"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}}", "config.json: hooks.prestart[0].timeout: value is out of range [1, 2147483647]" },
		{ "{" BASE "\"annotations\": {\"a\": 1}}", "config.json: annotations.a: must be a string" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = error_of(cases[i].doc);
		ok(strstr(got, cases[i].want) != NULL, "error names the field: %s (got \"%s\")", cases[i].want, got);
	}
}

static void test_deep_nesting(void)
{
	size_t n = 100000;
	char *doc = xmalloc(2 * n + 1);

	memset(doc, '[', n);
	memset(doc + n, ']', n);
	doc[2 * n] = '\0';
	ok(strstr(error_of(doc), "nested deeper than 64 levels") != NULL, "deep nesting is refused before parsing");
	free(doc);
}

static void test_mount_options(void)
{
	struct husk_error err;
	struct spec *s = parse("{" BASE "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"mounts\": ["
			       "{\"destination\": \"/a\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"ro\", \"size=1m\", \"mode=755\", \"rw\", \"noexec\"]},"
			       "{\"destination\": \"/b\", \"source\": \"/src\", \"options\": [\"rbind\", \"rro\", \"rnosuid\", \"rslave\"]},"
			       "{\"destination\": \"/c\", \"type\": \"bind\", \"source\": \"/src\", \"options\": [\"rnoatime\", \"ratime\"]}]}", &err);

	ok(s != NULL, "mount options parse (%s)", s ? "" : err.msg);
	if (!s)
		return;
	ok(s->mounts[0].flags == (MS_NOSUID | MS_NOEXEC), "flags: later rw clears ro, nosuid and noexec stay");
	ok(s->mounts[0].data && !strcmp(s->mounts[0].data, "size=1m,mode=755"), "unknown options become data (%s)", s->mounts[0].data);
	ok(s->mounts[1].bind && s->mounts[1].rbind, "rbind is a recursive bind");
	ok(s->mounts[1].attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID), "rro and rnosuid are recursive attributes");
	ok(s->mounts[1].propagation == (MS_SLAVE | MS_REC), "rslave is recursive propagation");
	ok(s->mounts[2].bind && !s->mounts[2].rbind, "type bind is a bind");
	ok(!(s->mounts[2].attr_set & MOUNT_ATTR_NOATIME) && (s->mounts[2].attr_clr & MOUNT_ATTR__ATIME),
	   "ratime after rnoatime clears the atime mode");
	spec_free(s);
}

static void test_linux(void)
{
	struct husk_error err;
	struct spec *s = parse("{" BASE PROC ", \"hostname\": \"h\", \"linux\": {"
			       "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": \"user\"},"
			       " {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}],"
			       "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
			       "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
			       "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},"
			       "\"rootfsPropagation\": \"rshared\", \"cgroupsPath\": \"/a/b\"}}", &err);

	ok(s != NULL, "a linux section parses (%s)", s ? "" : err.msg);
	if (!s)
		return;
	ok(s->ns_new == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWUSER), "new namespaces exclude those with a path");
	ok(s->ns_all == (s->ns_new | CLONE_NEWNET), "joined namespaces are counted in ns_all");
	ok(!strcmp(spec_find_namespace(s, CLONE_NEWNET)->path, "/proc/1/ns/net"), "namespace path kept");
	ok(s->n_uid_mappings == 1 && s->uid_mappings[0].host_id == 100000 && s->uid_mappings[0].size == 65536, "uidMappings");
	ok(s->n_sysctl == 1 && !strcmp(s->sysctl_keys[0], "net.ipv4.ip_forward"), "sysctl");
	ok(s->rootfs_propagation == (MS_SHARED | MS_REC), "rootfsPropagation");
	ok(!strcmp(s->cgroups_path, "/a/b"), "cgroupsPath");
	spec_free(s);
}

static void test_process(void)
{
	struct husk_error err;
	struct spec *s = parse("{" BASE "\"process\": {\"args\": [\"a\"], \"user\": {\"uid\": 1, \"gid\": 2, \"umask\": 18, \"additionalGids\": [3, 4]},"
			       "\"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]},"
			       "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 18446744073709551615}],"
			       "\"noNewPrivileges\": true, \"oomScoreAdj\": -5,"
			       "\"scheduler\": {\"policy\": \"SCHED_IDLE\"}, \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4}}}", &err);

	ok(s != NULL, "a full process parses (%s)", s ? "" : err.msg);
	if (!s)
		return;
	ok(s->process.uid == 1 && s->process.gid == 2 && s->process.has_umask && s->process.umask == 022, "user and umask");
	ok(s->process.n_additional_gids == 2 && s->process.additional_gids[1] == 4, "additionalGids");
	ok(s->process.caps[CAPS_BOUNDING] == ((1ULL << 0) | (1ULL << 5)), "bounding set bits");
	ok(s->process.caps[CAPS_AMBIENT] == (1ULL << 5) && s->process.caps[CAPS_INHERITABLE] == 0, "ambient set, inheritable empty");
	ok(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
	   s->process.rlimits[0].hard == UINT64_MAX, "rlimits take the full uint64 range");
	ok(s->process.no_new_privileges && s->process.has_oom_score_adj && s->process.oom_score_adj == -5, "noNewPrivileges, oomScoreAdj");
	ok(s->process.has_scheduler && s->process.sched_policy == 5, "scheduler policy");
	ok(s->process.has_io_priority && s->process.ioprio_class == 2 && s->process.ioprio_level == 4, "ioPriority");
	spec_free(s);
}

static void test_unknown_fields_ignored(void)
{
	ok(!*error_of("{" BASE PROC ", \"vm\": {\"hypervisor\": {}}, \"x-future\": [1, 2]}"), "unknown fields are ignored");
}

/* Which namespace scopes each sysctl: only those may be written (runc's list, plus
 * the ipc *_next_id keys and pid's ns_last_pid, which the kernel also scopes). */
static void test_sysctl_namespaces(void)
{
	static const struct {
		const char *key;
		int type;
	} cases[] = {
		{ "kernel.msgmax", CLONE_NEWIPC }, { "kernel.msgmnb", CLONE_NEWIPC }, { "kernel.msgmni", CLONE_NEWIPC },
		{ "kernel.sem", CLONE_NEWIPC }, { "kernel.shmall", CLONE_NEWIPC }, { "kernel.shmmax", CLONE_NEWIPC },
		{ "kernel.shm_rmid_forced", CLONE_NEWIPC }, { "kernel.sem_next_id", CLONE_NEWIPC },
		{ "fs.mqueue.queues_max", CLONE_NEWIPC }, { "fs/mqueue/msg_max", CLONE_NEWIPC },
		{ "net.ipv4.ip_forward", CLONE_NEWNET }, { "net/core/somaxconn", CLONE_NEWNET },
		{ "kernel.hostname", CLONE_NEWUTS }, { "kernel.domainname", CLONE_NEWUTS },
		{ "kernel.ns_last_pid", CLONE_NEWPID },
		{ "kernel.hostnamex", 0 }, { "kernel.randomize_va_space", 0 }, { "vm.swappiness", 0 },
		{ "fs.mqueue", 0 }, { "network.x", 0 }, { "kernel.core_pattern", 0 }, { "fs.file-max", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(spec_sysctl_namespace(cases[i].key) == cases[i].type, "sysctl %s: namespace %#x",
		   cases[i].key, cases[i].type);
}

int main(void)
{
	test_minimal();
	test_errors_name_fields();
	test_deep_nesting();
	test_mount_options();
	test_linux();
	test_process();
	test_unknown_fields_ignored();
	test_sysctl_namespaces();
	return tap_done();
}
