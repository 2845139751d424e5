/* create.c - "husk create" (and the options "husk run" shares with it). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "create.h"

static const char usage[] =
	"Usage: husk create [OPTIONS] ID\n"
	"\n"
	"Create container ID from a bundle.  Its process is set up in its namespaces and\n"
	"waits; 'husk start ID' lets it run.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"      --config FILE         the config (default: BUNDLE/config.json)\n"
	"      --pid-file FILE       write the container's init pid to FILE\n"
	"      --console-socket SOCK send the pty master of process.terminal to this unix socket\n"
	"      --preserve-fds N      pass fds 3..3+N-1 into the container (LISTEN_FDS is set)\n"
	"      --no-pivot            chroot instead of pivot_root (for a ramdisk root)\n"
	"      --no-new-keyring      keep the caller's session keyring\n"
	"      --ephemeral-rootfs SIZE\n"
	"                            a writable overlay with a tmpfs upper of SIZE (e.g. 64M)\n"
	"                            over the read-only rootfs; writes vanish with the container\n"
	"                            (also: annotation run.husk.ephemeral-rootfs=SIZE)\n"
	"  -h, --help                this text\n";

static const char run_usage[] =
	"Usage: husk run [OPTIONS] ID\n"
	"\n"
	"Create and start container ID.  In the foreground husk waits for it, forwards the\n"
	"signals it gets, exits with its status (128+N for signal N) and deletes it\n"
	"(unless --keep).\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"      --config FILE         the config (default: BUNDLE/config.json)\n"
	"  -d, --detach              do not wait: print nothing and leave the container running\n"
	"      --keep                in the foreground, keep the container once it has exited\n"
	"                            (stopped, until 'husk delete ID')\n"
	"      --pid-file FILE       write the container's init pid to FILE\n"
	"      --console-socket SOCK send the pty master of process.terminal to this unix socket\n"
	"      --preserve-fds N      pass fds 3..3+N-1 into the container (LISTEN_FDS is set)\n"
	"      --no-pivot            chroot instead of pivot_root (for a ramdisk root)\n"
	"      --no-new-keyring      keep the caller's session keyring\n"
	"      --ephemeral-rootfs SIZE\n"
	"                            a writable overlay with a tmpfs upper of SIZE over the\n"
	"                            read-only rootfs (also: annotation run.husk.ephemeral-rootfs)\n"
	"  -h, --help                this text\n";

/* fds 3..3+n-1 that are not open get /dev/null, so that none of husk's own fds can
 * take one of those numbers and be passed into the container. */
void cli_reserve_fds(int n)
{
	for (int fd = 3; fd < 3 + n; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int nul = open("/dev/null", O_RDWR);
			if (nul >= 0 && nul != fd) {
				dup2(nul, fd);
				close(nul);
			}
		}
}

int cli_parse_preserve_fds(const char *cmd, const char *arg, int *n)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < 0 || v > 1000)
		return cli_failf("%s: --preserve-fds: expected a number from 0 to 1000, not \"%s\"", cmd, arg);
	*n = v;
	return 0;
}

int cli_parse_create(int argc, char **argv, bool run, struct husk_create_options *o, const char **id)
{
	enum { OPT_CONFIG = 256, OPT_PID, OPT_CONSOLE, OPT_PRESERVE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_EPHEMERAL,
	       OPT_NO_SUBREAPER, OPT_KEEP };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "pid-file", required_argument, NULL, OPT_PID },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
		{ "ephemeral-rootfs", required_argument, NULL, OPT_EPHEMERAL },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = run ? "run" : "create";
	int c;

	while ((c = getopt_long(argc, argv, run ? "+:b:dh" : "+:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_CONFIG:
			o->config_file = optarg;
			break;
		case OPT_PID:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_PRESERVE:
			if (cli_parse_preserve_fds(cmd, optarg, &o->preserve_fds))
				return 1;
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_NO_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_EPHEMERAL:
			if (husk_parse_size(optarg, &o->ephemeral_size) < 0 || o->ephemeral_size == 0)
				return cli_failf("%s: --ephemeral-rootfs: \"%s\" is not a size (e.g. 64M)", cmd, optarg);
			break;
		case OPT_NO_SUBREAPER:
			break; /* runc's flag: husk never becomes a subreaper */
		case 'd':
			o->detach = true;
			break;
		case OPT_KEEP:
			if (!run)
				return cli_failf("create: unknown option \"--keep\" (see husk create --help)");
			o->keep = true;
			break;
		case 'h':
			return cli_usage(run ? run_usage : usage, false) - 1;
		default:
			return cli_bad_option(cmd, c, argv);
		}
	}
	if (o->keep && o->detach)
		return cli_failf("run: --keep and --detach cannot both be used (a detached container is kept anyway)");
	*id = cli_id(cmd, argc, argv, optind);
	if (!*id)
		return 1;
	cli_reserve_fds(o->preserve_fds);
	return 0;
}

CMD(create)
{
	struct husk_create_options o = { 0 };
	struct husk_error err = { 0 };
	const char *id;
	int r = cli_parse_create(argc, argv, false, &o, &id);

	if (r)
		return r < 0 ? 0 : r;
	if (husk_container_create(&cli->ctx, id, &o, &err) < 0)
		return cli_fail(&err);
	return 0;
}
