/* params.h -- the analysis rate and frame sizes shared by every feature module.
 *
 * Audio is downmixed to mono and resampled to MQ_SR before the STFT; every feature that
 * works on spectra sees frames of MQ_NFFT samples every MQ_HOP samples. Loudness and
 * the waveform overview use the file's own rate and channels instead. */
#ifndef MQ_PARAMS_H
#define MQ_PARAMS_H

#define MQ_SR 22050                  /* analysis sample rate, Hz */
#define MQ_NFFT 2048                 /* STFT frame length, samples (92.9 ms) */
#define MQ_HOP 256                   /* STFT hop, samples (11.6 ms, 86.1 frames/s) */
#define MQ_NBINS (MQ_NFFT / 2 + 1)   /* magnitude bins per frame */
#define MQ_FPS ((double)MQ_SR / MQ_HOP) /* frames per second */

/* One STFT frame as the feature modules see it. */
typedef struct mq_frame {
    const float *mag; /* MQ_NBINS magnitudes of the Hann-windowed frame */
    const float *pcm; /* the MQ_NFFT unwindowed samples of the frame */
    const float *hop; /* the newest MQ_HOP samples (the last MQ_HOP of pcm) */
    long index;       /* frame number; frame i is centred at i*MQ_HOP + MQ_NFFT/2 samples */
} mq_frame;

#endif
