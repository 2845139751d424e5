/* seccomp_filter.h - (not seccomp.h, which would shadow libseccomp's) linux.seccomp compiled with libseccomp and loaded before exec. */
#ifndef HUSK_SECCOMP_FILTER_H
#define HUSK_SECCOMP_FILTER_H

#include <stdbool.h>

#include "husk.h"
#include "json.h"

struct seccomp_filter;
/* Compile the linux.seccomp object; errors name the field. */
int seccomp_compile(const json_value *seccomp, struct seccomp_filter **out, struct husk_error *err);
/* Load it into the calling thread (the last step before execve). */
int seccomp_load_filter(struct seccomp_filter *f, struct husk_error *err);
void seccomp_filter_free(struct seccomp_filter *f);

#endif
