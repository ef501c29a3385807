/* waveform.c -- min/max overview with bucket merging. */
#include "analysis/waveform.h"

void mq_waveform_reset(mq_waveform *w) {
    w->nb = 0;
    w->bsize = 1; /* headers can lie about length: start fine, merge as it grows */
    w->filled = 0;
}

/* Halves the bucket count by merging neighbours; doubles the bucket size. */
static void merge(mq_waveform *w) {
    size_t j = 0;
    for (size_t i = 0; i + 1 < w->nb; i += 2, j++) {
        w->min[j] = w->min[i] < w->min[i + 1] ? w->min[i] : w->min[i + 1];
        w->max[j] = w->max[i] > w->max[i + 1] ? w->max[i] : w->max[i + 1];
    }
    w->nb = j;
    w->bsize *= 2;
}

void mq_waveform_do(mq_waveform *w, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (w->filled == 0) {
            w->cmin = w->cmax = v;
        } else {
            if (v < w->cmin) w->cmin = v;
            if (v > w->cmax) w->cmax = v;
        }
        if (++w->filled == w->bsize) {
            w->min[w->nb] = w->cmin;
            w->max[w->nb] = w->cmax;
            w->nb++;
            w->filled = 0;
            if (w->nb == 2 * MQ_WAVEFORM_POINTS) merge(w);
        }
    }
}

size_t mq_waveform_get(const mq_waveform *w, float *mins, float *maxs) {
    /* The complete buckets plus the open one. */
    size_t n = w->nb + (w->filled > 0);
    if (n == 0) return 0;
    size_t out = n < MQ_WAVEFORM_POINTS ? n : MQ_WAVEFORM_POINTS;
    for (size_t j = 0; j < out; j++) {
        size_t a = j * n / out, b = (j + 1) * n / out;
        float lo = 1, hi = -1;
        for (size_t i = a; i < b; i++) {
            float mn = i < w->nb ? w->min[i] : w->cmin;
            float mx = i < w->nb ? w->max[i] : w->cmax;
            if (mn < lo) lo = mn;
            if (mx > hi) hi = mx;
        }
        mins[j] = lo;
        maxs[j] = hi;
    }
    return out;
}
