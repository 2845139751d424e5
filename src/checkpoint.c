/* checkpoint.c - "husk checkpoint ID" and "husk restore ID": CRIU, with runc's flags. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char checkpoint_usage[] =
	"Usage: husk checkpoint [OPTIONS] ID\n"
	"\n"
	"Save running container ID with CRIU into an image directory.  Without\n"
	"--leave-running (or --pre-dump) the container is then gone, as with runc.\n"
	"\n"
	"Options:\n"
	"      --image-path DIR      where the images go (default: ./checkpoint)\n"
	"      --work-path DIR       where CRIU's log goes (default: the image path)\n"
	"      --parent-path DIR     a previous --pre-dump, relative to the image path\n"
	"      --leave-running       keep the container running after the checkpoint\n"
	"      --pre-dump            dump the memory only, for a later dump with --parent-path\n"
	"      --tcp-established     checkpoint established TCP connections\n"
	"      --tcp-skip-in-flight  skip TCP connections still being set up\n"
	"      --ext-unix-sk         allow unix sockets whose peer is outside the container\n"
	"      --shell-job           the container was started from a shell (a controlling tty)\n"
	"      --file-locks          checkpoint file locks\n"
	"      --link-remap          allow files that are open but unlinked\n"
	"      --auto-dedup          free the pages a parent image already holds\n"
	"      --manage-cgroups-mode MODE\n"
	"                            soft (default), full, strict or ignore\n"
	"      --empty-ns network    do not save the network namespace's content\n"
	"      --network-lock METHOD iptables (CRIU's default), nftables or skip\n"
	"      --page-server ADDRESS:PORT\n"
	"                            send the pages to a CRIU page server (with lazy\n"
	"                            pages: serve them from this port)\n"
	"      --lazy-pages          leave the pages in the stopped container, for a lazy\n"
	"                            restore to fetch as it touches them\n"
	"      --status-fd FD        with lazy pages: a byte is written to FD once the\n"
	"                            pages can be fetched\n"
	"  -h, --help                this text\n";

static const char restore_usage[] =
	"Usage: husk restore [OPTIONS] ID\n"
	"\n"
	"Restore a checkpoint as container ID from a bundle.  In the foreground husk waits\n"
	"for it, forwards the signals it gets, exits with its status and deletes it.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"      --image-path DIR      the checkpoint (default: ./checkpoint)\n"
	"      --work-path DIR       where CRIU's log goes (default: the image path)\n"
	"  -d, --detach              do not wait: leave the restored container running\n"
	"      --pid-file FILE       write the restored init's pid to FILE\n"
	"      --tcp-established     restore established TCP connections\n"
	"      --tcp-close           close the restored TCP connections\n"
	"      --ext-unix-sk         allow unix sockets whose peer is outside the container\n"
	"      --shell-job           the container was started from a shell\n"
	"      --file-locks          restore file locks\n"
	"      --auto-dedup          free the image's pages as they are restored\n"
	"      --manage-cgroups-mode MODE\n"
	"                            soft (default), full, strict or ignore\n"
	"      --console-socket PATH process.terminal: send the restored pty's master to\n"
	"                            the unix socket PATH (as create does)\n"
	"      --empty-ns network    the checkpoint was made with --empty-ns network\n"
	"      --lazy-pages          fetch the pages as they are touched, from a running\n"
	"                            \"criu lazy-pages\" daemon using the same --work-path\n"
	"      --lsm-profile TYPE:NAME\n"
	"                            restore under this LSM label (apparmor:NAME, selinux:LABEL)\n"
	"      --lsm-mount-context CONTEXT\n"
	"                            the SELinux context= of the restored mounts\n"
	"      --no-subreaper        accepted (husk never becomes a subreaper)\n"
	"  -h, --help                this text\n"
	"--no-pivot is refused: CRIU puts the container's root in place with pivot_root.\n";

enum {
	OPT_IMAGE = 256, OPT_WORK, OPT_PARENT, OPT_LEAVE, OPT_PREDUMP, OPT_TCP, OPT_TCP_SKIP, OPT_TCP_CLOSE,
	OPT_EXT_UNIX, OPT_SHELL, OPT_LOCKS, OPT_REMAP, OPT_DEDUP, OPT_CGMODE, OPT_PID, OPT_NO_SUBREAPER,
	OPT_EMPTY_NS, OPT_LAZY, OPT_PAGE_SERVER, OPT_STATUS_FD, OPT_NETWORK_LOCK, OPT_CONSOLE, OPT_LSM_PROFILE,
	OPT_LSM_MOUNT, OPT_NO_PIVOT,
};

static int common_flag(int c, struct husk_criu_flags *f)
{
	switch (c) {
	case OPT_TCP: f->tcp_established = true; return 1;
	case OPT_EXT_UNIX: f->ext_unix_sk = true; return 1;
	case OPT_SHELL: f->shell_job = true; return 1;
	case OPT_LOCKS: f->file_locks = true; return 1;
	case OPT_DEDUP: f->auto_dedup = true; return 1;
	case OPT_CGMODE: f->manage_cgroups_mode = optarg; return 1;
	case OPT_EMPTY_NS: f->empty_ns = optarg; return 1;
	case OPT_LAZY: f->lazy_pages = true; return 1;
	}
	return 0;
}

#define COMMON_OPTIONS \
	{ "image-path", required_argument, NULL, OPT_IMAGE }, { "work-path", required_argument, NULL, OPT_WORK }, \
	{ "tcp-established", no_argument, NULL, OPT_TCP }, { "ext-unix-sk", no_argument, NULL, OPT_EXT_UNIX }, \
	{ "shell-job", no_argument, NULL, OPT_SHELL }, { "file-locks", no_argument, NULL, OPT_LOCKS }, \
	{ "auto-dedup", no_argument, NULL, OPT_DEDUP }, { "manage-cgroups-mode", required_argument, NULL, OPT_CGMODE }, \
	{ "lazy-pages", no_argument, NULL, OPT_LAZY }, { "empty-ns", required_argument, NULL, OPT_EMPTY_NS }, \
	{ "help", no_argument, NULL, 'h' }

/* A descriptor husk was started with, or -1. */
static int parse_fd(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < 0 || v > INT_MAX || fcntl((int) v, F_GETFD) < 0)
		return -1;
	return (int) v;
}

CMD(checkpoint)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{ "parent-path", required_argument, NULL, OPT_PARENT }, { "leave-running", no_argument, NULL, OPT_LEAVE },
		{ "pre-dump", no_argument, NULL, OPT_PREDUMP }, { "tcp-skip-in-flight", no_argument, NULL, OPT_TCP_SKIP },
		{ "link-remap", no_argument, NULL, OPT_REMAP }, { "page-server", required_argument, NULL, OPT_PAGE_SERVER },
		{ "status-fd", required_argument, NULL, OPT_STATUS_FD },
		{ "network-lock", required_argument, NULL, OPT_NETWORK_LOCK },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_checkpoint_options o = { .status_fd = -1 };
	struct husk_error err = { 0 };
	const char *id;
	int c;

	cli_single_dash_long(argc, argv, opts);
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (common_flag(c, &o.flags))
			continue;
		switch (c) {
		case OPT_IMAGE: o.image_path = optarg; break;
		case OPT_WORK: o.work_path = optarg; break;
		case OPT_PARENT: o.parent_path = optarg; break;
		case OPT_LEAVE: o.leave_running = true; break;
		case OPT_PREDUMP: o.pre_dump = true; break;
		case OPT_TCP_SKIP: o.tcp_skip_in_flight = true; break;
		case OPT_REMAP: o.link_remap = true; break;
		case OPT_PAGE_SERVER: o.page_server = optarg; break;
		case OPT_NETWORK_LOCK: o.network_lock = optarg; break;
		case OPT_STATUS_FD:
			if ((o.status_fd = parse_fd(optarg)) < 0)
				return cli_failf("checkpoint: --status-fd: expected an open file descriptor, not \"%s\"",
						 optarg);
			break;
		case 'h': return cli_usage(checkpoint_usage, false);
		default: return cli_bad_option("checkpoint", c, argv);
		}
	}
	if (!(id = cli_id("checkpoint", argc, argv, optind)))
		return 1;
	if (husk_container_checkpoint(&cli->ctx, id, &o, &err) < 0)
		return cli_fail(&err);
	return 0;
}

CMD(restore)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{ "bundle", required_argument, NULL, 'b' }, { "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, OPT_PID }, { "tcp-close", no_argument, NULL, OPT_TCP_CLOSE },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "lsm-profile", required_argument, NULL, OPT_LSM_PROFILE },
		{ "lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_restore_options o = { 0 };
	struct husk_error err = { 0 };
	const char *id;
	int c, status = 0;

	cli_single_dash_long(argc, argv, opts);
	while ((c = getopt_long(argc, argv, "+:b:dh", opts, NULL)) != -1) {
		if (common_flag(c, &o.flags))
			continue;
		switch (c) {
		case 'b': o.bundle = optarg; break;
		case 'd': o.detach = true; break;
		case OPT_IMAGE: o.image_path = optarg; break;
		case OPT_WORK: o.work_path = optarg; break;
		case OPT_PID: o.pid_file = optarg; break;
		case OPT_TCP_CLOSE: o.tcp_close = true; break;
		case OPT_NO_SUBREAPER: break;
		case OPT_CONSOLE: o.console_socket = optarg; break;
		case OPT_LSM_PROFILE: o.lsm_profile = optarg; break;
		case OPT_LSM_MOUNT: o.lsm_mount_context = optarg; break;
		case OPT_NO_PIVOT:
			return cli_failf("restore: --no-pivot cannot be honoured: CRIU puts the container's root in "
					 "place itself, with pivot_root");
		case 'h': return cli_usage(restore_usage, false);
		default: return cli_bad_option("restore", c, argv);
		}
	}
	if (!(id = cli_id("restore", argc, argv, optind)))
		return 1;
	if (husk_container_restore(&cli->ctx, id, &o, &status, &err) < 0)
		return cli_fail(&err);
	return status;
}
