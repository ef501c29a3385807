/* timbre.c -- mel filter bank energies and MFCCs.
 *
 * The filter bank is stored sparsely (first bin and weights of each triangle), so one
 * frame costs about two multiply-adds per spectrum bin. */
#include "analysis/timbre.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

struct mq_timbre {
    int lo[MQ_MEL_BANDS], n[MQ_MEL_BANDS]; /* first bin and width of each triangle */
    float *w;                              /* weights, band after band */
    int woff[MQ_MEL_BANDS];
    double dct[MQ_MFCC][MQ_MEL_BANDS];
    double mel_sum[MQ_MEL_BANDS]; /* linear power, summed */
    mq_running mfcc[MQ_MFCC];
    long frames;
};

/* Slaney mel scale: linear below 1 kHz, logarithmic above. */
static double hz_to_mel(double hz) {
    const double f_sp = 200.0 / 3, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
    if (hz < min_log_hz) return hz / f_sp;
    return min_log_hz / f_sp + log(hz / min_log_hz) / logstep;
}

static double mel_to_hz(double mel) {
    const double f_sp = 200.0 / 3, min_log_hz = 1000.0, logstep = log(6.4) / 27.0;
    const double min_log_mel = min_log_hz / f_sp;
    if (mel < min_log_mel) return mel * f_sp;
    return min_log_hz * exp(logstep * (mel - min_log_mel));
}

mq_timbre *mq_timbre_new(void) {
    mq_timbre *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    double edges[MQ_MEL_BANDS + 2];
    double mmax = hz_to_mel(MQ_SR / 2.0);
    for (int i = 0; i < MQ_MEL_BANDS + 2; i++) edges[i] = mel_to_hz(mmax * i / (MQ_MEL_BANDS + 1));
    size_t total = 0;
    for (int b = 0; b < MQ_MEL_BANDS; b++) {
        int lo = (int)ceil(edges[b] * MQ_NFFT / MQ_SR);
        int hi = (int)floor(edges[b + 2] * MQ_NFFT / MQ_SR);
        if (hi > MQ_NBINS - 1) hi = MQ_NBINS - 1;
        if (hi < lo) hi = lo;
        t->lo[b] = lo;
        t->n[b] = hi - lo + 1;
        t->woff[b] = (int)total;
        total += (size_t)t->n[b];
    }
    t->w = calloc(total, sizeof *t->w);
    if (!t->w) {
        free(t);
        return NULL;
    }
    for (int b = 0; b < MQ_MEL_BANDS; b++) {
        double l = edges[b], c = edges[b + 1], r = edges[b + 2];
        double norm = 2.0 / (r - l); /* Slaney area normalisation */
        for (int i = 0; i < t->n[b]; i++) {
            double f = (double)(t->lo[b] + i) * MQ_SR / MQ_NFFT;
            double v = f <= c ? (f - l) / (c - l) : (r - f) / (r - c);
            t->w[t->woff[b] + i] = (float)(v > 0 ? v * norm : 0);
        }
    }
    for (int k = 0; k < MQ_MFCC; k++)
        for (int b = 0; b < MQ_MEL_BANDS; b++)
            t->dct[k][b] = cos(M_PI * k * (b + 0.5) / MQ_MEL_BANDS) *
                           sqrt((k == 0 ? 1.0 : 2.0) / MQ_MEL_BANDS);
    return t;
}

void mq_timbre_reset(mq_timbre *t) {
    memset(t->mel_sum, 0, sizeof t->mel_sum);
    memset(t->mfcc, 0, sizeof t->mfcc);
    t->frames = 0;
}

void mq_timbre_do(mq_timbre *t, const mq_frame *f) {
    if (f->index & 3) return;
    double db[MQ_MEL_BANDS];
    for (int b = 0; b < MQ_MEL_BANDS; b++) {
        const float *m = f->mag + t->lo[b], *w = t->w + t->woff[b];
        double e = 0;
        for (int i = 0; i < t->n[b]; i++) e += (double)w[i] * m[i] * m[i];
        t->mel_sum[b] += e;
        db[b] = 10.0 * log10(e + 1e-10);
    }
    for (int k = 0; k < MQ_MFCC; k++) {
        double c = 0;
        for (int b = 0; b < MQ_MEL_BANDS; b++) c += t->dct[k][b] * db[b];
        mq_running_add(&t->mfcc[k], c);
    }
    t->frames++;
}

void mq_timbre_result_get(const mq_timbre *t, mq_timbre_result *o) {
    o->frames = t->frames;
    for (int b = 0; b < MQ_MEL_BANDS; b++)
        o->mel_db_mean[b] = t->frames ? 10.0 * log10(t->mel_sum[b] / t->frames + 1e-10) : NAN;
    for (int k = 0; k < MQ_MFCC; k++) {
        o->mfcc_mean[k] = mq_running_mean(&t->mfcc[k]);
        o->mfcc_std[k] = mq_running_std(&t->mfcc[k]);
    }
}

void mq_timbre_del(mq_timbre *t) {
    if (!t) return;
    free(t->w);
    free(t);
}
