/* stft.c -- windowed real FFT magnitudes on FFTW3 (single precision). */
#include "analysis/stft.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

struct mq_stft {
    int nfft;
    float *win;
    float *in;
    fftwf_complex *out;
    fftwf_plan plan;
};

void mq_stft_global_init(void) { fftwf_make_planner_thread_safe(); }

mq_stft *mq_stft_new(int nfft) {
    mq_stft *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nfft = nfft;
    s->win = fftwf_alloc_real((size_t)nfft);
    s->in = fftwf_alloc_real((size_t)nfft);
    s->out = fftwf_alloc_complex((size_t)nfft / 2 + 1);
    if (!s->win || !s->in || !s->out) goto fail;
    for (int i = 0; i < nfft; i++) s->win[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / nfft));
    s->plan = fftwf_plan_dft_r2c_1d(nfft, s->in, s->out, FFTW_ESTIMATE);
    if (!s->plan) goto fail;
    return s;
fail:
    mq_stft_del(s);
    return NULL;
}

void mq_stft_do(mq_stft *s, const float *x, float *mag) {
    for (int i = 0; i < s->nfft; i++) s->in[i] = x[i] * s->win[i];
    fftwf_execute(s->plan);
    for (int k = 0; k <= s->nfft / 2; k++) {
        float re = s->out[k][0], im = s->out[k][1];
        mag[k] = sqrtf(re * re + im * im);
    }
}

void mq_stft_del(mq_stft *s) {
    if (!s) return;
    if (s->plan) fftwf_destroy_plan(s->plan);
    fftwf_free(s->win);
    fftwf_free(s->in);
    fftwf_free(s->out);
    free(s);
}
