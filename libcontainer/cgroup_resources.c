/* cgroup_resources.c - linux.resources turned into cgroup v2 files, with the
 * conversions from the runtime-spec's cgroup v1 units that runc and crun make. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_resources.h"
#include "spec.h"
#include "utils.h"

/* ---- conversions ------------------------------------------------------------------ */
/* ln(m) for m in [1, 2): 2 atanh((m-1)/(m+1)), whose series converges fast there. */
static double ln_1_2(double m)
{
	double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;

	for (int k = 1; k < 60; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2 * sum;
}

/* e^y for |y| < 40: e^r * 2^k with |r| <= ln(2)/2, e^r by its Taylor series. */
static double exp_small(double y)
{
	static const double ln2 = 0.69314718055994530942;
	int k = (int) (y / ln2 + (y < 0 ? -0.5 : 0.5));
	double r = y - k * ln2, term = 1, sum = 1;

	for (int i = 1; i < 30; i++) {
		term *= r / i;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2;
	for (; k < 0; k++)
		sum /= 2;
	return sum;
}

/* v1 shares [2, 262144] (default 1024) to v2 weight [1, 10000] (default 100) on the
 * logarithmic curve that crun 1.23 and runc 1.3.2 adopted: 1024 maps to 100, and the
 * ends of the ranges map to each other:
 *     l = log2(shares);  weight = ceil(10^((l^2 + 125 l) / 612 - 7/34))
 * Computed without libm, whose mapping costs every husk process about 400 KB of RSS
 * (bench/README.md); tests/unit/test-cgroup.c checks every shares value against the
 * formula computed with libm. */
uint64_t cgroup_cpu_shares_to_weight(uint64_t shares)
{
	static const double ln2 = 0.69314718055994530942, ln10 = 2.30258509299404568402;
	double l, exponent, weight;
	int k = 0;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	while ((shares >> (k + 1)) != 0)
		k++;
	l = k + ln_1_2((double) shares / (double) (1ULL << k)) / ln2;
	exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	/* 10^2 must come out as exactly 100 (shares 1024), not a hair above it. */
	if (exponent == (double) (int) exponent) {
		uint64_t p = 1;
		for (int i = 0; i < (int) exponent; i++)
			p *= 10;
		return p;
	}
	weight = exp_small(exponent * ln10);
	return (uint64_t) weight + ((double) (uint64_t) weight < weight);
}

/* v1 blkio weight [10, 1000] to io.weight [1, 10000], linearly (runc's conversion). */
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

int cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *out)
{
	/* A limit of "unlimited" with no swap asked: both unlimited, as v1 behaved. */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (limit <= 0 || swap < limit)
		return -EINVAL;
	*out = swap - limit;
	return 0;
}

/* ---- the plan ------------------------------------------------------------------------ */
struct planner {
	struct cg_plan *plan;
	struct husk_error *err;
	const char *source;   /* "config.json", or where update's document came from */
	bool update;
};

static int plan_error(struct planner *p, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int plan_error(struct planner *p, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		xoom();
	va_end(ap);
	return husk_error_set(p->err, errnum, "%s: %s", p->source, msg);
}

static struct cg_write *plan_add(struct planner *p, const char *field, const char *controller, const char *file,
				 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct cg_write *plan_add(struct planner *p, const char *field, const char *controller, const char *file,
				 const char *fmt, ...)
{
	struct cg_plan *plan = p->plan;
	struct cg_write *w;
	va_list ap;

	plan->writes = xrealloc(plan->writes, (plan->n_writes + 1) * sizeof(*plan->writes));
	w = &plan->writes[plan->n_writes++];
	memset(w, 0, sizeof(*w));
	w->field = xasprintf("%s: %s", p->source, field);
	w->controller = controller ? xstrdup(controller) : NULL;
	w->file = xstrdup(file);
	va_start(ap, fmt);
	if (vasprintf(&w->value, fmt, ap) < 0)
		xoom();
	va_end(ap);
	return w;
}

/* An integer member of obj: absent and null leave *present false. */
static int get_int(struct planner *p, const json_value *obj, const char *section, const char *key, int64_t *out,
		   bool *present)
{
	const json_value *v = json_object_get(obj, key);

	*present = false;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (json_int64(v, out) < 0)
		return plan_error(p, EINVAL, "linux.resources.%s.%s: must be an integer",
				      section, key);
	*present = true;
	return 0;
}

/* An object (or absent/null) member. */
static int get_section(struct planner *p, const json_value *res, const char *key, const json_value **out)
{
	const json_value *v = json_object_get(res, key);

	*out = NULL;
	if (!v || json_type_of(v) == JSON_NULL)
		return 0;
	if (json_type_of(v) != JSON_OBJECT)
		return plan_error(p, EINVAL, "linux.resources.%s: must be an object", key);
	*out = v;
	return 0;
}

static void limit_str(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

static int plan_memory(struct planner *p, const json_value *mem)
{
	int64_t limit = 0, swap = 0, reservation = 0, conv;
	bool has_limit, has_swap, has_res;
	const json_value *check = json_object_get(mem, "checkBeforeUpdate");
	char buf[32];
	int r;

	if ((r = get_int(p, mem, "memory", "limit", &limit, &has_limit)) < 0 ||
	    (r = get_int(p, mem, "memory", "swap", &swap, &has_swap)) < 0 ||
	    (r = get_int(p, mem, "memory", "reservation", &reservation, &has_res)) < 0)
		return r;
	/* 0 means "not set" in runc and crun for all three. */
	if (has_limit && limit != 0) {
		if (limit < -1)
			return plan_error(p, EINVAL, "linux.resources.memory.limit: %" PRId64
					      " is neither a byte count nor -1", limit);
		limit_str(buf, sizeof(buf), limit);
		plan_add(p, "linux.resources.memory.limit", "memory", "memory.max", "%s", buf)->flags |=
			json_is_true(check) ? CG_WRITE_CHECK_USAGE : 0;
	}
	if (has_res && reservation != 0) {
		limit_str(buf, sizeof(buf), reservation);
		plan_add(p, "linux.resources.memory.reservation", "memory", "memory.low", "%s", buf);
	}
	if (has_swap && swap != 0) {
		/* runtime-spec's swap is memory+swap (v1); v2's memory.swap.max is swap alone. */
		if (!(has_limit && limit != 0) && swap > 0 && p->update) {
			plan_add(p, "linux.resources.memory.swap", "memory", "memory.swap.max", "%" PRId64, swap)->flags |=
				CG_WRITE_SWAP_OF_LIMIT;
			return 0;
		}
		if (cgroup_swap_to_v2(swap, has_limit ? limit : 0, &conv) < 0)
			return plan_error(p, EINVAL,
					      "linux.resources.memory.swap: %" PRId64
					      " is memory+swap and needs a memory.limit at or below it", swap);
		limit_str(buf, sizeof(buf), conv);
		plan_add(p, "linux.resources.memory.swap", "memory", "memory.swap.max", "%s", buf);
	}
	if (json_object_get(mem, "swappiness") || json_is_true(json_object_get(mem, "disableOOMKiller")))
		husk_log(HUSK_LOG_WARNING, "linux.resources.memory: swappiness and disableOOMKiller have no cgroup v2 "
			 "equivalent and are ignored");
	return 0;
}

static int plan_cpu(struct planner *p, const json_value *cpu)
{
	int64_t shares = 0, quota = 0, period = 0, burst = 0, idle = 0, rt_runtime = 0, rt_period = 0;
	bool has_shares, has_quota, has_period, has_burst, has_idle, has_rt_runtime, has_rt_period;
	const json_value *cpus = json_object_get(cpu, "cpus"), *mems = json_object_get(cpu, "mems");
	char q[32];
	int r;

	if ((r = get_int(p, cpu, "cpu", "shares", &shares, &has_shares)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "quota", &quota, &has_quota)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "period", &period, &has_period)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "burst", &burst, &has_burst)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "idle", &idle, &has_idle)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "realtimeRuntime", &rt_runtime, &has_rt_runtime)) < 0 ||
	    (r = get_int(p, cpu, "cpu", "realtimePeriod", &rt_period, &has_rt_period)) < 0)
		return r;
	if (rt_runtime || rt_period)
		return plan_error(p, ENOTSUP, "linux.resources.cpu.realtime%s: cgroup v2 has no "
				      "real-time CPU bandwidth control", rt_runtime ? "Runtime" : "Period");
	if (has_shares && shares != 0) {
		if (shares < 0)
			return plan_error(p, EINVAL, "linux.resources.cpu.shares: %" PRId64
					      " is negative", shares);
		plan_add(p, "linux.resources.cpu.shares", "cpu", "cpu.weight", "%" PRIu64,
			 cgroup_cpu_shares_to_weight((uint64_t) shares));
	}
	if ((has_quota && quota != 0) || (has_period && period != 0)) {
		if (period < 0 || (has_period && period != 0 && (period < 1000 || period > 1000000)))
			return plan_error(p, EINVAL, "linux.resources.cpu.period: %" PRId64
					      " is outside [1000, 1000000] microseconds", period);
		limit_str(q, sizeof(q), quota > 0 ? quota : -1);
		if (period)
			plan_add(p, "linux.resources.cpu.quota", "cpu", "cpu.max", "%s %" PRId64, q, period);
		else
			plan_add(p, "linux.resources.cpu.quota", "cpu", "cpu.max", "%s", q);
	}
	if (has_burst) {
		if (burst < 0)
			return plan_error(p, EINVAL, "linux.resources.cpu.burst: %" PRId64
					      " is negative", burst);
		plan_add(p, "linux.resources.cpu.burst", "cpu", "cpu.max.burst", "%" PRId64, burst);
	}
	if (has_idle) {
		if (idle != 0 && idle != 1)
			return plan_error(p, EINVAL, "linux.resources.cpu.idle: must be 0 or 1");
		plan_add(p, "linux.resources.cpu.idle", "cpu", "cpu.idle", "%" PRId64, idle);
	}
	if (cpus && json_type_of(cpus) != JSON_NULL && !json_string(cpus))
		return plan_error(p, EINVAL, "linux.resources.cpu.cpus: must be a string");
	if (mems && json_type_of(mems) != JSON_NULL && !json_string(mems))
		return plan_error(p, EINVAL, "linux.resources.cpu.mems: must be a string");
	if (json_string(cpus) && *json_string(cpus))
		plan_add(p, "linux.resources.cpu.cpus", "cpuset", "cpuset.cpus", "%s", json_string(cpus));
	if (json_string(mems) && *json_string(mems))
		plan_add(p, "linux.resources.cpu.mems", "cpuset", "cpuset.mems", "%s", json_string(mems));
	return 0;
}

/* One {major, minor, <key>} entry of a blockIO device list. */
static int get_device_entry(struct planner *p, const json_value *e, const char *field, const char *key,
			    int64_t *major, int64_t *minor, int64_t *value)
{
	bool has_major, has_minor, has_value;
	int r;

	if (json_type_of(e) != JSON_OBJECT)
		return plan_error(p, EINVAL, "%s: must be an object", field);
	if ((r = get_int(p, e, "blockIO", "major", major, &has_major)) < 0 ||
	    (r = get_int(p, e, "blockIO", "minor", minor, &has_minor)) < 0 ||
	    (r = get_int(p, e, "blockIO", key, value, &has_value)) < 0)
		return r;
	if (!has_major || !has_minor || *major < 0 || *minor < 0)
		return plan_error(p, EINVAL, "%s: needs a major and a minor number", field);
	if (!has_value && strcmp(key, "weight"))
		return plan_error(p, EINVAL, "%s: needs \"%s\"", field, key);
	if (!has_value)
		*value = -1;
	return 0;
}

static int plan_blockio(struct planner *p, const json_value *bio)
{
	static const struct {
		const char *key, *io_key;
	} throttles[] = {
		{ "throttleReadBpsDevice", "rbps" },
		{ "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" },
		{ "throttleWriteIOPSDevice", "wiops" },
	};
	int64_t weight = 0, major, minor, value;
	bool has_weight;
	const json_value *list;
	int r;

	if ((r = get_int(p, bio, "blockIO", "weight", &weight, &has_weight)) < 0)
		return r;
	if (has_weight && weight != 0) {
		if (weight < 10 || weight > 1000)
			return plan_error(p, EINVAL, "linux.resources.blockIO.weight: %" PRId64
					      " is outside [10, 1000]", weight);
		/* BFQ takes the v1 range as it is; io.weight (iocost) has its own. */
		struct cg_write *w = plan_add(p, "linux.resources.blockIO.weight", "io", "io.weight", "default %" PRIu64,
					      cgroup_blkio_weight_to_io_weight((uint64_t) weight));
		w->alt_file = xstrdup("io.bfq.weight");
		w->alt_value = xasprintf("%" PRId64, weight);
	}
	list = json_object_get(bio, "weightDevice");
	for (size_t i = 0; i < json_len(list); i++) {
		_cleanup_free_ char *field = xasprintf("linux.resources.blockIO.weightDevice[%zu]", i);
		struct cg_write *w;
		if ((r = get_device_entry(p, json_array_at(list, i), field, "weight", &major, &minor, &value)) < 0)
			return r;
		if (value < 0)
			continue; /* only a leafWeight, which v2 does not have */
		if (value < 10 || value > 1000)
			return plan_error(p, EINVAL, "%s.weight: %" PRId64 " is outside [10, 1000]",
					      field, value);
		w = plan_add(p, field, "io", "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64, major, minor,
			     cgroup_blkio_weight_to_io_weight((uint64_t) value));
		w->alt_file = xstrdup("io.bfq.weight");
		w->alt_value = xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, major, minor, value);
	}
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++) {
		list = json_object_get(bio, throttles[t].key);
		for (size_t i = 0; i < json_len(list); i++) {
			_cleanup_free_ char *field = xasprintf("linux.resources.blockIO.%s[%zu]", throttles[t].key, i);
			char v[32];
			if ((r = get_device_entry(p, json_array_at(list, i), field, "rate", &major, &minor, &value)) < 0)
				return r;
			/* 0 lifts the limit, as in v1. */
			limit_str(v, sizeof(v), value > 0 ? value : -1);
			plan_add(p, field, "io", "io.max", "%" PRId64 ":%" PRId64 " %s=%s", major, minor,
				 throttles[t].io_key, v);
		}
	}
	return 0;
}

static int plan_hugetlb(struct planner *p, const json_value *list)
{
	for (size_t i = 0; i < json_len(list); i++) {
		_cleanup_free_ char *field = xasprintf("linux.resources.hugepageLimits[%zu]", i), *file = NULL;
		const json_value *e = json_array_at(list, i);
		const char *size = json_string(json_object_get(e, "pageSize"));
		uint64_t limit;

		if (!size || !*size || strchr(size, '/') || strchr(size, '.'))
			return plan_error(p, EINVAL, "%s.pageSize: must be a size such as \"2MB\"", field);
		if (json_uint64(json_object_get(e, "limit"), &limit) < 0)
			return plan_error(p, EINVAL, "%s.limit: must be a byte count", field);
		file = xasprintf("hugetlb.%s.max", size);
		plan_add(p, field, "hugetlb", file, "%" PRIu64, limit);
	}
	return 0;
}

static int plan_rdma(struct planner *p, const json_value *rdma)
{
	for (size_t i = 0; i < json_len(rdma); i++) {
		const char *dev = json_object_key_at(rdma, i);
		const json_value *e = json_object_value_at(rdma, i);
		_cleanup_free_ char *field = xasprintf("linux.resources.rdma.%s", dev), *value = xstrdup(dev);
		static const char *const keys[][2] = { { "hcaHandles", "hca_handle" }, { "hcaObjects", "hca_object" } };

		if (!*dev || strpbrk(dev, " \n"))
			return plan_error(p, EINVAL, "%s: not a device name", field);
		for (size_t k = 0; k < 2; k++) {
			const json_value *v = json_object_get(e, keys[k][0]);
			uint64_t n;
			char *next;
			if (!v || json_type_of(v) == JSON_NULL)
				continue;
			if (json_uint64(v, &n) < 0 || n > UINT32_MAX)
				return plan_error(p, EINVAL, "%s.%s: must be a count", field, keys[k][0]);
			next = xasprintf("%s %s=%" PRIu64, value, keys[k][1], n);
			free(value);
			value = next;
		}
		plan_add(p, field, "rdma", "rdma.max", "%s", value);
	}
	return 0;
}

static int plan_unified(struct planner *p, const json_value *unified)
{
	for (size_t i = 0; i < json_len(unified); i++) {
		const char *key = json_object_key_at(unified, i), *val = json_string(json_object_value_at(unified, i));
		_cleanup_free_ char *field = xasprintf("linux.resources.unified.%s", key), *ctrl = NULL;
		const char *dot = strchr(key, '.');

		if (!val)
			return plan_error(p, EINVAL, "%s: must be a string", field);
		if (!dot || dot == key || !dot[1] || strchr(key, '/'))
			return plan_error(p, EINVAL, "%s: not a cgroup v2 file name", field);
		ctrl = xasprintf("%.*s", (int) (dot - key), key);
		/* The kernel's own cgroup.* files are refused: husk owns the tree's shape. */
		if (!strcmp(ctrl, "cgroup") && strcmp(key, "cgroup.max.depth") && strcmp(key, "cgroup.max.descendants"))
			return plan_error(p, EPERM, "%s: this file is not a resource limit", field);
		plan_add(p, field, strcmp(ctrl, "cgroup") ? ctrl : NULL, key, "%s", val);
	}
	return 0;
}

/* ---- devices ------------------------------------------------------------------------ */
static void device_rule_add(struct cg_plan *plan, bool allow, char type, int64_t major, int64_t minor, unsigned access)
{
	plan->devices = xrealloc(plan->devices, (plan->n_devices + 1) * sizeof(*plan->devices));
	plan->devices[plan->n_devices++] = (struct cg_device_rule) { allow, type, major, minor, access };
}

static int plan_devices(struct planner *p, const json_value *list, const struct spec *s)
{
	/* What every container may use, whatever its rules say (runc's AllowedDevices,
	 * less the tun device): mknod of any node, the standard character devices and
	 * terminals. */
	static const struct {
		char type;
		int64_t major, minor;
		unsigned access;
	} implicit[] = {
		{ 'c', -1, -1, CG_DEV_MKNOD }, { 'b', -1, -1, CG_DEV_MKNOD },
		{ 'c', 1, 3, 7 },  /* null */ { 'c', 1, 5, 7 }, /* zero */ { 'c', 1, 7, 7 }, /* full */
		{ 'c', 1, 8, 7 },  /* random */ { 'c', 1, 9, 7 }, /* urandom */ { 'c', 5, 0, 7 }, /* tty */
		{ 'c', 5, 2, 7 },  /* ptmx */ { 'c', 136, -1, 7 }, /* pts */
	};
	struct cg_plan *plan = p->plan;

	if (json_type_of(list) != JSON_ARRAY)
		return plan_error(p, EINVAL, "linux.resources.devices: must be an array");
	plan->has_devices = true;
	for (size_t i = 0; i < json_len(list); i++) {
		const json_value *e = json_array_at(list, i), *allow = json_object_get(e, "allow");
		const char *type = json_string(json_object_get(e, "type")), *access = json_string(json_object_get(e, "access"));
		int64_t major = -1, minor = -1;
		bool has;
		unsigned mask = 0;
		char t;
		int r;

		if (!json_is_bool(allow))
			return plan_error(p, EINVAL, "linux.resources.devices[%zu].allow: must be a boolean", i);
		t = type && *type ? type[0] : 'a';
		if ((type && strlen(type) > 1) || (t != 'a' && t != 'c' && t != 'b'))
			return plan_error(p, EINVAL, "linux.resources.devices[%zu].type: \"%s\" is not a, c or b",
					      i, type);
		if ((r = get_int(p, e, "devices", "major", &major, &has)) < 0 || (r = get_int(p, e, "devices", "minor", &minor, &has)) < 0)
			return r;
		if (major < -1 || minor < -1)
			return plan_error(p, EINVAL, "linux.resources.devices[%zu]: major and minor must be -1 or more", i);
		for (const char *c = access && *access ? access : "rwm"; *c; c++) {
			switch (*c) {
			case 'r': mask |= CG_DEV_READ; break;
			case 'w': mask |= CG_DEV_WRITE; break;
			case 'm': mask |= CG_DEV_MKNOD; break;
			default:
				return plan_error(p, EINVAL, "linux.resources.devices[%zu].access: \"%s\" "
						      "is not made of r, w and m", i, access);
			}
		}
		device_rule_add(plan, json_is_true(allow), t, major, minor, mask);
	}
	for (size_t i = 0; s && i < s->n_devices; i++)
		device_rule_add(plan, true, s->devices[i].type == 'b' ? 'b' : 'c', s->devices[i].major, s->devices[i].minor, 7);
	if (s)
		for (size_t i = 0; i < ARRAY_SIZE(implicit); i++)
			device_rule_add(plan, true, implicit[i].type, implicit[i].major, implicit[i].minor, implicit[i].access);
	return 0;
}

int cgroup_plan_resources(const json_value *res, const struct spec *s, const char *source, struct cg_plan *plan,
			  struct husk_error *err)
{
	struct planner p = { plan, err, source, s == NULL };
	const json_value *sec;
	int64_t pids;
	bool has_pids;
	int r;

	memset(plan, 0, sizeof(*plan));
	if (!res || json_type_of(res) == JSON_NULL)
		return 0;
	if (json_type_of(res) != JSON_OBJECT)
		return plan_error(&p, EINVAL, "linux.resources: must be an object");
	if ((r = get_section(&p, res, "memory", &sec)) < 0 || (sec && (r = plan_memory(&p, sec)) < 0))
		goto fail;
	if ((r = get_section(&p, res, "cpu", &sec)) < 0 || (sec && (r = plan_cpu(&p, sec)) < 0))
		goto fail;
	if ((r = get_section(&p, res, "pids", &sec)) < 0 ||
	    (sec && (r = get_int(&p, sec, "pids", "limit", &pids, &has_pids)) < 0))
		goto fail;
	if (sec && has_pids && pids != 0) {
		char buf[32];
		limit_str(buf, sizeof(buf), pids > 0 ? pids : -1);
		plan_add(&p, "linux.resources.pids.limit", "pids", "pids.max", "%s", buf);
	}
	if ((r = get_section(&p, res, "blockIO", &sec)) < 0 || (sec && (r = plan_blockio(&p, sec)) < 0))
		goto fail;
	if ((sec = json_object_get(res, "hugepageLimits")) && (r = plan_hugetlb(&p, sec)) < 0)
		goto fail;
	if ((r = get_section(&p, res, "rdma", &sec)) < 0 || (sec && (r = plan_rdma(&p, sec)) < 0))
		goto fail;
	if ((r = get_section(&p, res, "network", &sec)) < 0)
		goto fail;
	if (sec && json_len(sec)) {
		r = plan_error(&p, ENOTSUP, "linux.resources.network: cgroup v2 has no net_cls or "
				   "net_prio controller");
		goto fail;
	}
	if ((r = get_section(&p, res, "unified", &sec)) < 0 || (sec && (r = plan_unified(&p, sec)) < 0))
		goto fail;
	if ((sec = json_object_get(res, "devices")) && json_type_of(sec) != JSON_NULL && (r = plan_devices(&p, sec, s)) < 0)
		goto fail;
	return 0;
fail:
	cgroup_plan_free(plan);
	return r;
}

void cgroup_plan_free(struct cg_plan *plan)
{
	for (size_t i = 0; i < plan->n_writes; i++) {
		struct cg_write *w = &plan->writes[i];
		free(w->field);
		free(w->controller);
		free(w->file);
		free(w->value);
		free(w->alt_file);
		free(w->alt_value);
	}
	free(plan->writes);
	free(plan->devices);
	memset(plan, 0, sizeof(*plan));
}

/* ---- applying ---------------------------------------------------------------------- */
/* Enable controller in every cgroup.subtree_control from the mount down to fspath's
 * parent.  -ENOENT: the host's cgroup2 does not have it at all. */
static int enable_controller(const char *fspath, const char *controller)
{
	const char *mp = cgroup_mountpoint();
	_cleanup_free_ char *dir = xstrdup(mp), *avail = NULL, *file = NULL;
	_cleanup_free_ char *rel = xstrdup(fspath + strlen(mp)), *plus = xasprintf("+%s", controller);
	char *comp, *save, *words, *w, *wsave;
	bool found = false;

	file = xasprintf("%s/cgroup.controllers", mp);
	if (read_file_at(AT_FDCWD, file, 4096, &avail, NULL) < 0)
		return -ENOENT;
	for (words = avail; (w = strtok_r(words, " \n", &wsave)); words = NULL)
		if (!strcmp(w, controller))
			found = true;
	if (!found)
		return -ENOENT;
	for (comp = strtok_r(rel, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		_cleanup_free_ char *ctl = xasprintf("%s/cgroup.subtree_control", dir);
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

/* The number in a cgroup file such as memory.max; "max" is -1. */
static int read_cg_int(int dirfd, const char *file, int64_t *out)
{
	uint64_t v;
	int r;

	if ((r = cgroup_read_number(dirfd, file, &v)) < 0)
		return r;
	if (v == UINT64_MAX)
		*out = -1;
	else if (v > INT64_MAX)
		return -EINVAL;
	else
		*out = (int64_t) v;
	return 0;
}

static int apply_write(int dirfd, const char *fspath, const struct cg_write *w, struct husk_error *err)
{
	const char *file = w->file, *value = w->value;
	_cleanup_free_ char *owned = NULL;
	int64_t cur, conv;
	int r;

	if (w->controller) {
		r = enable_controller(fspath, w->controller);
		if (r == -ENOENT)
			return husk_error_set(err, ENOTSUP, "%s: the host's cgroup v2 has no %s controller",
					      w->field, w->controller);
		if (r < 0)
			return husk_error_sys(err, -r, "%s: enable the %s controller", w->field, w->controller);
	}
	if (w->alt_file && faccessat(dirfd, w->alt_file, F_OK, 0) == 0) {
		file = w->alt_file;
		value = w->alt_value;
	}
	if (w->flags & CG_WRITE_CHECK_USAGE && strcmp(value, "max") && read_cg_int(dirfd, "memory.current", &cur) == 0 &&
	    cur > strtoll(value, NULL, 10))
		return husk_error_set(err, EBUSY, "%s: %s is below the current memory usage %" PRId64, w->field, value, cur);
	if (w->flags & CG_WRITE_SWAP_OF_LIMIT) {
		if (read_cg_int(dirfd, "memory.max", &cur) < 0 || cgroup_swap_to_v2(strtoll(value, NULL, 10), cur, &conv) < 0)
			return husk_error_set(err, EINVAL, "%s: %s is memory+swap and needs a memory limit at or below it",
					      w->field, value);
		value = owned = xasprintf("%" PRId64, conv);
	}
	if (faccessat(dirfd, file, F_OK, 0) < 0)
		return husk_error_set(err, ENOENT, "%s: cgroup \"%s\" has no file \"%s\"", w->field, fspath, file);
	r = write_file_at(dirfd, file, value, strlen(value), 0);
	if (r < 0)
		return husk_error_sys(err, -r, "%s: write \"%s\" to %s/%s", w->field, value, fspath, file);
	return 0;
}

int cgroup_plan_apply(const char *fspath, const struct cg_plan *plan, struct husk_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!plan->n_writes && !plan->has_devices)
		return 0;
	dirfd = open(fspath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dirfd < 0)
		return husk_error_sys(err, errno, "open cgroup \"%s\"", fspath);
	for (size_t i = 0; i < plan->n_writes; i++)
		if ((r = apply_write(dirfd, fspath, &plan->writes[i], err)) < 0)
			return r;
	if (plan->has_devices)
		return cgroup_devices_apply(dirfd, fspath, plan->devices, plan->n_devices, err);
	return 0;
}
