/* protocol.h - the microVM's wire: frames between the host's monitor and the guest's
 * agent (over a virtio-serial port), and between husk commands and the monitor (over
 * the container's unix socket).  Documented in README ("The microVM protocol").
 *
 * A frame is a header { u32 len; u16 type; u16 chan } in host byte order (host and
 * guest are the same machine's architecture), then len bytes.  Channel 0 is the
 * container's init; an exec gets the next free channel from the monitor.  A husk
 * command talking to the monitor always says channel 0: the monitor maps it. */
#ifndef HUSK_VM_PROTOCOL_H
#define HUSK_VM_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum vm_msg {
	VM_HELLO = 1, /* agent -> host: PID 1 is up and listening */
	VM_CREATE,    /* host -> agent: JSON {id, shares: [{tag, path}], config} */
	VM_READY,     /* agent -> host: created (the init waits to be started) */
	VM_ERROR,     /* agent -> host: what failed, one line */
	VM_START,     /* host -> agent: start the init */
	VM_STARTED,   /* agent -> host: the init has exec'd the payload */
	VM_EXEC,      /* -> agent: JSON {args, env, cwd, user, caps, tty, noNewPrivileges, process} */
	VM_STDIN,     /* data for a channel's stdin; an empty frame closes it */
	VM_STDOUT,    /* a channel's output */
	VM_STDERR,
	VM_SIGNAL,    /* -> agent: i32 signal number, i32 flags (VM_SIGNAL_ALL) */
	VM_EXIT,      /* agent -> : i32 exit status as a shell reports it (128+N: signal N) */
	VM_RESIZE,    /* -> agent: i32 rows, i32 columns of a channel's terminal */
};
#define VM_SIGNAL_ALL 1

#define VM_FRAME_MAX (1u << 20)

struct vm_frame {
	uint32_t len;
	uint16_t type;
	uint16_t chan;
	char *data; /* len bytes and a NUL, malloc'd; NULL when len is 0 */
};

/* Send one frame; a negative errno on failure. */
int vm_send(int fd, uint16_t type, uint16_t chan, const void *data, size_t len);
/* Receive one frame (blocking); 0 on success, -EPIPE at end of stream, another
 * negative errno on failure.  f->data is the caller's to free. */
int vm_recv(int fd, struct vm_frame *f);
/* Signal and exit payloads. */
int vm_send_int(int fd, uint16_t type, uint16_t chan, int32_t a, int32_t b);
int32_t vm_frame_int(const struct vm_frame *f, int index);

#endif
