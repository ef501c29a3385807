/* analyzer.h -- the whole analysis of one audio file: decode, features, summary.
 *
 * An analyzer holds every per-thread resource (FFT plans, buffers, feature state) and is
 * reused for file after file; use one per thread. Analysis streams the file, so memory
 * does not grow with the track's length beyond a few floats per STFT frame. */
#ifndef MQ_ANALYZER_H
#define MQ_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "analysis/errors.h"
#include "analysis/key.h"
#include "analysis/loudness.h"
#include "analysis/spectral.h"
#include "analysis/tempo.h"
#include "analysis/timbre.h"
#include "analysis/waveform.h"

/* Version of the analyser's output; bump when any feature's values change. */
#define MQ_ANALYZER_VERSION "mixq-analysis/0.1.0"

typedef struct mq_analyzer mq_analyzer;

typedef struct mq_deep_models mq_deep_models;

typedef struct mq_analyzer_opts {
    double max_duration_s; /* longer files fail with too_long; 0 for no limit */
    double max_seconds;    /* wall-clock limit per file, checked per block; 0 for none */
    const mq_deep_models *deep; /* neural models (analysis/nn/deep.h), or NULL for none;
                                   shared read-only, must outlive the analyzer */
    int deep_full;         /* analyse every window of the track, not the default sample */
} mq_analyzer_opts;

/* Everything computed for one file. NaN marks a value that could not be computed. */
typedef struct mq_features {
    /* the file */
    char format[24];
    int sample_rate, channels;
    double duration_s;
    uint64_t invalid_samples; /* NaN/Inf samples replaced */
    /* rhythm */
    mq_tempo_result tempo; /* beats owned by the analyzer until the next file */
    /* tonality */
    mq_key_result key;
    /* loudness */
    mq_loudness_result loud;
    /* timbre */
    mq_spectral_result spectral;
    mq_timbre_result timbre;
    /* high level, 0..1 */
    double danceability, energy;
    /* neural features: {"models", "tags", "genre", "mood", "embedding", "versions"} from
     * analysis/nn/deep.h, owned by the analyzer until the next file; NULL without models
     * or when they failed (deep_error then says why) */
    json_t *deep;
    char deep_error[160];
    /* the analyser's version, with the models' names and versions when they are used */
    const char *version;
    /* overview */
    size_t waveform_n;
    float waveform_min[MQ_WAVEFORM_POINTS], waveform_max[MQ_WAVEFORM_POINTS];
    /* timings, seconds of CPU on this thread */
    double decode_s, analysis_s;
} mq_features;

/* Once per process, before any analyzer is made from several threads. */
void mq_analysis_global_init(void);

/* A new analyzer. NULL when out of memory. */
mq_analyzer *mq_analyzer_new(const mq_analyzer_opts *opts);

/* Analyses the file at path into out. Returns MQ_OK, or a classified error in err. */
mq_errcode mq_analyzer_run(mq_analyzer *a, const char *path, mq_features *out, mq_error *err);

/* Frees the analyzer. Accepts NULL. */
void mq_analyzer_del(mq_analyzer *a);

#endif
