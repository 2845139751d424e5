/* events.c - "husk events [--stats] [--interval D] ID": runc's event stream. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk events [OPTIONS] ID\n"
	"\n"
	"Print the events of container ID as JSON lines, as runc does, until it stops:\n"
	"  {\"type\":\"stats\",\"id\":ID,\"data\":{cpu, memory, pids, blkio, hugetlb}} every interval,\n"
	"  {\"type\":\"oom\",\"id\":ID} each time the OOM killer kills a process in it.\n"
	"The stats come from the container's cgroup v2 files (cpu.stat, memory.current,\n"
	"memory.stat, pids.current, io.stat, ...); times are in nanoseconds.\n"
	"\n"
	"Options:\n"
	"  --stats            print one stats event and exit\n"
	"  --interval D       time between stats events: 5s (default), 500ms, 1m, or seconds\n"
	"  -h, --help         this text\n";

static void print_line(const char *json, void *data)
{
	(void) data;
	printf("%s\n", json);
	fflush(stdout);
}

/* "5s", "500ms", "1m", "2" (seconds) to milliseconds. */
static int parse_interval(const char *s, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else
		return -1;
	if (v < 1 || v > 86400000)
		return -1;
	*ms = (unsigned) v;
	return 0;
}

CMD(events)
{
	enum { OPT_STATS = 256, OPT_INTERVAL };
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_error err = { 0 };
	unsigned interval = 5000;
	bool stats = false;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STATS:
			stats = true;
			break;
		case OPT_INTERVAL:
			if (parse_interval(optarg, &interval) < 0)
				return cli_failf("events: --interval: \"%s\" is not a duration such as 5s or 500ms", optarg);
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("events", c, argv);
		}
	}
	if (!(id = cli_id("events", argc, argv, optind)))
		return 1;
	if (husk_container_events(&cli->ctx, id, interval, stats, print_line, NULL, &err) < 0)
		return cli_fail(&err);
	return 0;
}
