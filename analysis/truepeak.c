/* truepeak.c -- 4x oversampling true-peak meter with bound-based skipping. */
#include "analysis/truepeak.h"

#include <math.h>
#include <stdlib.h>

#define TAPS 12   /* taps per phase */
#define PHASES 4
#define RING 16   /* history per channel, a power of two >= TAPS */

struct mq_truepeak {
    int channels;
    float h[PHASES][TAPS]; /* h[p][j] weights x[i - j] for the output at i + p/4 */
    double l1;             /* max over phases of the sum of |h[p][j]| */
    float ring[MQ_TP_MAX_CHANNELS][RING];
    int hot[MQ_TP_MAX_CHANNELS]; /* outputs left that a large sample still reaches */
    unsigned pos;
    double peak; /* running maximum, linear */
};

mq_truepeak *mq_truepeak_new(int channels) {
    if (channels < 1 || channels > MQ_TP_MAX_CHANNELS) return NULL;
    mq_truepeak *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->channels = channels;
    /* Windowed sinc, cut-off at the original Nyquist frequency, Hann window over the 48
     * taps; each phase normalised to unit DC gain. */
    const int n = TAPS * PHASES;
    for (int p = 0; p < PHASES; p++) {
        double sum = 0, l1 = 0;
        for (int j = 0; j < TAPS; j++) {
            int k = j * PHASES + p;
            double x = (k - (n - 1) / 2.0) / PHASES;
            double s = x == 0 ? 1 : sin(M_PI * x) / (M_PI * x);
            double w = 0.5 - 0.5 * cos(2 * M_PI * (k + 0.5) / n);
            t->h[p][j] = (float)(s * w);
            sum += s * w;
        }
        for (int j = 0; j < TAPS; j++) {
            t->h[p][j] = (float)(t->h[p][j] / sum);
            l1 += fabs(t->h[p][j]);
        }
        if (l1 > t->l1) t->l1 = l1;
    }
    return t;
}

void mq_truepeak_do(mq_truepeak *t, const float *x, size_t n) {
    const int ch = t->channels;
    float peak = (float)t->peak;
    unsigned pos = t->pos;
    for (int c = 0; c < ch; c++) {
        float *r = t->ring[c];
        int hot = t->hot[c];
        pos = t->pos;
        for (size_t i = 0; i < n; i++) {
            pos = (pos + 1) & (RING - 1);
            float v = x[i * ch + c], a = fabsf(v);
            r[pos] = v;
            /* A sample can raise the maximum only if |x| * l1 > peak. */
            if (a * (float)t->l1 > peak) {
                hot = TAPS;
                if (a > peak) peak = a;
            }
            if (hot == 0) continue;
            hot--;
            for (int p = 0; p < PHASES; p++) {
                float y = 0;
                for (int j = 0; j < TAPS; j++) y += t->h[p][j] * r[(pos - (unsigned)j) & (RING - 1)];
                if (fabsf(y) > peak) peak = fabsf(y);
            }
        }
        t->hot[c] = hot;
    }
    t->pos = pos;
    t->peak = peak;
}

double mq_truepeak_get(const mq_truepeak *t) { return t->peak; }

void mq_truepeak_del(mq_truepeak *t) { free(t); }
