/* sqlarr.c -- array literal building (see sqlarr.h). The buffer holds "{e1,e2,..." and
 * ig_arr_str closes it temporarily with "}". */
#include "ingest/sqlarr.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static void sep(ig_arr *a) {
    if (a->n++ == 0) {
        ig_buf_reset(&a->b);
        ig_buf_putc(&a->b, '{');
    } else {
        ig_buf_putc(&a->b, ',');
    }
}

void ig_arr_bytea(ig_arr *a, const void *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    sep(a);
    ig_buf_puts(&a->b, "\"\\\\x");
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i++) {
        char h[2] = {hex[u[i] >> 4], hex[u[i] & 15]};
        ig_buf_put(&a->b, h, 2);
    }
    ig_buf_putc(&a->b, '"');
}

void ig_arr_text(ig_arr *a, const char *s) {
    sep(a);
    if (!s) {
        ig_buf_puts(&a->b, "NULL");
        return;
    }
    ig_buf_putc(&a->b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') ig_buf_putc(&a->b, '\\');
        ig_buf_putc(&a->b, *p);
    }
    ig_buf_putc(&a->b, '"');
}

void ig_arr_int8(ig_arr *a, int64_t v) {
    sep(a);
    ig_buf_printf(&a->b, "%" PRId64, v);
}

void ig_arr_int(ig_arr *a, long v, int zero_is_null) {
    sep(a);
    if (v == 0 && zero_is_null)
        ig_buf_puts(&a->b, "NULL");
    else
        ig_buf_printf(&a->b, "%ld", v);
}

void ig_arr_real(ig_arr *a, double v) {
    sep(a);
    if (!isfinite(v))
        ig_buf_puts(&a->b, "NULL");
    else
        ig_buf_printf(&a->b, "%.9g", v);
}

const char *ig_arr_str(ig_arr *a) {
    if (a->n == 0) {
        ig_buf_reset(&a->b);
        ig_buf_puts(&a->b, "{}");
        return ig_buf_cstr(&a->b);
    }
    ig_buf_putc(&a->b, '}');
    const char *s = ig_buf_cstr(&a->b);
    /* Drop the "}" again from the length (the bytes stay, so s remains valid) so that
     * further appends continue the list. */
    if (s) a->b.len--;
    return s;
}

void ig_arr_reset(ig_arr *a) {
    ig_buf_reset(&a->b);
    a->n = 0;
}

void ig_arr_free(ig_arr *a) {
    ig_buf_free(&a->b);
    a->n = 0;
}
