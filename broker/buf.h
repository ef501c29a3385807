/* buf.h -- a growable byte buffer that remembers running out of memory.
 *
 * Appends never fail visibly: after an allocation failure the buffer stops growing and
 * mq_buf_ok() turns false, so a caller checks once at the end. */
#ifndef MQ_BROKER_BUF_H
#define MQ_BROKER_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct mq_buf {
    char *data;
    size_t len, cap;
    int oom;
} mq_buf;

/* Appends n bytes when room has to be made (use mq_buf_add). */
void mq_buf_add_grow(mq_buf *b, const void *p, size_t n);

/* Appends n bytes. */
static inline void mq_buf_add(mq_buf *b, const void *p, size_t n) {
    if (b->len + n < b->cap) { /* room for the bytes and the terminator */
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
    } else {
        mq_buf_add_grow(b, p, n);
    }
}

/* Appends a C string. */
void mq_buf_str(mq_buf *b, const char *s);

/* Appends printf-style text. */
void mq_buf_printf(mq_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when no append has failed. */
int mq_buf_ok(const mq_buf *b);

/* Empties b, keeping its memory (and clearing the failure flag). */
void mq_buf_reset(mq_buf *b);

/* Frees b's memory. */
void mq_buf_free(mq_buf *b);

#endif
