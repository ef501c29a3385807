/* resample.h -- streaming sample-rate conversion of mono audio for analysis.
 *
 * Downsampling runs a 4th-order Butterworth low-pass (two biquads, cut-off at 45% of the
 * output rate) and then libsamplerate's linear interpolator (SRC_LINEAR): for analysis
 * features this is as good as a sinc converter at a tenth of its cost (measured: the sinc
 * converter was 30% of the analyser's time). When the input rate is a whole multiple of
 * the output rate (44.1 -> 22.05 kHz), every n-th filtered sample is kept instead.
 * Upsampling uses SRC_LINEAR alone; equal rates copy the samples unchanged. */
#ifndef MQ_RESAMPLE_H
#define MQ_RESAMPLE_H

#include <stddef.h>

typedef struct mq_resampler mq_resampler;

/* A converter from in_rate to out_rate for blocks of at most max_in samples. NULL on
 * failure. */
mq_resampler *mq_resampler_new(int in_rate, int out_rate, size_t max_in);

/* Converts n input samples (n <= max_in); *out points to the converted samples, valid
 * until the next call. Returns their count. With last set, flushes the converter. */
size_t mq_resampler_do(mq_resampler *r, const float *in, size_t n, int last, const float **out);

/* Frees the converter. Accepts NULL. */
void mq_resampler_del(mq_resampler *r);

#endif
