/* json.c - JSON parsing and generation over yajl (the only file that includes it). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "json.h"
#include "utils.h"

/* json_value is yajl's tree node under another name. */
#define V(v) ((yajl_val)(v))

/* yajl_tree frees (and builds) recursively, and spends some 100 bytes per value:
 * bound the depth and the number of values first, in one pass that skips string
 * contents.  -E2BIG with *what naming the bound. */
static int check_shape(const char *s, const char **what)
{
	int depth = 0;
	size_t values = 1;
	bool in_string = false;

	for (; *s; s++) {
		if (in_string) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				in_string = false;
			continue;
		}
		switch (*s) {
		case '"':
			in_string = true;
			break;
		case '[':
		case '{':
			if (++depth > JSON_MAX_DEPTH) {
				*what = "depth";
				return -E2BIG;
			}
			break;
		case ']':
		case '}':
			depth--;
			break;
		case ',':
			if (++values > JSON_MAX_VALUES) {
				*what = "values";
				return -E2BIG;
			}
			break;
		}
	}
	return 0;
}

int json_parse(const char *text, json_value **out, char *errbuf, size_t errlen)
{
	yajl_val v;

	const char *what = NULL;

	if (check_shape(text, &what) < 0) {
		if (!strcmp(what, "depth"))
			snprintf(errbuf, errlen, "nested deeper than %d levels", JSON_MAX_DEPTH);
		else
			snprintf(errbuf, errlen, "more than %d values in one document", JSON_MAX_VALUES);
		return -E2BIG;
	}
	errbuf[0] = '\0';
	v = yajl_tree_parse(text, errbuf, errlen);
	if (!v) {
		/* yajl's message spans lines (it quotes the input): keep the first. */
		char *nl = strchr(errbuf, '\n');
		if (nl)
			*nl = '\0';
		if (!errbuf[0])
			snprintf(errbuf, errlen, "invalid JSON");
		return -EINVAL;
	}
	*out = (json_value *) v;
	return 0;
}

void json_free(json_value *v)
{
	yajl_tree_free(V(v));
}

enum json_type json_type_of(const json_value *v)
{
	if (!v)
		return JSON_NULL;
	switch (V(v)->type) {
	case yajl_t_string: return JSON_STRING;
	case yajl_t_number: return JSON_NUMBER;
	case yajl_t_object: return JSON_OBJECT;
	case yajl_t_array: return JSON_ARRAY;
	case yajl_t_true:
	case yajl_t_false: return JSON_BOOL;
	default: return JSON_NULL;
	}
}

const char *json_type_name(const json_value *v)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array", "an object" };
	return names[json_type_of(v)];
}

json_value *json_object_get(const json_value *obj, const char *key)
{
	size_t i;

	if (!obj || !YAJL_IS_OBJECT(V(obj)))
		return NULL;
	for (i = 0; i < V(obj)->u.object.len; i++)
		if (!strcmp(V(obj)->u.object.keys[i], key))
			return (json_value *) V(obj)->u.object.values[i];
	return NULL;
}

size_t json_len(const json_value *v)
{
	if (!v)
		return 0;
	if (YAJL_IS_ARRAY(V(v)))
		return V(v)->u.array.len;
	if (YAJL_IS_OBJECT(V(v)))
		return V(v)->u.object.len;
	return 0;
}

json_value *json_array_at(const json_value *v, size_t i)
{
	return (json_value *) V(v)->u.array.values[i];
}

const char *json_object_key_at(const json_value *v, size_t i)
{
	return V(v)->u.object.keys[i];
}

json_value *json_object_value_at(const json_value *v, size_t i)
{
	return (json_value *) V(v)->u.object.values[i];
}

const char *json_string(const json_value *v)
{
	return v && YAJL_IS_STRING(V(v)) ? V(v)->u.string : NULL;
}

bool json_is_bool(const json_value *v)
{
	return v && (YAJL_IS_TRUE(V(v)) || YAJL_IS_FALSE(V(v)));
}

bool json_is_true(const json_value *v)
{
	return v && YAJL_IS_TRUE(V(v));
}

int json_int64(const json_value *v, int64_t *out)
{
	const char *raw;
	char *end;
	long long r;

	if (!v || !YAJL_IS_NUMBER(V(v)))
		return -EINVAL;
	raw = V(v)->u.number.r;
	if (strpbrk(raw, ".eE"))
		return -EINVAL;
	errno = 0;
	r = strtoll(raw, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = r;
	return 0;
}

int json_uint64(const json_value *v, uint64_t *out)
{
	const char *raw;
	char *end;
	unsigned long long r;

	if (!v || !YAJL_IS_NUMBER(V(v)))
		return -EINVAL;
	raw = V(v)->u.number.r;
	if (strpbrk(raw, ".eE"))
		return -EINVAL;
	if (raw[0] == '-')
		return -ERANGE;
	errno = 0;
	r = strtoull(raw, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = r;
	return 0;
}

/* ---- generation ---------------------------------------------------------- */
struct json_writer {
	yajl_gen g;
};

struct json_writer *json_writer_new(bool pretty)
{
	struct json_writer *w = xmalloc(sizeof(*w));

	w->g = yajl_gen_alloc(NULL);
	if (!w->g)
		xoom();
	if (pretty) {
		yajl_gen_config(w->g, yajl_gen_beautify, 1);
		yajl_gen_config(w->g, yajl_gen_indent_string, "\t");
	}
	return w;
}

void json_writer_free(struct json_writer *w)
{
	if (!w)
		return;
	yajl_gen_free(w->g);
	free(w);
}

const char *json_writer_text(struct json_writer *w)
{
	const unsigned char *buf;
	size_t len;

	yajl_gen_get_buf(w->g, &buf, &len);
	return (const char *) buf; /* yajl keeps its buffer NUL-terminated */
}

char *json_writer_finish(struct json_writer *w)
{
	char *r = xstrdup(json_writer_text(w));
	json_writer_free(w);
	return r;
}

void json_write_object_begin(struct json_writer *w) { yajl_gen_map_open(w->g); }
void json_write_object_end(struct json_writer *w) { yajl_gen_map_close(w->g); }
void json_write_array_begin(struct json_writer *w) { yajl_gen_array_open(w->g); }
void json_write_array_end(struct json_writer *w) { yajl_gen_array_close(w->g); }
void json_write_null(struct json_writer *w) { yajl_gen_null(w->g); }
void json_write_bool(struct json_writer *w, bool v) { yajl_gen_bool(w->g, v); }
void json_write_int(struct json_writer *w, int64_t v) { yajl_gen_integer(w->g, v); }

void json_write_string(struct json_writer *w, const char *s)
{
	yajl_gen_string(w->g, (const unsigned char *) s, strlen(s));
}

void json_write_key(struct json_writer *w, const char *key)
{
	json_write_string(w, key);
}

void json_write_uint(struct json_writer *w, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yajl_gen_number(w->g, buf, n);
}

void json_write_value(struct json_writer *w, const json_value *v)
{
	size_t i;

	switch (json_type_of(v)) {
	case JSON_NULL: json_write_null(w); break;
	case JSON_BOOL: json_write_bool(w, json_is_true(v)); break;
	case JSON_STRING: json_write_string(w, json_string(v)); break;
	case JSON_NUMBER:
		yajl_gen_number(w->g, V(v)->u.number.r, strlen(V(v)->u.number.r));
		break;
	case JSON_ARRAY:
		json_write_array_begin(w);
		for (i = 0; i < json_len(v); i++)
			json_write_value(w, json_array_at(v, i));
		json_write_array_end(w);
		break;
	case JSON_OBJECT:
		json_write_object_begin(w);
		for (i = 0; i < json_len(v); i++) {
			json_write_key(w, json_object_key_at(v, i));
			json_write_value(w, json_object_value_at(v, i));
		}
		json_write_object_end(w);
		break;
	}
}

void json_write_key_string(struct json_writer *w, const char *key, const char *s)
{
	json_write_key(w, key);
	json_write_string(w, s);
}

void json_write_key_int(struct json_writer *w, const char *key, int64_t v)
{
	json_write_key(w, key);
	json_write_int(w, v);
}

void json_write_key_bool(struct json_writer *w, const char *key, bool v)
{
	json_write_key(w, key);
	json_write_bool(w, v);
}

void json_write_string_array(struct json_writer *w, const char *key, char *const *v)
{
	if (key)
		json_write_key(w, key);
	json_write_array_begin(w);
	for (size_t i = 0; v && v[i]; i++)
		json_write_string(w, v[i]);
	json_write_array_end(w);
}
