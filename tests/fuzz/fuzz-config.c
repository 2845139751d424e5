/* fuzz-config.c - libFuzzer target: config.json as husk reads it before any side
 * effect: JSON parsing, the spec's validation, the linux.resources plan, and the
 * default profile's writer.  Run by tests/fuzz/run.sh. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_resources.h"
#include "spec.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_error err = { 0 };
	struct spec *s = NULL;
	struct cg_plan plan;
	char *text;

	if (size > (1 << 20))
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (spec_parse(text, "config.json", "/bundle", &s, &err) == 0) {
		if (cgroup_plan_resources(s->resources, s, "config.json", &plan, &err) == 0)
			cgroup_plan_free(&plan);
		spec_free(s);
	}
	free(text);
	return 0;
}
