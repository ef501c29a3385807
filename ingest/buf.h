/* buf.h -- a growable byte buffer with a sticky out-of-memory flag.
 *
 * Appends never fail loudly: when memory runs out the buffer remembers it (oom), further
 * appends do nothing, and the caller checks once at the end. The bytes are always
 * followed by a terminating NUL, so a text buffer can be used as a C string. */
#ifndef IG_BUF_H
#define IG_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ig_buf {
    char *p;    /* the bytes, NUL-terminated (NULL until the first append) */
    size_t len; /* bytes used, not counting the terminator */
    size_t cap; /* bytes allocated */
    int oom;    /* set once an append could not allocate */
} ig_buf;

/* Appends n bytes from data. */
void ig_buf_put(ig_buf *b, const void *data, size_t n);

/* Appends one byte. */
void ig_buf_putc(ig_buf *b, char c);

/* Appends a C string. */
void ig_buf_puts(ig_buf *b, const char *s);

/* Appends printf-formatted text. */
void ig_buf_printf(ig_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The contents as a C string ("" when empty); NULL after an allocation failure. */
const char *ig_buf_cstr(ig_buf *b);

/* Empties the buffer, keeping its memory and clearing oom. */
void ig_buf_reset(ig_buf *b);

/* Frees the memory; the buffer is empty and reusable afterwards. */
void ig_buf_free(ig_buf *b);

#endif
