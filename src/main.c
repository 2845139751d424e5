/* main.c - global options and dispatch to one subcommand. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "cli.h"

static const char usage[] =
	"Usage: husk [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"husk runs OCI containers (runtime-spec 1.3) from a bundle: config.json + rootfs.\n"
	"\n"
	"Commands:\n"
	"  create    create a container from a bundle, paused before its process runs\n"
	"  start     run the process of a created container\n"
	"  run       create and start a container (in the foreground unless --detach)\n"
	"  exec      run a new process inside a running container\n"
	"  state     print the OCI state of a container as JSON\n"
	"  kill      send a signal to a container's init (or to all its processes)\n"
	"  delete    remove a stopped container (--force: any container)\n"
	"  list      list containers\n"
	"  ps        list the processes of a container\n"
	"  pause     freeze every process of a container\n"
	"  resume    thaw a paused container\n"
	"  update    change a container's cgroup limits\n"
	"  events    print a container's stats and OOM events as JSON lines\n"
	"  checkpoint save a running container with CRIU\n"
	"  restore   restore a checkpoint as a container\n"
	"  spec      write a default config.json\n"
	"  features  print the runtime-spec features document\n"
	"\n"
	"Global options:\n"
	"  --root DIR           state directory (default " HUSK_DEFAULT_ROOT ")\n"
	"  --log FILE           write log lines to FILE (default: stderr)\n"
	"  --log-format FORMAT  text or json (default text)\n"
	"  --log-level LEVEL    accepted for runc compatibility; debug equals --debug\n"
	"  --debug              log debug lines\n"
	"  --systemd-cgroup     the systemd driver: a transient scope per container\n"
	"  --cgroup-manager M   cgroupfs, systemd or disabled (crun's spelling)\n"
	"  --rootless VALUE     true, false or auto (default: auto, true when not root):\n"
	"                       work without a cgroup where none is delegated\n"
	"  --criu PATH          accepted for runc compatibility\n"
	"  -h, --help           this text\n"
	"  -v, --version        the version and compiled-in features\n"
	"\n"
	"A config with the annotation run.husk.executor=microvm runs in its own guest kernel\n"
	"under QEMU's microvm machine; run as husk-vm, husk does so for every config\n"
	"(man husk: MICROVM).\n"
	"\n"
	"Run 'husk COMMAND --help' for a command's options; man husk-COMMAND for details.\n";

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
} commands[] = {
	{ "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run }, { "exec", cmd_exec },
	{ "state", cmd_state }, { "kill", cmd_kill }, { "delete", cmd_delete }, { "list", cmd_list },
	{ "ps", cmd_ps }, { "spec", cmd_spec }, { "features", cmd_features }, { "pause", cmd_pause },
	{ "resume", cmd_resume }, { "update", cmd_update }, { "events", cmd_events },
	{ "checkpoint", cmd_checkpoint }, { "restore", cmd_restore },
};

static char **orig_argv;

/* Re-execute husk from a sealed memfd copy of its binary, with the same arguments:
 * a container process that can open /proc/PID/exe of husk then reaches only the
 * copy, which nobody can write (CVE-2019-5736).  Returns only on failure. */
static void reexec_sealed(void)
{
	extern char **environ;
	int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	off_t off = 0;

	if (src < 0 || mfd < 0 || fstat(src, &st) < 0)
		return;
	while (off < st.st_size)
		if (sendfile(mfd, src, &off, st.st_size - off) <= 0)
			return;
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return;
	fexecve(mfd, orig_argv, environ);
}

int cli_fail(const struct husk_error *err)
{
	/* Only once: a sealed copy never asks again. */
	if (err->code == EAGAIN && orig_argv && !husk_running_sealed())
		reexec_sealed();
	husk_log(HUSK_LOG_ERROR, "%s", err->msg);
	fprintf(stderr, "husk: %s\n", err->msg);
	return 1;
}

int cli_failf(const char *fmt, ...)
{
	struct husk_error err = { .code = EINVAL };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return cli_fail(&err);
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	/* getopt leaves optind past the argument for a long option, but not always for a
	 * short one: name a short option by optopt, a long one by its argument. */
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char shortopt[3] = { '-', (char) optopt, '\0' };
	bool is_short = optopt > 0 && optopt < 128 && strncmp(arg, "--", 2);
	const char *name = is_short ? shortopt : arg, *prefix = cmd ? cmd : "", *colon = cmd ? ": " : "";
	char see[64];

	snprintf(see, sizeof(see), "husk %s%s--help", prefix, cmd ? " " : "");

	if (c == ':')
		return cli_failf("%s%soption \"%s\" needs an argument (see %s)", prefix, colon, name, see);
	return cli_failf("%s%sunknown option \"%s\" (see %s)", prefix, colon, name, see);
}

int cli_usage(const char *text, bool error)
{
	fputs(text, error ? stderr : stdout);
	return error ? 1 : 0;
}

void cli_single_dash_long(int argc, char **argv, const struct option *opts)
{
	static char buf[64][64];
	int used = 0;

	for (int i = 1; i < argc && used < 64; i++) {
		const char *a = argv[i];
		size_t len = strcspn(a + 1, "=");
		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || a[1] == '-' || len < 2)
			continue;
		for (const struct option *o = opts; o->name; o++)
			if (strlen(o->name) == len && !strncmp(a + 1, o->name, len) && strlen(a) + 2 <= sizeof(buf[0])) {
				snprintf(buf[used], sizeof(buf[0]), "-%s", a);
				argv[i] = buf[used++];
				break;
			}
	}
}

const char *cli_id(const char *cmd, int argc, char **argv, int optind_)
{
	if (argc - optind_ != 1) {
		cli_failf("%s: expected exactly one container id, got %d arguments (see husk %s --help)", cmd,
			  argc - optind_, cmd);
		return NULL;
	}
	return argv[optind_];
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
	enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_LOG_LEVEL, OPT_DEBUG, OPT_SYSTEMD, OPT_MANAGER,
	       OPT_ROOTLESS, OPT_CRIU };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
		{ "cgroup-manager", required_argument, NULL, OPT_MANAGER },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "criu", required_argument, NULL, OPT_CRIU },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .ctx = { .root = HUSK_DEFAULT_ROOT, .cgroup_manager = HUSK_CGROUP_CGROUPFS } };
	enum husk_log_format format = HUSK_LOG_TEXT;
	struct husk_error err = { 0 };
	const char *root_env = getenv("XDG_RUNTIME_DIR");
	int c;

	/* The microVM guest's kernel starts husk as /init: the guest agent. */
	if (husk_is_agent(argv[0]))
		husk_agent_main();
	/* Installed as husk-vm (as crun is as krun): bundles run as microVMs by default. */
	if (!strcmp(basename_of(argv[0]), "husk-vm"))
		husk_set_default_executor("microvm");

	/* For benchmarks and debugging: every seccomp profile compiled afresh. */
	cli.ctx.no_seccomp_cache = getenv("HUSK_NO_SECCOMP_CACHE") != NULL;
	cli.ctx.rootless = geteuid() != 0;
	/* Unprivileged users keep their state under $XDG_RUNTIME_DIR, as runc does. */
	if (geteuid() != 0 && root_env && *root_env) {
		static char root[4096];
		snprintf(root, sizeof(root), "%s/husk", root_env);
		cli.ctx.root = root;
	}
	orig_argv = argv;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			cli.ctx.root = optarg;
			break;
		case OPT_LOG:
			cli.log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (!strcmp(optarg, "json"))
				format = HUSK_LOG_JSON;
			else if (!strcmp(optarg, "text"))
				format = HUSK_LOG_TEXT;
			else
				return cli_failf("--log-format: expected text or json, not \"%s\"", optarg);
			break;
		case OPT_LOG_LEVEL:
			if (!strcmp(optarg, "debug"))
				cli.debug = true;
			break;
		case OPT_DEBUG:
			cli.debug = true;
			break;
		case OPT_SYSTEMD:
			cli.ctx.cgroup_manager = HUSK_CGROUP_SYSTEMD;
			break;
		case OPT_MANAGER:
			if (!strcmp(optarg, "cgroupfs"))
				cli.ctx.cgroup_manager = HUSK_CGROUP_CGROUPFS;
			else if (!strcmp(optarg, "systemd"))
				cli.ctx.cgroup_manager = HUSK_CGROUP_SYSTEMD;
			else if (!strcmp(optarg, "disabled"))
				cli.ctx.cgroup_manager = HUSK_CGROUP_DISABLED;
			else
				return cli_failf("--cgroup-manager: expected cgroupfs, systemd or disabled, not \"%s\"", optarg);
			break;
		case OPT_ROOTLESS:
			if (!strcmp(optarg, "true") || !strcmp(optarg, "false"))
				cli.ctx.rootless = optarg[0] == 't';
			else if (strcmp(optarg, "auto"))
				return cli_failf("--rootless: expected true, false or auto, not \"%s\"", optarg);
			break;
		case OPT_CRIU:
			break;
		case 'h':
			return cli_usage(usage, false);
		case 'v':
			printf("husk version %s\nspec: 1.3.0\n%s\n", PACKAGE_VERSION, husk_build_features());
			return 0;
		default:
			return cli_bad_option(NULL, c, argv);
		}
	}
	if (husk_log_open(cli.log_path, format, cli.debug, &err) < 0)
		return cli_fail(&err);
	if (optind >= argc)
		return cli_usage(usage, true);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[optind]))
			continue;
		/* Each command parses its own options from argv[optind] on. */
		argv += optind;
		argc -= optind;
		optind = 0;
		return commands[i].fn(&cli, argc, argv);
	}
	return cli_failf("unknown command \"%s\" (see husk --help)", argv[optind]);
}
