/* documents.c - the JSON documents husk prints: the default config.json ("husk
 * spec"), features.json ("husk features"), and the signal names "husk kill" takes. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/capability.h>

#include "caps.h"
#include "json.h"
#include "seccomp_profile.h"
#include "spec.h"
#include "utils.h"

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void write_mount(struct json_writer *w, const char *dst, const char *type, const char *src,
			const char *const *opts)
{
	json_write_object_begin(w);
	json_write_key_string(w, "destination", dst);
	json_write_key_string(w, "type", type);
	json_write_key_string(w, "source", src);
	json_write_string_array(w, "options", (char *const *) opts);
	json_write_object_end(w);
}

int husk_spec_default(bool rootless, bool seccomp, char **out, struct husk_error *err)
{
	static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					   "TERM=xterm", NULL };
	static const char *const args[] = { "sh", NULL };
	static const char *const sets[] = { "bounding", "effective", "permitted", NULL };
	static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
	struct json_writer *w = json_writer_new(true);

	(void) err;
	json_write_object_begin(w);
	json_write_key_string(w, "ociVersion", "1.3.0");
	json_write_key(w, "process");
	json_write_object_begin(w);
	json_write_key_bool(w, "terminal", true);
	json_write_key(w, "user");
	json_write_object_begin(w);
	json_write_key_int(w, "uid", 0);
	json_write_key_int(w, "gid", 0);
	json_write_object_end(w);
	json_write_string_array(w, "args", (char *const *) args);
	json_write_string_array(w, "env", (char *const *) env);
	json_write_key_string(w, "cwd", "/");
	json_write_key(w, "capabilities");
	json_write_object_begin(w);
	for (size_t i = 0; sets[i]; i++)
		json_write_string_array(w, sets[i], (char *const *) default_caps);
	json_write_object_end(w);
	json_write_key(w, "rlimits");
	json_write_array_begin(w);
	json_write_object_begin(w);
	json_write_key_string(w, "type", "RLIMIT_NOFILE");
	json_write_key_int(w, "hard", 1024);
	json_write_key_int(w, "soft", 1024);
	json_write_object_end(w);
	json_write_array_end(w);
	json_write_key_bool(w, "noNewPrivileges", true);
	json_write_object_end(w);

	json_write_key(w, "root");
	json_write_object_begin(w);
	json_write_key_string(w, "path", "rootfs");
	json_write_key_bool(w, "readonly", true);
	json_write_object_end(w);
	json_write_key_string(w, "hostname", "husk");

	json_write_key(w, "mounts");
	json_write_array_begin(w);
	write_mount(w, "/proc", "proc", "proc", (const char *const[]) { NULL });
	write_mount(w, "/dev", "tmpfs", "tmpfs",
		    (const char *const[]) { "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
	write_mount(w, "/dev/pts", "devpts", "devpts",
		    rootless ? (const char *const[]) { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL }
			     : (const char *const[]) { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL });
	write_mount(w, "/dev/shm", "tmpfs", "shm",
		    (const char *const[]) { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL });
	write_mount(w, "/dev/mqueue", "mqueue", "mqueue", (const char *const[]) { "nosuid", "noexec", "nodev", NULL });
	if (rootless)
		write_mount(w, "/sys", "none", "/sys",
			    (const char *const[]) { "rbind", "nosuid", "noexec", "nodev", "ro", NULL });
	else
		write_mount(w, "/sys", "sysfs", "sysfs", (const char *const[]) { "nosuid", "noexec", "nodev", "ro", NULL });
	write_mount(w, "/sys/fs/cgroup", "cgroup", "cgroup",
		    (const char *const[]) { "nosuid", "noexec", "nodev", "relatime", "ro", NULL });
	json_write_array_end(w);

	json_write_key(w, "linux");
	json_write_object_begin(w);
	if (rootless) {
		const char *maps[] = { "uidMappings", "gidMappings" };
		for (int i = 0; i < 2; i++) {
			json_write_key(w, maps[i]);
			json_write_array_begin(w);
			json_write_object_begin(w);
			json_write_key_int(w, "containerID", 0);
			json_write_key_int(w, "hostID", i == 0 ? getuid() : getgid());
			json_write_key_int(w, "size", 1);
			json_write_object_end(w);
			json_write_array_end(w);
		}
	} else {
		json_write_key(w, "resources");
		json_write_object_begin(w);
		json_write_key(w, "devices");
		json_write_array_begin(w);
		json_write_object_begin(w);
		json_write_key_bool(w, "allow", false);
		json_write_key_string(w, "access", "rwm");
		json_write_object_end(w);
		json_write_array_end(w);
		json_write_object_end(w);
	}
	json_write_key(w, "namespaces");
	json_write_array_begin(w);
	for (size_t i = 0; namespaces[i]; i++) {
		json_write_object_begin(w);
		json_write_key_string(w, "type", namespaces[i]);
		json_write_object_end(w);
	}
	if (rootless) {
		json_write_object_begin(w);
		json_write_key_string(w, "type", "user");
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_string_array(w, "maskedPaths", (char *const *) masked_paths);
	json_write_string_array(w, "readonlyPaths", (char *const *) readonly_paths);
	if (seccomp) {
		json_write_key(w, "seccomp");
		seccomp_write_default_profile(w);
	}
	json_write_object_end(w);
	json_write_object_end(w);
	*out = json_writer_finish(w);
	return 0;
}

/* KEY: {"enabled": ON}, as features.json states what a runtime has. */
static void write_enabled(struct json_writer *w, const char *key, bool on)
{
	json_write_key(w, key);
	json_write_object_begin(w);
	json_write_key_bool(w, "enabled", on);
	json_write_object_end(w);
}

/* KEY: [name(0), name(1), ...] up to the first NULL. */
static void write_names(struct json_writer *w, const char *key, const char *(*name)(size_t))
{
	json_write_key(w, key);
	json_write_array_begin(w);
	for (size_t i = 0; name(i); i++)
		json_write_string(w, name(i));
	json_write_array_end(w);
}

const char *husk_build_features(void)
{
	return "+SECCOMP +CAP +MNL +YAJL +SYSTEMD +CGROUPV2 +EPHEMERAL +CRIU";
}

int husk_features(char **out, struct husk_error *err)
{
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL };
	static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
					       "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
	static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
					   "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
	static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
					     "SCMP_ARCH_ARM", NULL };
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					     "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
	const struct scmp_version *v = seccomp_version();
	struct json_writer *w = json_writer_new(true);
	_cleanup_strv_ char **caps = NULL;
	_cleanup_free_ char *ver = NULL;
	size_t n = 0;

	(void) err;
	for (int c = 0; c < caps_count(); c++) {
		char *name = cap_to_name(c), *up = xstrdup(name);
		for (char *p = up; *p; p++)
			*p = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
		strv_push(&caps, &n, up);
		free(up);
		cap_free(name);
	}
	json_write_object_begin(w);
	json_write_key_string(w, "ociVersionMin", "1.0.0");
	json_write_key_string(w, "ociVersionMax", "1.3.0");
	json_write_key(w, "hooks");
	json_write_array_begin(w);
	for (size_t i = 0; i < HOOK_KINDS; i++)
		json_write_string(w, spec_hook_names[i]);
	json_write_array_end(w);
	write_names(w, "mountOptions", spec_mount_option_name);
	json_write_key(w, "linux");
	json_write_object_begin(w);
	json_write_string_array(w, "namespaces", (char *const *) ns);
	json_write_string_array(w, "capabilities", caps);
	json_write_key(w, "cgroup");
	json_write_object_begin(w);
	json_write_key_bool(w, "v1", false);
	json_write_key_bool(w, "v2", true);
	json_write_key_bool(w, "systemd", true);
	json_write_key_bool(w, "systemdUser", false);
	json_write_key_bool(w, "rdma", true);
	json_write_object_end(w);
	json_write_key(w, "seccomp");
	json_write_object_begin(w);
	json_write_key_bool(w, "enabled", true);
	json_write_string_array(w, "actions", (char *const *) actions);
	json_write_string_array(w, "operators", (char *const *) ops);
	json_write_string_array(w, "archs", (char *const *) archs);
	json_write_string_array(w, "knownFlags", (char *const *) flags);
	json_write_string_array(w, "supportedFlags", (char *const *) flags);
	json_write_object_end(w);
	write_enabled(w, "apparmor", true);
	write_enabled(w, "selinux", true);
	write_enabled(w, "intelRdt", false);
	write_enabled(w, "netDevices", true);
	json_write_key(w, "memoryPolicy");
	json_write_object_begin(w);
	write_names(w, "modes", spec_mempolicy_mode_name);
	write_names(w, "flags", spec_mempolicy_flag_name);
	json_write_object_end(w);
	json_write_key(w, "mountExtensions");
	json_write_object_begin(w);
	write_enabled(w, "idmap", true);
	json_write_object_end(w);
	json_write_object_end(w);
	json_write_key(w, "annotations");
	json_write_object_begin(w);
	ver = xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
	json_write_key_string(w, "io.github.seccomp.libseccomp.version", ver);
	json_write_key_string(w, "run.husk.ephemeral-rootfs", "SIZE: writable tmpfs overlay over a read-only rootfs");
	json_write_key_string(w, "run.husk.executor", "namespaces");
	/* Whether checkpoint and restore can work here: libcriu is loaded when used. */
	json_write_key_string(w, "run.husk.checkpoint", husk_criu_available() ? "libcriu.so.2 (CRIU)" :
				 "unavailable: libcriu.so.2 not found (Debian: apt-get install criu)");
	json_write_object_end(w);
	json_write_object_end(w);
	*out = json_writer_finish(w);
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int husk_signal_parse(const char *s, int *sig)
{
	uint64_t n;

	if (!s || !*s)
		return -EINVAL;
	if (parse_uint64(s, &n) == 0) {
		if (n == 0 || n >= (uint64_t) NSIG)
			return -EINVAL;
		*sig = n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(signals[i].name, s)) {
			*sig = signals[i].sig;
			return 0;
		}
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		int base = !strncasecmp(s, "RTMIN", 5) ? SIGRTMIN : SIGRTMAX;
		long off = 0;
		if (s[5]) {
			char *end;
			off = strtol(s + 5, &end, 10);
			if (*end)
				return -EINVAL;
		}
		if (base + off < SIGRTMIN || base + off > SIGRTMAX)
			return -EINVAL;
		*sig = base + off;
		return 0;
	}
	return -EINVAL;
}

int husk_parse_size(const char *s, uint64_t *out)
{
	return parse_size(s, out);
}
