/* jsonw.c -- JSON text appended directly to a buffer (see jsonw.h). */
#include "recommender/jsonw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"

void rec_jw_init(rec_jw *w) { memset(w, 0, sizeof *w); }

static void put(rec_jw *w, const char *s, size_t n) {
    if (w->failed) return;
    if (w->len + n + 1 > w->cap) {
        size_t nc = w->cap ? w->cap : 1024;
        while (w->len + n + 1 > nc) nc *= 2;
        char *nb = realloc(w->buf, nc);
        if (!nb) {
            w->failed = 1;
            return;
        }
        w->buf = nb;
        w->cap = nc;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

/* Before a value: the comma between members, unless a key was just written. */
static void sep(rec_jw *w) {
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth - 1]) put(w, ",", 1);
        w->first[w->depth - 1] = 0;
    }
}

static void begin(rec_jw *w, const char *c) {
    sep(w);
    put(w, c, 1);
    if (w->depth == REC_JW_DEPTH) {
        w->failed = 1;
        return;
    }
    w->first[w->depth++] = 1;
}

static void end(rec_jw *w, const char *c) {
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    put(w, c, 1);
}

void rec_jw_obj(rec_jw *w) { begin(w, "{"); }
void rec_jw_end_obj(rec_jw *w) { end(w, "}"); }
void rec_jw_arr(rec_jw *w) { begin(w, "["); }
void rec_jw_end_arr(rec_jw *w) { end(w, "]"); }

static void quoted(rec_jw *w, const char *s) {
    static const char hex[] = "0123456789abcdef";
    if (!mq_utf8_valid(s, strlen(s))) {
        /* Not UTF-8 (a database in SQL_ASCII, say): each byte above 0x7f is written as the
         * character of the same value, as mixq writes file names (DESIGN.md). */
        put(w, "\"", 1);
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\')
                put(w, e, 6);
            else
                put(w, (const char *)s, 1);
        }
        put(w, "\"", 1);
        return;
    }
    put(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(w, run, (size_t)(s - run));
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            e[1] = (char)c;
            put(w, e, 2);
        } else if (c == '\n') {
            put(w, "\\n", 2);
        } else {
            put(w, e, 6);
        }
        run = s + 1;
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

void rec_jw_key(rec_jw *w, const char *k) {
    sep(w);
    quoted(w, k);
    put(w, ":", 1);
    w->after_key = 1;
}

void rec_jw_str(rec_jw *w, const char *s) {
    if (!s) {
        rec_jw_null(w);
        return;
    }
    sep(w);
    quoted(w, s);
}

/* Writes the decimal digits of v (any sign) into the end of buf; returns the start. */
static char *digits(char *end, uint64_t v) {
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void rec_jw_int(rec_jw *w, int64_t v) {
    char b[24], *e = b + sizeof b;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = digits(e, u);
    if (v < 0) *--p = '-';
    sep(w);
    put(w, p, (size_t)(e - p));
}

void rec_jw_num(rec_jw *w, double v, int decimals) {
    if (!isfinite(v) || fabs(v) >= 1e15) {
        rec_jw_null(w);
        return;
    }
    static const double scale[7] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    int neg = v < 0;
    uint64_t q = (uint64_t)llround(fabs(v) * scale[decimals]);
    uint64_t ip = q / (uint64_t)scale[decimals], fp = q % (uint64_t)scale[decimals];
    char b[48], *e = b + sizeof b, *p = e;
    if (decimals > 0) {
        /* The fraction without trailing zeros (at least one digit). */
        int d = decimals;
        while (d > 1 && fp % 10 == 0) {
            fp /= 10;
            d--;
        }
        for (int i = 0; i < d; i++) {
            *--p = (char)('0' + fp % 10);
            fp /= 10;
        }
        *--p = '.';
    }
    p = digits(p, ip);
    if (neg && q != 0) *--p = '-';
    sep(w);
    put(w, p, (size_t)(e - p));
}

void rec_jw_bool(rec_jw *w, int v) {
    sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void rec_jw_null(rec_jw *w) {
    sep(w);
    put(w, "null", 4);
}

void rec_jw_raw(rec_jw *w, const char *json, size_t n) {
    sep(w);
    put(w, json, n);
}

char *rec_jw_finish(rec_jw *w, size_t *len) {
    if (w->failed || w->depth != 0 || !w->buf) {
        free(w->buf);
        w->buf = NULL;
        return NULL;
    }
    *len = w->len;
    char *b = w->buf;
    w->buf = NULL;
    return b;
}

void rec_jw_free(rec_jw *w) {
    free(w->buf);
    w->buf = NULL;
}
