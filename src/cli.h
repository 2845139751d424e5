/* cli.h - what the subcommands share: the global options and small helpers. */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "husk.h"

struct cli {
	struct husk_context ctx;
	const char *log_path;
	bool debug;
};

/* Print "husk: <msg>" once (and log it), return the exit status 1. */
int cli_fail(const struct husk_error *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the usage text to stdout (help) and return 0, or to stderr and return 1. */
int cli_usage(const char *text, bool error);
/* getopt's '?' (unknown option) or ':' (missing argument, with a ':' first in the
 * option string) as one line naming the argument; CMD is NULL for global options. */
int cli_bad_option(const char *cmd, int c, char **argv);
/* runc (urfave/cli) takes a long option after one dash too, and its clients send
 * some that way (containerd's shim: "restore -no-subreaper"): each argument that is
 * one of OPTS's long names after a single dash is rewritten with two. */
void cli_single_dash_long(int argc, char **argv, const struct option *opts);
/* The command's single ID argument, or an error naming the command. */
const char *cli_id(const char *cmd, int argc, char **argv, int optind_);

#define CMD(name) int cmd_##name(struct cli *cli, int argc, char **argv)
CMD(create); CMD(start); CMD(run); CMD(exec); CMD(state); CMD(kill); CMD(delete);
CMD(list); CMD(ps); CMD(spec); CMD(features); CMD(pause); CMD(resume); CMD(update); CMD(events);
CMD(checkpoint); CMD(restore);

#endif
