/* loudness.c -- EBU R128 measurements with libebur128, plus true peak and RMS.
 *
 * The histogram mode keeps libebur128's memory constant whatever the length. The true
 * peak comes from truepeak.c rather than libebur128's own oversampler, which measured at
 * a quarter of the analyser's whole time. */
#include "analysis/loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/truepeak.h"

struct mq_loudness {
    ebur128_state *st;
    mq_truepeak *tp;
    int channels;
    double sumsq;
    double count;
};

mq_loudness *mq_loudness_new(int rate, int channels) {
    mq_loudness *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->channels = channels;
    l->st = ebur128_init((unsigned)channels, (unsigned long)rate,
                         EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM);
    l->tp = mq_truepeak_new(channels);
    if (!l->st || !l->tp) {
        mq_loudness_del(l);
        return NULL;
    }
    /* R128 weights: surround channels of a 5.x layout would differ, but files here are
     * mostly mono or stereo; count every channel as a front channel. A mono file is
     * measured as mono (libebur128's default for one channel). */
    return l;
}

int mq_loudness_do(mq_loudness *l, const float *x, size_t n) {
    size_t ns = n * (size_t)l->channels;
    /* Eight float partial sums (they vectorise), added up in double once per block. */
    float part[8] = {0};
    size_t i = 0;
    for (; i + 8 <= ns; i += 8)
        for (int k = 0; k < 8; k++) part[k] += x[i + k] * x[i + k];
    double s = 0;
    for (int k = 0; k < 8; k++) s += part[k];
    for (; i < ns; i++) s += (double)x[i] * x[i];
    l->sumsq += s;
    l->count += (double)ns;
    mq_truepeak_do(l->tp, x, n);
    return ebur128_add_frames_float(l->st, x, n) == EBUR128_SUCCESS ? 0 : -1;
}

static double finite_or_nan(double v) { return isfinite(v) ? v : NAN; }

void mq_loudness_result_get(mq_loudness *l, mq_loudness_result *o) {
    double v;
    o->integrated_lufs = ebur128_loudness_global(l->st, &v) == EBUR128_SUCCESS ? finite_or_nan(v) : NAN;
    o->range_lu = ebur128_loudness_range(l->st, &v) == EBUR128_SUCCESS ? finite_or_nan(v) : NAN;
    double peak = mq_truepeak_get(l->tp);
    o->true_peak_dbtp = peak > 0 ? 20.0 * log10(peak) : NAN;
    o->rms_db = l->sumsq > 0 ? 10.0 * log10(l->sumsq / l->count) : NAN;
    if (isnan(o->integrated_lufs)) o->range_lu = NAN;
}

void mq_loudness_del(mq_loudness *l) {
    if (!l) return;
    if (l->st) ebur128_destroy(&l->st);
    mq_truepeak_del(l->tp);
    free(l);
}
