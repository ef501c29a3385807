/* chroma.h -- tuned bass and treble pitch-class profiles of a mono stream.
 *
 * The stream (at MQ_SR) is low-passed and decimated by 4 to MQ_CHROMA_SR, and every
 * MQ_CHROMA_HOP decimated samples a Hann-windowed spectrum of MQ_CHROMA_NFFT samples
 * (0.74 s, 1.35 Hz per bin) is searched for sinusoidal peaks between 36 Hz and 2 kHz.
 * Each peak is mapped to a pitch class against a running estimate of the tuning and
 * added to a bass profile (below about 150 Hz) and a treble profile (above about
 * 100 Hz). State is constant-size. */
#ifndef MQ_CHROMA_H
#define MQ_CHROMA_H

#include <stddef.h>

#include "analysis/params.h"

#define MQ_CHROMA_DECIM 4                                  /* decimation factor */
#define MQ_CHROMA_SR ((double)MQ_SR / MQ_CHROMA_DECIM)     /* 5512.5 Hz */
#define MQ_CHROMA_NFFT 4096                                /* spectrum length, decimated samples */
#define MQ_CHROMA_HOP 1024                                 /* decimated samples between spectra */
#define MQ_CHROMA_FPS (MQ_CHROMA_SR / MQ_CHROMA_HOP)       /* spectra per second (5.38) */
#define MQ_CHROMA_MAX_IN (MQ_CHROMA_HOP * MQ_CHROMA_DECIM) /* largest block per call */

typedef struct mq_chroma mq_chroma;

/* One spectrum's pitch content. Weights are peak magnitudes above the local spectral
 * floor, in units of full-scale sine amplitude. */
typedef struct mq_chroma_frame {
    double treble[12]; /* pitch classes C..B of the peaks above about 100 Hz */
    double bass[12];   /* pitch classes of the peaks below about 150 Hz */
    int lowest;        /* pitch class of the lowest strong peak, -1 if none */
    int npeaks;        /* tonal peaks found */
    double tonality;   /* 0..1, share of the spectrum's magnitude in those peaks (x2) */
} mq_chroma_frame;

/* A new analyser. NULL on failure. */
mq_chroma *mq_chroma_new(void);
/* Forgets the current stream. */
void mq_chroma_reset(mq_chroma *c);
/* Adds n <= MQ_CHROMA_MAX_IN samples at MQ_SR. Returns 1 when a new spectrum was
 * analysed and written to *out, else 0. */
int mq_chroma_do(mq_chroma *c, const float *x, size_t n, mq_chroma_frame *out);
/* Estimated reference frequency of A4 in Hz from all peaks so far; NaN if none. */
double mq_chroma_tuning_hz(const mq_chroma *c);
/* Frees the analyser. Accepts NULL. */
void mq_chroma_del(mq_chroma *c);

#endif
