/* features.c - "husk features": what this husk implements (runtime-spec features.md). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

CMD(features)
{
	struct husk_error err = { 0 };
	char *json = NULL;

	(void) cli;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("Usage: husk features\n\nPrint the runtime-spec features document: the hooks, mount options,\n"
		     "namespaces, capabilities, cgroup and seccomp support of this husk.");
		return 0;
	}
	if (husk_features(&json, &err) < 0)
		return cli_fail(&err);
	puts(json);
	free(json);
	return 0;
}
