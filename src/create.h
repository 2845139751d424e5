/* create.h - option parsing shared by create and run. */
#ifndef HUSK_CLI_CREATE_H
#define HUSK_CLI_CREATE_H

#include "husk.h"

/* 0: parsed; -1: --help was printed (exit 0); >0: an error was printed (exit status). */
int cli_parse_create(int argc, char **argv, bool run, struct husk_create_options *o, const char **id);
void cli_reserve_fds(int n);
/* --preserve-fds N: 0 and *n set, or the exit status of the printed error. */
int cli_parse_preserve_fds(const char *cmd, const char *arg, int *n);

#endif
