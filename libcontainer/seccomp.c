/* seccomp.c - runtime-spec linux.seccomp -> a BPF program, loaded just before exec.
 *
 * libseccomp compiles the profile in the runtime, before the clone; the program it
 * exports is what the container loads, with the seccomp(2) system call itself, so
 * that husk controls the filter flags (TSYNC, LOG, SPEC_ALLOW, NEW_LISTENER,
 * WAIT_KILLABLE_RECV) whatever the libseccomp version.
 *
 * Compiled programs are cached under <root>/.seccomp-cache, one file per profile: a
 * file holds the profile's canonical JSON text and the program, and is used only when
 * that text is byte for byte the profile asked for (the hash in its name only finds
 * it).  The cache is as trusted as the rest of --root (0700, the runtime's own), and
 * holds at most SECCOMP_CACHE_MAX files, the oldest going first. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <seccomp.h>

#include "seccomp_filter.h"
#include "utils.h"

#define SECCOMP_CACHE_MAX 64
/* Bumped whenever the same profile text compiles to a different program (2: several
 * conditions on one argument became one rule each), so no stale program is reused. */
#define CACHE_MAGIC "husk-seccomp-2\n"
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct seccomp_filter {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned flags;         /* seccomp(2) SECCOMP_FILTER_FLAG_* */
	bool notify;            /* some rule is SCMP_ACT_NOTIFY: a listener is made */
	char *listener_path;    /* where the listener goes, with the container's state */
	char *listener_metadata;
	bool from_cache;
};

static int parse_action(const char *name, uint32_t errno_ret, uint32_t *out)
{
	static const struct { const char *name; uint32_t action; } actions[] = {
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL }, { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS }, { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW }, { "SCMP_ACT_LOG", SCMP_ACT_LOG },
		{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
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

static int add_rule(scmp_filter_ctx ctx, const json_value *rule, size_t i, uint32_t default_action, bool *notify,
		    struct husk_error *err)
{
	const json_value *names = json_object_get(rule, "names"), *args = json_object_get(rule, "args");
	const char *action_name = json_string(json_object_get(rule, "action"));
	struct scmp_arg_cmp cmp[6];
	size_t n_args = json_len(args), j;
	unsigned per_index[6] = { 0 };
	bool one_rule_each = false;
	uint32_t action;
	int r;

	if (!action_name)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].action: missing", i);
	if (parse_action(action_name, errno_ret_of(rule, EPERM), &action) < 0)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].action: unknown action \"%s\"",
				      i, action_name);
	if (action == SCMP_ACT_NOTIFY)
		*notify = true;
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
		if (++per_index[index] > 1)
			one_rule_each = true;
	}
	for (j = 0; j < json_len(names); j++) {
		const char *name = json_string(json_array_at(names, j));
		int nr;

		if (!name)
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.syscalls[%zu].names[%zu]: must be a string", i, j);
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown on this architecture: skipped, as runc and crun do */
		/* Conditions on distinct arguments are one rule (AND).  Two on the same
		 * argument cannot be ANDed by libseccomp (EINVAL); runc and crun then add one
		 * rule per condition, so that any of them matches (OR), and so does husk. */
		if (!one_rule_each)
			r = seccomp_rule_add_array(ctx, action, nr, n_args, cmp);
		else
			for (size_t k = r = 0; k < n_args && (r >= 0 || r == -EEXIST); k++)
				r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]);
		if (r < 0 && r != -EEXIST)
			return husk_error_sys(err, -r, "config.json: linux.seccomp.syscalls[%zu]: add rule for \"%s\"", i, name);
	}
	return 0;
}

/* Everything of the profile that is not the program: flags and the listener. */
static int parse_settings(const json_value *sc, struct seccomp_filter *f, struct husk_error *err)
{
	static const struct { const char *name; unsigned flag; } flags[] = {
		{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
		{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
		{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
		{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
	};
	const json_value *list = json_object_get(sc, "flags");
	const char *path = json_string(json_object_get(sc, "listenerPath"));
	const char *meta = json_string(json_object_get(sc, "listenerMetadata"));

	for (size_t i = 0; i < json_len(list); i++) {
		const char *fl = json_string(json_array_at(list, i));
		size_t k;
		for (k = 0; k < ARRAY_SIZE(flags); k++)
			if (fl && !strcmp(fl, flags[k].name))
				break;
		if (k == ARRAY_SIZE(flags))
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
					      fl ? fl : "");
		f->flags |= flags[k].flag;
	}
	if (f->notify) {
		if (!path || path[0] != '/')
			return husk_error_set(err, EINVAL, "config.json: linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs "
					      "the absolute path of a unix socket to send the listener to");
		f->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		f->listener_path = xstrdup(path);
		f->listener_metadata = xstrdup(meta ? meta : "");
		/* The kernel refuses TSYNC with a listener unless told how to report a failure. */
		if (f->flags & SECCOMP_FILTER_FLAG_TSYNC)
			f->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		f->flags &= ~(unsigned) SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* only means something with a listener */
	}
	return 0;
}

/* libseccomp -> the BPF program, through a memfd (seccomp_export_bpf writes to an fd). */
static int compile_program(const json_value *sc, struct seccomp_filter *f, struct husk_error *err)
{
	const char *def = json_string(json_object_get(sc, "defaultAction"));
	const json_value *archs = json_object_get(sc, "architectures"), *syscalls = json_object_get(sc, "syscalls");
	_cleanup_close_ int memfd = -1;
	uint32_t default_errno = EPERM, action;
	scmp_filter_ctx ctx;
	struct stat st;
	uint64_t v;
	size_t i;
	int r;

	if (json_uint64(json_object_get(sc, "defaultErrnoRet"), &v) == 0)
		default_errno = (uint32_t) v;
	if (!def)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.defaultAction: missing");
	if (parse_action(def, default_errno, &action) < 0)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.defaultAction: unknown action \"%s\"", def);
	if (action == SCMP_ACT_NOTIFY)
		return husk_error_set(err, EINVAL, "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be "
				      "the default (the listener's own calls would wait on it)");
	ctx = seccomp_init(action);
	if (!ctx)
		return husk_error_set(err, EINVAL, "seccomp_init failed");
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
			goto out;
		}
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST) {
			r = husk_error_sys(err, -r, "config.json: linux.seccomp.architectures[%zu]", i);
			goto out;
		}
	}
	for (i = 0; i < json_len(syscalls); i++)
		if ((r = add_rule(ctx, json_array_at(syscalls, i), i, action, &f->notify, err)) < 0)
			goto out;
	memfd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	if (memfd < 0) {
		r = husk_error_sys(err, errno, "memfd_create");
		goto out;
	}
	r = seccomp_export_bpf(ctx, memfd);
	if (r < 0 || fstat(memfd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter)) {
		r = husk_error_sys(err, r < 0 ? -r : EIO, "config.json: linux.seccomp: compile the filter");
		goto out;
	}
	f->n_insns = (size_t) st.st_size / sizeof(struct sock_filter);
	f->insns = xmalloc((size_t) st.st_size);
	if (pread(memfd, f->insns, (size_t) st.st_size, 0) != st.st_size) {
		r = husk_error_sys(err, errno, "config.json: linux.seccomp: read the compiled filter");
		goto out;
	}
	r = 0;
out:
	seccomp_release(ctx);
	return r;
}

/* ---- the cache --------------------------------------------------------------------- */
static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char) s[i]) * 0x100000001b3ULL;
	return h;
}

struct cache_header {
	char magic[16];
	uint32_t text_len, n_insns;
	uint32_t notify;
	uint32_t pad;
};

static char *cache_file(const char *dir, const char *text, size_t len)
{
	return xasprintf("%s/%016llx", dir, (unsigned long long) fnv1a(text, len));
}

static bool cache_lookup(const char *dir, const char *text, size_t len, struct seccomp_filter *f)
{
	_cleanup_free_ char *path = cache_file(dir, text, len), *buf = NULL;
	struct cache_header h;
	size_t size;

	if (read_file_at(AT_FDCWD, path, 16 << 20, &buf, &size) < 0 || size < sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) || h.text_len != len || h.n_insns == 0 ||
	    size != sizeof(h) + len + (size_t) h.n_insns * sizeof(struct sock_filter) ||
	    memcmp(buf + sizeof(h), text, len))
		return false;
	f->n_insns = h.n_insns;
	f->insns = xmalloc(f->n_insns * sizeof(struct sock_filter));
	memcpy(f->insns, buf + sizeof(h) + len, f->n_insns * sizeof(struct sock_filter));
	f->notify = h.notify;
	f->from_cache = true;
	return true;
}

/* Keep the directory under SECCOMP_CACHE_MAX files: the least recently written go. */
static void cache_evict(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char oldest[64] = "";
	time_t oldest_t = 0;
	int n = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		n++;
		if (!*oldest || st.st_mtime < oldest_t) {
			snprintf(oldest, sizeof(oldest), "%s", de->d_name);
			oldest_t = st.st_mtime;
		}
	}
	if (n >= SECCOMP_CACHE_MAX && *oldest)
		unlinkat(dirfd(d), oldest, 0);
	closedir(d);
}

static void cache_store(const char *dir, const char *text, size_t len, const struct seccomp_filter *f)
{
	_cleanup_free_ char *path = cache_file(dir, text, len), *buf = NULL;
	struct cache_header h = { .text_len = (uint32_t) len, .n_insns = (uint32_t) f->n_insns, .notify = f->notify };
	size_t size = sizeof(h) + len + f->n_insns * sizeof(struct sock_filter);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	cache_evict(dir);
	memcpy(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1);
	buf = xmalloc(size);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), text, len);
	memcpy(buf + sizeof(h) + len, f->insns, f->n_insns * sizeof(struct sock_filter));
	if (write_file_atomic(path, buf, size) < 0)
		husk_log(HUSK_LOG_DEBUG, "seccomp cache: cannot write %s", path);
}

int seccomp_compile(const json_value *sc, const char *cache_dir, struct seccomp_filter **out, struct husk_error *err)
{
	struct seccomp_filter *f = xcalloc(1, sizeof(*f));
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	if (cache_dir) {
		/* The canonical text of the profile: what the cache is keyed by. */
		struct json_writer *w = json_writer_new(false);
		json_write_value(w, sc);
		text = json_writer_finish(w);
		len = strlen(text);
	}
	if (!text || !cache_lookup(cache_dir, text, len, f)) {
		if ((r = compile_program(sc, f, err)) < 0)
			goto fail;
		if (text)
			cache_store(cache_dir, text, len, f);
	}
	if ((r = parse_settings(sc, f, err)) < 0)
		goto fail;
	*out = f;
	return 0;
fail:
	seccomp_filter_free(f);
	return r;
}

bool seccomp_filter_from_cache(const struct seccomp_filter *f)
{
	return f->from_cache;
}

const char *seccomp_listener_path(const struct seccomp_filter *f)
{
	return f ? f->listener_path : NULL;
}

int seccomp_listener_connect(const struct seccomp_filter *f, int *fd, struct husk_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s;

	*fd = -1;
	if (!f || !f->listener_path)
		return 0;
	if (strlen(f->listener_path) >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG, "config.json: linux.seccomp.listenerPath: \"%s\" is too long",
				      f->listener_path);
	strcpy(addr.sun_path, f->listener_path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return husk_error_sys(err, errno, "socket");
	if (connect(s, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
		int e = errno;
		close(s);
		return husk_error_sys(err, e, "config.json: linux.seccomp.listenerPath: connect to \"%s\"", f->listener_path);
	}
	*fd = s;
	return 0;
}

char *seccomp_listener_message(const struct seccomp_filter *f, pid_t pid, const char *state_json)
{
	struct json_writer *w = json_writer_new(false);
	json_value *state = NULL;
	char msg[64];

	json_write_object_begin(w);
	json_write_key_string(w, "ociVersion", "1.3.0");
	json_write_key(w, "fds");
	json_write_array_begin(w);
	json_write_string(w, "seccompFd");
	json_write_array_end(w);
	json_write_key_int(w, "pid", pid);
	json_write_key_string(w, "metadata", f->listener_metadata ? f->listener_metadata : "");
	json_write_key(w, "state");
	if (json_parse(state_json, &state, msg, sizeof(msg)) == 0)
		json_write_value(w, state);
	else
		json_write_null(w);
	json_free(state);
	json_write_object_end(w);
	return json_writer_finish(w);
}

int seccomp_load_filter(struct seccomp_filter *f, int listener_sock, const char *message, struct husk_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short) f->n_insns, .filter = f->insns };
	int r;

	if (f->n_insns > BPF_MAXINSNS)
		return husk_error_set(err, E2BIG, "linux.seccomp: the filter has %zu instructions, more than the kernel's %d",
				      f->n_insns, BPF_MAXINSNS);
	r = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
	if (r < 0)
		return husk_error_sys(err, errno, "load the seccomp filter");
	if (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/* r is the listener: off to listenerPath with the container's state, and
		 * closed here, so that the container never holds it. */
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov = { (void *) message, strlen(message) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		ssize_t n;

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &r, sizeof(int));
		n = sendmsg(listener_sock, &mh, MSG_NOSIGNAL);
		close(r);
		close(listener_sock);
		if (n < 0)
			return husk_error_sys(err, errno, "linux.seccomp.listenerPath: send the listener");
	}
	return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	if (!f)
		return;
	free(f->insns);
	free(f->listener_path);
	free(f->listener_metadata);
	free(f);
}
