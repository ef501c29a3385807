/* melspec.c — STFT power spectrum with FFTW3f and a Slaney mel filter bank
 * (see melspec.h). */
#include "analysis/nn/melspec.h"

#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mq_nn_melspec {
    int n_fft, nbins, n_mels;
    float *window; /* [n_fft] periodic Hann */
    float *fb;     /* [n_mels][nbins] */
    int *lo, *hi;  /* non-zero bins of band m: [lo[m], hi[m]) */
    fftwf_plan plan;
};

struct mq_nn_melspec_buf {
    float *in;
    fftwf_complex *out;
    float *power;
};

/* Slaney mel scale (librosa htk=False). */
static double hz_to_mel(double f)
{
    const double fsp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / fsp;
    const double logstep = log(6.4) / 27.0;
    return f >= min_log_hz ? min_log_mel + log(f / min_log_hz) / logstep : f / fsp;
}
static double mel_to_hz(double m)
{
    const double fsp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / fsp;
    const double logstep = log(6.4) / 27.0;
    return m >= min_log_mel ? min_log_hz * exp(logstep * (m - min_log_mel)) : fsp * m;
}

void mq_nn_melspec_free(mq_nn_melspec *m)
{
    if (!m)
        return;
    if (m->plan)
        fftwf_destroy_plan(m->plan);
    free(m->window);
    free(m->fb);
    free(m->lo);
    free(m->hi);
    free(m);
}

mq_nn_melspec *mq_nn_melspec_new(double sr, int n_fft, int n_mels, double fmin, double fmax)
{
    if (n_fft < 2 || n_mels < 1 || !(sr > 0) || !(fmax > fmin))
        return NULL;
    mq_nn_melspec *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n_fft = n_fft;
    m->nbins = n_fft / 2 + 1;
    m->n_mels = n_mels;
    m->window = malloc((size_t)n_fft * sizeof *m->window);
    m->fb = calloc((size_t)n_mels * (size_t)m->nbins, sizeof *m->fb);
    m->lo = calloc((size_t)n_mels, sizeof *m->lo);
    m->hi = calloc((size_t)n_mels, sizeof *m->hi);
    double *edges = malloc((size_t)(n_mels + 2) * sizeof *edges);
    if (!m->window || !m->fb || !m->lo || !m->hi || !edges) {
        free(edges);
        mq_nn_melspec_free(m);
        return NULL;
    }
    for (int n = 0; n < n_fft; n++)
        m->window[n] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * n / n_fft));

    /* n_mels + 2 edges equally spaced in mel, back to Hz; triangles with Slaney
     * area normalisation 2 / (e[m+2] - e[m]). Computed in double. */
    double mlo = hz_to_mel(fmin), mhi = hz_to_mel(fmax);
    for (int i = 0; i < n_mels + 2; i++)
        edges[i] = mel_to_hz(mlo + (mhi - mlo) * i / (n_mels + 1));
    for (int b = 0; b < n_mels; b++) {
        double e0 = edges[b], e1 = edges[b + 1], e2 = edges[b + 2];
        double norm = 2.0 / (e2 - e0);
        m->lo[b] = m->nbins;
        m->hi[b] = 0;
        for (int k = 0; k < m->nbins; k++) {
            double f = k * sr / n_fft;
            double lower = (f - e0) / (e1 - e0), upper = (e2 - f) / (e2 - e1);
            double tri = lower < upper ? lower : upper;
            double w = (tri > 0.0 ? tri : 0.0) * norm;
            float wf = (float)w;
            m->fb[(size_t)b * m->nbins + k] = wf;
            if (wf != 0.0f) {
                if (k < m->lo[b])
                    m->lo[b] = k;
                m->hi[b] = k + 1;
            }
        }
        if (m->hi[b] == 0)
            m->lo[b] = 0;
    }
    free(edges);

    float *in = fftwf_malloc((size_t)n_fft * sizeof *in);
    fftwf_complex *out = fftwf_malloc((size_t)m->nbins * sizeof *out);
    if (in && out)
        m->plan = fftwf_plan_dft_r2c_1d(n_fft, in, out, FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
    if (!m->plan) {
        mq_nn_melspec_free(m);
        return NULL;
    }
    return m;
}

void mq_nn_melspec_buf_free(mq_nn_melspec_buf *b)
{
    if (!b)
        return;
    fftwf_free(b->in);
    fftwf_free(b->out);
    free(b->power);
    free(b);
}

mq_nn_melspec_buf *mq_nn_melspec_buf_new(const mq_nn_melspec *m)
{
    mq_nn_melspec_buf *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* fftwf_malloc gives the same alignment as the planning arrays, as the
     * new-array execute interface requires. */
    b->in = fftwf_malloc((size_t)m->n_fft * sizeof *b->in);
    b->out = fftwf_malloc((size_t)m->nbins * sizeof *b->out);
    b->power = malloc((size_t)m->nbins * sizeof *b->power);
    if (!b->in || !b->out || !b->power) {
        mq_nn_melspec_buf_free(b);
        return NULL;
    }
    return b;
}

void mq_nn_melspec_frames(const mq_nn_melspec *m, mq_nn_melspec_buf *b, const float *x, int hop,
                          int nframes, float *out)
{
    for (int j = 0; j < nframes; j++) {
        const float *fr = x + (size_t)j * (size_t)hop;
        for (int n = 0; n < m->n_fft; n++)
            b->in[n] = fr[n] * m->window[n];
        fftwf_execute_dft_r2c(m->plan, b->in, b->out);
        for (int k = 0; k < m->nbins; k++)
            b->power[k] = b->out[k][0] * b->out[k][0] + b->out[k][1] * b->out[k][1];
        float *o = out + (size_t)j * m->n_mels;
        for (int band = 0; band < m->n_mels; band++) {
            const float *w = m->fb + (size_t)band * m->nbins;
            float s = 0.0f;
            for (int k = m->lo[band]; k < m->hi[band]; k++)
                s += w[k] * b->power[k];
            o[band] = s;
        }
    }
}

const float *mq_nn_melspec_filterbank(const mq_nn_melspec *m) { return m->fb; }
int mq_nn_melspec_nmels(const mq_nn_melspec *m) { return m->n_mels; }
int mq_nn_melspec_nfft(const mq_nn_melspec *m) { return m->n_fft; }

float mq_nn_f16_round(float v)
{
    if (!(v > 0.0f))
        return v; /* zero, negative zero, NaN: unchanged */
    if (v < 6.103515625e-05f) /* 2^-14: subnormal binary16, step 2^-24 */
        return nearbyintf(v * 16777216.0f) / 16777216.0f;
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    u = (u + 0x0FFFu + ((u >> 13) & 1u)) & ~0x1FFFu;
    memcpy(&v, &u, sizeof v);
    return v;
}

long mq_nn_reflect_index(long i, long n)
{
    if (n <= 1)
        return 0;
    long period = 2 * (n - 1);
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}
