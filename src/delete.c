/* delete.c - "husk delete [--force] ID". */
#include "config.h"

#include "cli.h"

static const char usage[] =
	"Usage: husk delete [OPTIONS] ID\n"
	"\n"
	"Remove container ID: its poststop hooks run, its cgroup and state go.  A created or\n"
	"stopped container is removed as is; a running or paused one only with --force,\n"
	"which kills it first; with --force a container that does not exist is no error.\n"
	"\n"
	"Options:\n"
	"  -f, --force  kill the container if it is still running\n"
	"  -h, --help   this text\n";

CMD(delete)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_error err = { 0 };
	bool force = false;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "+:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("delete", c, argv);
		}
	}
	if (!(id = cli_id("delete", argc, argv, optind)))
		return 1;
	if (husk_container_delete(&cli->ctx, id, force, &err) < 0)
		return cli_fail(&err);
	return 0;
}
