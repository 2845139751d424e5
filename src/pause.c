/* pause.c - "husk pause ID" and "husk resume ID": freeze and thaw a container. */
#include "config.h"

#include <string.h>

#include "cli.h"

static const char pause_usage[] =
	"Usage: husk pause ID\n"
	"\n"
	"Freeze every process of running container ID through its cgroup (cgroup.freeze),\n"
	"returning once the kernel reports them all stopped.  Its status becomes paused.\n";

static const char resume_usage[] =
	"Usage: husk resume ID\n"
	"\n"
	"Thaw every process of paused container ID, returning once the kernel reports them\n"
	"running again.  Its status becomes running.\n";

static int freeze_command(struct cli *cli, int argc, char **argv, bool pause)
{
	const char *cmd = pause ? "pause" : "resume";
	struct husk_error err = { 0 };
	const char *id;
	int r;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_usage(pause ? pause_usage : resume_usage, false);
	if (!(id = cli_id(cmd, argc, argv, 1)))
		return 1;
	r = pause ? husk_container_pause(&cli->ctx, id, &err) : husk_container_resume(&cli->ctx, id, &err);
	return r < 0 ? cli_fail(&err) : 0;
}

CMD(pause)
{
	return freeze_command(cli, argc, argv, true);
}

CMD(resume)
{
	return freeze_command(cli, argc, argv, false);
}
