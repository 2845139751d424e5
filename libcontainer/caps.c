/* caps.c - capabilities: names, bounding set, user switch and the final sets. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "spec.h"
#include "utils.h"

int caps_count(void)
{
	static int count;

	if (!count) {
		int n = cap_max_bits();
		count = n > 0 && n <= 64 ? n : CAP_LAST_CAP + 1;
	}
	return count;
}

int caps_from_name(const char *name)
{
	cap_value_t v;

	if (strncmp(name, "CAP_", 4) || cap_from_name(name, &v) < 0)
		return -EINVAL;
	if (v >= caps_count())
		return -ERANGE;
	return v;
}

int caps_check_available(const struct spec_process *p, const char *label, struct husk_error *err)
{
	static const char *const sets[CAPS_SETS] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
	int n = caps_count();

	if (!p->has_caps)
		return 0;
	for (int set = 0; set < CAPS_SETS; set++)
		for (int c = 0; c < n; c++)
			if ((p->caps[set] & (1ULL << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0) {
				char *name = cap_to_name(c);
				int r;

				for (char *ch = name; ch && *ch; ch++) /* libcap's "cap_chown" as configs spell it */
					*ch = (char) toupper((unsigned char) *ch);
				r = husk_error_set(err, EPERM, "%s: process.capabilities.%s: %s is not in husk's own "
						       "bounding set, so no process husk starts can have it", label,
						       sets[set], name ? name : "?");
				cap_free(name);
				return r;
			}
	return 0;
}

int caps_drop_bounding(const struct spec_process *p, struct husk_error *err)
{
	int n = caps_count();

	if (!p->has_caps)
		return 0;
	for (int c = 0; c < n; c++) {
		if (p->caps[CAPS_BOUNDING] & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return husk_error_sys(err, errno, "drop %s from the bounding set", cap_to_name(c));
	}
	return 0;
}

int caps_switch_user(const struct spec_process *p, struct husk_error *err)
{
	/* PR_SET_KEEPCAPS: the permitted set survives setuid() away from 0; caps_apply
	 * then sets the sets the config asks for. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	if (setgroups(p->n_additional_gids, p->additional_gids) < 0 && errno != EPERM)
		return husk_error_sys(err, errno, "setgroups for process.user.additionalGids");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return husk_error_sys(err, errno, "setgid(%u) for process.user.gid", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return husk_error_sys(err, errno, "setuid(%u) for process.user.uid", p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_error_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

int caps_apply(const struct spec_process *p, struct husk_error *err)
{
	static const cap_flag_t flags[] = { [CAPS_EFFECTIVE] = CAP_EFFECTIVE,
					    [CAPS_PERMITTED] = CAP_PERMITTED,
					    [CAPS_INHERITABLE] = CAP_INHERITABLE };
	static const int sets[] = { CAPS_EFFECTIVE, CAPS_PERMITTED, CAPS_INHERITABLE };
	int n = caps_count(), r = 0;
	cap_t caps;

	if (!p->has_caps)
		return 0;
	caps = cap_init(); /* all clear: inheritable stays empty unless asked (CVE-2022-29162) */
	if (!caps)
		return husk_error_sys(err, errno, "cap_init");
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++)
		for (cap_value_t c = 0; c < n; c++)
			if (p->caps[sets[s]] & (1ULL << c))
				cap_set_flag(caps, flags[sets[s]], 1, &c, CAP_SET);
	if (cap_set_proc(caps) < 0)
		r = husk_error_sys(err, errno, "set process.capabilities");
	cap_free(caps);
	if (r < 0)
		return r;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return husk_error_sys(err, errno, "clear the ambient capabilities");
	for (int c = 0; c < n; c++) {
		if (!(p->caps[CAPS_AMBIENT] & (1ULL << c)))
			continue;
		/* An ambient capability must also be permitted and inheritable; the kernel
		 * refuses it otherwise, which runc and crun report as a warning only. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			husk_log(HUSK_LOG_WARNING, "cannot raise ambient capability %s: %s",
				 cap_to_name(c), strerror(errno));
	}
	return 0;
}
