/* waveform.h -- a compact min/max overview of a track for front ends.
 *
 * Keeps at most 2 * MQ_WAVEFORM_POINTS buckets, merging neighbours in pairs whenever
 * they fill, so the length of the track need not be known in advance and memory is
 * constant. The result has exactly MQ_WAVEFORM_POINTS (min, max) pairs when the track
 * has at least that many samples, fewer otherwise. */
#ifndef MQ_WAVEFORM_H
#define MQ_WAVEFORM_H

#include <stddef.h>
#include <stdint.h>

#define MQ_WAVEFORM_POINTS 1000

typedef struct mq_waveform {
    float min[2 * MQ_WAVEFORM_POINTS], max[2 * MQ_WAVEFORM_POINTS];
    size_t nb;        /* complete buckets */
    uint64_t bsize;   /* samples per bucket */
    uint64_t filled;  /* samples in the open bucket */
    float cmin, cmax; /* the open bucket */
} mq_waveform;

/* Starts a new track. */
void mq_waveform_reset(mq_waveform *w);
/* Adds n mono samples. */
void mq_waveform_do(mq_waveform *w, const float *x, size_t n);
/* Writes up to MQ_WAVEFORM_POINTS pairs to mins and maxs; returns their count. */
size_t mq_waveform_get(const mq_waveform *w, float *mins, float *maxs);

#endif
