/* pgbin.c -- binary-format field decoders (see pgbin.h). */
#include "recommender/pgbin.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

static uint32_t be32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

int rec_pgbin_int(const PGresult *r, int row, int col, int64_t *v) {
    if (PQgetisnull(r, row, col)) return -1;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    switch (PQgetlength(r, row, col)) {
    case 8: *v = (int64_t)be64(p); return 0;
    case 4: *v = (int32_t)be32(p); return 0;
    case 2: *v = (int16_t)(p[0] << 8 | p[1]); return 0;
    default: return -1;
    }
}

static double f4(const unsigned char *p) {
    uint32_t b = be32(p);
    float f;
    memcpy(&f, &b, 4);
    return f;
}

int rec_pgbin_float(const PGresult *r, int row, int col, double *v) {
    if (PQgetisnull(r, row, col)) return -1;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    if (len == 4) {
        *v = f4(p);
    } else if (len == 8) {
        uint64_t b = be64(p);
        memcpy(v, &b, 8);
    } else {
        return -1;
    }
    return 0;
}

const char *rec_pgbin_text(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* Validates a one-dimensional array header; the element count and the offset of the
 * first element, or -1. */
static int array_header(const unsigned char *p, int len, int *off) {
    if (len < 12) return -1;
    int32_t ndim = (int32_t)be32(p);
    if (ndim == 0) {
        *off = 12;
        return 0;
    }
    if (ndim != 1 || len < 20) return -1;
    int32_t n = (int32_t)be32(p + 12);
    if (n < 0) return -1;
    *off = 20;
    return n;
}

int rec_pgbin_float_array(const PGresult *r, int row, int col, float *out, int max) {
    if (PQgetisnull(r, row, col)) return -1;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col), off;
    int n = array_header(p, len, &off);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        if (off + 4 > len) return -1;
        int32_t el = (int32_t)be32(p + off);
        off += 4;
        double v = NAN;
        if (el == 4) {
            if (off + 4 > len) return -1;
            v = f4(p + off);
            off += 4;
        } else if (el != -1) {
            return -1;
        }
        if (i < max) out[i] = (float)v;
    }
    return n;
}

int rec_pgbin_text_array(const PGresult *r, int row, int col, const char **out, int max, char *buf,
                         size_t buflen) {
    if (PQgetisnull(r, row, col)) return -1;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col), off, k = 0;
    size_t used = 0;
    int n = array_header(p, len, &off);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        if (off + 4 > len) return -1;
        int32_t el = (int32_t)be32(p + off);
        off += 4;
        if (el == -1) continue;
        if (el < 0 || off + el > len) return -1;
        if (k < max && used + (size_t)el + 1 <= buflen) {
            memcpy(buf + used, p + off, (size_t)el);
            buf[used + (size_t)el] = 0;
            out[k++] = buf + used;
            used += (size_t)el + 1;
        }
        off += el;
    }
    return k;
}
