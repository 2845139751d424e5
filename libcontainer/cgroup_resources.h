/* cgroup_resources.h - linux.resources as cgroup v2 writes.
 *
 * A resources object is first turned into a plan: the list of files to write and
 * the device rules, with every conversion from the runtime-spec's (cgroup v1) units
 * done and every value checked.  Planning touches nothing, so a config is fully
 * validated before create makes its cgroup, and `update` checks its input the same
 * way.  Applying a plan enables the controllers it needs and writes the files. */
#ifndef HUSK_CGROUP_RESOURCES_H
#define HUSK_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "husk.h"
#include "json.h"

struct spec;

enum {
	CG_WRITE_CHECK_USAGE = 1 << 0, /* memory.checkBeforeUpdate: refuse a limit below memory.current */
	CG_WRITE_SWAP_OF_LIMIT = 1 << 1, /* value is memory+swap: subtract the current memory.max */
};

struct cg_write {
	char *field;      /* for errors: "config.json: linux.resources.memory.limit" */
	char *controller; /* to enable in the ancestors; NULL for core files */
	char *file;       /* memory.max */
	char *value;
	char *alt_file;   /* written instead (with alt_value) where the cgroup has it: io.bfq.weight */
	char *alt_value;
	unsigned flags;
};

/* One rule of linux.resources.devices (or an implicit one): type 'a', 'c' or 'b';
 * major/minor -1 for any; access a mask of CG_DEV_*. */
enum { CG_DEV_MKNOD = 1, CG_DEV_READ = 2, CG_DEV_WRITE = 4 };
struct cg_device_rule {
	bool allow;
	char type;
	int64_t major, minor;
	unsigned access;
};

struct cg_plan {
	struct cg_write *writes;
	size_t n_writes;
	bool has_devices;               /* a device program is to be installed */
	struct cg_device_rule *devices; /* in order: the last matching rule decides */
	size_t n_devices;
};

/* Plan a linux.resources object; errors start with source ("config.json").  s adds
 * the implicit device rules: the nodes of linux.devices and the default /dev set, as
 * runc does.  s is NULL for update, where a swap limit may rely on the memory.max the
 * cgroup already has. */
int cgroup_plan_resources(const json_value *res, const struct spec *s, const char *source,
			  struct cg_plan *plan, struct husk_error *err);
void cgroup_plan_free(struct cg_plan *plan);
/* Write a plan into the cgroup directory fspath (devices included). */
int cgroup_plan_apply(const char *fspath, const struct cg_plan *plan, struct husk_error *err);

/* Conversions from the runtime-spec's cgroup v1 units (exposed for the unit tests). */
uint64_t cgroup_cpu_shares_to_weight(uint64_t shares);
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap (memory+swap) to memory.swap.max; -1 is "max".  Fails (-EINVAL) where
 * runc does: a swap limit without a memory limit, or below it. */
int cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *out);

/* cgroup_devices.c: install the plan's device rules as a BPF_CGROUP_DEVICE program
 * on the cgroup dirfd, replacing the one husk attached before. */
int cgroup_devices_apply(int dirfd, const char *fspath, const struct cg_device_rule *rules, size_t n,
			 struct husk_error *err);

#endif
