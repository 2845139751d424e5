/* test-cgroup.c - unit tests for linux.resources planning (cgroup_resources.c): the
 * conversions from the runtime-spec's v1 units and the errors.  Prints TAP. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_resources.h"
#include "json.h"
#include "utils.h"

#include "tap.h"

/* Plan a resources document for update (no spec); *err gets the error, "" if none. */
static int plan(const char *text, struct cg_plan *p, struct husk_error *err)
{
	json_value *doc = NULL;
	char msg[128];
	int r;

	memset(err, 0, sizeof(*err));
	if (json_parse(text, &doc, msg, sizeof(msg)) < 0) {
		snprintf(err->msg, sizeof(err->msg), "bad test JSON: %s", msg);
		return -1;
	}
	r = cgroup_plan_resources(doc, NULL, "config.json", p, err);
	json_free(doc);
	return r;
}

/* The value the plan writes to file, or NULL. */
static const char *written(const struct cg_plan *p, const char *file)
{
	for (size_t i = 0; i < p->n_writes; i++)
		if (!strcmp(p->writes[i].file, file))
			return p->writes[i].value;
	return NULL;
}

static void expect_write(const char *text, const char *file, const char *value)
{
	struct husk_error err;
	struct cg_plan p;
	const char *got;

	if (plan(text, &p, &err) < 0) {
		ok(false, "%s: %s", text, err.msg);
		return;
	}
	got = written(&p, file);
	ok(got && !strcmp(got, value), "%s -> %s = \"%s\" (got \"%s\")", text, file, value, got ? got : "(none)");
	cgroup_plan_free(&p);
}

static void expect_error(const char *text, const char *msg)
{
	struct husk_error err;
	struct cg_plan p;
	int r = plan(text, &p, &err);

	ok(r < 0 && !strcmp(err.msg, msg), "%s fails: \"%s\" (got \"%s\")", text, msg, r < 0 ? err.msg : "success");
	if (r == 0)
		cgroup_plan_free(&p);
}

static void test_conversions(void)
{
	int64_t v = 0;

	ok(cgroup_cpu_shares_to_weight(0) == 0, "shares 0 stays unset");
	ok(cgroup_cpu_shares_to_weight(2) == 1, "shares 2 -> weight 1");
	ok(cgroup_cpu_shares_to_weight(1024) == 100, "shares 1024 (v1 default) -> weight 100 (v2 default)");
	ok(cgroup_cpu_shares_to_weight(512) == 59, "shares 512 -> weight 59");
	ok(cgroup_cpu_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
	{
		/* husk computes the curve without libm: it must agree with libm everywhere. */
		uint64_t bad = 0, first = 0;
		for (uint64_t s = 3; s < 262144; s++) {
			double l = log2((double) s);
			uint64_t want = (uint64_t) ceil(pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
			if (cgroup_cpu_shares_to_weight(s) != want && !bad++)
				first = s;
		}
		ok(bad == 0, "shares 3..262143 give libm's weights (%llu differ, first at %llu)",
		   (unsigned long long) bad, (unsigned long long) first);
	}
	ok(cgroup_blkio_weight_to_io_weight(10) == 1 && cgroup_blkio_weight_to_io_weight(1000) == 10000,
	   "blkio weight [10, 1000] -> io.weight [1, 10000]");
	ok(cgroup_blkio_weight_to_io_weight(500) == 4950, "blkio weight 500 -> 4950");
	ok(cgroup_swap_to_v2(200, 100, &v) == 0 && v == 100, "memory+swap 200 with memory 100 -> swap 100");
	ok(cgroup_swap_to_v2(100, 100, &v) == 0 && v == 0, "memory+swap equal to memory -> no swap");
	ok(cgroup_swap_to_v2(-1, 100, &v) == 0 && v == -1, "swap -1 -> max");
	ok(cgroup_swap_to_v2(0, -1, &v) == 0 && v == -1, "unlimited memory, swap unset -> swap max");
	ok(cgroup_swap_to_v2(50, 100, &v) < 0, "memory+swap below memory is refused");
	ok(cgroup_swap_to_v2(50, 0, &v) < 0, "a swap limit without a memory limit is refused");
}

static void test_plans(void)
{
	expect_write("{\"memory\": {\"limit\": 1048576}}", "memory.max", "1048576");
	expect_write("{\"memory\": {\"limit\": -1}}", "memory.max", "max");
	expect_write("{\"memory\": {\"limit\": 100, \"swap\": 300}}", "memory.swap.max", "200");
	expect_write("{\"cpu\": {\"quota\": 50000, \"period\": 100000}}", "cpu.max", "50000 100000");
	expect_write("{\"cpu\": {\"quota\": -1}}", "cpu.max", "max");
	expect_write("{\"cpu\": {\"quota\": 20000}}", "cpu.max", "20000");
	expect_write("{\"cpu\": {\"shares\": 1024}}", "cpu.weight", "100");
	expect_write("{\"pids\": {\"limit\": -1}}", "pids.max", "max");
	expect_write("{\"pids\": {\"limit\": 7}}", "pids.max", "7");
	expect_write("{\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}]}}",
		     "io.max", "8:0 wiops=100");
	expect_write("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 0}]}}",
		     "io.max", "8:0 rbps=max");
	expect_write("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 16, \"weight\": 10}]}}", "io.weight",
		     "8:16 1");
	expect_write("{\"hugepageLimits\": [{\"pageSize\": \"1GB\", \"limit\": 1073741824}]}", "hugetlb.1GB.max",
		     "1073741824");
	expect_write("{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}}}", "rdma.max",
		     "mlx5_1 hca_handle=3 hca_object=10000");
	expect_write("{\"unified\": {\"memory.high\": \"1G\"}}", "memory.high", "1G");

	expect_error("{\"memory\": {\"limit\": \"1G\"}}", "config.json: linux.resources.memory.limit: must be an integer");
	expect_error("{\"memory\": {\"limit\": 100, \"swap\": 50}}",
		     "config.json: linux.resources.memory.swap: 50 is memory+swap and needs a memory.limit at or below it");
	expect_error("{\"cpu\": {\"realtimeRuntime\": 950000}}",
		     "config.json: linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time CPU bandwidth control");
	expect_error("{\"cpu\": {\"period\": 10}}",
		     "config.json: linux.resources.cpu.period: 10 is outside [1000, 1000000] microseconds");
	expect_error("{\"cpu\": {\"idle\": 2}}", "config.json: linux.resources.cpu.idle: must be 0 or 1");
	expect_error("{\"blockIO\": {\"weight\": 5}}", "config.json: linux.resources.blockIO.weight: 5 is outside [10, 1000]");
	expect_error("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": 1}]}}",
		     "config.json: linux.resources.blockIO.throttleReadBpsDevice[0]: needs a major and a minor number");
	expect_error("{\"hugepageLimits\": [{\"pageSize\": \"../2MB\", \"limit\": 1}]}",
		     "config.json: linux.resources.hugepageLimits[0].pageSize: must be a size such as \"2MB\"");
	expect_error("{\"network\": {\"classID\": 1}}",
		     "config.json: linux.resources.network: cgroup v2 has no net_cls or net_prio controller");
	expect_error("{\"unified\": {\"cgroup.procs\": \"1\"}}",
		     "config.json: linux.resources.unified.cgroup.procs: this file is not a resource limit");
	expect_error("{\"unified\": {\"../memory.max\": \"1\"}}",
		     "config.json: linux.resources.unified.../memory.max: not a cgroup v2 file name");
	expect_error("{\"unified\": {\"memory.max\": 1}}", "config.json: linux.resources.unified.memory.max: must be a string");
	expect_error("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
		     "config.json: linux.resources.devices[0].access: \"rwx\" is not made of r, w and m");
	expect_error("{\"devices\": [{\"allow\": true, \"type\": \"p\"}]}",
		     "config.json: linux.resources.devices[0].type: \"p\" is not a, c or b");
	expect_error("{\"devices\": [{\"access\": \"r\"}]}", "config.json: linux.resources.devices[0].allow: must be a boolean");
}

static void test_devices(void)
{
	struct husk_error err;
	struct cg_plan p;

	if (plan("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 1, "
		 "\"minor\": 3, \"access\": \"rw\"}]}", &p, &err) < 0) {
		ok(false, "device rules: %s", err.msg);
		return;
	}
	ok(p.has_devices && p.n_devices == 2, "device rules are kept in order");
	ok(!p.devices[0].allow && p.devices[0].type == 'a' && p.devices[0].major == -1 && p.devices[0].access == 7,
	   "a rule without type or numbers matches every device, rwm");
	ok(p.devices[1].allow && p.devices[1].type == 'c' && p.devices[1].major == 1 && p.devices[1].minor == 3 &&
	   p.devices[1].access == (CG_DEV_READ | CG_DEV_WRITE), "c 1:3 rw");
	cgroup_plan_free(&p);
}

int main(void)
{
	test_conversions();
	test_plans();
	test_devices();
	return tap_done();
}
