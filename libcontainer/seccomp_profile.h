/* seccomp_profile.h - husk's default seccomp profile. */
#ifndef HUSK_SECCOMP_PROFILE_H
#define HUSK_SECCOMP_PROFILE_H

#include "json.h"

/* The linux.seccomp object of the default profile. */
void seccomp_write_default_profile(struct json_writer *w);

#endif
