/* run.c - "husk run": create + start, in the foreground unless --detach. */
#include "config.h"

#include "cli.h"
#include "create.h"

CMD(run)
{
	struct husk_create_options o = { 0 };
	struct husk_error err = { 0 };
	const char *id;
	int status = 0, r = cli_parse_create(argc, argv, true, &o, &id);

	if (r)
		return r < 0 ? 0 : r;
	if (husk_container_run(&cli->ctx, id, &o, &status, &err) < 0)
		return cli_fail(&err);
	return status;
}
