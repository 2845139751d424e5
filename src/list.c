/* list.c - "husk list": a table, JSON, or ids only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk list [OPTIONS]\n"
	"\n"
	"List the containers under --root.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT  table (default) or json\n"
	"  -q, --quiet          print the ids only\n"
	"  -h, --help           this text\n";

CMD(list)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_container_info *list = NULL;
	struct husk_error err = { 0 };
	bool json = false, quiet = false;
	size_t n, i;
	int c;

	while ((c = getopt_long(argc, argv, "+:f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (strcmp(optarg, "table"))
				return cli_failf("list: --format: expected table or json, not \"%s\"", optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("list", c, argv);
		}
	}
	if (optind != argc)
		return cli_failf("list: takes no arguments");
	if (husk_container_list(&cli->ctx, &list, &n, &err) < 0)
		return cli_fail(&err);
	if (quiet) {
		for (i = 0; i < n; i++)
			puts(list[i].id);
	} else if (json) {
		char *text = husk_container_list_json(list, n);
		puts(text);
		free(text);
	} else {
		printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
		for (i = 0; i < n; i++)
			printf("%-12s %-8d %-10s %-40s %-31s %s\n", list[i].id, list[i].pid, list[i].status,
			       list[i].bundle, list[i].created, list[i].owner);
	}
	husk_container_info_free(list, n);
	return 0;
}
