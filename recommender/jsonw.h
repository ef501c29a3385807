/* jsonw.h -- a streaming JSON writer into a growable buffer, for hot responses.
 *
 * Building a response as a tree of Jansson values costs an allocation per value; the
 * ranked list of /next holds hundreds. This writer appends text directly: objects and
 * arrays are opened and closed, commas are placed automatically, strings are escaped
 * (text that is not UTF-8 has its high bytes written as U+0080..U+00FF), and numbers are
 * written with a fixed number of decimals without printf (NaN and infinities as null).
 * Errors (out of memory, nesting too deep) are sticky: check rec_jw_finish at the end. */
#ifndef REC_JSONW_H
#define REC_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define REC_JW_DEPTH 16

typedef struct rec_jw {
    char *buf;
    size_t len, cap;
    int depth;
    uint8_t first[REC_JW_DEPTH]; /* 1 until the current container has a member */
    int after_key;               /* a key was just written: no comma before the value */
    int failed;
} rec_jw;

/* Starts an empty writer. */
void rec_jw_init(rec_jw *w);
/* Open and close an object or an array (as a value). */
void rec_jw_obj(rec_jw *w);
void rec_jw_end_obj(rec_jw *w);
void rec_jw_arr(rec_jw *w);
void rec_jw_end_arr(rec_jw *w);
/* A member name inside an object; the next call writes its value. */
void rec_jw_key(rec_jw *w, const char *k);
/* Values. rec_jw_str writes null for NULL. */
void rec_jw_str(rec_jw *w, const char *s);
void rec_jw_int(rec_jw *w, int64_t v);
void rec_jw_num(rec_jw *w, double v, int decimals);
void rec_jw_bool(rec_jw *w, int v);
void rec_jw_null(rec_jw *w);
/* Already-serialised JSON text of one value. */
void rec_jw_raw(rec_jw *w, const char *json, size_t n);
/* The text (caller frees) and its length; NULL (buffer freed) when anything failed or
 * containers are still open. */
char *rec_jw_finish(rec_jw *w, size_t *len);
/* Frees the buffer of a writer not finished. */
void rec_jw_free(rec_jw *w);

#endif
