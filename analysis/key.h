/* key.h -- musical key, key strength, tuning and chroma.
 *
 * Fed one STFT frame at a time (it reads the frame's time-domain samples, not its
 * spectrum); keeps a constant amount of state: its own decimated spectra (chroma.h)
 * summarised into chord and pitch-class histograms. The method is described at the
 * top of key.c. */
#ifndef MQ_KEY_H
#define MQ_KEY_H

#include "analysis/params.h"

typedef struct mq_key mq_key;

typedef struct mq_key_result {
    int tonic;         /* pitch class 0 (C) .. 11 (B); -1 when no key is found */
    int minor;         /* 1 for minor, 0 for major */
    double strength;   /* 0..1: correlation of the mean chroma with the key's profile
                          times the tonal share of the audio; 0 when no key is found,
                          NaN when nothing tonal was heard at all */
    double tuning_hz;  /* estimated reference frequency of A4, Hz; NaN when no key */
    double chroma[12]; /* mean chroma, C..B, max normalised to 1; NaN when nothing
                          tonal was heard */
} mq_key_result;

/* A new key detector. NULL on failure. */
mq_key *mq_key_new(void);
/* Forgets the current track. */
void mq_key_reset(mq_key *k);
/* Adds one frame. Frame 0 must come first (its whole pcm is used), then each next frame
 * in order (only its newest hop is used). */
void mq_key_do(mq_key *k, const mq_frame *f);
/* Estimates the key of the frames added. */
void mq_key_finish(mq_key *k, mq_key_result *out);
/* Frees the detector. Accepts NULL. */
void mq_key_del(mq_key *k);

/* Conventional spelling of a tonic: major keys C Db D Eb E F F# G Ab A Bb B, minor keys
 * C C# D Eb E F F# G G# A Bb B. */
const char *mq_key_tonic_name(int pc, int minor);
/* Camelot wheel code, e.g. "8A" for A minor, "8B" for C major, into buf (>= 4 bytes). */
void mq_key_camelot(int tonic, int minor, char *buf);

#endif
