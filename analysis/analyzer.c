/* analyzer.c -- the streaming analysis of one file.
 *
 * Pipeline, block by block:
 *
 *   decode (file rate, all channels) -+-> loudness (R128, true peak, RMS)
 *                                     +-> downmix -+-> waveform overview
 *                                                  +-> resample to MQ_SR -> frames
 *   frames (MQ_NFFT every MQ_HOP) -> STFT -> spectral, timbre, tempo, key
 *
 * then each feature module summarises what it saw, and the high-level descriptors
 * (danceability, energy) are derived from those summaries. */
#include "analysis/analyzer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/decode.h"
#include "analysis/nn/deep.h"
#include "analysis/params.h"
#include "analysis/resample.h"
#include "analysis/stft.h"

#define BLOCK 4096 /* frames decoded per read */

struct mq_analyzer {
    mq_analyzer_opts opts;
    float *block;     /* interleaved decoded frames */
    size_t block_ch;  /* channels block has room for */
    float mono[BLOCK];
    float frame[MQ_NFFT];
    size_t fill; /* samples in frame */
    long nframes;
    float mag[MQ_NBINS];
    mq_stft *stft;
    mq_spectral *spectral;
    mq_timbre *timbre;
    mq_tempo *tempo;
    mq_key *key;
    mq_deep *deep;     /* NULL without models */
    json_t *deep_out;  /* the last file's deep features */
    char version[512]; /* MQ_ANALYZER_VERSION, then +model@version for each model */
    mq_waveform wave;
};

void mq_analysis_global_init(void) { mq_stft_global_init(); }

mq_analyzer *mq_analyzer_new(const mq_analyzer_opts *opts) {
    mq_analyzer *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    if (opts) a->opts = *opts;
    a->stft = mq_stft_new(MQ_NFFT);
    a->spectral = mq_spectral_new();
    a->timbre = mq_timbre_new();
    a->tempo = mq_tempo_new();
    a->key = mq_key_new();
    snprintf(a->version, sizeof a->version, "%s", MQ_ANALYZER_VERSION);
    if (a->opts.deep) {
        a->deep = mq_deep_new(a->opts.deep);
        for (int i = 0; i < mq_deep_models_count(a->opts.deep); i++) {
            size_t l = strlen(a->version);
            snprintf(a->version + l, sizeof a->version - l, "+%s@%s",
                     mq_deep_models_name(a->opts.deep, i), mq_deep_models_version(a->opts.deep, i));
        }
    }
    if (!a->stft || !a->spectral || !a->timbre || !a->tempo || !a->key ||
        (a->opts.deep && !a->deep)) {
        mq_analyzer_del(a);
        return NULL;
    }
    return a;
}

void mq_analyzer_del(mq_analyzer *a) {
    if (!a) return;
    free(a->block);
    mq_stft_del(a->stft);
    mq_spectral_del(a->spectral);
    mq_timbre_del(a->timbre);
    mq_tempo_del(a->tempo);
    mq_key_del(a->key);
    mq_deep_free(a->deep);
    json_decref(a->deep_out);
    free(a);
}

static double monotonic_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Feeds resampled mono samples to the framer; runs the frame modules on each frame. */
static int push_samples(mq_analyzer *a, const float *x, size_t n) {
    while (n > 0) {
        size_t take = MQ_NFFT - a->fill;
        if (take > n) take = n;
        memcpy(a->frame + a->fill, x, take * sizeof *x);
        a->fill += take;
        x += take;
        n -= take;
        if (a->fill < MQ_NFFT) break;
        mq_stft_do(a->stft, a->frame, a->mag);
        mq_frame f = {a->mag, a->frame, a->frame + MQ_NFFT - MQ_HOP, a->nframes++};
        mq_spectral_do(a->spectral, &f);
        mq_timbre_do(a->timbre, &f);
        mq_key_do(a->key, &f);
        if (mq_tempo_do(a->tempo, &f) != 0) return -1;
        memmove(a->frame, a->frame + MQ_HOP, (MQ_NFFT - MQ_HOP) * sizeof *a->frame);
        a->fill -= MQ_HOP;
    }
    return 0;
}

/* mono[i] = gain * the sum of frame i's channels; mono and stereo get loops of their own
 * so that the compiler vectorises them. */
static void downmix(const float *x, size_t n, int ch, float gain, float *mono) {
    if (ch == 1) {
        memcpy(mono, x, n * sizeof *x);
    } else if (ch == 2) {
        for (size_t i = 0; i < n; i++) mono[i] = (x[2 * i] + x[2 * i + 1]) * gain;
    } else {
        for (size_t i = 0; i < n; i++) {
            float s = 0;
            for (int c = 0; c < ch; c++) s += x[i * ch + c];
            mono[i] = s * gain;
        }
    }
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : isnan(v) ? NAN : v; }

/* Danceability and energy from the summaries; see docs/features.md. */
static void derive(mq_features *o) {
    double bpm = o->tempo.bpm;
    if (isnan(bpm)) {
        o->danceability = 0;
    } else {
        double fb = bpm;
        while (fb < 80) fb *= 2;
        while (fb >= 160) fb /= 2;
        double tw = exp(-0.5 * pow(log2(fb / 120.0) / 0.35, 2));
        o->danceability = clamp01(0.65 * sqrt(o->tempo.confidence) + 0.35 * tw);
    }
    double lufs = o->loud.integrated_lufs;
    if (isnan(lufs)) {
        o->energy = 0;
        return;
    }
    double l = clamp01((lufs + 40.0) / 35.0);
    double r = clamp01(o->tempo.onset_rate / 8.0);
    double b = isnan(o->spectral.centroid_mean) ? 0 : clamp01((o->spectral.centroid_mean - 500) / 3500);
    o->energy = clamp01(0.5 * l + 0.3 * r + 0.2 * b);
}

mq_errcode mq_analyzer_run(mq_analyzer *a, const char *path, mq_features *o, mq_error *err) {
    memset(o, 0, offsetof(mq_features, waveform_min));
    json_decref(a->deep_out);
    a->deep_out = NULL;
    o->version = a->version;
    double t0 = thread_cpu_s(), tdec = 0;
    double deadline = a->opts.max_seconds > 0 ? monotonic_s() + a->opts.max_seconds : 0;
    mq_audio_info info;
    mq_decoder *d = mq_decoder_new(path, &info, err);
    tdec += thread_cpu_s() - t0;
    if (!d) return err->code;

    mq_errcode rc = MQ_OK;
    mq_loudness *loud = NULL;
    mq_resampler *rs = NULL;
    snprintf(o->format, sizeof o->format, "%s", info.format);
    o->sample_rate = info.sample_rate;
    o->channels = info.channels;

    if (a->block_ch < (size_t)info.channels) {
        float *b = realloc(a->block, (size_t)BLOCK * info.channels * sizeof *b);
        if (!b) {
            rc = mq_error_set(err, MQ_ERR_NO_MEMORY, "out of memory");
            goto done;
        }
        a->block = b;
        a->block_ch = (size_t)info.channels;
    }
    loud = mq_loudness_new(info.sample_rate, info.channels);
    rs = mq_resampler_new(info.sample_rate, MQ_SR, BLOCK);
    if (!loud || !rs) {
        rc = mq_error_set(err, MQ_ERR_NO_MEMORY, "out of memory");
        goto done;
    }
    mq_spectral_reset(a->spectral);
    mq_timbre_reset(a->timbre);
    mq_tempo_reset(a->tempo);
    mq_key_reset(a->key);
    mq_waveform_reset(&a->wave);
    a->fill = 0;
    a->nframes = 0;
    if (a->deep)
        mq_deep_begin(a->deep, info.sample_rate,
                      info.frames_claimed > 0 ? (double)info.frames_claimed / info.sample_rate : NAN,
                      a->opts.deep_full);

    uint64_t total = 0;
    uint64_t max_frames = a->opts.max_duration_s > 0
                              ? (uint64_t)(a->opts.max_duration_s * info.sample_rate)
                              : UINT64_MAX;
    const float gain = 1.0f / (float)info.channels;
    for (;;) {
        double t1 = thread_cpu_s();
        size_t n = mq_decoder_read(d, a->block, BLOCK);
        tdec += thread_cpu_s() - t1;
        total += n;
        if (deadline > 0 && monotonic_s() > deadline) {
            rc = mq_error_set(err, MQ_ERR_TIMEOUT, "analysis took longer than %g s",
                              a->opts.max_seconds);
            goto done;
        }
        if (total > max_frames) {
            rc = mq_error_set(err, MQ_ERR_TOO_LONG, "longer than the maximum of %g s",
                              a->opts.max_duration_s);
            goto done;
        }
        if (n > 0 && mq_loudness_do(loud, a->block, n) != 0) {
            rc = mq_error_set(err, MQ_ERR_INTERNAL, "loudness meter failed");
            goto done;
        }
        downmix(a->block, n, info.channels, gain, a->mono);
        mq_waveform_do(&a->wave, a->mono, n);
        if (a->deep && n > 0) mq_deep_feed(a->deep, a->mono, n);
        const float *out;
        size_t m = mq_resampler_do(rs, a->mono, n, n == 0, &out);
        if (push_samples(a, out, m) != 0) {
            rc = mq_error_set(err, MQ_ERR_NO_MEMORY, "out of memory");
            goto done;
        }
        if (n == 0) break;
    }
    if (total == 0) {
        rc = mq_error_set(err, MQ_ERR_EMPTY_AUDIO, "no audio samples could be decoded");
        goto done;
    }
    o->invalid_samples = mq_decoder_invalid_samples(d);
    if (o->invalid_samples * 2 > total * (uint64_t)info.channels) {
        rc = mq_error_set(err, MQ_ERR_INVALID_SAMPLES, "%llu of %llu samples are NaN or infinite",
                          (unsigned long long)o->invalid_samples,
                          (unsigned long long)(total * (uint64_t)info.channels));
        goto done;
    }
    o->duration_s = (double)total / info.sample_rate;

    if (mq_tempo_finish(a->tempo, &o->tempo) != 0) {
        rc = mq_error_set(err, MQ_ERR_NO_MEMORY, "out of memory");
        goto done;
    }
    mq_key_finish(a->key, &o->key);
    mq_loudness_result_get(loud, &o->loud);
    mq_spectral_result_get(a->spectral, &o->spectral);
    mq_timbre_result_get(a->timbre, &o->timbre);
    o->waveform_n = mq_waveform_get(&a->wave, o->waveform_min, o->waveform_max);
    derive(o);
    if (a->deep) {
        a->deep_out = mq_deep_finish(a->deep, o->deep_error, sizeof o->deep_error);
        o->deep = a->deep_out;
    }

done:
    mq_loudness_del(loud);
    mq_resampler_del(rs);
    mq_decoder_del(d);
    o->decode_s = tdec;
    o->analysis_s = thread_cpu_s() - t0 - tdec;
    return rc;
}
