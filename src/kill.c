/* kill.c - "husk kill ID [SIGNAL]". */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk kill [OPTIONS] ID [SIGNAL]\n"
	"\n"
	"Send SIGNAL (default TERM; a name like KILL or SIGKILL, or a number) to the init\n"
	"process of container ID.\n"
	"\n"
	"Options:\n"
	"  -a, --all   send it to every process in the container's cgroup\n"
	"  -h, --help  this text\n";

CMD(kill)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_error err = { 0 };
	bool all = false;
	int c, sig = SIGTERM;

	while ((c = getopt_long(argc, argv, "+:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("kill", c, argv);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_failf("kill: expected ID [SIGNAL] (see husk kill --help)");
	if (argc - optind == 2 && husk_signal_parse(argv[optind + 1], &sig) < 0)
		return cli_failf("kill: unknown signal \"%s\"", argv[optind + 1]);
	if (husk_container_kill(&cli->ctx, argv[optind], sig, all, &err) < 0)
		return cli_fail(&err);
	return 0;
}
