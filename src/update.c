/* update.c - "husk update [OPTIONS] ID": change the resource limits of a container. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk update [OPTIONS] ID\n"
	"\n"
	"Change the cgroup v2 limits of running or paused container ID, as runc's update\n"
	"does.  Values are in the runtime-spec's units and converted as at create: --memory-swap\n"
	"is memory+swap, --cpu-share becomes cpu.weight, --blkio-weight becomes io.weight.\n"
	"-1 means unlimited where a limit can be lifted.  With --systemd-cgroup the scope's\n"
	"unit properties are updated too, so that systemd keeps the new limits.\n"
	"\n"
	"Options:\n"
	"  -r, --resources FILE       a linux.resources JSON object (\"-\": stdin); the flags\n"
	"                             below override the same fields in it\n"
	"  --memory BYTES             memory.max (suffixes k, m, g: powers of 1024)\n"
	"  --memory-reservation BYTES memory.low\n"
	"  --memory-swap BYTES        memory+swap limit (memory.swap.max = it - memory)\n"
	"  --kernel-memory BYTES      accepted and ignored, as runc does on cgroup v2\n"
	"  --kernel-memory-tcp BYTES  accepted and ignored, as runc does on cgroup v2\n"
	"  --cpu-share N              CPU shares, converted to cpu.weight\n"
	"  --cpu-quota USEC           cpu.max quota per period (-1: max)\n"
	"  --cpu-period USEC          cpu.max period\n"
	"  --cpu-idle 0|1             cpu.idle\n"
	"  --cpu-rt-period USEC       refused: cgroup v2 has no real-time bandwidth\n"
	"  --cpu-rt-runtime USEC      refused: cgroup v2 has no real-time bandwidth\n"
	"  --cpuset-cpus LIST         cpuset.cpus (e.g. 0-2,4)\n"
	"  --cpuset-mems LIST         cpuset.mems\n"
	"  --pids-limit N             pids.max (-1: max)\n"
	"  --blkio-weight N           block I/O weight [10, 1000], converted to io.weight\n"
	"  -h, --help                 this text\n";

/* A number, or a size with a suffix when bytes; -1 always allowed. */
static int parse_value(const char *flag, const char *arg, bool bytes, struct husk_update_value *v)
{
	uint64_t u;
	char *end;

	if (!strcmp(arg, "-1")) {
		v->value = -1;
	} else if (bytes ? husk_parse_size(arg, &u) == 0 : (errno = 0, u = strtoull(arg, &end, 10), !errno && *arg &&
								       *end == '\0' && arg[0] != '-')) {
		if (u > INT64_MAX)
			return cli_failf("update: --%s: \"%s\" is too large", flag, arg);
		v->value = (int64_t) u;
	} else {
		return cli_failf("update: --%s: \"%s\" is not a %s", flag, arg, bytes ? "size" : "number");
	}
	v->set = true;
	return 0;
}

CMD(update)
{
	enum { OPT_MEMORY = 256, OPT_MEMORY_RES, OPT_MEMORY_SWAP, OPT_KMEM, OPT_KMEM_TCP, OPT_SHARES, OPT_QUOTA,
	       OPT_PERIOD, OPT_IDLE, OPT_RT_PERIOD, OPT_RT_RUNTIME, OPT_CPUS, OPT_MEMS, OPT_PIDS, OPT_BLKIO };
	static const struct option opts[] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RES },
		{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
		{ "kernel-memory", required_argument, NULL, OPT_KMEM },
		{ "kernel-memory-tcp", required_argument, NULL, OPT_KMEM_TCP },
		{ "cpu-share", required_argument, NULL, OPT_SHARES },
		{ "cpu-quota", required_argument, NULL, OPT_QUOTA },
		{ "cpu-period", required_argument, NULL, OPT_PERIOD },
		{ "cpu-idle", required_argument, NULL, OPT_IDLE },
		{ "cpu-rt-period", required_argument, NULL, OPT_RT_PERIOD },
		{ "cpu-rt-runtime", required_argument, NULL, OPT_RT_RUNTIME },
		{ "cpuset-cpus", required_argument, NULL, OPT_CPUS },
		{ "cpuset-mems", required_argument, NULL, OPT_MEMS },
		{ "pids-limit", required_argument, NULL, OPT_PIDS },
		{ "blkio-weight", required_argument, NULL, OPT_BLKIO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_update_options o = { 0 };
	struct husk_update_value ignored;
	struct husk_error err = { 0 };
	const char *id;
	int c, idx, r = 0;

	while ((c = getopt_long(argc, argv, "+:r:h", opts, &idx)) != -1) {
		const char *flag = c >= 256 ? opts[idx].name : NULL;
		switch (c) {
		case 'r': o.resources_file = optarg; break;
		case OPT_MEMORY: r = parse_value(flag, optarg, true, &o.memory); break;
		case OPT_MEMORY_RES: r = parse_value(flag, optarg, true, &o.memory_reservation); break;
		case OPT_MEMORY_SWAP: r = parse_value(flag, optarg, true, &o.memory_swap); break;
		case OPT_KMEM:
		case OPT_KMEM_TCP: r = parse_value(flag, optarg, true, &ignored); break;
		case OPT_SHARES: r = parse_value(flag, optarg, false, &o.cpu_shares); break;
		case OPT_QUOTA: r = parse_value(flag, optarg, false, &o.cpu_quota); break;
		case OPT_PERIOD: r = parse_value(flag, optarg, false, &o.cpu_period); break;
		case OPT_IDLE: r = parse_value(flag, optarg, false, &o.cpu_idle); break;
		case OPT_RT_PERIOD: r = parse_value(flag, optarg, false, &o.cpu_rt_period); break;
		case OPT_RT_RUNTIME: r = parse_value(flag, optarg, false, &o.cpu_rt_runtime); break;
		case OPT_CPUS: o.cpuset_cpus = optarg; break;
		case OPT_MEMS: o.cpuset_mems = optarg; break;
		case OPT_PIDS: r = parse_value(flag, optarg, false, &o.pids_limit); break;
		case OPT_BLKIO: r = parse_value(flag, optarg, false, &o.blkio_weight); break;
		case 'h': return cli_usage(usage, false);
		default: return cli_bad_option("update", c, argv);
		}
		if (r)
			return r;
	}
	if (!(id = cli_id("update", argc, argv, optind)))
		return 1;
	if (husk_container_update(&cli->ctx, id, &o, &err) < 0)
		return cli_fail(&err);
	return 0;
}
