/* cgroup.c - cgroup v2 through cgroupfs: placement and lifetime of the container's
 * cgroup.  A hybrid host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified) is used
 * as it is: husk never remounts or reconfigures a host hierarchy. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "utils.h"

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cgroup_mountpoint(void)
{
	static const char *mp;
	static bool probed;

	if (!probed) {
		probed = true;
		if (is_cgroup2("/sys/fs/cgroup"))
			mp = "/sys/fs/cgroup";
		else if (is_cgroup2("/sys/fs/cgroup/unified"))
			mp = "/sys/fs/cgroup/unified";
	}
	return mp;
}

/* husk's own cgroup v2 path, from the "0::" line of /proc/self/cgroup. */
static char *own_cgroup(void)
{
	_cleanup_free_ char *buf = NULL;
	char *line;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL) < 0)
		return xstrdup("/");
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (str_has_prefix(line, "0::"))
			return xstrdup(line + 3);
	return xstrdup("/");
}

/* "machine-a-b.slice" -> "/machine.slice/machine-a.slice/machine-a-b.slice", as systemd nests slices. */
static char *expand_slice(const char *slice)
{
	_cleanup_free_ char *name = xstrdup(slice);
	char *out = xstrdup(""), *dash;
	size_t len = strlen(name);

	if (len > 6 && !strcmp(name + len - 6, ".slice"))
		name[len - 6] = '\0';
	if (!strcmp(name, "-") || !*name)
		return out;
	for (dash = strchr(name, '-');; dash = strchr(dash + 1, '-')) {
		char *n = xasprintf("%s/%.*s.slice", out, dash ? (int) (dash - name) : (int) strlen(name), name);
		free(out);
		out = n;
		if (!dash)
			break;
	}
	return out;
}

char *cgroup_path_for(const struct husk_context *ctx, const struct spec *s, const char *id)
{
	const char *p = s->cgroups_path;
	_cleanup_free_ char *own = NULL;

	if (!p || !*p)
		return xasprintf("/husk/%s", id);
	if (ctx->cgroup_manager == HUSK_CGROUP_SYSTEMD || (p[0] != '/' && strchr(p, ':'))) {
		/* slice:prefix:name -> <slice path>/<prefix>-<name>.scope */
		_cleanup_free_ char *copy = xstrdup(p), *slice = NULL;
		char *prefix = strchr(copy, ':'), *name = prefix ? strchr(prefix + 1, ':') : NULL;
		if (prefix && name) {
			*prefix++ = '\0';
			*name++ = '\0';
			slice = expand_slice(*copy ? copy : "system.slice");
			return xasprintf("%s/%s%s%s.scope", slice, prefix, *prefix ? "-" : "", name);
		}
	}
	if (p[0] == '/')
		return xstrdup(p);
	own = own_cgroup();
	return xasprintf("%s/%s", strcmp(own, "/") ? own : "", p);
}

int cgroup_create(const char *path, char **fspath, int *fd, struct husk_error *err)
{
	const char *mp = cgroup_mountpoint();
	_cleanup_free_ char *full = NULL;
	int r;

	*fspath = NULL;
	*fd = -1;
	if (!mp) {
		husk_log(HUSK_LOG_DEBUG, "no cgroup2 mount: the container gets no cgroup");
		return 0;
	}
	if (strstr(path, "/../") || str_has_prefix(path, "../") || strstr(path, "/.."))
		return husk_error_set(err, EINVAL, "config.json: linux.cgroupsPath: \"%s\" must not contain \"..\"", path);
	full = xasprintf("%s%s%s", mp, path[0] == '/' ? "" : "/", path);
	r = mkdir_p(full, 0755);
	if (r < 0)
		return husk_error_sys(err, -r, "create cgroup \"%s\"", full);
	{
		/* An existing cgroup with processes belongs to someone else: sharing it would
		 * let one container's kill --all or delete reach the other's processes. */
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		if (cgroup_read_pids(full, &pids, &n) == 0 && n > 0)
			return husk_error_set(err, EBUSY, "cgroup \"%s\" is already in use (linux.cgroupsPath)", full);
	}
	*fd = open(full, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		r = husk_error_sys(err, errno, "open cgroup \"%s\"", full);
		rmdir(full);
		return r;
	}
	*fspath = TAKE_PTR(full);
	return 0;
}

int cgroup_read_pids(const char *fspath, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.procs", fspath), *buf = NULL;
	size_t count = 0;
	pid_t *v = NULL;
	char *line, *save;
	int r;

	*pids = NULL;
	*n = 0;
	r = read_file_at(AT_FDCWD, path, 64 << 20, &buf, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		v = xrealloc(v, (count + 1) * sizeof(pid_t));
		v[count++] = atoi(line);
	}
	*pids = v;
	*n = count;
	return 0;
}

int cgroup_signal_all(const char *fspath, int sig, struct husk_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n, i;
	int r;

	if (sig == SIGKILL) {
		/* cgroup.kill (5.14) kills the whole subtree at once, forks in flight included. */
		_cleanup_free_ char *kill_file = xasprintf("%s/cgroup.kill", fspath);
		if (write_file_at(AT_FDCWD, kill_file, "1", 1, 0) == 0)
			return 0;
	}
	r = cgroup_read_pids(fspath, &pids, &n);
	if (r < 0)
		return husk_error_sys(err, -r, "read the processes of cgroup \"%s\"", fspath);
	for (i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return husk_error_sys(err, errno, "kill %d", pids[i]);
	return 0;
}

bool cgroup_is_frozen(const char *fspath)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;

	if (!fspath)
		return false;
	path = xasprintf("%s/cgroup.freeze", fspath);
	return read_file_at(AT_FDCWD, path, 64, &buf, NULL) == 0 && buf[0] == '1';
}

int cgroup_destroy(const char *fspath, struct husk_error *err)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (!fspath)
		return 0;
	for (i = 0; i < 5000; i++) {
		if (rmdir(fspath) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return husk_error_sys(err, errno, "remove cgroup \"%s\"", fspath);
		/* Still populated: kill what is left, and give the kernel time to reap it. */
		if (i == 0)
			cgroup_signal_all(fspath, SIGKILL, NULL);
		nanosleep(&ts, NULL);
	}
	return husk_error_set(err, EBUSY, "remove cgroup \"%s\": still busy after 5 s", fspath);
}

/* ---- linux.resources ------------------------------------------------------------ */
/* Whether controller can be used in a child of mount/path's parent, enabling it in
 * every ancestor's cgroup.subtree_control on the way down as needed. */
static int enable_controller(const char *fspath, const char *controller)
{
	const char *mp = cgroup_mountpoint();
	_cleanup_free_ char *dir = xstrdup(mp), *avail = NULL, *file = NULL;
	const char *rest = fspath + strlen(mp);
	_cleanup_free_ char *rel = xstrdup(rest);
	char *comp, *save;
	char *words, *w, *wsave;
	bool found = false;

	file = xasprintf("%s/cgroup.controllers", mp);
	if (read_file_at(AT_FDCWD, file, 4096, &avail, NULL) < 0)
		return -ENOENT;
	for (words = avail; (w = strtok_r(words, " \n", &wsave)); words = NULL)
		if (!strcmp(w, controller))
			found = true;
	if (!found)
		return -ENOENT;
	/* Walk from the mount down to the parent of fspath. */
	for (comp = strtok_r(rel, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		_cleanup_free_ char *ctl = xasprintf("%s/cgroup.subtree_control", dir);
		_cleanup_free_ char *plus = xasprintf("+%s", controller);
		char *next;
		int r = write_file_at(AT_FDCWD, ctl, plus, strlen(plus), 0);
		if (r < 0)
			return r;
		next = xasprintf("%s/%s", dir, comp);
		free(dir);
		dir = next;
	}
	return 0;
}

struct res_ctx {
	const char *fspath;
	struct husk_error *err;
};

static int res_write(struct res_ctx *c, const char *field, const char *controller, const char *file,
		     const char *value)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", c->fspath, file);
	int r;

	if (controller) {
		r = enable_controller(c->fspath, controller);
		if (r == -ENOENT)
			return husk_error_set(c->err, ENOTSUP,
					      "config.json: %s: the host's cgroup v2 has no %s controller",
					      field, controller);
		if (r < 0)
			return husk_error_sys(c->err, -r, "config.json: %s: enable the %s controller", field, controller);
	}
	r = write_file_at(AT_FDCWD, path, value, strlen(value), 0);
	if (r < 0)
		return husk_error_sys(c->err, -r, "config.json: %s: write \"%s\" to %s", field, value, path);
	return 0;
}

static int res_int(struct res_ctx *c, const json_value *obj, const char *key, const char *field,
		   int64_t *out, bool *present)
{
	const json_value *v = json_object_get(obj, key);

	*present = false;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (json_int64(v, out) < 0)
		return husk_error_set(c->err, EINVAL, "config.json: %s.%s: must be an integer", field, key);
	*present = true;
	return 0;
}

static void limit_str(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%lld", (long long) v);
}

static int apply_memory(struct res_ctx *c, const json_value *mem)
{
	static const char *const f = "linux.resources.memory";
	int64_t limit = 0, swap = 0, reservation = 0;
	bool has_limit, has_swap, has_res;
	char buf[32];
	int r;

	if ((r = res_int(c, mem, "limit", f, &limit, &has_limit)) < 0 ||
	    (r = res_int(c, mem, "swap", f, &swap, &has_swap)) < 0 ||
	    (r = res_int(c, mem, "reservation", f, &reservation, &has_res)) < 0)
		return r;
	if (has_limit) {
		limit_str(buf, sizeof(buf), limit);
		if ((r = res_write(c, "linux.resources.memory.limit", "memory", "memory.max", buf)) < 0)
			return r;
	}
	if (has_res) {
		limit_str(buf, sizeof(buf), reservation);
		if ((r = res_write(c, "linux.resources.memory.reservation", "memory", "memory.low", buf)) < 0)
			return r;
	}
	if (has_swap) {
		/* runtime-spec's swap is memory+swap (v1 semantics); v2's swap.max is swap alone. */
		if (swap >= 0 && has_limit && limit >= 0) {
			if (swap < limit)
				return husk_error_set(c->err, EINVAL, "config.json: %s.swap: %lld is below memory.limit %lld",
						      f, (long long) swap, (long long) limit);
			swap -= limit;
		}
		limit_str(buf, sizeof(buf), swap);
		if ((r = res_write(c, "linux.resources.memory.swap", "memory", "memory.swap.max", buf)) < 0)
			return r;
	}
	return 0;
}

static int apply_cpu(struct res_ctx *c, const json_value *cpu)
{
	static const char *const f = "linux.resources.cpu";
	int64_t shares = 0, quota = 0, period = 0;
	bool has_shares, has_quota, has_period;
	const char *cpus = json_string(json_object_get(cpu, "cpus"));
	const char *mems = json_string(json_object_get(cpu, "mems"));
	char buf[64];
	int r;

	if ((r = res_int(c, cpu, "shares", f, &shares, &has_shares)) < 0 ||
	    (r = res_int(c, cpu, "quota", f, &quota, &has_quota)) < 0 ||
	    (r = res_int(c, cpu, "period", f, &period, &has_period)) < 0)
		return r;
	if (has_shares && shares > 0) {
		/* runc's conversion of v1 shares [2, 262144] to v2 weight [1, 10000]. */
		int64_t weight = 1 + ((shares - 2) * 9999) / 262142;
		snprintf(buf, sizeof(buf), "%lld", (long long) weight);
		if ((r = res_write(c, "linux.resources.cpu.shares", "cpu", "cpu.weight", buf)) < 0)
			return r;
	}
	if (has_quota || has_period) {
		char q[32];
		limit_str(q, sizeof(q), has_quota ? quota : -1);
		snprintf(buf, sizeof(buf), "%s %lld", q, (long long) (has_period && period > 0 ? period : 100000));
		if ((r = res_write(c, "linux.resources.cpu.quota", "cpu", "cpu.max", buf)) < 0)
			return r;
	}
	if (cpus && *cpus && (r = res_write(c, "linux.resources.cpu.cpus", "cpuset", "cpuset.cpus", cpus)) < 0)
		return r;
	if (mems && *mems && (r = res_write(c, "linux.resources.cpu.mems", "cpuset", "cpuset.mems", mems)) < 0)
		return r;
	return 0;
}

int cgroup_apply_resources(const char *fspath, const struct spec *s, struct husk_error *err)
{
	const json_value *res = s->resources, *v;
	struct res_ctx c = { fspath, err };
	/* Sections husk does not enforce yet: asking for them is an error, not a silent no-op. */
	static const char *const unsupported[] = { "blockIO", "hugepageLimits", "rdma", "network" };
	int64_t pids;
	bool has_pids;
	char buf[32];
	int r;

	if (!res)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
		v = json_object_get(res, unsupported[i]);
		if (v && json_len(v))
			return husk_error_set(err, ENOTSUP, "config.json: linux.resources.%s: not supported by husk yet",
					      unsupported[i]);
	}
	if (!fspath) {
		for (size_t i = 0; i < json_len(res); i++) {
			const char *k = json_object_key_at(res, i);
			if (strcmp(k, "devices") && json_len(json_object_value_at(res, i)))
				return husk_error_set(err, ENOTSUP, "config.json: linux.resources.%s: this host has no cgroup v2", k);
		}
		return 0;
	}
	if ((v = json_object_get(res, "memory")) && (r = apply_memory(&c, v)) < 0)
		return r;
	if ((v = json_object_get(res, "cpu")) && (r = apply_cpu(&c, v)) < 0)
		return r;
	if ((v = json_object_get(res, "pids"))) {
		if ((r = res_int(&c, v, "limit", "linux.resources.pids", &pids, &has_pids)) < 0)
			return r;
		if (has_pids) {
			limit_str(buf, sizeof(buf), pids > 0 ? pids : -1);
			if ((r = res_write(&c, "linux.resources.pids.limit", "pids", "pids.max", buf)) < 0)
				return r;
		}
	}
	if ((v = json_object_get(res, "unified"))) {
		for (size_t i = 0; i < json_len(v); i++) {
			const char *key = json_object_key_at(v, i), *val = json_string(json_object_value_at(v, i));
			_cleanup_free_ char *field = xasprintf("linux.resources.unified.%s", key);
			_cleanup_free_ char *ctrl = NULL, *path = NULL;
			const char *dot = strchr(key, '.');

			if (!val)
				return husk_error_set(err, EINVAL, "config.json: %s: must be a string", field);
			if (!dot || strchr(key, '/') || key[0] == '.')
				return husk_error_set(err, EINVAL, "config.json: %s: not a cgroup v2 file name", field);
			ctrl = xasprintf("%.*s", (int) (dot - key), key);
			if (strcmp(ctrl, "cgroup") && (r = enable_controller(fspath, ctrl)) < 0 && r == -ENOENT)
				return husk_error_set(err, ENOTSUP, "config.json: %s: the host's cgroup v2 has no %s controller",
						      field, ctrl);
			path = xasprintf("%s/%s", fspath, key);
			if (access(path, F_OK) < 0)
				return husk_error_set(err, ENOENT, "config.json: %s: unknown cgroup file \"%s\"", field, key);
			if ((r = res_write(&c, field, NULL, key, val)) < 0)
				return r;
		}
	}
	/* linux.resources.devices: enforced by a cgroup eBPF program in a later release;
	 * until then the container's /dev holds only the nodes the config lists. */
	return 0;
}
