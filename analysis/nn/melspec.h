/* melspec.h — the networks' front end: framed STFT power (FFTW3 single precision,
 * periodic Hann window) and a Slaney mel filter bank with area normalisation
 * (librosa's htk=False, norm=1 / "slaney", as musicnn and the CRNN were trained).
 *
 * mq_nn_melspec is immutable after mq_nn_melspec_new (its FFTW plan is made there,
 * once) and may be shared by threads; each thread uses its own mq_nn_melspec_buf.
 * FFTW's planner is not thread-safe: create melspecs at start-up. */
#ifndef MQ_NN_MELSPEC_H
#define MQ_NN_MELSPEC_H

#include <stddef.h>

typedef struct mq_nn_melspec mq_nn_melspec;
typedef struct mq_nn_melspec_buf mq_nn_melspec_buf;

/* A front end for n_fft-point frames at sample rate sr with n_mels bands from fmin
 * to fmax Hz. NULL on failure (out of memory or FFTW plan failure). */
mq_nn_melspec *mq_nn_melspec_new(double sr, int n_fft, int n_mels, double fmin, double fmax);
void mq_nn_melspec_free(mq_nn_melspec *m);

/* Per-thread work buffers for m. NULL when out of memory. */
mq_nn_melspec_buf *mq_nn_melspec_buf_new(const mq_nn_melspec *m);
void mq_nn_melspec_buf_free(mq_nn_melspec_buf *b);

/* Mel power of nframes frames: frame j is x[j*hop .. j*hop + n_fft) (the caller pads
 * for centring). out is [nframes][n_mels], band 0 lowest. */
void mq_nn_melspec_frames(const mq_nn_melspec *m, mq_nn_melspec_buf *b, const float *x, int hop,
                          int nframes, float *out);

/* The filter bank as a dense row-major [n_mels][n_fft/2 + 1] array (read-only). */
const float *mq_nn_melspec_filterbank(const mq_nn_melspec *m);
int mq_nn_melspec_nmels(const mq_nn_melspec *m);
int mq_nn_melspec_nfft(const mq_nn_melspec *m);

/* Round v >= 0 to the nearest IEEE binary16 value (ties to even) and back, as numpy's
 * astype(float16) does. */
float mq_nn_f16_round(float v);

/* Index into a signal of n samples for position i, mirrored without repeating the
 * edge sample (numpy "reflect"), repeatedly if i is far outside; n >= 1. */
long mq_nn_reflect_index(long i, long n);

#endif
