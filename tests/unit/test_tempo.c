/* Unit tests of analysis/tempo.c: tempo, metrical level, beat phase and the edge cases,
 * on synthetic drum patterns (kick: a decaying 55 Hz sine, snare: a noise burst, hat: a
 * short high-passed noise burst) run through the analyser's own STFT. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/params.h"
#include "analysis/stft.h"
#include "analysis/tempo.h"

typedef struct pattern {
    double bpm;
    int meter;        /* beats per bar */
    double lead_in;   /* silent seconds before the first beat */
    double seconds;   /* total length */
    const char *kick; /* one character per eighth note of a bar: 'x' plays */
    const char *snare;
    const char *hat;
} pattern;

static unsigned rng_state = 12345;
static float noise(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void add_kick(float *x, long n, long at) {
    for (long i = 0; i < (long)(0.25 * MQ_SR) && at + i < n; i++) {
        double t = (double)i / MQ_SR;
        x[at + i] += (float)(0.8 * exp(-t * 18) * sin(2 * M_PI * (55 + 60 * exp(-t * 40)) * t));
    }
}

static void add_snare(float *x, long n, long at) {
    for (long i = 0; i < (long)(0.18 * MQ_SR) && at + i < n; i++) {
        double t = (double)i / MQ_SR;
        x[at + i] += (float)(0.4 * exp(-t * 25) * (noise() + 0.5 * sin(2 * M_PI * 190 * t)));
    }
}

static void add_hat(float *x, long n, long at) {
    float prev = 0;
    for (long i = 0; i < (long)(0.05 * MQ_SR) && at + i < n; i++) {
        float w = noise();
        x[at + i] += (float)(0.12 * exp(-(double)i / MQ_SR * 90)) * (w - prev);
        prev = w;
    }
}

/* The pattern as samples at MQ_SR; *beats gets the beat times (caller frees). */
static float *render(const pattern *p, long *n, double **beats, long *nbeats) {
    *n = (long)(p->seconds * MQ_SR);
    float *x = calloc((size_t)*n, sizeof *x);
    cr_assert_not_null(x);
    double period = 60.0 / p->bpm;
    long nb = (long)((p->seconds - p->lead_in) / period);
    *beats = malloc((size_t)nb * sizeof **beats);
    cr_assert_not_null(*beats);
    *nbeats = nb;
    int steps = 2 * p->meter;
    for (long k = 0; k < 2 * nb; k++) {
        double t = p->lead_in + k * period / 2;
        long at = (long)(t * MQ_SR);
        int s = (int)(k % steps);
        if (k % 2 == 0) (*beats)[k / 2] = t;
        if (p->kick[s] == 'x') add_kick(x, *n, at);
        if (p->snare[s] == 'x') add_snare(x, *n, at);
        if (p->hat[s] == 'x') add_hat(x, *n, at);
    }
    return x;
}

/* Runs samples through the STFT into the tracker, the way the analyzer does. */
static void analyse(mq_tempo *t, const float *x, long n, mq_tempo_result *r) {
    mq_stft *st = mq_stft_new(MQ_NFFT);
    cr_assert_not_null(st);
    static float frame[MQ_NFFT], mag[MQ_NBINS];
    mq_tempo_reset(t);
    for (long i = 0; (long)(i * MQ_HOP + MQ_NFFT) <= n; i++) {
        memcpy(frame, x + i * MQ_HOP, sizeof frame);
        mq_stft_do(st, frame, mag);
        mq_frame f = {mag, frame, frame + MQ_NFFT - MQ_HOP, i};
        cr_assert_eq(mq_tempo_do(t, &f), 0);
    }
    cr_assert_eq(mq_tempo_finish(t, r), 0);
    mq_stft_del(st);
}

/* Fraction of reference beats (after 5 s) with an estimated beat within 70 ms. */
static double beat_recall(const mq_tempo_result *r, const double *ref, long nref) {
    long hit = 0, total = 0;
    for (long k = 0; k < nref; k++) {
        if (ref[k] < 5) continue;
        total++;
        for (size_t j = 0; j < r->nbeats; j++)
            if (fabs(r->beats[j] - ref[k]) <= 0.07) {
                hit++;
                break;
            }
    }
    return total ? (double)hit / total : 0;
}

static void check(const pattern *p) {
    long n, nref;
    double *ref;
    float *x = render(p, &n, &ref, &nref);
    mq_tempo *t = mq_tempo_new();
    cr_assert_not_null(t);
    mq_tempo_result r;
    analyse(t, x, n, &r);
    cr_assert(fabs(r.bpm / p->bpm - 1) < 0.04, "tempo %.2f for %.2f", r.bpm, p->bpm);
    cr_assert(r.confidence > 0.2 && r.confidence <= 1, "confidence %.3f", r.confidence);
    cr_assert(r.onset_rate > 0.5 * p->bpm / 60, "onset rate %.2f", r.onset_rate);
    cr_assert(beat_recall(&r, ref, nref) > 0.95, "beats off the pattern's");
    cr_assert(r.nbeats > 0 && r.beats[0] > p->lead_in - 0.07, "first beat %.3f in the lead-in",
              r.beats[0]);
    mq_tempo_del(t);
    free(x);
    free(ref);
}

Test(tempo, rock_backbeat_at_120) {
    pattern p = {120, 4, 0.5, 30, "x...x...", "..x...x.", "xxxxxxxx"};
    check(&p);
}

Test(tempo, four_on_the_floor_with_offbeat_hats) {
    pattern p = {128, 4, 0.3, 30, "x.x.x.x.", "..x...x.", ".x.x.x.x"};
    check(&p);
}

Test(tempo, slow_ballad_is_not_doubled) {
    pattern p = {68, 4, 1.0, 40, "x...x...", "..x...x.", "xxxxxxxx"};
    check(&p);
}

Test(tempo, fast_backbeat_is_not_halved) {
    pattern p = {174, 4, 0.6, 30, "x....x..", "..x...x.", "xxxxxxxx"};
    check(&p);
}

Test(tempo, waltz) {
    pattern p = {96, 3, 0.4, 30, "x.....", "..x.x.", "x.x.x."};
    check(&p);
}

Test(tempo, same_result_after_reset) {
    pattern p = {110, 4, 0.5, 20, "x...x...", "..x...x.", "xxxxxxxx"};
    long n, nref;
    double *ref;
    float *x = render(&p, &n, &ref, &nref);
    mq_tempo *t = mq_tempo_new();
    cr_assert_not_null(t);
    mq_tempo_result a, b;
    analyse(t, x, n, &a);
    double bpm = a.bpm;
    size_t nb = a.nbeats;
    double last = a.beats[nb - 1];
    analyse(t, x, n, &b);
    cr_assert_float_eq(b.bpm, bpm, 1e-9);
    cr_assert_eq(b.nbeats, nb);
    cr_assert_float_eq(b.beats[nb - 1], last, 1e-9);
    mq_tempo_del(t);
    free(x);
    free(ref);
}

static void expect_no_tempo(const float *x, long n) {
    mq_tempo *t = mq_tempo_new();
    cr_assert_not_null(t);
    mq_tempo_result r;
    analyse(t, x, n, &r);
    cr_assert(isnan(r.bpm), "tempo %.2f where there is no pulse", r.bpm);
    cr_assert_eq(r.nbeats, 0);
    cr_assert(r.confidence == 0);
    mq_tempo_del(t);
}

Test(tempo, silence_has_no_tempo) {
    long n = 10 * MQ_SR;
    float *x = calloc((size_t)n, sizeof *x);
    cr_assert_not_null(x);
    expect_no_tempo(x, n);
    free(x);
}

Test(tempo, white_noise_has_no_tempo) {
    long n = 10 * MQ_SR;
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    for (long i = 0; i < n; i++) x[i] = noise();
    expect_no_tempo(x, n);
    free(x);
}

Test(tempo, steady_tone_has_no_tempo) {
    long n = 10 * MQ_SR;
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    for (long i = 0; i < n; i++) x[i] = sin(2 * M_PI * 100 * i / MQ_SR) > 0 ? 0.9f : -0.9f;
    expect_no_tempo(x, n);
    free(x);
}

Test(tempo, under_four_seconds_has_no_tempo) {
    pattern p = {120, 4, 0.2, 3.5, "x...x...", "..x...x.", "xxxxxxxx"};
    long n, nref;
    double *ref;
    float *x = render(&p, &n, &ref, &nref);
    expect_no_tempo(x, n);
    free(x);
    free(ref);
}

Test(tempo, no_frames_at_all) {
    mq_tempo *t = mq_tempo_new();
    cr_assert_not_null(t);
    mq_tempo_result r;
    cr_assert_eq(mq_tempo_finish(t, &r), 0);
    cr_assert(isnan(r.bpm));
    cr_assert_eq(r.nbeats, 0);
    mq_tempo_del(t);
    mq_tempo_del(NULL);
}
