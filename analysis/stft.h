/* stft.h -- magnitude spectra of Hann-windowed frames with FFTW3 (single precision).
 *
 * The FFT plan is made once, at creation, and reused for every frame of every file. */
#ifndef MQ_STFT_H
#define MQ_STFT_H

typedef struct mq_stft mq_stft;

/* A transform for frames of nfft samples (periodic Hann window). NULL on failure. */
mq_stft *mq_stft_new(int nfft);

/* Writes nfft/2+1 magnitudes of the windowed frame x (nfft samples) to mag. */
void mq_stft_do(mq_stft *s, const float *x, float *mag);

/* Frees the transform. Accepts NULL. */
void mq_stft_del(mq_stft *s);

/* Makes FFTW's planner safe to call from several threads; call once at start-up. */
void mq_stft_global_init(void);

#endif
