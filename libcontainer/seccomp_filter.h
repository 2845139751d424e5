/* seccomp_filter.h - (not seccomp.h, which would shadow libseccomp's) linux.seccomp
 * compiled to BPF in the runtime (cached), and loaded by the container just before
 * exec. */
#ifndef HUSK_SECCOMP_FILTER_H
#define HUSK_SECCOMP_FILTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk.h"
#include "json.h"

struct seccomp_filter;
/* Compile the linux.seccomp object; errors name the field.  cache_dir (or NULL)
 * holds compiled programs keyed by the profile's text. */
int seccomp_compile(const json_value *seccomp, const char *cache_dir, struct seccomp_filter **out,
		    struct husk_error *err);
bool seccomp_filter_from_cache(const struct seccomp_filter *f);
/* With SCMP_ACT_NOTIFY: a socket connected to listenerPath (in the runtime, before
 * the container's root changes), else *fd = -1. */
int seccomp_listener_connect(const struct seccomp_filter *f, int *fd, struct husk_error *err);
/* The containerProcessState document sent with the listener. */
char *seccomp_listener_message(const struct seccomp_filter *f, pid_t pid, const char *state_json);
/* Load it into the calling process (the last step before execve); with a listener,
 * send it and message over listener_sock and close both. */
int seccomp_load_filter(struct seccomp_filter *f, int listener_sock, const char *message,
			struct husk_error *err);
void seccomp_filter_free(struct seccomp_filter *f);

#endif
