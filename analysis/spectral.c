/* spectral.c -- spectral shape statistics per frame, accumulated as mean and std.
 *
 * Spectral contrast follows Jiang et al. (2002) as librosa does: in each octave band the
 * difference, in dB, between the mean of the strongest and of the weakest 2% of bins. */
#include "analysis/spectral.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Band edges of the contrast bands, Hz. */
static const double contrast_edges[MQ_CONTRAST_BANDS + 1] = {0,    200,  400,  800,
                                                             1600, 3200, 6400, MQ_SR / 2.0};

struct mq_spectral {
    mq_running centroid, bandwidth, rolloff, flatness, flux, zcr;
    mq_running contrast[MQ_CONTRAST_BANDS];
    float prev[MQ_NBINS]; /* previous frame, L2-normalised */
    int have_prev;
    float scratch[MQ_NBINS];
    int band_lo[MQ_CONTRAST_BANDS], band_hi[MQ_CONTRAST_BANDS];
};

mq_spectral *mq_spectral_new(void) {
    mq_spectral *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    for (int b = 0; b < MQ_CONTRAST_BANDS; b++) {
        s->band_lo[b] = (int)ceil(contrast_edges[b] * MQ_NFFT / MQ_SR);
        s->band_hi[b] = (int)floor(contrast_edges[b + 1] * MQ_NFFT / MQ_SR);
        if (s->band_hi[b] > MQ_NBINS - 1) s->band_hi[b] = MQ_NBINS - 1;
    }
    return s;
}

void mq_spectral_reset(mq_spectral *s) {
    memset(&s->centroid, 0, sizeof s->centroid);
    s->bandwidth = s->rolloff = s->flatness = s->flux = s->zcr = s->centroid;
    memset(s->contrast, 0, sizeof s->contrast);
    s->have_prev = 0;
}

/* Natural logarithm of a positive normal float, within 1e-4: the exponent from the bits
 * and a polynomial for the mantissa. Flatness needs one log per bin per frame, and
 * libm's logf was a tenth of the analyser's time. */
static inline float fast_logf(float x) {
    union { float f; uint32_t u; } v = {x};
    float e = (float)((int)((v.u >> 23) & 0xFF) - 127);
    v.u = (v.u & 0x007FFFFF) | 0x3F800000; /* mantissa in [1, 2) */
    float m = v.f - 1.0f;
    /* log2(1 + m) on [0, 1): least-squares polynomial, error under 5e-6. */
    float p = m * (1.4425169f +
                   m * (-0.7178959f +
                        m * (0.4568818f + m * (-0.2773377f + m * (0.1218868f - 0.0260562f * m)))));
    return (e + p) * 0.69314718f;
}

/* Rearranges v[0..n) so that v[k] holds the value it would hold if sorted, smaller
 * values before it and larger after (Hoare's quickselect, O(n) on average). */
static void select_kth(float *v, int n, int k) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                float t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

/* Contrast of one band: dB difference between the top and bottom 2% of bins. */
static double band_contrast(float *v, int n) {
    int k = (int)(0.02 * n);
    if (k < 1) k = 1;
    double lo = 0, hi = 0;
    select_kth(v, n, k - 1); /* the k smallest now come first */
    for (int i = 0; i < k; i++) lo += v[i];
    select_kth(v, n, n - k); /* the k largest now come last */
    for (int i = n - k; i < n; i++) hi += v[i];
    lo /= k;
    hi /= k;
    return 10.0 * log10((hi + 1e-10) / (lo + 1e-10));
}

void mq_spectral_do(mq_spectral *s, const mq_frame *f) {
    /* Zero-crossing rate of the newest hop, counted for every frame. */
    int zc = 0;
    for (int i = 1; i < MQ_HOP; i++) zc += (f->hop[i - 1] >= 0) != (f->hop[i] >= 0);
    mq_running_add(&s->zcr, (double)zc / MQ_HOP);

    /* Spectral shape on every fourth frame (a 46 ms hop is plenty for summary
     * statistics), contrast on every sixteenth: it partially sorts each band. */
    if (f->index & 3) return;

    const float *m = f->mag;
    double sum = 0, wsum = 0, psum = 0, logsum = 0;
    for (int k = 0; k < MQ_NBINS; k++) {
        double fk = (double)k * MQ_SR / MQ_NFFT;
        double p = (double)m[k] * m[k];
        sum += m[k];
        wsum += fk * m[k];
        psum += p;
        logsum += fast_logf((float)p + 1e-20f);
    }
    if (sum < 1e-6) { /* digital silence: no spectral shape */
        s->have_prev = 0;
        return;
    }
    double c = wsum / sum;
    double var = 0;
    for (int k = 0; k < MQ_NBINS; k++) {
        double d = (double)k * MQ_SR / MQ_NFFT - c;
        var += d * d * m[k];
    }
    mq_running_add(&s->centroid, c);
    mq_running_add(&s->bandwidth, sqrt(var / sum));

    double target = 0.85 * psum, acc = 0;
    int k85 = MQ_NBINS - 1;
    for (int k = 0; k < MQ_NBINS; k++) {
        acc += (double)m[k] * m[k];
        if (acc >= target) {
            k85 = k;
            break;
        }
    }
    mq_running_add(&s->rolloff, (double)k85 * MQ_SR / MQ_NFFT);
    double flat = exp(logsum / MQ_NBINS) / (psum / MQ_NBINS + 1e-20);
    mq_running_add(&s->flatness, flat > 1 ? 1 : flat);

    double norm = sqrt(psum), fl = 0;
    for (int k = 0; k < MQ_NBINS; k++) {
        float v = (float)(m[k] / norm);
        if (s->have_prev) fl += (double)(v - s->prev[k]) * (v - s->prev[k]);
        s->prev[k] = v;
    }
    if (s->have_prev) mq_running_add(&s->flux, sqrt(fl));
    s->have_prev = 1;

    if (f->index & 15) return;
    for (int b = 0; b < MQ_CONTRAST_BANDS; b++) {
        int n = s->band_hi[b] - s->band_lo[b] + 1;
        for (int i = 0; i < n; i++) {
            float v = m[s->band_lo[b] + i];
            s->scratch[i] = v * v;
        }
        mq_running_add(&s->contrast[b], band_contrast(s->scratch, n));
    }
}

void mq_spectral_result_get(const mq_spectral *s, mq_spectral_result *o) {
    o->centroid_mean = mq_running_mean(&s->centroid);
    o->centroid_std = mq_running_std(&s->centroid);
    o->bandwidth_mean = mq_running_mean(&s->bandwidth);
    o->bandwidth_std = mq_running_std(&s->bandwidth);
    o->rolloff_mean = mq_running_mean(&s->rolloff);
    o->rolloff_std = mq_running_std(&s->rolloff);
    o->flatness_mean = mq_running_mean(&s->flatness);
    o->flatness_std = mq_running_std(&s->flatness);
    o->flux_mean = mq_running_mean(&s->flux);
    o->flux_std = mq_running_std(&s->flux);
    o->zcr_mean = mq_running_mean(&s->zcr);
    o->zcr_std = mq_running_std(&s->zcr);
    for (int b = 0; b < MQ_CONTRAST_BANDS; b++) {
        o->contrast_mean[b] = mq_running_mean(&s->contrast[b]);
        o->contrast_std[b] = mq_running_std(&s->contrast[b]);
    }
}

void mq_spectral_del(mq_spectral *s) { free(s); }
