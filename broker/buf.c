/* buf.c -- growable byte buffer. */
#include "broker/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and a terminator. */
static int reserve(mq_buf *b, size_t n) {
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void mq_buf_add_grow(mq_buf *b, const void *p, size_t n) {
    if (reserve(b, n) != 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void mq_buf_str(mq_buf *b, const char *s) { mq_buf_add(b, s, strlen(s)); }

void mq_buf_printf(mq_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[64];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        mq_buf_add(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int mq_buf_ok(const mq_buf *b) { return !b->oom; }

void mq_buf_reset(mq_buf *b) {
    b->len = 0;
    b->oom = 0;
    if (b->data) b->data[0] = 0;
}

void mq_buf_free(mq_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}
