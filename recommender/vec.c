/* vec.c -- 8-bit vectors and the fixed random projection (see vec.h). */
#include "recommender/vec.h"

#include <math.h>
#include <string.h>

#include "recommender/map.h"

static double norm_of(const float *x, size_t n, int nonneg) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v)) return -1;
        if (nonneg && v < 0) v = 0;
        s += v * v;
    }
    return sqrt(s);
}

int rec_vec_q8(const float *x, size_t n, int8_t *q) {
    double nm = norm_of(x, n, 0);
    if (!(nm > 0)) {
        memset(q, 0, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) q[i] = (int8_t)lrint(127.0 * x[i] / nm);
    return 0;
}

int rec_vec_u8(const float *x, size_t n, uint8_t *q) {
    double nm = norm_of(x, n, 1);
    if (!(nm > 0)) {
        memset(q, 0, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) q[i] = (uint8_t)lrint(255.0 * (x[i] > 0 ? x[i] : 0) / nm);
    return 0;
}

int rec_vec_project(const float *x, size_t n, int8_t q[REC_EMB_DIM]) {
    float y[REC_EMB_DIM];
    if (n <= REC_EMB_DIM) {
        /* Narrow enough already: kept as it is, zero-padded. */
        memset(y, 0, sizeof y);
        memcpy(y, x, n * sizeof *x);
    } else {
        for (int i = 0; i < REC_EMB_DIM; i++) {
            double s = 0;
            for (size_t j0 = 0; j0 < n; j0 += 64) {
                /* One hash gives 64 signs: bit (j % 64) of the hash of (i, j / 64). */
                uint64_t h = rec_mix64(((uint64_t)i << 32) ^ (j0 / 64) ^ 0x6d6978712d726563ULL);
                size_t end = n - j0 < 64 ? n : j0 + 64;
                for (size_t j = j0; j < end; j++) s += (h >> (j - j0) & 1) ? x[j] : -x[j];
            }
            y[i] = (float)s;
        }
    }
    return rec_vec_q8(y, REC_EMB_DIM, q);
}
