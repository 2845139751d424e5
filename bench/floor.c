/* floor ROOTFS - the least a container start must do on this kernel: clone into new
 * pid, mount, network, ipc and uts namespaces, make / private, bind the rootfs,
 * pivot_root into it, mount /proc, exec /bin/true, wait.  husk's overhead is read
 * as a ratio to this. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char stack[64 * 1024];
static const char *rootfs;

static int child(void *arg)
{
	(void) arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0 ||
	    syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0 ||
	    mount("proc", "/proc", "proc", 0, NULL) < 0) {
		perror("floor");
		return 1;
	}
	execl("/bin/true", "true", (char *) NULL);
	perror("floor: exec");
	return 127;
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: floor ROOTFS\n");
		return 2;
	}
	rootfs = argv[1];
	pid = clone(child, stack + sizeof(stack),
		    CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD, NULL);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		perror("floor: clone");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
