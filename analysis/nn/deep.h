/* deep.h — deep features of a whole track: tag probabilities, genre, mood and
 * embeddings from pretrained taggers (musicnn, CRNN), fed audio as it is decoded.
 *
 * Ownership and threads: mq_deep_models (the weights) is loaded once per process
 * and is read-only afterwards; any number of threads share it. Each thread makes
 * its own mq_deep (resamplers, window buffers, network scratch: allocated in
 * mq_deep_new, reused for every track) and analyses one track at a time with
 * begin / feed... / finish. Load before starting threads (FFTW and libhdf5
 * setup are not thread-safe). See docs/deep.md for the coverage and the fields. */
#ifndef MQ_NN_DEEP_H
#define MQ_NN_DEEP_H

#include <jansson.h>
#include <stddef.h>

typedef struct mq_deep_models mq_deep_models;
typedef struct mq_deep mq_deep;

/* Load the model directories dirs[0..ndirs) (each with manifest.json or
 * model.json). The first is the primary model (top-level "tags", "embedding").
 * NULL and a one-line message naming the directory and the problem on failure. */
mq_deep_models *mq_deep_models_load(const char *const *dirs, int ndirs, char *err, size_t errlen);
void mq_deep_models_free(mq_deep_models *m);

/* Number of models, and the i-th model's name and version. */
int mq_deep_models_count(const mq_deep_models *m);
const char *mq_deep_models_name(const mq_deep_models *m, int i);
const char *mq_deep_models_version(const mq_deep_models *m, int i);

/* A per-thread analyser for models m (which must outlive it); NULL when out of
 * memory. */
mq_deep *mq_deep_new(const mq_deep_models *m);
void mq_deep_free(mq_deep *d);

/* Start a track of mono audio at sample_rate Hz. expected_duration_s (<= 0 or NaN
 * when unknown) chooses the default sample of windows; full_coverage != 0
 * analyses every window of the track instead. */
void mq_deep_begin(mq_deep *d, int sample_rate, double expected_duration_s, int full_coverage);

/* Feed the next n mono samples (float, full scale +-1.0, at the track's own rate).
 * Only the audio the chosen windows need is resampled and kept. */
void mq_deep_feed(mq_deep *d, const float *mono, size_t n);

/* End the track: a new Jansson object {"models": {...}, "tags", "genre", "mood",
 * "embedding", "versions"} (caller owns it), or NULL and a message (no audio,
 * unsupported sample rate, out of memory). The mq_deep is ready for a new begin. */
json_t *mq_deep_finish(mq_deep *d, char *err, size_t errlen);

/* The group of a tag for the top-level "genre" and "mood" fields: 'g' genre,
 * 'm' mood, 'o' other (docs/deep.md lists them). */
char mq_deep_tag_group(const char *tag);

#endif
