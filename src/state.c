/* state.c - "husk state ID": the OCI state document. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk state ID\n"
	"\n"
	"Print the OCI state of container ID as JSON: ociVersion, id, status (created,\n"
	"running, paused or stopped), pid, bundle, rootfs, created, owner, annotations.\n";

CMD(state)
{
	struct husk_error err = { 0 };
	char *json = NULL;
	const char *id;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_usage(usage, false);
	if (!(id = cli_id("state", argc, argv, 1)))
		return 1;
	if (husk_container_state(&cli->ctx, id, &json, &err) < 0)
		return cli_fail(&err);
	puts(json);
	free(json);
	return 0;
}
