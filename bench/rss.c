/* rss - the memory a container runtime uses to start a container: run CMD under
 * ptrace, follow every process it forks, and record each process's peak RSS
 * (VmHWM) while it is the runtime, that is until it execs with its root directory no
 * longer the host's (the container's payload).  A process's peak is read at its exit
 * and just before each of its execs (an exec drops the old address space).
 *
 * usage: rss CMD [ARG...]
 * Output: {"processes": N, "max_kb": largest peak, "sum_kb": sum of the peaks}; the
 * sum is an upper bound of what the runtime held at any one moment.  Threads count
 * once, with their process. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct proc {
	pid_t tgid;
	long peak_kb;
	bool payload;
};
static struct proc procs[4096];
static int n_procs;
static struct stat host_root;

static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static struct proc *proc_of(pid_t tid)
{
	long tgid = status_field(tid, "Tgid");
	int i;

	if (tgid <= 0)
		return NULL;
	for (i = 0; i < n_procs; i++)
		if (procs[i].tgid == tgid)
			return &procs[i];
	if (n_procs == (int) (sizeof(procs) / sizeof(procs[0])))
		return NULL;
	procs[n_procs] = (struct proc) { (pid_t) tgid, 0, false };
	return &procs[n_procs++];
}

static void sample(pid_t tid)
{
	struct proc *p = proc_of(tid);
	long kb;

	if (!p || p->payload)
		return;
	kb = status_field(tid, "VmHWM");
	if (kb > p->peak_kb)
		p->peak_kb = kb;
}

/* After an exec: the payload if the process no longer has the host's root. */
static void classify(pid_t tid)
{
	struct proc *p = proc_of(tid);
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/root/", tid);
	if (p && stat(path, &st) == 0 && (st.st_dev != host_root.st_dev || st.st_ino != host_root.st_ino))
		p->payload = true;
}

int main(int argc, char **argv)
{
	long max = 0, sum = 0;
	int status, exit_status = 0, counted = 0;
	bool started = false; /* the child has exec'd the command (before: this tool's fork) */
	pid_t child, pid;

	if (argc < 2) {
		fprintf(stderr, "usage: rss CMD [ARG...]\n");
		return 2;
	}
	stat("/", &host_root);
	child = fork();
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	waitpid(child, &status, 0);
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *) (long) (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, child, NULL, NULL);
	while ((pid = waitpid(-1, &status, __WALL)) > 0) {
		int sig = 0, event = status >> 16;
		struct __ptrace_syscall_info info;

		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == child)
				exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *) sizeof(info), &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    (info.entry.nr == SYS_execve || info.entry.nr == SYS_execveat) && (started || pid != child))
				sample(pid);
		} else if (event == PTRACE_EVENT_EXEC) {
			started = true;
			classify(pid);
		} else if (event == PTRACE_EVENT_EXIT) {
			sample(pid);
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
			unsigned long new_pid;
			struct proc *parent = proc_of(pid), *p;
			ptrace(PTRACE_GETEVENTMSG, pid, NULL, &new_pid);
			/* A payload's children are the payload's. */
			if (parent && parent->payload && (p = proc_of((pid_t) new_pid)))
				p->payload = true;
		} else if (event == 0 && WSTOPSIG(status) != SIGSTOP && WSTOPSIG(status) != SIGTRAP) {
			sig = WSTOPSIG(status); /* a signal for the tracee: deliver it */
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *) (long) sig);
	}
	for (int i = 0; i < n_procs; i++) {
		if (procs[i].peak_kb <= 0)
			continue;
		counted++;
		sum += procs[i].peak_kb;
		if (getenv("RSS_VERBOSE"))
			fprintf(stderr, "rss: pid %d peak %ld kB\n", procs[i].tgid, procs[i].peak_kb);
		if (procs[i].peak_kb > max)
			max = procs[i].peak_kb;
	}
	printf("{\"processes\": %d, \"max_kb\": %ld, \"sum_kb\": %ld, \"status\": %d}\n", counted, max, sum, exit_status);
	return exit_status;
}
