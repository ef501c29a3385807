/* jsonout.h -- JSON helpers: numbers that are never NaN, paths that are always UTF-8.
 *
 * Jansson refuses NaN and infinities; mixq writes them as null. File names on Linux are
 * bytes: a name that is not valid UTF-8 is written with each invalid byte as the
 * character of the same value (U+0080..U+00FF), its exact bytes kept in hex. */
#ifndef MQ_JSONOUT_H
#define MQ_JSONOUT_H

#include <jansson.h>
#include <stddef.h>

/* A JSON real, or null when v is NaN or infinite. New reference. */
json_t *mq_json_num(double v);

/* A JSON real rounded to `digits` decimals, or null when not finite. New reference. */
json_t *mq_json_round(double v, int digits);

/* True when the n bytes at s are valid UTF-8. */
int mq_utf8_valid(const char *s, size_t n);

/* Sets obj["path"] to path as UTF-8 (invalid bytes mapped to U+0080..U+00FF) and, when
 * the name is not valid UTF-8, obj["path_hex"] to the hex of its bytes. */
void mq_json_set_path(json_t *obj, const char *path);

/* Writes obj as one compact line to f, then a newline. Returns 0 or -1. */
int mq_json_write_line(json_t *obj, FILE *f);

#endif
