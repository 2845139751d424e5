/* spec.h - config.json (runtime-spec 1.3) as C structs.  spec_load parses and
 * validates the whole document before anything touches the system; the rest of
 * libcontainer trusts what it returns. */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk.h"
#include "json.h"

/* Bound on config.json's size: real ones are a few KiB. */
#define SPEC_MAX_SIZE (16u << 20)

struct spec_id_mapping {
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	char *destination, *source, *type;
	unsigned long flags;        /* MS_* for mount(2) */
	unsigned long propagation;  /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, |MS_REC; 0: none */
	uint64_t attr_set, attr_clr;/* MOUNT_ATTR_* applied recursively (rro, rnosuid, ...) */
	char *data;                 /* options the filesystem takes, comma-joined */
	bool bind, rbind;
	bool idmap, ridmap;
	struct spec_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_net_device {
	char *host;                 /* the interface's name on the host */
	char *name;                 /* its name in the container (the host's when not renamed) */
};

struct spec_hook {
	char *path;
	char **args;
	char **env;
	int timeout;                /* seconds; 0: none */
};

enum spec_hook_kind {
	HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER,
	HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_KINDS
};
extern const char *const spec_hook_names[HOOK_KINDS];

struct spec_rlimit {
	int resource;
	uint64_t soft, hard;
};

enum spec_cap_set { CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_INHERITABLE, CAPS_PERMITTED, CAPS_AMBIENT, CAPS_SETS };

struct spec_process {
	bool terminal;
	unsigned console_height, console_width;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	mode_t umask;
	char **args;
	char **env;
	char *cwd;
	bool has_caps;
	uint64_t caps[CAPS_SETS];   /* bit N: capability N */
	bool no_new_privileges;
	char *apparmor_profile, *selinux_label;
	bool has_oom_score_adj;
	int oom_score_adj;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool has_scheduler;
	int sched_policy, sched_nice, sched_priority;
	uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
	bool has_io_priority;
	int ioprio_class, ioprio_level;
	char *cpu_affinity_initial, *cpu_affinity_final;
};

struct spec_namespace {
	int type;                   /* CLONE_NEW* */
	char *path;                 /* join this one; NULL: create */
};

struct spec_device {
	char type;                  /* c, b, u, p */
	char *path;
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

#define SPEC_MPOL_NODES 1024         /* the kernel's MAX_NUMNODES at most */

struct spec {
	json_value *doc;            /* the parsed document; pass-through fields point into it */
	char *oci_version;
	char *root_path;            /* absolute */
	bool root_readonly;
	char *hostname, *domainname;
	bool has_process;
	struct spec_process process;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hook *hooks[HOOK_KINDS];
	size_t n_hooks[HOOK_KINDS];
	const json_value *annotations;
	/* linux */
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	unsigned long ns_new;       /* CLONE_NEW* to create */
	unsigned long ns_all;       /* CLONE_NEW* created or joined */
	struct spec_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	bool has_time_offsets;
	int64_t monotonic_secs, boottime_secs;
	uint32_t monotonic_nsecs, boottime_nsecs;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	const json_value *resources;
	const json_value *seccomp;
	char **sysctl_keys, **sysctl_values;
	size_t n_sysctl;
	unsigned long rootfs_propagation; /* 0: husk's default (rslave) */
	char **masked_paths, **readonly_paths;
	char *mount_label;
	bool has_personality;
	unsigned long personality;
	struct spec_net_device *net_devices; /* linux.netDevices */
	size_t n_net_devices;
	bool has_mempolicy;         /* linux.memoryPolicy: set_mempolicy(2) in the init */
	int mempolicy_mode;         /* MPOL_* */
	unsigned mempolicy_flags;   /* MPOL_F_* */
	unsigned long mempolicy_nodes[SPEC_MPOL_NODES / (8 * sizeof(unsigned long))];
};

/* Read FILE (label it "config.json" in errors), resolve root.path against BUNDLE,
 * and validate everything that can be checked without side effects. */
int spec_load(const char *file, const char *bundle, struct spec **out, struct husk_error *err);
/* The same from text; LABEL names the document in errors. */
int spec_parse(const char *text, const char *label, const char *bundle, struct spec **out,
	       struct husk_error *err);
void spec_free(struct spec *s);

/* A runtime-spec "process" object (config.json's, or exec --process). */
int spec_parse_process(const json_value *v, const char *label, const char *field,
		       struct spec_process *p, struct husk_error *err);
void spec_process_free(struct spec_process *p);

/* The mount options husk knows (features.json), NULL past the last. */
const char *spec_mount_option_name(size_t i);
/* linux.memoryPolicy's modes and flags (features.json), NULL past the last. */
const char *spec_mempolicy_mode_name(size_t i);
const char *spec_mempolicy_flag_name(size_t i);

/* Namespace helpers. */
int spec_namespace_type(const char *name);       /* "pid" -> CLONE_NEWPID, or -1 */
const struct spec_namespace *spec_find_namespace(const struct spec *s, int type);
/* The CLONE_NEW* namespace that scopes sysctl KEY, 0 if none does. */
int spec_sysctl_namespace(const char *key);

#endif
