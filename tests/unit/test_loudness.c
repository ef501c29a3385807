/* Unit tests of analysis/loudness.c and truepeak.c against libebur128's own meter. */
#include <criterion/criterion.h>
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/loudness.h"
#include "analysis/truepeak.h"

/* libebur128's true peak of the interleaved signal x, linear. */
static double reference_tp(const float *x, size_t n, int ch, int rate) {
    ebur128_state *st = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
    cr_assert_not_null(st);
    ebur128_add_frames_float(st, x, n);
    double best = 0, v;
    for (int c = 0; c < ch; c++)
        if (ebur128_true_peak(st, (unsigned)c, &v) == EBUR128_SUCCESS && v > best) best = v;
    ebur128_destroy(&st);
    return best;
}

static double ours_tp(const float *x, size_t n, int ch) {
    mq_truepeak *t = mq_truepeak_new(ch);
    cr_assert_not_null(t);
    /* In uneven blocks, as the analyser feeds it. */
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 1237 ? n - i : 1237;
        mq_truepeak_do(t, x + i * ch, k);
        i += k;
    }
    double v = mq_truepeak_get(t);
    mq_truepeak_del(t);
    return v;
}

static void check(const float *x, size_t n, int ch, int rate, const char *what) {
    double a = 20 * log10(ours_tp(x, n, ch)), b = 20 * log10(reference_tp(x, n, ch, rate));
    cr_assert_float_eq(a, b, 0.3, "%s: ours %.3f dBTP, libebur128 %.3f dBTP", what, a, b);
}

Test(truepeak, matches_libebur128_on_intersample_peaks) {
    const int rate = 44100;
    size_t n = 44100;
    float *x = malloc(n * 2 * sizeof *x);
    cr_assert_not_null(x);
    /* fs/4 sine at 45 degrees: samples reach 0.707 of the true peak (-3 dB). */
    for (size_t i = 0; i < n; i++) x[i] = (float)(0.9 * sin(M_PI / 2 * i + M_PI / 4));
    check(x, n, 1, rate, "fs/4 sine");
    /* A 997 Hz sine and a noisy, decaying second channel. */
    unsigned s = 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[2 * i] = (float)(0.5 * sin(2 * M_PI * 997 * i / rate));
        x[2 * i + 1] = (float)(((s >> 9) / 8388608.0 - 1.0) * 0.8 * exp(-3.0 * i / n));
    }
    check(x, n, 2, rate, "sine + noise");
    free(x);
}

Test(loudness, sine_levels_and_silence) {
    const int rate = 48000;
    size_t n = 10 * rate;
    float *x = malloc(n * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < n; i++) x[i] = (float)(0.5 * sin(2 * M_PI * 1000 * i / rate));
    mq_loudness *l = mq_loudness_new(rate, 1);
    cr_assert_not_null(l);
    cr_assert_eq(mq_loudness_do(l, x, n), 0);
    mq_loudness_result r;
    mq_loudness_result_get(l, &r);
    /* A 1 kHz sine at -6.02 dBFS peak in one channel reads -9.04 LUFS (BS.1770). */
    cr_assert_float_eq(r.integrated_lufs, -9.04, 0.1, "%.3f", r.integrated_lufs);
    cr_assert_float_eq(r.rms_db, -9.03, 0.02);
    cr_assert_float_eq(r.true_peak_dbtp, -6.02, 0.1);
    mq_loudness_del(l);

    for (size_t i = 0; i < n; i++) x[i] = 0;
    l = mq_loudness_new(rate, 1);
    mq_loudness_do(l, x, n);
    mq_loudness_result_get(l, &r);
    cr_assert(isnan(r.integrated_lufs) && isnan(r.range_lu) && isnan(r.true_peak_dbtp) && isnan(r.rms_db));
    mq_loudness_del(l);
    free(x);
}
