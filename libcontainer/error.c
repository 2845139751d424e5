/* error.c - the husk_error object (one sentence, one errno) and the logger. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"
#include "json.h"

static int error_vset(struct husk_error *err, int errnum, bool sys, const char *fmt, va_list ap)
{
	int n;

	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EINVAL;
	if (!err)
		return -errnum;
	err->code = errnum;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (sys && n >= 0 && (size_t) n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -errnum;
}

int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = error_vset(err, errnum, false, fmt, ap);
	va_end(ap);
	return r;
}

int husk_error_sys(struct husk_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = error_vset(err, errnum, true, fmt, ap);
	va_end(ap);
	return r;
}

int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
{
	char old[HUSK_ERROR_MAX];
	va_list ap;
	int n;

	if (!err)
		return -EINVAL;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t) n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %.*s", (int) (sizeof(old) - 1), old);
	return -(err->code ? err->code : EINVAL);
}

/* ---- the logger ---------------------------------------------------------- */
static int log_fd = STDERR_FILENO;
static enum husk_log_format log_format = HUSK_LOG_TEXT;
static bool log_debug;

int husk_log_open(const char *path, enum husk_log_format format, bool debug, struct husk_error *err)
{
	log_format = format;
	log_debug = debug;
	if (path && *path) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return husk_error_sys(err, errno, "open log file \"%s\"", path);
		log_fd = fd;
	}
	return 0;
}

bool husk_log_is_file(void)
{
	return log_fd != STDERR_FILENO;
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char msg[HUSK_ERROR_MAX], now[48];
	_cleanup_free_ char *line = NULL;
	va_list ap;

	if (level == HUSK_LOG_DEBUG && !log_debug)
		return;
	/* Without --log, only errors and warnings reach stderr (and debug with --debug);
	 * errors are printed by the CLI itself, so they are not repeated here. */
	if (log_fd == STDERR_FILENO && level == HUSK_LOG_ERROR)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_rfc3339(now, sizeof(now));
	if (log_format == HUSK_LOG_JSON) {
		/* runc's shape, which containerd's shim parses: {"level","msg","time"}. */
		struct json_writer *w = json_writer_new(false);
		json_write_object_begin(w);
		json_write_key_string(w, "level", names[level]);
		json_write_key_string(w, "msg", msg);
		json_write_key_string(w, "time", now);
		json_write_object_end(w);
		line = xasprintf("%s\n", json_writer_text(w));
		json_writer_free(w);
	} else {
		line = xasprintf("%s %s: %s\n", now, names[level], msg);
	}
	(void) write_all(log_fd, line, strlen(line));
}
