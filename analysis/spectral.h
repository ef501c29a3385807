/* spectral.h -- frame-wise spectral shape statistics, summarised as mean and std.
 *
 * Per frame: centroid, bandwidth, 85% rolloff (Hz), flatness (0..1), flux, contrast in
 * MQ_CONTRAST_BANDS octave bands (dB) and the zero-crossing rate of the newest hop.
 * Spectral shape is sampled every fourth frame (46 ms), contrast every sixteenth (186 ms);
 * frames of digital silence are left out of the spectral statistics. */
#ifndef MQ_SPECTRAL_H
#define MQ_SPECTRAL_H

#include "analysis/params.h"
#include "analysis/stats.h"

#define MQ_CONTRAST_BANDS 7

typedef struct mq_spectral mq_spectral;

/* Summary over a whole track; each field is NaN when no frame contributed. */
typedef struct mq_spectral_result {
    double centroid_mean, centroid_std;   /* Hz */
    double bandwidth_mean, bandwidth_std; /* Hz */
    double rolloff_mean, rolloff_std;     /* Hz */
    double flatness_mean, flatness_std;   /* ratio 0..1 */
    double flux_mean, flux_std;           /* 0..sqrt(2), L2 of normalised spectra */
    double zcr_mean, zcr_std;             /* crossings per sample, 0..1 */
    double contrast_mean[MQ_CONTRAST_BANDS], contrast_std[MQ_CONTRAST_BANDS]; /* dB */
} mq_spectral_result;

/* A new accumulator for frames at MQ_SR. NULL on failure. */
mq_spectral *mq_spectral_new(void);
/* Forgets every frame seen: ready for the next track. */
void mq_spectral_reset(mq_spectral *s);
/* Adds one frame. */
void mq_spectral_do(mq_spectral *s, const mq_frame *f);
/* Writes the summary of the frames seen so far. */
void mq_spectral_result_get(const mq_spectral *s, mq_spectral_result *out);
/* Frees the accumulator. Accepts NULL. */
void mq_spectral_del(mq_spectral *s);

#endif
