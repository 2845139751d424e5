/* json.h - the one place that knows which JSON library husk uses (yajl today).
 * Everything else reads documents through json_value and writes them through
 * json_writer, so replacing yajl touches json.c alone. */
#ifndef HUSK_JSON_H
#define HUSK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused before parsing: real OCI documents nest < 10. */
#define JSON_MAX_DEPTH 64
/* A bound on a document's size in values (about 100 bytes each once parsed); real
 * configs, seccomp profiles included, hold a few thousand. */
#define JSON_MAX_VALUES 250000

typedef struct json_value json_value;

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

/* Parse NUL-terminated text; on failure fill errbuf with the parser's reason. */
int json_parse(const char *text, json_value **out, char *errbuf, size_t errlen);
void json_free(json_value *v);

enum json_type json_type_of(const json_value *v);
const char *json_type_name(const json_value *v);
json_value *json_object_get(const json_value *obj, const char *key);
/* Number of elements of an array or members of an object; 0 for anything else. */
size_t json_len(const json_value *v);
json_value *json_array_at(const json_value *v, size_t i);
const char *json_object_key_at(const json_value *v, size_t i);
json_value *json_object_value_at(const json_value *v, size_t i);
/* The string, or NULL when v is not a string. */
const char *json_string(const json_value *v);
bool json_is_bool(const json_value *v);
bool json_is_true(const json_value *v);
/* Integers: -EINVAL when v is not an integral number, -ERANGE when out of range. */
int json_int64(const json_value *v, int64_t *out);
int json_uint64(const json_value *v, uint64_t *out);

struct json_writer;
struct json_writer *json_writer_new(bool pretty);
void json_writer_free(struct json_writer *w);
/* The text written so far (owned by the writer, NUL-terminated). */
const char *json_writer_text(struct json_writer *w);
/* The text, handed to the caller (malloc'd); the writer is freed. */
char *json_writer_finish(struct json_writer *w);
void json_write_object_begin(struct json_writer *w);
void json_write_object_end(struct json_writer *w);
void json_write_array_begin(struct json_writer *w);
void json_write_array_end(struct json_writer *w);
void json_write_key(struct json_writer *w, const char *key);
void json_write_string(struct json_writer *w, const char *s);
void json_write_int(struct json_writer *w, int64_t v);
void json_write_uint(struct json_writer *w, uint64_t v);
void json_write_bool(struct json_writer *w, bool v);
void json_write_null(struct json_writer *w);
/* Re-emit a parsed value as it was. */
void json_write_value(struct json_writer *w, const json_value *v);
void json_write_key_string(struct json_writer *w, const char *key, const char *s);
void json_write_key_int(struct json_writer *w, const char *key, int64_t v);
void json_write_key_bool(struct json_writer *w, const char *key, bool v);
void json_write_string_array(struct json_writer *w, const char *key, char *const *v);

#endif
