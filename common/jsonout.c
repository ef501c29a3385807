/* jsonout.c -- NaN-free numbers and byte-exact paths in JSON. */
#include <stdio.h>

#include "common/jsonout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *mq_json_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *mq_json_round(double v, int digits) {
    if (!isfinite(v)) return json_null();
    double p = pow(10.0, digits);
    double r = round(v * p) / p;
    return json_real(r == 0 ? 0.0 : r); /* no "-0.0" */
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    if (s[0] < 0x80) return 1;
    size_t len;
    unsigned cp;
    if ((s[0] & 0xE0) == 0xC0) len = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0) len = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0) len = 4, cp = s[0] & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Reject overlong forms, surrogates and values beyond U+10FFFF. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int mq_utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

void mq_json_set_path(json_t *obj, const char *path) {
    size_t n = strlen(path);
    if (mq_utf8_valid(path, n)) {
        json_object_set_new(obj, "path", json_stringn(path, n));
        return;
    }
    const unsigned char *u = (const unsigned char *)path;
    char *out = malloc(2 * n + 1), *hex = malloc(2 * n + 1);
    if (!out || !hex) {
        free(out);
        free(hex);
        json_object_set_new(obj, "path", json_null());
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (l) {
            memcpy(out + o, u + i, l);
            o += l;
            i += l;
        } else { /* the byte as U+0080..U+00FF, two bytes of UTF-8 */
            out[o++] = (char)(0xC0 | (u[i] >> 6));
            out[o++] = (char)(0x80 | (u[i] & 0x3F));
            i++;
        }
    }
    for (size_t i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", u[i]);
    json_object_set_new(obj, "path", json_stringn(out, o));
    json_object_set_new(obj, "path_hex", json_stringn(hex, 2 * n));
    free(out);
    free(hex);
}

int mq_json_write_line(json_t *obj, FILE *f) {
    char *s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!s) return -1;
    int rc = fputs(s, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
    free(s);
    return rc;
}
