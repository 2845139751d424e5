/* criu.h - checkpoint and restore through CRIU (libcriu, loaded when first used). */
#ifndef HUSK_CRIU_H
#define HUSK_CRIU_H

#include <stdint.h>
#include <sys/types.h>

#include "husk.h"
#include "spec.h"

/* Dump the running container described by its state directory into the image
 * directory (CRIU kills it unless opts->leave_running or pre_dump). */
int criu_checkpoint(const struct husk_context *ctx, const char *id, const struct husk_checkpoint_options *opts,
		    struct husk_error *err);

/* The bind of the rootfs a restore makes in the state directory for CRIU. */
#define CRIU_ROOT "criu-root"

/* The image directory is a husk checkpoint, and the restoring bundle's config
 * agrees with the checkpointed one where CRIU needs it to (namespaces, terminal,
 * bind mounts): checked before anything is made for a restore. */
int criu_check_image(const char *image_path, const struct spec *spec, const char *bundle, struct husk_error *err);
/* Restore: in, the container's spec, state directory and cgroup (made by the caller),
 * and for process.terminal the console socket or -1; out, the restored init, a child
 * of the caller, and for a terminal without a console socket the pty master. */
struct criu_restored {
	const struct spec *spec;
	const char *bundle;
	const char *state_dir;
	const char *cgroup;
	int console_fd;
	uint64_t ephemeral_size;    /* the config asks for an ephemeral rootfs of this size; 0: not */
	pid_t pid;
	int master;
	bool limits_overwritten;    /* CRIU wrote cgroup properties (full, strict): the config's go over them */
};
int criu_restore(const struct husk_context *ctx, const char *id, const struct husk_restore_options *opts,
		 struct criu_restored *out, struct husk_error *err);

#endif
