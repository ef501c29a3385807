/* tempo.c -- onset envelope, tempo and beat tracking (baseline).
 *
 * Onset envelope: half-wave rectified difference of log-compressed magnitudes, summed
 * over bins. Tempo: the autocorrelation of the envelope weighted by a log-normal prior.
 * Beats: dynamic programming (Ellis 2007) with the tempo's period. */
#include "analysis/tempo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mq_tempo {
    float prev[MQ_NBINS];
    int have_prev;
    float *env; /* onset envelope, one value per frame */
    size_t n, cap;
    double *beats;
    size_t nbeats;
};

mq_tempo *mq_tempo_new(void) { return calloc(1, sizeof(mq_tempo)); }

void mq_tempo_reset(mq_tempo *t) {
    t->have_prev = 0;
    t->n = 0;
    t->nbeats = 0;
}

int mq_tempo_do(mq_tempo *t, const mq_frame *f) {
    double flux = 0;
    for (int k = 1; k < MQ_NBINS; k++) {
        float l = logf(1.0f + 1000.0f * f->mag[k]);
        if (t->have_prev && l > t->prev[k]) flux += l - t->prev[k];
        t->prev[k] = l;
    }
    t->have_prev = 1;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        float *e = realloc(t->env, nc * sizeof *e);
        if (!e) return -1;
        t->env = e;
        t->cap = nc;
    }
    t->env[t->n++] = (float)flux;
    return 0;
}

/* Beat tracking by dynamic programming over the onset envelope with period p frames. */
static int track_beats(mq_tempo *t, const float *env, size_t n, double p) {
    double *score = malloc(n * sizeof *score);
    long *from = malloc(n * sizeof *from);
    if (!score || !from) {
        free(score);
        free(from);
        return -1;
    }
    const double tightness = 100.0;
    for (size_t i = 0; i < n; i++) {
        double best = 0;
        long arg = -1;
        long lo = (long)i - (long)lround(2 * p), hi = (long)i - (long)lround(p / 2);
        for (long j = lo < 0 ? 0 : lo; j <= hi; j++) {
            double d = log((double)((long)i - j) / p);
            double s = score[j] - tightness * d * d;
            if (arg < 0 || s > best) {
                best = s;
                arg = j;
            }
        }
        score[i] = env[i] + (arg >= 0 ? best : 0);
        from[i] = arg;
    }
    /* The last beat: the best score within the last period. */
    size_t end = n - 1;
    double bs = -1e300;
    for (size_t i = n > (size_t)p ? n - (size_t)p : 0; i < n; i++)
        if (score[i] > bs) {
            bs = score[i];
            end = i;
        }
    size_t cnt = 0;
    for (long i = (long)end; i >= 0; i = from[i]) cnt++;
    free(t->beats);
    t->beats = malloc((cnt ? cnt : 1) * sizeof *t->beats);
    if (!t->beats) {
        free(score);
        free(from);
        return -1;
    }
    t->nbeats = cnt;
    size_t k = cnt;
    for (long i = (long)end; i >= 0; i = from[i])
        t->beats[--k] = ((double)i * MQ_HOP + MQ_NFFT / 2.0) / MQ_SR;
    free(score);
    free(from);
    return 0;
}

int mq_tempo_finish(mq_tempo *t, mq_tempo_result *out) {
    memset(out, 0, sizeof *out);
    out->bpm = NAN;
    out->confidence = 0;
    size_t n = t->n;
    double dur = n / MQ_FPS;
    if (n < (size_t)(4 * MQ_FPS)) return 0; /* under 4 s: no tempo */

    /* Normalise the envelope: subtract its mean, scale by its std. */
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) mean += t->env[i];
    mean /= n;
    for (size_t i = 0; i < n; i++) var += (t->env[i] - mean) * (t->env[i] - mean);
    double sd = sqrt(var / n);
    if (sd < 1e-9) return 0;
    float *e = malloc(n * sizeof *e);
    if (!e) return -1;
    size_t onsets = 0;
    for (size_t i = 0; i < n; i++) {
        e[i] = (float)((t->env[i] - mean) / sd);
        if (i > 0 && i + 1 < n && e[i] > 1.5f && t->env[i] >= t->env[i - 1] &&
            t->env[i] > t->env[i + 1])
            onsets++;
    }
    out->onset_rate = onsets / dur;

    int lmin = (int)floor(MQ_FPS * 60.0 / 220.0), lmax = (int)ceil(MQ_FPS * 60.0 / 50.0);
    double best = -1e300, zero = 0;
    int bl = 0;
    for (size_t i = 0; i < n; i++) zero += (double)e[i] * e[i];
    double ac[512];
    for (int l = lmin; l <= lmax && l < 512; l++) {
        double s = 0;
        for (size_t i = (size_t)l; i < n; i++) s += (double)e[i] * e[i - l];
        ac[l] = s / (n - l);
        double bpm = 60.0 * MQ_FPS / l;
        double w = exp(-0.5 * pow(log2(bpm / 120.0) / 0.9, 2));
        if (ac[l] * w > best) {
            best = ac[l] * w;
            bl = l;
        }
    }
    /* Parabolic interpolation of the peak lag. */
    double lag = bl;
    if (bl > lmin && bl < lmax) {
        double a = ac[bl - 1], b = ac[bl], c = ac[bl + 1], d = a - 2 * b + c;
        if (d < 0) lag = bl + 0.5 * (a - c) / d;
    }
    out->bpm = 60.0 * MQ_FPS / lag;
    double conf = ac[bl] / (zero / n);
    out->confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
    int rc = track_beats(t, e, n, lag);
    free(e);
    if (rc) return -1;
    out->beats = t->beats;
    out->nbeats = t->nbeats;
    return 0;
}

void mq_tempo_del(mq_tempo *t) {
    if (!t) return;
    free(t->env);
    free(t->beats);
    free(t);
}
