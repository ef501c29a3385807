/* truepeak.h -- true-peak level by 4x oversampling (ITU-R BS.1770-4, Annex 2 method).
 *
 * A 48-tap, 4-phase windowed-sinc interpolator estimates the signal between samples.
 * Interpolation is skipped wherever it cannot raise the running maximum: an output is a
 * weighted sum of the last 12 samples, so it cannot exceed L1 * max|x| (L1 the largest
 * absolute sum of a phase's taps). On music this skips almost every sample, making the
 * meter many times cheaper than interpolating everywhere, with the same result. */
#ifndef MQ_TRUEPEAK_H
#define MQ_TRUEPEAK_H

#include <stddef.h>

#define MQ_TP_MAX_CHANNELS 64

typedef struct mq_truepeak mq_truepeak;

/* A meter for interleaved frames of `channels` channels (at most MQ_TP_MAX_CHANNELS). */
mq_truepeak *mq_truepeak_new(int channels);
/* Adds n interleaved frames. */
void mq_truepeak_do(mq_truepeak *t, const float *x, size_t n);
/* The largest true peak so far over all channels, linear (1.0 = full scale). */
double mq_truepeak_get(const mq_truepeak *t);
/* Frees the meter. Accepts NULL. */
void mq_truepeak_del(mq_truepeak *t);

#endif
