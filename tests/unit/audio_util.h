/* audio_util.h -- helpers for unit tests: temporary directories and small audio files
 * written with libsndfile. Header-only so each test binary stays self-contained. */
#ifndef MQ_TEST_AUDIO_UTIL_H
#define MQ_TEST_AUDIO_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fresh temporary directory under $MIXQ_TMP or /tmp; the path is written to buf. */
static inline void tmpdir_make(char *buf, size_t len) {
    const char *base = getenv("MIXQ_TMP");
    snprintf(buf, len, "%s/mixq-unit-XXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(buf), "mkdtemp");
}

/* Signal generator: fills n frames of one channel at rate into x. */
typedef void (*signal_fn)(float *x, long n, int rate, void *ud);

/* Writes a file of seconds at rate with channels copies of the signal. */
static inline void write_audio(const char *path, int format, int rate, int channels,
                               double seconds, signal_fn fn, void *ud) {
    long n = (long)(seconds * rate);
    float *mono = calloc((size_t)(n ? n : 1), sizeof *mono);
    float *inter = calloc((size_t)(n ? n : 1) * (size_t)channels, sizeof *inter);
    cr_assert(mono && inter);
    if (fn) fn(mono, n, rate, ud);
    for (long i = 0; i < n; i++)
        for (int c = 0; c < channels; c++) inter[i * channels + c] = mono[i];
    SF_INFO si = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    cr_assert_not_null(sf, "sf_open %s: %s", path, sf_strerror(NULL));
    cr_assert_eq(sf_writef_float(sf, inter, n), n);
    sf_close(sf);
    free(mono);
    free(inter);
}

/* A sine of frequency *(double *)ud at amplitude 0.5. */
static inline void sig_sine(float *x, long n, int rate, void *ud) {
    double f = *(double *)ud;
    for (long i = 0; i < n; i++) x[i] = (float)(0.5 * sin(2 * M_PI * f * i / rate));
}

#endif
