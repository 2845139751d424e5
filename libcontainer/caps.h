/* caps.h - capability names and the five sets, through libcap. */
#ifndef HUSK_CAPS_H
#define HUSK_CAPS_H

#include <stdint.h>
#include <sys/types.h>

#include "husk.h"

/* "CAP_CHOWN" -> 0.  -EINVAL: unknown name; -ERANGE: known, but newer than this kernel. */
int caps_from_name(const char *name);
/* The highest capability this kernel knows, plus one. */
int caps_count(void);

struct spec_process;
/* Every capability p asks for is in husk's own bounding set (else no process of ours
 * can get it): checked before anything is made, outside a new user namespace. */
int caps_check_available(const struct spec_process *p, const char *label, struct husk_error *err);
/* Drop the bounding set to what p asks for; keep the rest while the uid changes. */
int caps_drop_bounding(const struct spec_process *p, struct husk_error *err);
/* Switch to p's uid, gid and groups, keeping capabilities across the change. */
int caps_switch_user(const struct spec_process *p, struct husk_error *err);
/* Set effective, permitted, inheritable and ambient exactly as p asks. */
int caps_apply(const struct spec_process *p, struct husk_error *err);

#endif
