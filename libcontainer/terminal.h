/* terminal.h - ptys for process.terminal: creating one, passing its master over a
 * console socket (SCM_RIGHTS), and proxying it to husk's own stdio. */
#ifndef HUSK_TERMINAL_H
#define HUSK_TERMINAL_H

#include <sys/types.h>

#include "husk.h"

/* Where the container sends its pty master: connected to console_socket, or, when
 * that is NULL, a socketpair whose other end (*peer) husk itself reads to proxy the
 * pty in the foreground. */
int terminal_open_socket(const char *console_socket, int *send_fd, int *peer, struct husk_error *err);
/* Open a pty from the container's /dev/ptmx (resolved under rootfd), size it, make
 * the slave the caller's stdio and controlling terminal, bind it on /dev/console
 * when bind_console, and send the master to sock. */
int terminal_setup(int rootfd, int sock, unsigned rows, unsigned cols, bool bind_console, struct husk_error *err);
/* Send a pty master (named NAME, its slave's path) as terminal_setup does: for a
 * restore, the master CRIU made. */
int terminal_send_master(int sock, int master, const char *name, struct husk_error *err);
/* Receive a pty master sent by terminal_setup. */
int terminal_recv_master(int sock, int *master, struct husk_error *err);
/* Copy between husk's stdin/stdout and master until the process behind pidfd exits
 * and the pty is drained; stdin is put in raw mode while it runs when it is a tty. */
int terminal_proxy(int master, int pidfd);
/* stdin, when a terminal, in raw mode until terminal_restore_stdin (or exit);
 * false when it is not a terminal. */
bool terminal_raw_stdin(void);
void terminal_restore_stdin(void);
/* A host pty passed through raw (ROWS x COLS, or its default size with 0): its
 * master goes to CONSOLE_FD (a connected console socket), its slave to *slave. */
int terminal_host_pty(int console_fd, unsigned rows, unsigned cols, int *slave, struct husk_error *err);

#endif
