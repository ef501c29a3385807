/* resample.c -- streaming sample-rate conversion of mono audio with libsamplerate. */
#include "analysis/resample.h"

#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

struct mq_resampler {
    SRC_STATE *src; /* NULL when in and out rates are equal */
    double ratio;
    size_t max_in;
    float *out;
    size_t out_cap;
};

mq_resampler *mq_resampler_new(int in_rate, int out_rate, size_t max_in, int quality) {
    mq_resampler *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ratio = (double)out_rate / (double)in_rate;
    r->max_in = max_in;
    if (in_rate != out_rate) {
        int e = 0;
        r->src = src_new(quality, 1, &e);
        if (!r->src) goto fail;
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
    if (!r->src) {
        memcpy(r->out, in, n * sizeof *in);
        return n;
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
    free(r->out);
    free(r);
}
