/* ps.c - "husk ps ID": the container's processes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk ps [OPTIONS] ID [-- PS_ARGS...]\n"
	"\n"
	"List the processes of container ID (host pids).  With --format table (default)\n"
	"ps(1) prints them, given PS_ARGS (default -ef); json prints an array of pids.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT  table or json\n"
	"  -h, --help           this text\n";

CMD(ps)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_error err = { 0 };
	bool json = false;
	pid_t *pids = NULL;
	size_t n, i;
	int c;

	while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (strcmp(optarg, "table"))
				return cli_failf("ps: --format: expected table or json, not \"%s\"", optarg);
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("ps", c, argv);
		}
	}
	if (argc - optind < 1)
		return cli_failf("ps: expected a container id (see husk ps --help)");
	if (husk_container_pids(&cli->ctx, argv[optind], &pids, &n, &err) < 0)
		return cli_fail(&err);
	if (json) {
		putchar('[');
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		puts("]");
		free(pids);
		return 0;
	}
	{
		/* ps(1) with -p pid,pid,...: the pid list is ours, the columns are the user's. */
		size_t nargs = argc - optind - 1, k = 0;
		char **args = calloc(nargs + 5, sizeof(char *));
		char *list = calloc(n + 1, 12);

		for (i = 0; i < n; i++)
			sprintf(list + strlen(list), "%s%d", i ? "," : "", pids[i]);
		args[k++] = "ps";
		if (nargs == 0)
			args[k++] = "-f";
		for (i = 0; i < nargs; i++)
			if (strcmp(argv[optind + 1 + i], "--"))
				args[k++] = argv[optind + 1 + i];
		if (n == 0) {
			/* No process left: ps(1)'s header alone, from a name no process has. */
			pid_t child;
			int st;

			args[k++] = "-C";
			args[k++] = "#husk:no-process#";
			fflush(stdout);
			if ((child = fork()) == 0) {
				execvp("ps", args);
				_exit(127);
			}
			free(args);
			free(list);
			free(pids);
			return child > 0 && waitpid(child, &st, 0) == child && WEXITSTATUS(st) != 127 ? 0 :
			       cli_failf("ps: exec ps(1): not found (install procps) or failed");
		}
		args[k++] = "-p";
		args[k++] = list;
		fflush(stdout);
		execvp("ps", args);
		return cli_failf("ps: exec ps(1): not found (install procps) or failed");
	}
}
