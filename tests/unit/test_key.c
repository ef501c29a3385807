/* Unit tests of analysis/key.c and analysis/chroma.c on synthetic chord progressions,
 * fed frame by frame as the analyser does (frame 0 whole, then one hop per frame). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/chroma.h"
#include "analysis/key.h"

#define BAR_S 2.0 /* one chord per two-second bar */

/* A chord progression: chord roots (pitch classes) and qualities, played as a bass note
 * in octave 2 and a close triad in octave 4, every partial of a harmonic tone. */
typedef struct song {
    int n;
    int root[4];
    int minor[4];
    double a4;    /* tuning reference, Hz */
    double noise; /* white noise amplitude */
    double drums; /* amplitude of a decaying noise burst on each beat */
} song;

static double midi_hz(double a4, int m) { return a4 * pow(2.0, (m - 69) / 12.0); }

/* Adds a harmonic tone of fundamental f (6 partials, 1/h amplitudes) to x[0..n). */
static void add_tone(float *x, long n, double f, double amp) {
    for (int h = 1; h <= 6; h++) {
        double w = 2 * M_PI * f * h / MQ_SR;
        if (f * h > MQ_SR / 2.0) break;
        for (long i = 0; i < n; i++) x[i] += (float)(amp / h * sin(w * i));
    }
}

/* Renders secs seconds of the song; the caller frees the samples. */
static float *render(const song *s, double secs, long *len) {
    long n = (long)(secs * MQ_SR), bar = (long)(BAR_S * MQ_SR);
    float *x = calloc((size_t)n, sizeof *x);
    cr_assert_not_null(x);
    for (long b0 = 0, k = 0; b0 < n; b0 += bar, k++) {
        long m = b0 + bar > n ? n - b0 : bar;
        int r = s->root[k % s->n], third = s->minor[k % s->n] ? 3 : 4;
        add_tone(x + b0, m, midi_hz(s->a4, 36 + r), 0.25);
        add_tone(x + b0, m, midi_hz(s->a4, 60 + r), 0.08);
        add_tone(x + b0, m, midi_hz(s->a4, 60 + r + third), 0.08);
        add_tone(x + b0, m, midi_hz(s->a4, 60 + r + 7), 0.08);
    }
    unsigned seed = 12345;
    long beat = MQ_SR / 2;
    for (long i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = ((seed >> 8) & 0xffff) / 65535.0 - 0.5;
        double env = exp(-(double)(i % beat) / (0.03 * MQ_SR));
        x[i] += (float)(u * (2 * s->noise + 2 * s->drums * env));
    }
    *len = n;
    return x;
}

/* Feeds samples x[0..n) to k as the analyser's framer would, then finishes. */
static void run_key(mq_key *k, const float *x, long n, mq_key_result *r) {
    static float mag[MQ_NBINS];
    mq_key_reset(k);
    for (long i = 0, idx = 0; i + MQ_NFFT <= n; i += MQ_HOP, idx++) {
        mq_frame f = {mag, x + i, x + i + MQ_NFFT - MQ_HOP, idx};
        mq_key_do(k, &f);
    }
    mq_key_finish(k, r);
}

static void check_song(const song *s, double secs, int tonic, int minor, mq_key_result *r) {
    mq_key *k = mq_key_new();
    cr_assert_not_null(k);
    long n;
    float *x = render(s, secs, &n);
    run_key(k, x, n, r);
    cr_assert_eq(r->tonic, tonic, "tonic %d (%s), expected %d", r->tonic,
                 mq_key_tonic_name(r->tonic, r->minor), tonic);
    cr_assert_eq(r->minor, minor, "mode %d, expected %d", r->minor, minor);
    cr_assert(r->strength > 0.3 && r->strength <= 1.0, "strength %f", r->strength);
    double mx = 0;
    for (int i = 0; i < 12; i++) {
        cr_assert(r->chroma[i] >= 0 && r->chroma[i] <= 1.0, "chroma[%d] = %f", i, r->chroma[i]);
        if (r->chroma[i] > mx) mx = r->chroma[i];
    }
    cr_assert_float_eq(mx, 1.0, 1e-12);
    free(x);
    mq_key_del(k);
}

Test(key, major_pop_loop) {
    /* I V vi IV in D major: D A Bm G. */
    song s = {4, {2, 9, 11, 7}, {0, 0, 1, 0}, 440, 0.0, 0.0};
    mq_key_result r;
    check_song(&s, 24, 2, 0, &r);
    cr_assert_float_eq(r.tuning_hz, 440.0, 1.0);
}

Test(key, harmonic_minor_loop_with_drums) {
    /* i iv i V in C# minor: C#m F#m C#m G# (major V), with noise bursts on the beats. */
    song s = {4, {1, 6, 1, 8}, {1, 1, 1, 0}, 440, 0.0, 0.3};
    mq_key_result r;
    check_song(&s, 24, 1, 1, &r);
}

Test(key, ii_v_loop_is_not_read_as_its_dominant) {
    /* I ii V I in Bb major: Bb Cm F Bb, which could also be read as IV v I IV of F
     * major; the chord that opens the loop and lasts longest is the tonic. */
    song s = {4, {10, 0, 5, 10}, {0, 1, 0, 0}, 440, 0.0, 0.0};
    mq_key_result r;
    check_song(&s, 24, 10, 0, &r);
}

Test(key, detuned_track) {
    /* i VI VII i in E minor, tuned to A4 = 452 Hz (+47 cents). */
    song s = {4, {4, 0, 2, 4}, {1, 0, 0, 1}, 452, 0.0, 0.0};
    mq_key_result r;
    check_song(&s, 24, 4, 1, &r);
    cr_assert_float_eq(r.tuning_hz, 452.0, 1.5);
}

Test(key, silence_has_no_key) {
    mq_key *k = mq_key_new();
    cr_assert_not_null(k);
    long n = 5 * MQ_SR;
    float *x = calloc((size_t)n, sizeof *x);
    cr_assert_not_null(x);
    mq_key_result r;
    run_key(k, x, n, &r);
    cr_assert_eq(r.tonic, -1);
    cr_assert(isnan(r.tuning_hz));
    cr_assert(isnan(r.strength) || r.strength == 0);
    free(x);
    mq_key_del(k);
}

Test(key, white_noise_has_no_key) {
    mq_key *k = mq_key_new();
    cr_assert_not_null(k);
    long n = 10 * MQ_SR;
    float *x = malloc((size_t)n * sizeof *x);
    cr_assert_not_null(x);
    unsigned seed = 99;
    for (long i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)(((seed >> 8) & 0xffff) / 65535.0 - 0.5);
    }
    mq_key_result r;
    run_key(k, x, n, &r);
    cr_assert(r.tonic == -1 || r.strength < 0.1, "tonic %d strength %f", r.tonic, r.strength);
    free(x);
    mq_key_del(k);
}

Test(key, too_short_has_no_key_and_no_nan_inputs_crash) {
    mq_key *k = mq_key_new();
    cr_assert_not_null(k);
    float x[MQ_NFFT + 4 * MQ_HOP];
    for (size_t i = 0; i < sizeof x / sizeof *x; i++) x[i] = (float)sin(0.1 * i);
    x[100] = NAN;
    x[200] = INFINITY;
    mq_key_result r;
    run_key(k, x, (long)(sizeof x / sizeof *x), &r);
    cr_assert_eq(r.tonic, -1);
    for (int i = 0; i < 12; i++)
        cr_assert(isnan(r.chroma[i]) || (r.chroma[i] >= 0 && r.chroma[i] <= 1));
    mq_key_del(k);
}

Test(key, reset_forgets_the_previous_track) {
    song a = {4, {2, 9, 11, 7}, {0, 0, 1, 0}, 440, 0.0, 0.0}; /* D major */
    song b = {4, {9, 2, 9, 4}, {1, 1, 1, 0}, 440, 0.0, 0.0};  /* A minor */
    mq_key *k = mq_key_new();
    cr_assert_not_null(k);
    long na, nb;
    float *xa = render(&a, 16, &na), *xb = render(&b, 16, &nb);
    mq_key_result r;
    run_key(k, xa, na, &r);
    cr_assert_eq(r.tonic, 2);
    run_key(k, xb, nb, &r);
    cr_assert_eq(r.tonic, 9);
    cr_assert_eq(r.minor, 1);
    free(xa);
    free(xb);
    mq_key_del(k);
}

Test(chroma, bass_semitones_are_resolved) {
    /* E1 (41.2 Hz) and F1 (43.65 Hz) are 2.5 Hz apart: 4 s of each must land on E and F. */
    mq_chroma *c = mq_chroma_new();
    cr_assert_not_null(c);
    double hz[2] = {41.2034, 43.6535};
    int pcs[2] = {4, 5};
    for (int t = 0; t < 2; t++) {
        mq_chroma_reset(c);
        float buf[MQ_HOP];
        double acc[12] = {0};
        for (long i = 0; i < 4L * MQ_SR / MQ_HOP; i++) {
            for (int j = 0; j < MQ_HOP; j++)
                buf[j] = (float)(0.5 * sin(2 * M_PI * hz[t] * (i * MQ_HOP + j) / MQ_SR));
            mq_chroma_frame f;
            if (mq_chroma_do(c, buf, MQ_HOP, &f))
                for (int p = 0; p < 12; p++) acc[p] += f.bass[p];
        }
        int best = 0;
        for (int p = 1; p < 12; p++)
            if (acc[p] > acc[best]) best = p;
        cr_assert_eq(best, pcs[t], "pitch class %d, expected %d", best, pcs[t]);
    }
    mq_chroma_del(c);
}
