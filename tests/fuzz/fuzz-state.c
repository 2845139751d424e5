/* fuzz-state.c - libFuzzer target: a container's state.json as `husk state`, `list`
 * and `delete` read it, and the OCI state document written back from it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_error err = { 0 };
	struct container_state *st = NULL;
	char *text;

	if (size > (1 << 20))
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (state_parse(text, "state.json", "c1", &st, &err) == 0) {
		free(state_oci_json(st->id, "stopped", st->pid, st->bundle, st->annotations, st, true));
		state_free(st);
	}
	free(text);
	return 0;
}
