/* timbre.h -- mel band energies and MFCCs, summarised over a track.
 *
 * A Slaney-style mel filter bank of MQ_MEL_BANDS triangles from 0 Hz to MQ_SR/2 is
 * applied to the power spectrum; band energies are kept in dB, and the first
 * MQ_MFCC coefficients of the orthonormal DCT-II of the log (dB) bands are the MFCCs. */
#ifndef MQ_TIMBRE_H
#define MQ_TIMBRE_H

#include "analysis/params.h"

#define MQ_MEL_BANDS 40
#define MQ_MFCC 13

typedef struct mq_timbre mq_timbre;

typedef struct mq_timbre_result {
    double mel_db_mean[MQ_MEL_BANDS]; /* mean band power, dB (floor -100) */
    double mfcc_mean[MQ_MFCC], mfcc_std[MQ_MFCC];
    long frames; /* frames summarised; 0 means every field is NaN */
} mq_timbre_result;

/* A new accumulator. NULL on failure. */
mq_timbre *mq_timbre_new(void);
/* Forgets every frame seen. */
void mq_timbre_reset(mq_timbre *t);
/* Adds one frame (only every fourth frame is used, as for spectral shape). */
void mq_timbre_do(mq_timbre *t, const mq_frame *f);
/* Writes the summary of the frames seen so far. */
void mq_timbre_result_get(const mq_timbre *t, mq_timbre_result *out);
/* Frees the accumulator. Accepts NULL. */
void mq_timbre_del(mq_timbre *t);

#endif
