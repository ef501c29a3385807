/* buf.c -- growable byte buffer (see buf.h). */
#include "ingest/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and a terminator. Returns 0 or -1 (oom set). */
static int reserve(ig_buf *b, size_t n) {
    if (b->oom) return -1;
    if (n > ((size_t)-1) / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void ig_buf_put(ig_buf *b, const void *data, size_t n) {
    if (reserve(b, n) != 0) return;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void ig_buf_putc(ig_buf *b, char c) { ig_buf_put(b, &c, 1); }

void ig_buf_puts(ig_buf *b, const char *s) { ig_buf_put(b, s, strlen(s)); }

void ig_buf_printf(ig_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *ig_buf_cstr(ig_buf *b) {
    if (b->oom) return NULL;
    if (!b->p && reserve(b, 0) != 0) return NULL;
    b->p[b->len] = 0;
    return b->p;
}

void ig_buf_reset(ig_buf *b) {
    b->len = 0;
    b->oom = 0;
    if (b->p) b->p[0] = 0;
}

void ig_buf_free(ig_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
