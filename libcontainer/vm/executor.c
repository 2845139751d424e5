/* executor.c - the microVM executor's host side.
 *
 * create forks a monitor: the process that stands for the container's init on the
 * host (state.json's pid, --pid-file, what a shim waits for).  The monitor starts
 * QEMU's microvm (its child, killed with it), talks to the guest agent over a
 * virtio-serial port joined to a socketpair, relays the container's stdio, forwards
 * every signal it is sent to the payload in the guest, and exits with the payload's
 * status (dying of the same signal when a signal ended it).  Until start it holds the
 * exec fifo as the namespace executor's init does, so the lifecycle (state, start,
 * kill, pause, delete) is the same code.  husk exec and kill --all reach the guest
 * through the monitor's socket, microvm.sock in the state directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "image.h"
#include "json.h"
#include "protocol.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include "utils.h"
#include "vm.h"

#define BOOT_TIMEOUT_S 60
#define GUEST_BASE_MIB 256     /* the guest kernel's and agent's share, beyond the container's limit */
#define GUEST_DEFAULT_MIB 512
#define GUEST_DIR "/run/husk-vm"
#define MAX_CLIENTS 62
#define TCG_TB_MIB "64"

/* ---- the guest's config ------------------------------------------------------------- */
struct share {
	char *tag, *host, *guest;
	bool ro;
};

struct vm_plan {
	const struct spec *spec;
	struct share *shares;
	size_t n_shares;
	char **bind_sources;    /* per mount: where its source is in the guest, or NULL */
	const char *accel;
	unsigned mib, cpus, boot_timeout;
	struct vm_image image;
	char *qemu;
};

static void plan_free(struct vm_plan *p)
{
	for (size_t i = 0; i < p->n_shares; i++) {
		free(p->shares[i].tag);
		free(p->shares[i].host);
		free(p->shares[i].guest);
	}
	free(p->shares);
	if (p->bind_sources)
		for (size_t i = 0; i < p->spec->n_mounts; i++)
			free(p->bind_sources[i]);
	free(p->bind_sources);
	vm_image_free(&p->image);
	free(p->qemu);
}

static const char *share_for(struct vm_plan *p, const char *dir)
{
	for (size_t i = 0; i < p->n_shares; i++)
		if (!strcmp(p->shares[i].host, dir))
			return p->shares[i].guest;
	p->shares = xrealloc(p->shares, (p->n_shares + 1) * sizeof(*p->shares));
	p->shares[p->n_shares] = (struct share){ .tag = xasprintf("husk%zu", p->n_shares), .host = xstrdup(dir),
						 .guest = xasprintf(GUEST_DIR "/share/%zu", p->n_shares) };
	return p->shares[p->n_shares++].guest;
}

static void write_object_except(struct json_writer *w, const json_value *obj, const char *const *skip)
{
	json_write_object_begin(w);
	for (size_t i = 0; i < json_len(obj); i++) {
		const char *k = json_object_key_at(obj, i);
		bool drop = false;
		for (const char *const *s = skip; *s && !drop; s++)
			drop = !strcmp(k, *s);
		if (drop)
			continue;
		json_write_key(w, k);
		json_write_value(w, json_object_value_at(obj, i));
	}
}

/* config.json as the guest's husk gets it: the rootfs and bind sources where the
 * agent mounts their shares, no hooks (they run on the host), namespaces made anew
 * (a path names a host's namespace), its own cgroup, no host LSM labels. */
static void write_guest_config(struct json_writer *w, const struct vm_plan *p)
{
	const json_value *doc = p->spec->doc;

	json_write_object_begin(w);
	for (size_t i = 0; i < json_len(doc); i++) {
		const char *k = json_object_key_at(doc, i);
		const json_value *v = json_object_value_at(doc, i);
		if (!strcmp(k, "hooks"))
			continue;
		json_write_key(w, k);
		if (!strcmp(k, "root")) {
			write_object_except(w, v, (const char *const[]){ "path", NULL });
			json_write_key_string(w, "path", GUEST_DIR "/rootfs");
			json_write_object_end(w);
		} else if (!strcmp(k, "mounts")) {
			json_write_array_begin(w);
			for (size_t m = 0; m < json_len(v); m++) {
				const json_value *mv = json_array_at(v, m);
				if (m < p->spec->n_mounts && p->bind_sources[m]) {
					write_object_except(w, mv, (const char *const[]){ "source", NULL });
					json_write_key_string(w, "source", p->bind_sources[m]);
					json_write_object_end(w);
				} else {
					json_write_value(w, mv);
				}
			}
			json_write_array_end(w);
		} else if (!strcmp(k, "process")) {
			write_object_except(w, v, (const char *const[]){ "apparmorProfile", "selinuxLabel", NULL });
			json_write_object_end(w);
		} else if (!strcmp(k, "annotations")) {
			json_write_object_begin(w);
			for (size_t a = 0; a < json_len(v); a++)
				if (!str_has_prefix(json_object_key_at(v, a), "run.husk.microvm.") &&
				    strcmp(json_object_key_at(v, a), "run.husk.executor")) {
					json_write_key(w, json_object_key_at(v, a));
					json_write_value(w, json_object_value_at(v, a));
				}
			json_write_object_end(w);
		} else if (!strcmp(k, "linux")) {
			const json_value *ns = json_object_get(v, "namespaces");
			write_object_except(w, v, (const char *const[]){ "namespaces", "cgroupsPath", "netDevices", NULL });
			json_write_key_string(w, "cgroupsPath", "/husk-vm");
			json_write_key(w, "namespaces");
			json_write_array_begin(w);
			for (size_t n = 0; n < json_len(ns); n++) {
				write_object_except(w, json_array_at(ns, n), (const char *const[]){ "path", NULL });
				json_write_object_end(w);
			}
			json_write_array_end(w);
			json_write_object_end(w);
		} else {
			json_write_value(w, v);
		}
	}
	json_write_object_end(w);
}

/* The agent's request: the id, what to mount, the config. */
static char *guest_request(const struct vm_plan *p, const char *id)
{
	struct json_writer *w = json_writer_new(false);

	json_write_object_begin(w);
	json_write_key_string(w, "id", id);
	json_write_key(w, "shares");
	json_write_array_begin(w);
	for (size_t i = 0; i < p->n_shares; i++) {
		json_write_object_begin(w);
		json_write_key_string(w, "tag", p->shares[i].tag);
		json_write_key_string(w, "path", p->shares[i].guest);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_key(w, "config");
	write_guest_config(w, p);
	json_write_object_end(w);
	return json_writer_finish(w);
}

static uint64_t resource_u64(const struct spec *s, const char *group, const char *key, bool *found)
{
	const json_value *g = s->resources ? json_object_get(s->resources, group) : NULL;
	const json_value *v = g ? json_object_get(g, key) : NULL;
	int64_t i;

	*found = v && json_int64(v, &i) == 0 && i > 0;
	return *found ? (uint64_t) i : 0;
}

static const char *annotation(const struct spec *s, const char *key)
{
	return s->annotations ? json_string(json_object_get(s->annotations, key)) : NULL;
}

static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save, *dir;

	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, name);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

/* What the microVM cannot do for a config, refused before anything is made. */
static int vm_check(const struct spec *s, struct husk_error *err)
{
	if (s->n_hooks[HOOK_CREATE_CONTAINER] || s->n_hooks[HOOK_START_CONTAINER])
		return husk_error_set(err, ENOTSUP, "config.json: hooks.%s: the microvm executor runs the container in "
				      "its own kernel, where the host's hook programs are not",
				      s->n_hooks[HOOK_CREATE_CONTAINER] ? "createContainer" : "startContainer");
	if (s->seccomp && json_string(json_object_get(s->seccomp, "listenerPath")))
		return husk_error_set(err, ENOTSUP, "config.json: linux.seccomp.listenerPath: the microvm executor's "
				      "processes run in the guest, where the host's seccomp agent is not");
	return 0;
}

/* Everything checked and found before the first side effect. */
static int plan_make(const struct spec *s, struct vm_plan *p, struct husk_error *err)
{
	const char *accel = annotation(s, VM_ANNOTATION_ACCEL), *why = NULL, *t;
	bool found;
	int r;

	p->spec = s;
	if (!(p->qemu = find_program("qemu-system-x86_64")))
		return husk_error_set(err, ENOENT, "microvm needs qemu-system-x86 (Debian: apt-get install "
				      "qemu-system-x86)");
	if (accel && strcmp(accel, "kvm") && strcmp(accel, "tcg"))
		return husk_error_set(err, EINVAL, "config.json: annotations.%s: expected kvm or tcg, not \"%s\"",
				      VM_ANNOTATION_ACCEL, accel);
	p->accel = accel ? accel : vm_accel_choose(&why);
	if (why)
		husk_log(HUSK_LOG_INFO, "microvm: using TCG: %s", why);
	p->boot_timeout = BOOT_TIMEOUT_S;
	if ((t = annotation(s, VM_ANNOTATION_BOOT_TIMEOUT))) {
		uint64_t v;
		if (parse_uint64(t, &v) < 0 || v == 0 || v > 3600)
			return husk_error_set(err, EINVAL, "config.json: annotations.%s: expected seconds (1-3600), not "
					      "\"%s\"", VM_ANNOTATION_BOOT_TIMEOUT, t);
		p->boot_timeout = v;
	}
	{
		uint64_t limit = resource_u64(s, "memory", "limit", &found);
		p->mib = found ? (unsigned) ((limit + (1 << 20) - 1) >> 20) + GUEST_BASE_MIB : GUEST_DEFAULT_MIB;
	}
	{
		uint64_t quota = resource_u64(s, "cpu", "quota", &found), period;
		long host = sysconf(_SC_NPROCESSORS_ONLN);
		p->cpus = 1;
		if (found) {
			bool has_period;
			period = resource_u64(s, "cpu", "period", &has_period);
			if (!has_period)
				period = 100000;
			p->cpus = (unsigned) ((quota + period - 1) / period);
		}
		if (p->cpus > host)
			p->cpus = host > 0 ? host : 1;
	}
	/* The rootfs, and each bind mount's source (a file goes with its directory). */
	{
		struct share root = { .tag = xstrdup("rootfs"), .host = xstrdup(s->root_path),
				      .guest = xstrdup(GUEST_DIR "/rootfs") };
		p->shares = xmalloc(sizeof(*p->shares));
		p->shares[p->n_shares++] = root;
	}
	p->bind_sources = xcalloc(s->n_mounts ? s->n_mounts : 1, sizeof(char *));
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		struct stat st;
		if (!m->bind)
			continue;
		if (!m->source || stat(m->source, &st) < 0)
			return husk_error_sys(err, errno ? errno : ENOENT, "config.json: mounts[%zu].source \"%s\"", i,
					      m->source ? m->source : "");
		if (S_ISDIR(st.st_mode)) {
			p->bind_sources[i] = xstrdup(share_for(p, m->source));
		} else {
			_cleanup_free_ char *dir = xstrdup(m->source);
			char *slash = strrchr(dir, '/');
			if (slash == dir)
				dir[1] = '\0';
			else
				*slash = '\0';
			p->bind_sources[i] = xasprintf("%s/%s", share_for(p, dir), strrchr(m->source, '/') + 1);
		}
	}
	if ((r = vm_image_prepare(annotation(s, VM_ANNOTATION_KERNEL), &p->image, err)) < 0)
		return r;
	return 0;
}

/* ---- QEMU ------------------------------------------------------------------------------- */
static char **qemu_argv(const struct vm_plan *p, const char *dir, int agent_fd)
{
	_cleanup_free_ char *khz = NULL;
	char **v = NULL;
	size_t n = 0;
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];

	/* microvm has no PIT or HPET to calibrate the TSC against: the host's frequency
	 * is given (under TCG the guest's TSC is the host's). */
	while (f && !khz && fgets(line, sizeof(line), f))
		if (str_has_prefix(line, "cpu MHz") && strchr(line, ':'))
			khz = xasprintf("%ld", (long) (strtod(strchr(line, ':') + 1, NULL) * 1000));
	if (f)
		fclose(f);
#define ARG(...) strv_push(&v, &n, __VA_ARGS__)
#define ARGF(...) do { char *_a = xasprintf(__VA_ARGS__); ARG(_a); free(_a); } while (0)
	ARG(p->qemu);
	ARG("-M");
	/* Debian's kernel finds its virtio-mmio devices through ACPI; a kernel with them
	 * built in (contrib/microvm) boots faster without, QEMU listing them on its
	 * command line. */
	ARGF("microvm,acpi=%s,pcie=off,rtc=on%s", p->image.modular ? "on" : "off",
	     strcmp(p->accel, "kvm") ? "" : ",accel=kvm");
	/* TCG's translation cache is 1 GiB by default, a VMM's largest share of memory
	 * once filled: a container's guest runs well in 64 MiB of it. */
	if (strcmp(p->accel, "kvm")) {
		ARG("-accel");
		ARG("tcg,tb-size=" TCG_TB_MIB);
	}
	ARG("-cpu");
	ARG(strcmp(p->accel, "kvm") ? "max" : "host");
	ARG("-m");
	ARGF("%u", p->mib);
	ARG("-smp");
	ARGF("%u", p->cpus);
	for (const char *const *a = (const char *const[]){ "-nodefaults", "-no-user-config", "-display", "none",
							  "-no-reboot", "-sandbox",
							  "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
							  "resourcecontrol=deny", NULL };
	     *a; a++)
		ARG(*a);
	ARG("-kernel");
	ARG(p->image.vmlinux);
	ARG("-initrd");
	ARG(p->image.initramfs);
	ARG("-append");
	/* panic=-1 and reboot=t: a guest that panics or reboots triple-faults, and
	 * -no-reboot turns that into QEMU's exit (microvm has no reset controller). */
	ARGF("console=ttyS0 quiet panic=-1 rdinit=/init tsc=reliable%s%s mitigations=off cryptomgr.notests "
	     "8250.nr_uarts=1 random.trust_cpu=on reboot=t",
	     khz ? " tsc_early_khz=" : "", khz ? khz : "");
	/* Under TCG the guest has no TSC deadline timer, and calibrating its local APIC
	 * timer against the PIT takes a tenth of a second of guest time (about 0.2 s
	 * here): the minimal kernel (contrib/microvm) uses the PIT as its clock event
	 * instead.  Debian's kernel hangs without the APIC timer on microvm, and KVM's
	 * guests have the TSC deadline timer and calibrate nothing. */
	if (strcmp(p->accel, "kvm") && !p->image.modular) {
		char *both = xasprintf("%s noapictimer", v[n - 1]);
		free(v[n - 1]);
		v[n - 1] = both;
	}
	/* For profiling a boot (initcall_debug, loglevel=8): appended as given. */
	if (getenv("HUSK_MICROVM_APPEND") && *getenv("HUSK_MICROVM_APPEND")) {
		char *both = xasprintf("%s %s", v[n - 1], getenv("HUSK_MICROVM_APPEND"));
		free(v[n - 1]);
		v[n - 1] = both;
	}
	ARG("-chardev");
	ARGF("file,id=con,path=%s/console.log", dir);
	ARG("-serial");
	ARG("chardev:con");
	ARG("-device");
	ARG("virtio-serial-device");
	ARG("-chardev");
	ARGF("socket,id=agent,fd=%d", agent_fd);
	ARG("-device");
	ARG("virtserialport,chardev=agent,name=" VM_PORT_NAME);
	for (size_t i = 0; i < p->n_shares; i++) {
		ARG("-fsdev");
		ARGF("local,id=%s,path=%s,security_model=none,multidevs=remap", p->shares[i].tag, p->shares[i].host);
		ARG("-device");
		ARGF("virtio-9p-device,fsdev=%s,mount_tag=%s", p->shares[i].tag, p->shares[i].tag);
	}
#undef ARG
#undef ARGF
	return v;
}

/* Bind SRC at the same path under JAIL (a file or a directory), read-only unless rw. */
static int jail_bind(const char *jail, const char *src, bool rw)
{
	_cleanup_free_ char *dst = xasprintf("%s%s", jail, src);
	struct stat st;

	if (stat(src, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir_p(dst, 0755) < 0)
			return -errno;
	} else {
		_cleanup_free_ char *parent = xstrdup(dst);
		*strrchr(parent, '/') = '\0';
		int fd;
		if (mkdir_p(parent, 0755) < 0 || (fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return -errno;
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    (!rw && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0))
		return -errno;
	return 0;
}

/* QEMU's root, as Firecracker's jailer makes one: a tmpfs holding /usr (read-only,
 * its libraries and firmware), the kernel and initramfs, the guest's shares, the
 * directory of its logs, and the few devices it opens; nothing else of the host. */
static int make_jail(const struct vm_plan *p, const char *dir, const char **why)
{
	_cleanup_free_ char *jail = xasprintf("%s/jail", dir), *old = NULL;
	static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random" };

	*why = "mount";
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 || mkdir(jail, 0700) < 0 ||
	    mount("tmpfs", jail, "tmpfs", MS_NOSUID, "mode=0755,size=1m") < 0)
		return -errno;
	*why = "/usr";
	if (jail_bind(jail, "/usr", false) < 0)
		return -errno;
	for (const char *const *l = (const char *const[]){ "lib", "lib64", "bin", NULL }; *l; l++) {
		_cleanup_free_ char *at = xasprintf("%s/%s", jail, *l), *to = xasprintf("usr/%s", *l);
		if (symlink(to, at) < 0)
			return -errno;
	}
	*why = "the guest kernel";
	if (jail_bind(jail, p->image.vmlinux, false) < 0 || (*why = "the initramfs", jail_bind(jail, p->image.initramfs, false) < 0))
		return -errno;
	for (size_t i = 0; i < p->n_shares; i++) {
		*why = p->shares[i].host;
		if (jail_bind(jail, p->shares[i].host, true) < 0)
			return -errno;
	}
	*why = dir;
	if (jail_bind(jail, dir, true) < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		*why = devices[i];
		if (jail_bind(jail, devices[i], true) < 0)
			return -errno;
	}
	if (!strcmp(p->accel, "kvm") && (*why = "/dev/kvm", jail_bind(jail, "/dev/kvm", true) < 0))
		return -errno;
	/* The host's CPUs, which QEMU counts (read-only). */
	*why = "/sys/devices/system/cpu";
	if (jail_bind(jail, "/sys/devices/system/cpu", false) < 0)
		return -errno;
	/* QEMU's 9p server works through /proc/self/fd: a procfs of processes only. */
	{
		_cleanup_free_ char *proc = xasprintf("%s/proc", jail);
		*why = "/proc";
		if (mkdir(proc, 0555) < 0 || mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid") < 0)
			return -errno;
	}
	*why = "pivot_root";
	old = xasprintf("%s/.old", jail);
	if (mkdir(old, 0700) < 0 || syscall(SYS_pivot_root, jail, old) < 0 || chdir("/") < 0 ||
	    umount2("/.old", MNT_DETACH) < 0 || rmdir("/.old") < 0)
		return -errno;
	return 0;
}

/* QEMU, jailed: killed when the monitor dies, in its own mount namespace with only
 * what it needs (make_jail), its own network, IPC and UTS namespaces (it needs no
 * network: the guest's disks are 9p shares and its line to the host a socketpair),
 * and QEMU's own seccomp sandbox (-sandbox on). */
static pid_t start_qemu(const struct vm_plan *p, const char *dir, int agent_fd)
{
	_cleanup_strv_ char **argv = qemu_argv(p, dir, 3);
	_cleanup_free_ char *log = xasprintf("%s/qemu.log", dir);
	const char *why = "unshare";
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() == 1)
		_exit(1);
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || dup2(agent_fd, 3) < 0)
		_exit(1);
	if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0 || make_jail(p, dir, &why) < 0) {
		dprintf(2, "jail: %s: %s\n", why, strerror(errno));
		_exit(126);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The last lines of the guest's console, joined, for an error message. */
static char *console_tail(const char *dir, int lines)
{
	_cleanup_free_ char *path = xasprintf("%s/console.log", dir), *text = NULL;
	size_t len;
	int seen = 0;

	if (read_file_at(AT_FDCWD, path, 16u << 20, &text, &len) < 0 || !len)
		return xstrdup("(the guest printed nothing)");
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	char *start = text + len;
	while (start > text && seen < lines)
		if (*--start == '\n')
			seen++;
	if (*start == '\n')
		start++;
	for (char *c = start; *c; c++)
		if (*c == '\n')
			*c = '|';
		else if (*c == '\r')
			*c = ' ';
	/* The whole console goes to husk's log file, where containerd and Podman keep it. */
	if (husk_log_is_file())
		husk_log(HUSK_LOG_WARNING, "microvm: the guest's console:\n%s", text);
	return xstrdup(start);
}

/* A terminal's size, for the guest's to follow. */
static void send_size(int sock, uint16_t chan, int tty)
{
	struct winsize ws;

	if (tty >= 0 && ioctl(tty, TIOCGWINSZ, &ws) == 0 && ws.ws_row)
		vm_send_int(sock, VM_RESIZE, chan, ws.ws_row, ws.ws_col);
}

/* ---- the monitor --------------------------------------------------------------------- */
struct client {
	int fd;
	uint16_t chan;
};

struct monitor {
	const char *dir;           /* <state>/microvm */
	int port;                  /* our end of QEMU's agent socketpair */
	pid_t qemu;
	int qemu_pidfd;
	int listen_fd;
	struct client clients[MAX_CLIENTS];
	bool stdin_open;
	int io[3];                 /* the container's stdin, stdout, stderr on the host */
	int tty;                   /* the host pty's slave when the init has a terminal, or -1 */
};

/* Wait for one frame from the guest, at most timeout_ms, watching QEMU. */
static int recv_guest(struct monitor *m, struct vm_frame *f, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = m->port, .events = POLLIN }, { .fd = m->qemu_pidfd, .events = POLLIN } };
	int r;

	for (;;) {
		r = poll(p, 2, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0)
			return -errno;
		if (p[0].revents & POLLIN)
			return vm_recv(m->port, f);
		return -ECHILD; /* QEMU ended */
	}
}

/* The monitor's socket in the state directory DFD, named through /proc/self/fd: the
 * directory's path may be longer than sun_path. */
static struct sockaddr_un monitor_address(int dfd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" VM_SOCKET, dfd);
	return sa;
}

static int listen_socket(const char *state_dir, struct husk_error *err)
{
	_cleanup_close_ int dfd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = monitor_address(dfd);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || dfd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return husk_error_sys(err, e, "microvm: listen on %s/%s", state_dir, VM_SOCKET);
	}
	return fd;
}

static bool sig_terminates(int sig)
{
	switch (sig) {
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGCONT: case SIGCHLD: case SIGURG:
	case SIGWINCH:
		return false;
	default:
		return true; /* every other one, real-time signals too, ends a process */
	}
}

static void monitor_exit(struct monitor *m, int status) __attribute__((noreturn));
static void monitor_exit(struct monitor *m, int status)
{
	if (m->qemu > 0) {
		kill(m->qemu, SIGKILL);
		waitpid(m->qemu, NULL, 0);
	}
	/* As the payload ended: of the same signal, so that a shim's wait sees it.  The
	 * status comes from the guest, which is not trusted: only a signal whose default
	 * action ends a process is raised (never one that would stop the monitor). */
	if (status > 128 && status < 128 + NSIG && sig_terminates(status - 128)) {
		int sig = status - 128;
		sigset_t s;
		signal(sig, SIG_DFL);
		sigemptyset(&s);
		sigaddset(&s, sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		raise(sig);
	}
	_exit(status & 0xff);
}

static struct client *client_of_chan(struct monitor *m, uint16_t chan)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i].fd >= 0 && m->clients[i].chan == chan)
			return &m->clients[i];
	return NULL;
}

static void client_drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* A frame from a husk command: exec opens its channel; the rest go to it. */
static void from_client(struct monitor *m, struct client *c)
{
	struct vm_frame f;

	if (vm_recv(c->fd, &f) < 0) {
		client_drop(c);
		return;
	}
	if (f.type == VM_SIGNAL && !c->chan) {
		/* kill --all: for the init's channel, answered at once */
		vm_send(m->port, VM_SIGNAL, 0, f.data, f.len);
		vm_send_int(c->fd, VM_EXIT, 0, 0, 0);
		client_drop(c);
	} else if (f.type == VM_EXEC && !c->chan) {
		c->chan = (uint16_t) (c - m->clients) + 1;
		vm_send(m->port, VM_EXEC, c->chan, f.data, f.len);
	} else if (c->chan && (f.type == VM_STDIN || f.type == VM_SIGNAL || f.type == VM_RESIZE)) {
		vm_send(m->port, f.type, c->chan, f.data, f.len);
	}
	free(f.data);
}

static void monitor_loop(struct monitor *m) __attribute__((noreturn));
static void monitor_loop(struct monitor *m)
{
	sigset_t all;
	int sfd;

	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[4 + MAX_CLIENTS];
		int np = 0;

		p[np++] = (struct pollfd){ .fd = m->port, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = m->stdin_open ? m->io[0] : -1, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++)
			p[np++] = (struct pollfd){ .fd = m->clients[i].fd, .events = POLLIN };
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			monitor_exit(m, 255);
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					if (waitpid(m->qemu, NULL, WNOHANG) == m->qemu) {
						m->qemu = 0;
						_cleanup_free_ char *tail = console_tail(m->dir, 3);
						dprintf(2, "husk: microvm: the VM ended before the container did; its console "
							   "ended: %s\n", tail);
						monitor_exit(m, 255);
					}
				} else if (si.ssi_signo == SIGWINCH && m->tty >= 0) {
					send_size(m->port, 0, m->tty);
				} else if (si.ssi_signo != SIGPIPE) {
					vm_send_int(m->port, VM_SIGNAL, 0, si.ssi_signo, 0);
				}
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			struct vm_frame f;
			if (vm_recv(m->port, &f) < 0)
				monitor_exit(m, 255);
			struct client *c = f.chan ? client_of_chan(m, f.chan) : NULL;
			if (f.chan == 0 && f.type == VM_EXIT) {
				husk_log(HUSK_LOG_DEBUG, "microvm: the container exited (%d)", vm_frame_int(&f, 0));
				monitor_exit(m, vm_frame_int(&f, 0));
			}
			else if (f.chan == 0 && (f.type == VM_STDOUT || f.type == VM_STDERR))
				(void) write_all(m->io[f.type == VM_STDOUT ? 1 : 2], f.data, f.len);
			else if (c) {
				if (vm_send(c->fd, f.type, 0, f.data, f.len) < 0 || f.type == VM_EXIT)
					client_drop(c);
			}
			free(f.data);
		}
		if (p[2].revents & POLLIN) {
			int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			for (int i = 0; fd >= 0 && i < MAX_CLIENTS; i++)
				if (m->clients[i].fd < 0) {
					m->clients[i] = (struct client){ .fd = fd };
					fd = -1;
				}
			if (fd >= 0)
				close(fd); /* full: the husk command sees its end closed */
		}
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[65536];
			ssize_t n = read(m->io[0], buf, sizeof(buf));
			if (n > 0) {
				vm_send(m->port, VM_STDIN, 0, buf, n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				m->stdin_open = false;
				vm_send(m->port, VM_STDIN, 0, NULL, 0);
			}
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (m->clients[i].fd >= 0 && (p[4 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				from_client(m, &m->clients[i]);
	}
}

/* The monitor's life until the container runs; READY on `report` (a pipe: one NUL
 * byte, or the error's text) once the guest holds the created container. */
static void monitor_main(struct init_request *req, struct vm_plan *plan, int report, int sync_fd, int tty)
{
	struct monitor m = { .listen_fd = -1, .qemu_pidfd = -1, .stdin_open = true,
			     .io = { tty >= 0 ? tty : 0, tty >= 0 ? tty : 1, tty >= 0 ? tty : 2 }, .tty = tty };
	struct husk_error err = { 0 };
	_cleanup_free_ char *dir = xasprintf("%s/" VM_DIR, req->state_dir), *create = NULL, *msg = NULL;
	struct vm_frame f;
	struct timespec t0, t1;
	int sp[2], r;

	for (int i = 0; i < MAX_CLIENTS; i++)
		m.clients[i].fd = -1;
	m.dir = dir;
	setsid();
	/* The pty is the monitor's controlling terminal: its size changes arrive as
	 * SIGWINCH, and go to the guest's. */
	if (tty >= 0)
		ioctl(tty, TIOCSCTTY, 0);
	if (req->lock_fd >= 0)
		close(req->lock_fd);
	if (req->cgroup_fd >= 0 && write_file_at(req->cgroup_fd, "cgroup.procs", "0", 1, 0) < 0) {
		msg = xasprintf("microvm: join the cgroup %s: %s", req->cgroup_path, strerror(errno));
		goto fail;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		msg = xasprintf("microvm: mkdir %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((m.listen_fd = listen_socket(req->state_dir, &err)) < 0) {
		msg = xstrdup(err.msg);
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		msg = xasprintf("microvm: socketpair: %s", strerror(errno));
		goto fail;
	}
	{
		/* SIGCHLD and SIGWINCH stay blocked from here: the loop takes them from a
		 * signalfd (a resize before start is not lost). */
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigaddset(&chld, SIGWINCH);
		sigprocmask(SIG_BLOCK, &chld, NULL);
	}
	husk_log(HUSK_LOG_DEBUG, "microvm: starting QEMU");
	m.qemu = start_qemu(plan, dir, sp[1]);
	close(sp[1]);
	m.port = sp[0];
	if (m.qemu < 0) {
		msg = xasprintf("microvm: fork: %s", strerror(errno));
		goto fail;
	}
	m.qemu_pidfd = syscall(SYS_pidfd_open, m.qemu, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = recv_guest(&m, &f, plan->boot_timeout * 1000);
	if (r < 0 || f.type != VM_HELLO) {
		_cleanup_free_ char *tail = console_tail(dir, 3), *qlog = NULL, *qpath = xasprintf("%s/qemu.log", dir);
		size_t len;
		/* QEMU gone (its end of the port closed with it) */
		if (r == -EPIPE)
			r = -ECHILD;
		if (r == -ECHILD && read_file_at(AT_FDCWD, qpath, 4096, &qlog, &len) == 0 && len) {
			qlog[strcspn(qlog, "\n")] = '\0';
			msg = xasprintf("microvm: QEMU failed: %s", qlog);
		} else if (r == -ECHILD) {
			msg = xasprintf("microvm: the guest stopped before its agent came up (%s); its console ended: %s",
					plan->accel, tail);
		} else {
			msg = xasprintf("microvm: the guest did not come up within %u s (%s); its console ended: %s",
					plan->boot_timeout, plan->accel, tail);
		}
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* For bench/microvm.sh (with --debug): where the boot's time goes. */
	husk_log(HUSK_LOG_DEBUG, "microvm: boot (%s): agent up %ld ms after QEMU started; guest uptime at PID 1 "
		 "%d ms, at the agent's hello %d ms", plan->accel,
		 (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, vm_frame_int(&f, 0),
		 vm_frame_int(&f, 1));
	free(f.data);
	create = guest_request(plan, req->id);
	if ((r = vm_send(m.port, VM_CREATE, 0, create, strlen(create))) < 0 ||
	    (r = recv_guest(&m, &f, plan->boot_timeout * 1000)) < 0) {
		msg = xasprintf("microvm: the guest agent did not answer the create: %s", strerror(-r));
		goto fail;
	}
	if (f.type != VM_READY) {
		msg = xasprintf("%s", f.data ? f.data : "microvm: the guest agent failed the create");
		goto fail;
	}
	free(f.data);
	f = (struct vm_frame){ 0 }; /* not to be read again if START has no answer */
	husk_log(HUSK_LOG_DEBUG, "microvm: the guest holds the created container");
	(void) write_all(report, "", 1);
	close(report);
	/* Held until start (run: the sync socket's word; create: the exec fifo's open). */
	if (sync_fd >= 0) {
		char c;
		if (read(sync_fd, &c, 1) != 1)
			monitor_exit(&m, 255);
	} else {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", req->fifo_fd);
		int fifo = open(path, O_WRONLY | O_CLOEXEC);
		if (fifo < 0)
			monitor_exit(&m, 255);
		close(req->fifo_fd);
		sync_fd = fifo;
	}
	send_size(m.port, 0, m.tty);
	if (vm_send(m.port, VM_START, 0, NULL, 0) < 0 || recv_guest(&m, &f, plan->boot_timeout * 1000) < 0 ||
	    f.type != VM_STARTED) {
		const char *why = f.type == VM_ERROR && f.data ? f.data : "the guest agent did not start it";
		dprintf(2, "husk: microvm: start: %s\n", why);
		if (req->fifo_fd < 0)
			(void) write_all(sync_fd, why, strlen(why));
		monitor_exit(&m, 255);
	}
	free(f.data);
	husk_log(HUSK_LOG_DEBUG, "microvm: the guest started the container");
	(void) write_all(sync_fd, "", 1);
	close(sync_fd);
	monitor_loop(&m);
fail:
	(void) write_all(report, msg, strlen(msg));
	if (m.qemu > 0) {
		kill(m.qemu, SIGKILL);
		waitpid(m.qemu, NULL, 0);
	}
	_exit(1);
}

static int vm_spawn(struct init_request *req, struct husk_error *err)
{
	struct vm_plan plan = { 0 };
	int report[2] = { -1, -1 }, sync[2] = { -1, -1 }, r;
	char buf[HUSK_ERROR_MAX];
	ssize_t n, got = 0;

	_cleanup_close_ int tty = -1;

	if (req->preserve_fds > 0)
		return husk_error_set(err, ENOTSUP, "--preserve-fds: the microvm executor cannot pass host files into "
				      "the guest");
	if ((r = plan_make(req->spec, &plan, err)) < 0)
		goto out;
	/* The caller's terminal is a host pty, passed through raw; the guest's husk gives
	 * the process its own, with the config's size and modes. */
	if (req->spec->process.terminal &&
	    (r = terminal_host_pty(req->console_fd, req->spec->process.console_height,
				   req->spec->process.console_width, &tty, err)) < 0)
		goto out;
	if (pipe2(report, O_CLOEXEC) < 0 ||
	    (req->fifo_fd < 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0)) {
		r = husk_error_sys(err, errno, "microvm: pipe");
		goto out;
	}
	req->pid = fork();
	if (req->pid < 0) {
		r = husk_error_sys(err, errno, "microvm: fork the monitor");
		goto out;
	}
	if (req->pid == 0) {
		close(report[0]);
		if (sync[0] >= 0)
			close(sync[0]);
		monitor_main(req, &plan, report[1], sync[1], tty);
		_exit(1);
	}
	close(report[1]);
	report[1] = -1;
	if (sync[1] >= 0) {
		close(sync[1]);
		sync[1] = -1;
	}
	req->pidfd = syscall(SYS_pidfd_open, req->pid, 0);
	if (req->cloned && (r = req->cloned(req->data, req->pid, err)) < 0)
		goto out;
	while (got < (ssize_t) sizeof(buf) - 1 && (n = read(report[0], buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	if (got == 0 || buf[0] != '\0') {
		r = husk_error_set(err, EIO, "%s", got ? buf : "microvm: the monitor died while the guest came up");
		waitpid(req->pid, NULL, 0);
		req->pid = 0;
		goto out;
	}
	if (req->create_runtime && (r = req->create_runtime(req->data, req->pid, err)) < 0)
		goto out;
	req->sync_fd = sync[0];
	sync[0] = -1;
	r = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0)
			close(report[i]);
		if (sync[i] >= 0)
			close(sync[i]);
	}
	plan_free(&plan);
	return r;
}

/* run: the monitor's word to start; its answer is one NUL byte, or the reason. */
static int vm_start(struct init_request *req, struct husk_error *err)
{
	char buf[HUSK_ERROR_MAX];
	ssize_t n;

	if (write_all(req->sync_fd, "S", 1) < 0)
		return husk_error_sys(err, errno, "microvm: start the container");
	n = read(req->sync_fd, buf, sizeof(buf) - 1);
	close(req->sync_fd);
	req->sync_fd = -1;
	if (n == 1 && buf[0] == '\0')
		return 0;
	buf[n > 0 ? n : 0] = '\0';
	return husk_error_set(err, EIO, "microvm: start: %s", n > 0 ? buf : "the monitor ended");
}


/* ---- husk commands talking to a monitor -------------------------------------------- */
static int connect_monitor(const struct container_state *st, struct husk_error *err)
{
	_cleanup_close_ int dfd = open(st->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = monitor_address(dfd);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || dfd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return husk_error_sys(err, e, "container \"%s\": reach its microVM monitor", st->id);
	}
	return fd;
}

static int vm_kill_all(const struct container_state *st, int sig, struct husk_error *err)
{
	_cleanup_close_ int fd = connect_monitor(st, err);
	struct vm_frame f;

	if (fd < 0)
		return fd;
	if (vm_send_int(fd, VM_SIGNAL, 0, sig, VM_SIGNAL_ALL) < 0 || vm_recv(fd, &f) < 0)
		return husk_error_set(err, EIO, "container \"%s\": its microVM monitor did not take the signal", st->id);
	free(f.data);
	return 0;
}

/* The exec request: husk exec's own options, for the guest's husk exec. */
static char *exec_request(const struct husk_exec_options *o, bool *tty, struct husk_error *err, int *r)
{
	struct json_writer *w = json_writer_new(false);
	_cleanup_free_ char *text = NULL;
	json_value *process = NULL;

	*r = 0;
	*tty = o->tty_set && o->tty;
	if (o->process_file) {
		size_t len;
		char perr[256];
		if ((*r = read_regular_file_at(AT_FDCWD, o->process_file, 1 << 20, &text, &len)) < 0 ||
		    json_parse(text, &process, perr, sizeof(perr)) < 0) {
			json_writer_free(w);
			*r = husk_error_set(err, EINVAL, "--process \"%s\": %s", o->process_file,
					    *r < 0 ? strerror(-*r) : perr);
			return NULL;
		}
		if (!o->tty_set)
			*tty = json_is_true(json_object_get(process, "terminal"));
	}
	json_write_object_begin(w);
	json_write_key(w, "options");
	json_write_array_begin(w);
	for (size_t i = 0; o->env && o->env[i]; i++) {
		json_write_string(w, "--env");
		json_write_string(w, o->env[i]);
	}
	for (size_t i = 0; o->caps && o->caps[i]; i++) {
		json_write_string(w, "--cap");
		json_write_string(w, o->caps[i]);
	}
	if (o->cwd) {
		json_write_string(w, "--cwd");
		json_write_string(w, o->cwd);
	}
	if (o->user) {
		json_write_string(w, "--user");
		json_write_string(w, o->user);
	}
	if (o->cgroup) {
		json_write_string(w, "--cgroup");
		json_write_string(w, o->cgroup);
	}
	if (*tty)
		json_write_string(w, "--tty");
	if (o->no_new_privs)
		json_write_string(w, "--no-new-privs");
	json_write_array_end(w);
	json_write_string_array(w, "args", o->args);
	json_write_key(w, "process");
	if (process) {
		json_write_value(w, process);
		json_free(process);
	} else {
		json_write_null(w);
	}
	json_write_object_end(w);
	return json_writer_finish(w);
}

/* Relay between IN/OUT/ERR and the monitor until the guest process exits; TTY (or
 * -1) is the terminal whose size the guest's follows. */
static int relay(int sock, int in, int out, int errfd, int tty)
{
	sigset_t fwd;
	int sfd, status = 255;
	bool in_open = in >= 0;

	sigfillset(&fwd);
	sigdelset(&fwd, SIGKILL);
	sigdelset(&fwd, SIGSTOP);
	sigdelset(&fwd, SIGCHLD);
	sigdelset(&fwd, SIGPIPE);
	sigprocmask(SIG_BLOCK, &fwd, NULL);
	sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
	send_size(sock, 0, tty);
	for (;;) {
		struct pollfd p[3] = { { .fd = sock, .events = POLLIN }, { .fd = in_open ? in : -1, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct vm_frame f;
			if (vm_recv(sock, &f) < 0)
				break;
			if (f.type == VM_STDOUT)
				(void) write_all(out, f.data, f.len);
			else if (f.type == VM_STDERR)
				(void) write_all(errfd, f.data, f.len);
			bool done = f.type == VM_EXIT;
			if (done)
				status = vm_frame_int(&f, 0);
			free(f.data);
			if (done)
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[65536];
			ssize_t n = read(in, buf, sizeof(buf));
			if (n > 0) {
				vm_send(sock, VM_STDIN, 0, buf, n);
			} else if (n == 0 || errno != EINTR) {
				in_open = false;
				vm_send(sock, VM_STDIN, 0, NULL, 0);
			}
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH && tty >= 0)
				send_size(sock, 0, tty);
			else
				vm_send_int(sock, VM_SIGNAL, 0, si.ssi_signo, 0);
		}
	}
	close(sfd);
	return status;
}

static int vm_exec(const struct container_state *st, const struct husk_exec_options *o, int *status,
		   struct husk_error *err)
{
	_cleanup_free_ char *request = NULL;
	_cleanup_close_ int sock = -1, console = -1, peer = -1, slave = -1;
	bool tty;
	int r;

	*status = 0;
	if (o->preserve_fds > 0)
		return husk_error_set(err, ENOTSUP, "exec --preserve-fds: the microvm executor cannot pass host files "
				      "into the guest");
	if (!(request = exec_request(o, &tty, err, &r)))
		return r;
	if (tty && o->detach && !o->console_socket)
		return husk_error_set(err, EINVAL, "exec: --tty with --detach needs --console-socket");
	if (tty && o->console_socket) {
		/* The caller's terminal is a host pty whose master goes to the socket; the
		 * guest's husk exec makes the process's own. */
		if ((r = terminal_open_socket(o->console_socket, &console, &peer, err)) < 0 ||
		    (r = terminal_host_pty(console, 0, 0, &slave, err)) < 0)
			return r;
	}
	if ((sock = connect_monitor(st, err)) < 0)
		return sock;
	if (vm_send(sock, VM_EXEC, 0, request, strlen(request)) < 0)
		return husk_error_set(err, EIO, "container \"%s\": its microVM monitor did not take the exec", st->id);
	if (o->detach) {
		/* The process the caller waits for: the relay, which ends with the guest's. */
		pid_t pid = fork();
		if (pid < 0)
			return husk_error_sys(err, errno, "exec: fork");
		if (pid == 0) {
			/* Its stdio is the caller's (conmon's and the shims' pipes), or the pty,
			 * whose size changes it hears of as its controlling terminal. */
			setsid();
			if (slave >= 0)
				ioctl(slave, TIOCSCTTY, 0);
			_exit(relay(sock, slave >= 0 ? slave : 0, slave >= 0 ? slave : 1, slave >= 0 ? slave : 2,
				    slave));
		}
		if (o->pid_file && (r = write_pid_file(o->pid_file, pid, err)) < 0)
			return r;
		return 0;
	}
	if (tty)
		terminal_raw_stdin();
	if (o->pid_file && (r = write_pid_file(o->pid_file, getpid(), err)) < 0)
		return r;
	*status = relay(sock, slave >= 0 ? slave : 0, slave >= 0 ? slave : 1, slave >= 0 ? slave : 2,
			slave >= 0 ? slave : tty && isatty(0) ? 0 : -1);
	terminal_restore_stdin();
	return 0;
}

const struct executor executor_microvm = {
	.name = VM_EXECUTOR_NAME,
	.check = vm_check,
	.spawn = vm_spawn,
	.start = vm_start,
	.exec = vm_exec,
	.kill_all = vm_kill_all,
	.limits_inside = true,
};
