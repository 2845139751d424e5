/* cgroup_systemd.h - the systemd cgroup driver: a transient scope per container. */
#ifndef HUSK_CGROUP_SYSTEMD_H
#define HUSK_CGROUP_SYSTEMD_H

#include "husk.h"
#include "cgroup_resources.h"

struct systemd_scope {
	char *unit;     /* "husk-c1.scope" */
	char *path;     /* its cgroup, relative to the cgroup2 mount */
	char *fspath;   /* the same under the mount */
	int fd;         /* O_DIRECTORY, for CLONE_INTO_CGROUP */
	char *previous; /* husk's own cgroup before it entered the scope */
};

/* cgroupsPath "slice:prefix:name" -> slice "slice", unit "prefix-name.scope"; empty:
 * system.slice and husk-<id>.scope.  Pure: used to check a config before create. */
int cgroup_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **unit,
			 struct husk_error *err);
/* Start the scope with husk itself in it (Delegate=yes) and open its cgroup. */
int cgroup_systemd_enter(const char *slice, const char *unit, const char *id, struct systemd_scope *scope,
			 struct husk_error *err);
/* Move husk back to the cgroup it came from. */
int cgroup_systemd_leave(struct systemd_scope *scope);
/* Give systemd the plan's limits that have a unit property (MemoryMax, TasksMax,
 * CPUWeight, CPUQuotaPerSecUSec, ...), so that it keeps them. */
int cgroup_systemd_set_properties(const char *unit, const struct cg_plan *plan, struct husk_error *err);
void cgroup_systemd_stop(const char *unit);
void cgroup_systemd_scope_free(struct systemd_scope *scope);

#endif
