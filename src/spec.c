/* spec.c - "husk spec": write a default config.json. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk spec [OPTIONS]\n"
	"\n"
	"Write a default config.json into the bundle directory (runc's defaults: sh in\n"
	"rootfs/, pid, network, ipc, uts, mount and cgroup namespaces, a read-only root).\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR  where to write config.json (default: the current directory)\n"
	"      --rootless    a config for an unprivileged user: a user namespace mapping\n"
	"                    the caller to root, and /sys bound from the host\n"
	"      --seccomp     with husk's default seccomp profile (contrib/seccomp.json): an\n"
	"                    allowlist that refuses mount, unshare, setns, ptrace, bpf,\n"
	"                    keyrings, modules, reboot and the like with EPERM\n"
	"  -h, --help        this text\n";

CMD(spec)
{
	enum { OPT_ROOTLESS = 256, OPT_SECCOMP };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, OPT_ROOTLESS },
		{ "seccomp", no_argument, NULL, OPT_SECCOMP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_error err = { 0 };
	const char *bundle = ".";
	bool rootless = false, seccomp = false;
	char path[4096], *json = NULL;
	int c, fd;
	size_t len;

	(void) cli;
	while ((c = getopt_long(argc, argv, "+:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case OPT_ROOTLESS:
			rootless = true;
			break;
		case OPT_SECCOMP:
			seccomp = true;
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("spec", c, argv);
		}
	}
	if (optind != argc)
		return cli_failf("spec: takes no arguments");
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (husk_spec_default(rootless, seccomp, &json, &err) < 0)
		return cli_fail(&err);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		free(json);
		if (e == EEXIST)
			return cli_failf("spec: \"%s\" already exists", path);
		return cli_failf("spec: create \"%s\": %s", path, strerror(e));
	}
	len = strlen(json);
	json[len] = '\n';
	if (write(fd, json, len + 1) != (ssize_t) len + 1) {
		close(fd);
		free(json);
		return cli_failf("spec: write \"%s\": %s", path, strerror(errno));
	}
	close(fd);
	free(json);
	return 0;
}
