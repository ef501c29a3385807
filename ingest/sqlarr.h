/* sqlarr.h -- PostgreSQL array literals, for batched writes with unnest().
 *
 * Catalogue writes send one statement per batch: each column of the batch is one array
 * parameter in text form ('{...}'), and `INSERT ... SELECT * FROM unnest($1::bytea[], ...)`
 * turns them back into rows. Elements are quoted and escaped here, so any bytes (a
 * path's) or any text is safe; SQL is never built from data. */
#ifndef IG_SQLARR_H
#define IG_SQLARR_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/buf.h"

typedef struct ig_arr {
    ig_buf b;
    size_t n; /* elements so far */
} ig_arr;

/* Appends n bytes as a bytea element (hex). */
void ig_arr_bytea(ig_arr *a, const void *p, size_t n);

/* Appends a text element (must be valid UTF-8), or NULL when s is NULL. */
void ig_arr_text(ig_arr *a, const char *s);

/* Appends a bigint element. */
void ig_arr_int8(ig_arr *a, int64_t v);

/* Appends an integer element, or NULL when v is 0 and zero_is_null is set. */
void ig_arr_int(ig_arr *a, long v, int zero_is_null);

/* Appends a real element, or NULL when v is not finite. */
void ig_arr_real(ig_arr *a, double v);

/* The literal ("{...}"), valid until the next append or reset; NULL when out of memory. */
const char *ig_arr_str(ig_arr *a);

/* Empties the array for reuse. */
void ig_arr_reset(ig_arr *a);

/* Frees its memory. */
void ig_arr_free(ig_arr *a);

#endif
