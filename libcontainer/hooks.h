/* hooks.h - OCI hooks: run one kind in order, the state JSON on stdin. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "husk.h"
#include "spec.h"

/* Run every hook of kind in s, in order; the first failure stops and is returned
 * ("hooks.prestart[1]: \"/bin/false\" exited with status 1"). */
int hooks_run(const struct spec *s, enum spec_hook_kind kind, const char *state_json, struct husk_error *err);

#endif
