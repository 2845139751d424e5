/* exec.c - "husk exec ID CMD..." or "husk exec --process FILE ID". */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "create.h"

static const char usage[] =
	"Usage: husk exec [OPTIONS] ID [COMMAND [ARG...]]\n"
	"\n"
	"Run a new process in every namespace and the cgroup of container ID.  It starts\n"
	"from the container's process (env, user, capabilities, rlimits), changed by the\n"
	"options; in the foreground husk exits with its status (128+N for signal N).\n"
	"\n"
	"Options:\n"
	"  -p, --process FILE        the process as a runtime-spec process.json instead\n"
	"  -t, --tty                 allocate a pty\n"
	"      --console-socket SOCK send the pty master to this unix socket\n"
	"  -d, --detach              do not wait for the process\n"
	"      --pid-file FILE       write the process's pid to FILE\n"
	"      --cwd DIR             working directory inside the container\n"
	"  -e, --env KEY=VALUE       add an environment variable (repeatable)\n"
	"  -u, --user UID[:GID]      run as this user\n"
	"  -c, --cap CAP             add a capability to the bounding, effective and\n"
	"                            permitted sets (repeatable)\n"
	"      --no-new-privs        set no_new_privs\n"
	"      --preserve-fds N      pass fds 3..3+N-1 into the process\n"
	"  -g, --cgroup [CTRL:]PATH  run it in sub-cgroup PATH of the container's cgroup\n"
	"                            (runc's form; a controller prefix means nothing on v2)\n"
	"  -h, --help                this text\n";

/* The array only: its strings are argv's. */
static void free_strv_container(char ***v)
{
	free(*v);
}

CMD(exec)
{
	enum { OPT_CONSOLE = 256, OPT_PID, OPT_CWD, OPT_NNP, OPT_PRESERVE };
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, OPT_PID },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, OPT_NNP },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_exec_options o = { 0 };
	struct husk_error err = { 0 };
	/* --env and --cap values, at most one per argument; freed at every return. */
	char **env __attribute__((cleanup(free_strv_container))) = calloc(argc + 1, sizeof(char *));
	char **caps __attribute__((cleanup(free_strv_container))) = calloc(argc + 1, sizeof(char *));
	size_t n_env = 0, n_caps = 0;
	int c, status = 0;

	if (!env || !caps)
		return cli_failf("exec: out of memory");
	o.env = env;
	o.caps = caps;
	while ((c = getopt_long(argc, argv, "+:p:tde:u:c:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case 't':
			o.tty = o.tty_set = true;
			break;
		case OPT_CONSOLE:
			o.console_socket = optarg;
			break;
		case 'd':
			o.detach = true;
			break;
		case OPT_PID:
			o.pid_file = optarg;
			break;
		case OPT_CWD:
			o.cwd = optarg;
			break;
		case 'e':
			env[n_env++] = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'c':
			caps[n_caps++] = optarg;
			break;
		case OPT_NNP:
			o.no_new_privs = true;
			break;
		case 'g':
			o.cgroup = optarg;
			break;
		case OPT_PRESERVE:
			if (cli_parse_preserve_fds("exec", optarg, &o.preserve_fds))
				return 1;
			break;
		case 'h':
			return cli_usage(usage, false);
		default:
			return cli_bad_option("exec", c, argv);
		}
	}
	if (argc - optind < 1)
		return cli_failf("exec: expected a container id (see husk exec --help)");
	if (!o.process_file && argc - optind < 2)
		return cli_failf("exec: expected a command after the container id, or --process FILE");
	o.args = argv + optind + 1;
	cli_reserve_fds(o.preserve_fds);
	if (husk_container_exec(&cli->ctx, argv[optind], &o, &status, &err) < 0)
		return cli_fail(&err);
	return status;
}
