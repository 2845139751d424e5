/* start.c - "husk start ID": let a created container's process run. */
#include "config.h"

#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk start ID\n"
	"\n"
	"Run the process of created container ID, then its poststart hooks.\n";

CMD(start)
{
	struct husk_error err = { 0 };
	const char *id;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_usage(usage, false);
	if (!(id = cli_id("start", argc, argv, 1)))
		return 1;
	if (husk_container_start(&cli->ctx, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}
