/* resample.h -- streaming sample-rate conversion of mono audio (libsamplerate).
 *
 * Converts a mono stream from the file's rate to the analysis rate block by block.
 * When both rates are equal the samples are copied unchanged. */
#ifndef MQ_RESAMPLE_H
#define MQ_RESAMPLE_H

#include <stddef.h>

typedef struct mq_resampler mq_resampler;

/* A converter from in_rate to out_rate for blocks of at most max_in samples, with
 * libsamplerate converter type quality (e.g. SRC_SINC_FASTEST). NULL on failure. */
mq_resampler *mq_resampler_new(int in_rate, int out_rate, size_t max_in, int quality);

/* Converts n input samples (n <= max_in); *out points to the converted samples, valid
 * until the next call. Returns their count. With last set, flushes the converter. */
size_t mq_resampler_do(mq_resampler *r, const float *in, size_t n, int last, const float **out);

/* Frees the converter. Accepts NULL. */
void mq_resampler_del(mq_resampler *r);

#endif
