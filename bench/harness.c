/* harness - run several commands round-robin (so drift hits all alike) and report,
 * per command, the median wall time and the median and largest peak RSS of its
 * process tree (wait4's ru_maxrss: the largest of the process and its reaped
 * descendants).
 *
 * usage: harness RUNS WARMUP NAME1 'CMD1' [NAME2 'CMD2' ...]
 * A CMD with shell syntax is run by /bin/sh -c, a plain one directly (leading
 * NAME=VALUE words set its environment); a "%i" in it becomes the iteration number.
 * Output: one JSON object per command on stdout; a failed run aborts with its status. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return x < y ? -1 : x > y;
}

static char *expand(const char *cmd, int i)
{
	size_t n = strlen(cmd) + 64;
	char *out = malloc(n), *o = out;
	for (const char *c = cmd; *c; c++) {
		if (c[0] == '%' && c[1] == 'i') {
			o += sprintf(o, "%d", i);
			c++;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return out;
}

static int run_one(const char *cmd, double *ms, long *rss_kb, double *user_ms, double *sys_ms)
{
	char *sh_argv[] = { "sh", "-c", (char *) cmd, NULL }, *argv[64], *copy = NULL;
	char **av = sh_argv;
	struct timespec a, b;
	struct rusage ru;
	int status, n = 0;
	pid_t pid;

	char *envp[256];
	int n_env = 0;

	/* A plain command is spawned directly: no shell in the time or in the peak RSS.
	 * Leading NAME=VALUE words go into its environment, as a shell would put them. */
	if (!strpbrk(cmd, "|&;<>()$`'\"\\*?{}")) {
		copy = strdup(cmd);
		for (char *tok = strtok(copy, " "); tok && n < 63; tok = strtok(NULL, " ")) {
			if (n == 0 && strchr(tok, '=') && n_env < 64)
				envp[n_env++] = tok;
			else
				argv[n++] = tok;
		}
		argv[n] = NULL;
		av = argv;
	}
	for (char **e = environ; *e && n_env < 255; e++)
		envp[n_env++] = *e;
	envp[n_env] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (posix_spawnp(&pid, av[0], NULL, NULL, av, envp) != 0)
		return -1;
	free(copy);
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	*rss_kb = ru.ru_maxrss;
	*user_ms = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
	*sys_ms = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int runs, warmup, n;

	if (argc < 5 || (argc - 3) % 2) {
		fprintf(stderr, "usage: harness RUNS WARMUP NAME CMD [NAME CMD ...]\n");
		return 2;
	}
	runs = atoi(argv[1]);
	warmup = atoi(argv[2]);
	n = (argc - 3) / 2;
	double *t = calloc((size_t) n * runs, sizeof(double));
	double *r = calloc((size_t) n * runs, sizeof(double));
	double *u = calloc((size_t) n * runs, sizeof(double));
	double *sy = calloc((size_t) n * runs, sizeof(double));
	for (int i = -warmup; i < runs; i++) {
		for (int c = 0; c < n; c++) {
			char *cmd = expand(argv[4 + 2 * c], i + warmup);
			double ms, user, sys;
			long kb;
			int st = run_one(cmd, &ms, &kb, &user, &sys);
			if (st != 0) {
				fprintf(stderr, "harness: %s: \"%s\" exited with %d\n", argv[3 + 2 * c], cmd, st);
				return 1;
			}
			free(cmd);
			if (i >= 0) {
				t[c * runs + i] = ms;
				r[c * runs + i] = kb;
				u[c * runs + i] = user;
				sy[c * runs + i] = sys;
			}
		}
	}
	for (int c = 0; c < n; c++) {
		qsort(t + c * runs, runs, sizeof(double), cmp_double);
		qsort(r + c * runs, runs, sizeof(double), cmp_double);
		qsort(u + c * runs, runs, sizeof(double), cmp_double);
		qsort(sy + c * runs, runs, sizeof(double), cmp_double);
		printf("{\"name\": \"%s\", \"runs\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, \"p90_ms\": %.3f, "
		       "\"median_peak_rss_kb\": %.0f, \"max_peak_rss_kb\": %.0f, \"median_user_ms\": %.3f, "
		       "\"median_sys_ms\": %.3f}\n",
		       argv[3 + 2 * c], runs, t[c * runs + runs / 2], t[c * runs], t[c * runs + runs * 9 / 10],
		       r[c * runs + runs / 2], r[c * runs + runs - 1], u[c * runs + runs / 2], sy[c * runs + runs / 2]);
	}
	return 0;
}
