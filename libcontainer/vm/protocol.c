/* protocol.c - framing for the microVM's wire (protocol.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "protocol.h"
#include "utils.h"

struct vm_header {
	uint32_t len;
	uint16_t type;
	uint16_t chan;
};

int vm_send(int fd, uint16_t type, uint16_t chan, const void *data, size_t len)
{
	struct vm_header h = { .len = len, .type = type, .chan = chan };
	char *buf;
	ssize_t n;

	if (len > VM_FRAME_MAX)
		return -EMSGSIZE;
	/* One write per frame, so that frames from one writer never interleave. */
	buf = xmalloc(sizeof(h) + len);
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), data, len);
	n = write_all(fd, buf, sizeof(h) + len);
	free(buf);
	return n < 0 ? (int) n : 0;
}

int vm_recv(int fd, struct vm_frame *f)
{
	struct vm_header h;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	n = read_all(fd, &h, sizeof(h));
	if (n < 0)
		return (int) n;
	if ((size_t) n < sizeof(h))
		return -EPIPE;
	if (h.len > VM_FRAME_MAX)
		return -EPROTO;
	f->len = h.len;
	f->type = h.type;
	f->chan = h.chan;
	if (!h.len)
		return 0;
	f->data = xmalloc(h.len + 1);
	n = read_all(fd, f->data, h.len);
	if (n < 0 || (size_t) n < h.len) {
		free(f->data);
		f->data = NULL;
		return n < 0 ? (int) n : -EPIPE;
	}
	f->data[h.len] = '\0';
	return 0;
}

int vm_send_int(int fd, uint16_t type, uint16_t chan, int32_t a, int32_t b)
{
	int32_t v[2] = { a, b };

	return vm_send(fd, type, chan, v, sizeof(v));
}

int32_t vm_frame_int(const struct vm_frame *f, int index)
{
	int32_t v = 0;

	if (f->data && f->len >= (index + 1) * sizeof(int32_t))
		memcpy(&v, f->data + index * sizeof(int32_t), sizeof(v));
	return v;
}
