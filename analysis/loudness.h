/* loudness.h -- EBU R128 loudness (libebur128), true peak and RMS level.
 *
 * Works on the decoded frames at the file's own rate and channel count, as R128
 * requires. Levels of digital silence are NaN (written as null), never -inf. */
#ifndef MQ_LOUDNESS_H
#define MQ_LOUDNESS_H

#include <stddef.h>

typedef struct mq_loudness mq_loudness;

typedef struct mq_loudness_result {
    double integrated_lufs; /* EBU R128 integrated loudness, LUFS */
    double range_lu;        /* loudness range (LRA), LU */
    double true_peak_dbtp;  /* max true peak over channels, dBTP */
    double rms_db;          /* RMS of every sample, dBFS */
} mq_loudness_result;

/* A meter for rate Hz and channels; NULL on failure. */
mq_loudness *mq_loudness_new(int rate, int channels);
/* Adds n interleaved frames. Returns 0, or -1 when the meter fails. */
int mq_loudness_do(mq_loudness *l, const float *frames, size_t n);
/* Writes the measurements of everything added. */
void mq_loudness_result_get(mq_loudness *l, mq_loudness_result *out);
/* Frees the meter. Accepts NULL. */
void mq_loudness_del(mq_loudness *l);

#endif
