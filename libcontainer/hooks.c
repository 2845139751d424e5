/* hooks.c - running OCI hooks with the container state on stdin, bounded by their timeout. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "hooks.h"
#include "utils.h"

static int run_one(const struct spec_hook *h, const char *state_json, const char *field, struct husk_error *err)
{
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], status, r;
	char *const default_args[] = { h->path, NULL };
	struct pollfd pfd;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return husk_error_sys(err, errno, "%s: pipe", field);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return husk_error_sys(err, errno, "%s: fork", field);
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* run may be holding signals back */
		dup2(pipefd[0], STDIN_FILENO);
		/* A hook's own fds start at 3: nothing of the runtime's reaches it. */
		close_fds_from(3);
		/* Without "env" a hook inherits the runtime's environment, as with runc and crun. */
		execve(h->path, h->args && h->args[0] ? h->args : default_args, h->env ? h->env : environ);
		_exit(127);
	}
	close(pipefd[0]);
	/* A hook that does not read stdin must not block the runtime: ignore EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	(void) write_all(pipefd[1], state_json, strlen(state_json));
	close(pipefd[1]);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (h->timeout > 0 && pidfd >= 0) {
		pfd = (struct pollfd) { .fd = pidfd, .events = POLLIN };
		do
			r = poll(&pfd, 1, h->timeout * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return husk_error_set(err, ETIMEDOUT, "%s: \"%s\" timed out after %d s", field, h->path, h->timeout);
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return husk_error_sys(err, errno, "%s: wait for \"%s\"", field, h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(h->path, X_OK) < 0)
		return husk_error_sys(err, errno, "%s: \"%s\"", field, h->path);
	if (WIFEXITED(status))
		return husk_error_set(err, EIO, "%s: \"%s\" exited with status %d", field, h->path, WEXITSTATUS(status));
	return husk_error_set(err, EIO, "%s: \"%s\" was killed by signal %d", field, h->path, WTERMSIG(status));
}

int hooks_run(const struct spec *s, enum spec_hook_kind kind, const char *state_json, struct husk_error *err)
{
	for (size_t i = 0; i < s->n_hooks[kind]; i++) {
		char field[64];
		int r;

		snprintf(field, sizeof(field), "hooks.%s[%zu]", spec_hook_names[kind], i);
		r = run_one(&s->hooks[kind][i], state_json, field, err);
		if (r < 0)
			return r;
	}
	return 0;
}
