/* resample.c -- anti-aliasing low-pass plus libsamplerate's linear converter. */
#include "analysis/resample.h"

#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

/* One biquad section, transposed direct form II. */
typedef struct biquad {
    float b0, b1, b2, a1, a2;
    float z1, z2;
} biquad;

struct mq_resampler {
    SRC_STATE *src; /* NULL when in and out rates are equal */
    double ratio;
    size_t max_in;
    int lowpass;    /* downsampling: filter before interpolating */
    int factor;     /* in_rate = factor * out_rate exactly: keep every factor-th sample */
    int phase;      /* samples to skip before the next kept one */
    biquad bq[2];
    float *tmp;     /* filtered input */
    float *out;
    size_t out_cap;
};

/* Butterworth low-pass section with cut-off fc (Hz) at rate fs and quality q (RBJ). */
static void biquad_lowpass(biquad *b, double fc, double fs, double q) {
    double w = 2 * M_PI * fc / fs, c = cos(w), al = sin(w) / (2 * q), a0 = 1 + al;
    b->b0 = (float)((1 - c) / 2 / a0);
    b->b1 = (float)((1 - c) / a0);
    b->b2 = (float)((1 - c) / 2 / a0);
    b->a1 = (float)(-2 * c / a0);
    b->a2 = (float)((1 - al) / a0);
    b->z1 = b->z2 = 0;
}

/* Runs the two sections in cascade over in, into out (which may be in). */
static void biquad_run2(biquad *p, biquad *q, const float *in, float *out, size_t n) {
    float p1 = p->z1, p2 = p->z2, q1 = q->z1, q2 = q->z2;
    for (size_t i = 0; i < n; i++) {
        float x = in[i], y = p->b0 * x + p1;
        p1 = p->b1 * x - p->a1 * y + p2;
        p2 = p->b2 * x - p->a2 * y;
        float z = q->b0 * y + q1;
        q1 = q->b1 * y - q->a1 * z + q2;
        q2 = q->b2 * y - q->a2 * z;
        out[i] = z;
    }
    p->z1 = p1, p->z2 = p2, q->z1 = q1, q->z2 = q2;
}

mq_resampler *mq_resampler_new(int in_rate, int out_rate, size_t max_in) {
    mq_resampler *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ratio = (double)out_rate / (double)in_rate;
    r->max_in = max_in;
    if (in_rate > out_rate && in_rate % out_rate == 0) {
        r->factor = in_rate / out_rate; /* 44.1 -> 22.05 kHz: no interpolation needed */
    } else if (in_rate != out_rate) {
        int e = 0;
        r->src = src_new(SRC_LINEAR, 1, &e);
        if (!r->src) goto fail;
    }
    if (in_rate > out_rate) {
        /* 4th-order Butterworth: two sections with Q 0.5412 and 1.3066. */
        r->lowpass = 1;
        biquad_lowpass(&r->bq[0], 0.45 * out_rate, in_rate, 0.54119610);
        biquad_lowpass(&r->bq[1], 0.45 * out_rate, in_rate, 1.30656296);
        r->tmp = malloc(max_in * sizeof *r->tmp);
        if (!r->tmp) goto fail;
    }
    /* Room for a full block plus what the converter may hold back and flush. */
    r->out_cap = (size_t)((double)max_in * r->ratio) + 4096;
    r->out = malloc(r->out_cap * sizeof *r->out);
    if (!r->out) goto fail;
    return r;
fail:
    mq_resampler_del(r);
    return NULL;
}

size_t mq_resampler_do(mq_resampler *r, const float *in, size_t n, int last, const float **out) {
    *out = r->out;
    if (!r->src && !r->factor) {
        memcpy(r->out, in, n * sizeof *in);
        return n;
    }
    if (r->lowpass && n > 0) {
        biquad_run2(&r->bq[0], &r->bq[1], in, r->tmp, n);
        in = r->tmp;
    }
    if (r->factor) {
        size_t m = 0, i = (size_t)r->phase;
        for (; i < n; i += (size_t)r->factor) r->out[m++] = in[i];
        r->phase = (int)(i - n);
        return m;
    }
    SRC_DATA d;
    memset(&d, 0, sizeof d);
    d.data_in = in;
    d.input_frames = (long)n;
    d.data_out = r->out;
    d.output_frames = (long)r->out_cap;
    d.src_ratio = r->ratio;
    d.end_of_input = last;
    size_t total = 0;
    /* The converter may not consume all input in one call; loop until it has. */
    for (;;) {
        if (src_process(r->src, &d) != 0) return total;
        total += (size_t)d.output_frames_gen;
        d.data_in += d.input_frames_used;
        d.input_frames -= d.input_frames_used;
        d.data_out += d.output_frames_gen;
        d.output_frames -= d.output_frames_gen;
        if (d.output_frames <= 0) break;
        if (d.input_frames == 0 && (!last || d.output_frames_gen == 0)) break;
    }
    return total;
}

void mq_resampler_del(mq_resampler *r) {
    if (!r) return;
    if (r->src) src_delete(r->src);
    free(r->tmp);
    free(r->out);
    free(r);
}
